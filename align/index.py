"""VectorIndex: inner-product nearest-neighbour search over L2-normalised vectors (the one faiss user).

Exact search (IndexFlatIP) for small collections; past `approximate_from` vectors an inverted-file
index (IVF, 4·√n lists, probing 1/8 of them), whose recall@10 against exact search is measured by
scripts/bench_search.py. IVF rather than HNSW: on 2 cores an HNSW graph of a million 512-d vectors
takes tens of minutes to build, IVF trains on a sample in about a minute.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from align.errors import StaleIndex
from align.types import write_atomic


class VectorIndex:
    def __init__(self, index, dim: int) -> None:
        self._index = index
        self.dim = dim

    @classmethod
    def build(cls, vectors: np.ndarray, approximate_from: int = 200_000, threads: int = 1) -> VectorIndex:
        """Index (n, d) float32 rows; exact below `approximate_from` rows, IVF above."""
        import faiss

        faiss.omp_set_num_threads(threads)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        if len(vectors) >= approximate_from:
            lists = int(4 * np.sqrt(len(vectors)))
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT)
            sample = np.random.default_rng(0).choice(len(vectors), size=min(len(vectors), 40 * lists), replace=False)
            index.train(vectors[np.sort(sample)])
            index.nprobe = max(8, lists // 8)
        else:
            index = faiss.IndexFlatIP(dim)
        index.add(vectors)
        return cls(index, dim)

    def __len__(self) -> int:
        return int(self._index.ntotal)

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

        write_atomic(path, faiss.serialize_index(self._index).tobytes())

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        import faiss

        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise StaleIndex(f"cannot read search index {path}: {exc}", hint="rebuild it with `untm index`") from exc
        return cls(index, index.d)
