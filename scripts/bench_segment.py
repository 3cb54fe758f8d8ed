"""Benchmark: segment every seed and committed English counterpart; print paragraphs/s (target: all < 1 s)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align.extract import read_text, segment_text, sentences_of  # noqa: E402


def main() -> None:
    files = sorted((ROOT / "seeds").glob("*.zh.txt")) + sorted((ROOT / "fetched").glob("*/en.txt"))
    texts = [read_text(path) for path in files]
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        documents = [segment_text(text).document for text in texts]
        sentences = sum(len(sentences_of(d)) for d in documents)
        best = min(best, time.perf_counter() - start)
    paragraphs = sum(len(d.paragraphs) for d in documents)
    seeds = sum(1 for path in files if path.name.endswith(".zh.txt"))
    print(f"files: {len(files)} ({seeds} seeds + {len(files) - seeds} English counterparts), "
          f"{sum(len(t) for t in texts):,} characters")
    print(f"paragraphs: {paragraphs}, sentences: {sentences}")
    print(f"time (best of 5, segmentation + sentence split): {best:.3f} s")
    print(f"throughput: {paragraphs / best:,.0f} paragraphs/s")


if __name__ == "__main__":
    main()
