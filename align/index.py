"""VectorIndex: inner-product nearest-neighbour search over L2-normalised vectors (the one faiss user).

Exact search (IndexFlatIP) for small collections; past `approximate_from` vectors an inverted-file
index (IVF, 4·√n lists, probing 1/8 of them), and past `compress_from` IVF with 8-bit scalar-quantised
codes (512 bytes a vector instead of 2 KB: a million vectors in ~0.5 GB), whose recall@10 against
exact search is measured by scripts/bench_search.py. Not product quantisation: 64-byte PQ codes kept
only 0.44 recall@10 on 200k clustered vectors where 8-bit SQ kept 0.98. Built with ids, an index takes and removes
vectors by id, so adding documents never rebuilds it. IVF rather than HNSW: on 2 cores an HNSW graph of a million 512-d vectors
takes tens of minutes to build, IVF trains on a sample in about a minute.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from align.errors import StaleIndex
from align.types import atomic_file


class VectorIndex:
    def __init__(self, index, dim: int) -> None:
        self._index = index
        self.dim = dim

    @staticmethod
    def kind_for(count: int, approximate_from: int = 200_000, compress_from: int | None = None) -> str:
        """The index type `build` chooses for `count` vectors: "flat", "ivf" or "ivfsq8"."""
        if compress_from is not None and count >= compress_from:
            return "ivfsq8"
        return "ivf" if count >= approximate_from else "flat"

    @property
    def kind(self) -> str:
        import faiss

        inner = faiss.downcast_index(self._index.index) if isinstance(self._index, faiss.IndexIDMap) else self._index
        inner = faiss.downcast_index(inner)
        if isinstance(inner, faiss.IndexIVFScalarQuantizer):
            return "ivfsq8"
        return "ivf" if isinstance(inner, faiss.IndexIVF) else "flat"

    @classmethod
    def build(cls, vectors: np.ndarray, approximate_from: int = 200_000, threads: int = 1,
              ids: np.ndarray | None = None, compress_from: int | None = None) -> VectorIndex:
        """Index (n, d) float32 rows; exact below `approximate_from` rows, IVF above, IVF-SQ8 from
        `compress_from`. With `ids` (n,) int64 the index answers those ids and can `add`/`remove`."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        sample = vectors[cls.training_rows(len(vectors), approximate_from, compress_from)]
        built = cls.empty(sample, len(vectors), approximate_from, threads, ids is not None, compress_from)
        if ids is None:
            built._index.add(vectors)
        else:
            built.add(vectors, ids)
        return built

    @classmethod
    def training_rows(cls, count: int, approximate_from: int = 200_000, compress_from: int | None = None) -> np.ndarray:
        """Which of `count` rows an index for them trains on (none for an exact index): a caller that
        streams its vectors encodes these first, then adds the rest chunk by chunk."""
        if cls.kind_for(count, approximate_from, compress_from) == "flat":
            return np.zeros(0, dtype=np.int64)
        lists = int(4 * np.sqrt(count))
        return np.sort(np.random.default_rng(0).choice(count, size=min(count, 40 * lists), replace=False))

    @classmethod
    def empty(cls, sample: np.ndarray, count: int, approximate_from: int = 200_000, threads: int = 1,
              with_ids: bool = True, compress_from: int | None = None) -> VectorIndex:
        """An index for `count` vectors, trained on `sample` (the rows `training_rows` chose), still empty."""
        import faiss

        faiss.omp_set_num_threads(threads)
        dim = sample.shape[1]
        kind = cls.kind_for(count, approximate_from, compress_from)
        if kind != "flat":
            lists = int(4 * np.sqrt(count))
            quantiser = faiss.IndexFlatIP(dim)
            if kind == "ivfsq8":  # one byte a dimension
                index = faiss.IndexIVFScalarQuantizer(quantiser, dim, lists, faiss.ScalarQuantizer.QT_8bit,
                                                      faiss.METRIC_INNER_PRODUCT)
            else:
                index = faiss.IndexIVFFlat(quantiser, dim, lists, faiss.METRIC_INNER_PRODUCT)
            index.own_fields = True
            quantiser.this.disown()
            index.train(np.ascontiguousarray(sample, dtype=np.float32))
            index.nprobe = max(8, lists // 8) if kind == "ivf" else max(8, lists // 32)  # SQ8: fewer lists, same recall
        else:
            index = faiss.IndexFlatIP(dim)
            if with_ids:
                index = faiss.IndexIDMap2(index)
        return cls(index, dim)

    def add(self, vectors: np.ndarray, ids: np.ndarray) -> None:
        """Add (n, d) rows under int64 ids (an index built with ids)."""
        if len(vectors):
            self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))

    def remove(self, ids) -> int:
        """Remove vectors by id; returns how many went."""
        import faiss

        ids = np.asarray(list(ids), dtype=np.int64)
        return int(self._index.remove_ids(faiss.IDSelectorBatch(len(ids), faiss.swig_ptr(ids)))) if len(ids) else 0

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def ids(self) -> np.ndarray:
        """The int64 ids of an index built with ids, in the order it holds them."""
        import faiss

        return faiss.vector_to_array(self._index.id_map).astype(np.int64)

    def vectors_with_ids(self) -> tuple[np.ndarray, np.ndarray]:
        """(vectors, ids) of an exact index built with ids (a small one: the search index's delta)."""
        import faiss

        inner = faiss.downcast_index(self._index.index)
        return inner.reconstruct_n(0, inner.ntotal), self.ids()

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids), each (q, k'); k' = min(k, len(self)); best first."""
        k = min(k, len(self))
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if k == 0 or len(queries) == 0:
            return np.zeros((len(queries), 0), np.float32), np.zeros((len(queries), 0), np.int64)
        if queries.shape[1] != self.dim:
            raise StaleIndex(f"query vectors have {queries.shape[1]} dimensions, the index {self.dim}",
                             hint="rebuild the index with the same model you search with")
        scores, ids = self._index.search(queries, k)
        return scores, ids

    def save(self, path: Path) -> None:
        """Write the index atomically (temp file + rename)."""
        import faiss

        with atomic_file(path) as handle:  # streamed: serialize_index would hold two copies of the index
            writer = faiss.PyCallbackIOWriter(handle.write)
            faiss.write_index(self._index, writer)
            del writer  # flushes its buffer into the handle

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        import faiss

        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise StaleIndex(f"cannot read search index {path}: {exc}", hint="rebuild it with `untm index`") from exc
        return cls(index, index.d)
