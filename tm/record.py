"""Record a build's units in the TM store, one document at a time, replacing what it held for them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from align.stages import meta_path
from tm.decisions import DECISIONS_FILE, apply_decisions
from tm.store import Store, store_lock
from tm.units_cache import UNITS_FILE, load_folder, read_units
from tm.words import en_words, zh_segmented

SEGMENTATION = "jieba-runs-2"  # part of the key: a new segmentation re-records every document


def segmented(zh: str, en: str) -> tuple[str, str]:
    """The word-segmented texts the store indexes for counterpart counts."""
    return zh_segmented(zh), " ".join(en_words(en))


def _units_key(folder: Path, min_score: float) -> str:
    """What a document's stored units depend on: its units stage's input and output hashes (from the stage's
    small meta file, so an unchanged build reads no document data), its decisions and the min score."""
    digest = hashlib.sha256(f"{SEGMENTATION}{min_score!r}".encode())
    meta = json.loads(meta_path(folder / UNITS_FILE).read_text(encoding="utf-8"))
    digest.update(json.dumps([meta["version"], meta["params"], list(meta["inputs"].values()), meta["output"]]).encode())
    decisions = folder / DECISIONS_FILE  # a reviewer's decisions change the units too
    if decisions.exists():
        digest.update(decisions.read_bytes())
    return digest.hexdigest()


def record_build(out: Path, documents: Sequence[str], min_score: float) -> int:
    """Put the units of these aligned documents (folders under OUT/docs, units stage done) into OUT/tm.sqlite;
    a document whose inputs and min score are unchanged is skipped. Returns how many documents were (re)recorded."""
    recorded = 0
    with store_lock(out), Store(out) as store:
        for name in documents:
            folder = Path(out) / "docs" / name
            key = _units_key(folder, min_score)
            if store.document_key(name, "units") == key:
                continue
            doc = load_folder(folder)
            rows = []
            for level in ("sentence", "paragraph"):
                units, _ = read_units(folder / UNITS_FILE, level)  # units_of's, cached by the build
                units, accepted = apply_decisions(doc, level, units)  # as the TMX has them: rejected out, corrected in
                rows += [(level, u.tuid, u.symbol, u.label, u.shape, u.score,
                          "auto" if u.score >= min_score or (u.zh, u.en) in accepted else "review", u.zh, u.en)
                         for u in units]
            store.replace_units(name, doc.zh.symbol or doc.en.symbol, key, rows, segmented)
            recorded += 1
    return recorded
