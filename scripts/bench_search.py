"""Benchmark the search index: build time, query latency p50/p95, recall@10 of the approximate index.

Synthetic vectors past the real corpus size: unit vectors drawn around 2,000 topic centres (real
sentence embeddings cluster by topic; uniform random vectors would make any approximate index
look worse than it is). Sizes 10k and 100k use exact search, 1M the IVF-SQ8 index (align/index.py).
Usage: python scripts/bench_search.py [SIZE ...]   (default: 10000 100000 1000000)
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align.index import VectorIndex  # noqa: E402
from tm.search import APPROXIMATE_FROM, COMPRESS_FROM  # noqa: E402

DIM, CENTRES, QUERIES = 512, 2000, 200


def vectors(count: int, rng: np.random.Generator, centres: np.ndarray) -> np.ndarray:
    out = np.empty((count, DIM), dtype=np.float32)
    for start in range(0, count, 100_000):
        n = min(100_000, count - start)
        chunk = centres[rng.integers(0, len(centres), n)] + 0.9 * rng.standard_normal((n, DIM)).astype(np.float32) / np.sqrt(DIM)
        out[start : start + n] = chunk / np.linalg.norm(chunk, axis=1, keepdims=True)
    return out


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [10_000, 100_000, 1_000_000]
    rng = np.random.default_rng(1)
    centres = rng.standard_normal((CENTRES, DIM)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    for size in sizes:
        data = vectors(size, rng, centres)
        queries = vectors(QUERIES, rng, centres)
        start = time.perf_counter()
        index = VectorIndex.build(data, approximate_from=APPROXIMATE_FROM, threads=2, compress_from=COMPRESS_FROM)
        build = time.perf_counter() - start
        latencies = []
        found = []
        for query in queries:
            t = time.perf_counter()
            _, ids = index.search(query[None, :], 10)
            latencies.append((time.perf_counter() - t) * 1000)
            found.append(ids[0])
        kind = index.kind
        import faiss

        index_mb = len(faiss.serialize_index(index._index)) / 1e6
        line = (f"{size:>9,} paragraphs ({kind}, {index_mb:.0f} MB serialised): build {build:6.2f} s, query p50 {np.percentile(latencies, 50):6.2f} ms, "
                f"p95 {np.percentile(latencies, 95):6.2f} ms")
        if kind != "flat":
            exact = VectorIndex.build(data, approximate_from=size + 1, threads=2)
            _, truth = exact.search(queries, 10)
            recall = np.mean([len(set(f) & set(t)) / 10 for f, t in zip(found, truth)])
            line += f", recall@10 vs exact {recall:.3f}"
        print(line + f", peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)
        del data, index


if __name__ == "__main__":
    main()
