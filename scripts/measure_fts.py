"""Literal search for Chinese: FTS5 trigram tokenizer vs jieba-segmented text under unicode61.

Over the 8,000 UNv1.0 Chinese sentences (tests/data/unpc) and the Chinese terms of
tests/data/terms_gold_150.tsv: recall and precision of each index against plain substring search
(the concordance a translator expects), index build time and size. Never imported by the package.
Usage: python scripts/measure_fts.py
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tm.store import fts_phrase  # noqa: E402
from tm.words import zh_words  # noqa: E402

UNPC = ROOT / "tests" / "data" / "unpc" / "UNv1.0.devset+testset.zh-en.jsonl"
GOLD = ROOT / "tests" / "data" / "terms_gold_150.tsv"


def main() -> None:
    texts = [json.loads(line)["zh"] for line in UNPC.open(encoding="utf-8")]
    terms = [line.split("\t")[0].split("|")[0] for line in GOLD.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE tri USING fts5(t, tokenize='trigram')")
    db.execute("CREATE VIRTUAL TABLE seg USING fts5(t, tokenize='unicode61')")
    start = time.perf_counter()
    db.executemany("INSERT INTO tri (rowid, t) VALUES (?, ?)", enumerate(texts))
    trigram_time = time.perf_counter() - start
    start = time.perf_counter()
    db.executemany("INSERT INTO seg (rowid, t) VALUES (?, ?)", ((i, " ".join(zh_words(t))) for i, t in enumerate(texts)))
    jieba_time = time.perf_counter() - start
    sizes = {name: db.execute(f"SELECT sum(length(block)) FROM {name}_data").fetchone()[0] for name in ("tri", "seg")}
    found = {"tri": [0, 0], "seg": [0, 0]}  # right, returned
    truth_total = 0
    short = 0
    for term in terms:
        truth = {i for i, t in enumerate(texts) if term in t}
        truth_total += len(truth)
        if len(term) >= 3:
            tri = {r[0] for r in db.execute("SELECT rowid FROM tri WHERE tri MATCH ?", (fts_phrase(term),))}
        else:
            short += 1  # the trigram index cannot answer it; the store falls back to LIKE (exact)
            tri = {i for i, t in enumerate(texts) if term in t}
        seg = {r[0] for r in db.execute("SELECT rowid FROM seg WHERE seg MATCH ?", (fts_phrase(" ".join(zh_words(term))),))}
        for name, got in (("tri", tri), ("seg", seg)):
            found[name][0] += len(got & truth)
            found[name][1] += len(got)
    for name, label, seconds in (("tri", "trigram", trigram_time), ("seg", "jieba + unicode61", jieba_time)):
        right, returned = found[name]
        print(f"{label:>18}: recall {right / truth_total:.3f}, precision {right / max(returned, 1):.3f}, "
              f"index {sizes[name] / 1e6:.1f} MB, build {seconds:.1f} s")
    print(f"{len(terms)} terms, {truth_total} occurrences; {short} terms under 3 characters answered by LIKE")


if __name__ == "__main__":
    main()
