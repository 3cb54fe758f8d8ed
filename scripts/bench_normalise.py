"""Precision and recall of align/normalise.py.

Precision: of the 8,000 UN sentence pairs made from Word files (nearly clean), how many sentences the
normaliser changes (English must stay < 0.1 %, each change is listed for review; Chinese may lose
only spaces next to CJK). Recall: of the extraction defects found by hand in the committed English
texts (tests/data/normalise/en_defects.tsv), how many it repairs. Also: CJK–digit/Latin spaces left
in the Chinese paragraphs of the seeds.

    python scripts/bench_normalise.py [--corpus ../shared/corpus/sentence-aligned/UNv1.0.devset+testset.zh-en.jsonl]
"""

from __future__ import annotations

import argparse
import csv
import difflib
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align.extract import segment_file  # noqa: E402
from align.normalise import normalise  # noqa: E402

CJK = r"\u3400-\u9fff\uf900-\ufaff"
CJK_SPACE_RE = re.compile(rf"[{CJK}] +[A-Za-z0-9]|[A-Za-z0-9] +[{CJK}]")


def _changes(before: str, after: str) -> list[tuple[str, str]]:
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [(before[max(0, a1 - 12):a2 + 12], after[max(0, b1 - 12):b2 + 12])
            for op, a1, a2, b1, b2 in matcher.get_opcodes() if op != "equal"]


def precision(corpus: Path) -> None:
    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    changed_en = [(r["en"], normalise(r["en"], "en")) for r in rows]
    changed_en = [(a, b) for a, b in changed_en if a != b]
    changed_zh = [(r["zh"], normalise(r["zh"], "zh")) for r in rows]
    changed_zh = [(a, b) for a, b in changed_zh if a != b]
    seconds = time.perf_counter() - started
    print(f"English: {len(changed_en)} of {len(rows)} Word-file sentences changed ({len(changed_en) / len(rows):.3%}):")
    for before, after in changed_en:
        print("   ", " | ".join(f"{a!r} → {b!r}" for a, b in _changes(before, after)))
    not_spaces = [(a, b) for a, b in changed_zh if a.replace(" ", "") != b.replace(" ", "")]
    print(f"Chinese: {len(changed_zh)} of {len(rows)} sentences changed ({len(changed_zh) / len(rows):.2%}); "
          f"{len(not_spaces)} changed anything but spaces; "
          f"sentences with a CJK–digit/Latin space before: {sum(bool(CJK_SPACE_RE.search(r['zh'])) for r in rows)}, "
          f"after: {sum(bool(CJK_SPACE_RE.search(normalise(r['zh'], 'zh'))) for r in rows)} (after a leading paragraph number, as Word has it)")
    for before, after in not_spaces:
        print("    not only spaces:", _changes(before, after))
    print(f"time: {seconds:.2f} s for {2 * len(rows)} sentences")


def recall() -> None:
    defects = list(csv.DictReader((ROOT / "tests/data/normalise/en_defects.tsv").open(encoding="utf-8"),
                                  delimiter="\t"))
    documents = {}
    repaired = 0
    for row in defects:
        slug = row["symbol_slug"]
        if slug not in documents:
            documents[slug] = segment_file(ROOT / "fetched" / slug / "en.txt", "en").document
        text = documents[slug].paragraphs[int(row["paragraph"])].text
        damaged, clean = row["damaged (as extracted, with context)"], row["repaired (as the Word file writes it)"]
        if clean in text and damaged not in text:
            repaired += 1
        else:
            print(f"    missed: {slug}: {damaged!r} (should read {clean!r})")
    print(f"English defects in the committed texts repaired: {repaired} of {len(defects)} ({repaired / len(defects):.1%})")
    left = 0
    for seed in sorted((ROOT / "seeds").glob("*.zh.txt")):
        document = segment_file(seed, "zh").document
        left += sum(bool(CJK_SPACE_RE.search(p.text[len(p.text) - len(p.text.lstrip("0123456789.() ")):]))
                    for p in document.paragraphs)
    print(f"Chinese seed paragraphs still holding a CJK–digit/Latin space: {left}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path,
                        default=ROOT.parent / "shared/corpus/sentence-aligned/UNv1.0.devset+testset.zh-en.jsonl")
    args = parser.parse_args()
    corpus = args.corpus if args.corpus.exists() else ROOT / "tests/data/unpc/UNv1.0.devset+testset.zh-en.jsonl"
    precision(corpus)
    recall()


if __name__ == "__main__":
    main()
