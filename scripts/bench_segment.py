"""Benchmark: segment every seed and committed English counterpart; print paragraphs/s (target: all < 1 s).

Then long inputs (target: seconds, linear time): a 2 MB single line in each language through
segmentation and sentence splitting, and a 240 KB English paragraph through the sentence splitter.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align.extract import read_text, segment_text, sentences_of  # noqa: E402
from align.sentences import split_en  # noqa: E402


def _repeat(text: str, size: int) -> str:
    return (text * (size // len(text) + 1))[:size]


def long_inputs() -> None:
    """One-line inputs built by repeating the seeds' own text, plus a run of initials ("A. A. …"),
    the worst case of the English splitter (every mark is a candidate, none a boundary)."""
    zh = "".join(read_text(ROOT / "seeds" / "S-RES-2423-2018.zh.txt").split())
    en = " ".join(read_text(ROOT / "fetched" / "S-RES-2423-2018" / "en.txt").split())
    for name, text, lang in (("zh", _repeat(zh, 2_000_000), "zh"), ("en", _repeat(en, 2_000_000), "en"),
                             ("en 'A. A. …'", _repeat("A. ", 2_000_000), "en")):
        start = time.perf_counter()
        document = segment_text(text, lang).document
        middle = time.perf_counter()
        sentences = len(sentences_of(document))
        end = time.perf_counter()
        print(f"2 MB single line, {name}: segment {middle - start:.2f} s, sentences {end - middle:.2f} s "
              f"({len(document.paragraphs)} paragraph, {sentences:,} sentences)")
    for name, paragraph in (("UN text", _repeat(en, 240_000)), ("'A. A. …'", _repeat("A. ", 240_000))):
        start = time.perf_counter()
        sentences = len(split_en(paragraph))
        elapsed = time.perf_counter() - start
        print(f"240 KB English paragraph, {name}: split in {elapsed:.3f} s ({sentences:,} sentences)")


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
    long_inputs()


if __name__ == "__main__":
    main()
