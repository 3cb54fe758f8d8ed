"""Record a build's units in the TM store, one document at a time, replacing what it held for them."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from tm.decisions import DECISIONS_FILE, apply_decisions
from tm.export import units_of
from tm.store import Store, store_lock
from tm.units_cache import DOCUMENT_FILES, load_folder
from tm.words import en_words, zh_segmented

SEGMENTATION = "jieba-runs-1"  # part of the key: a new segmentation re-records every document


def segmented(zh: str, en: str) -> tuple[str, str]:
    """The word-segmented texts the store indexes for counterpart counts."""
    return zh_segmented(zh), " ".join(en_words(en))


def record_build(out: Path, documents: Sequence[str], min_score: float) -> int:
    """Put the units of these aligned documents (folders under OUT/docs) into OUT/tm.sqlite; a document
    whose inputs and min score are unchanged is skipped. Returns how many documents were (re)recorded."""
    recorded = 0
    with store_lock(out), Store(out) as store:
        for name in documents:
            paths = [Path(out) / "docs" / name / f for f in DOCUMENT_FILES]
            digest = hashlib.sha256(f"{SEGMENTATION}{min_score!r}".encode())
            decisions = Path(out) / "docs" / name / DECISIONS_FILE  # a reviewer's decisions change the units too
            for path in [*paths, decisions] if decisions.exists() else paths:
                digest.update(path.read_bytes())
            key = digest.hexdigest()
            if store.document_key(name, "units") == key:
                continue
            doc = load_folder(Path(out) / "docs" / name)
            rows = []
            for level in ("sentence", "paragraph"):
                units, _ = units_of(doc, level)
                units, accepted = apply_decisions(doc, level, units)  # as the TMX has them: rejected out, corrected in
                rows += [(level, u.tuid, u.symbol, u.label, u.shape, u.score,
                          "auto" if u.score >= min_score or (u.zh, u.en) in accepted else "review", u.zh, u.en)
                         for u in units]
            store.replace_units(name, doc.zh.symbol or doc.en.symbol, key, rows, segmented)
            recorded += 1
    return recorded
