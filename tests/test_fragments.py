"""The export merges per-document fragments (tm/fragments.py) into the bytes the whole-build algorithm
writes: identical pairs merged across documents (best score, first position), label variants, review
decisions that reach other documents' units, segment limits and split files."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from test_tmx import CREATED, _tiny_document

from align.types import Bead
from tm.decisions import ACCEPT, REJECT, Decision, apply_decisions, link_texts, text_hash
from tm.export import (
    LEVELS,
    REVIEW_FOLDER,
    AlignedDocument,
    export,
    merge_duplicates,
    units_of,
    with_label_variants,
    write_tsv,
)
from tm.tmx import PROFILES, Profile, write_tmx


def _whole_build_export(docs: list[AlignedDocument], out: Path, min_score: float, profile: str) -> None:
    """What the export wrote before fragments: every unit in memory, merged, split, written (the reference)."""
    chosen = PROFILES[profile]

    def fits(unit) -> bool:
        limit = chosen.max_segment_chars
        return limit is None or (len(unit.zh) <= limit and len(unit.en) <= limit)

    notes = {"model": "m", "min-score": f"{min_score:g}", "profile": chosen.name}
    for level in LEVELS:
        units, accepted = [], set()
        for doc in docs:
            doc_units, _ = units_of(doc, level)
            doc_units, doc_accepted = apply_decisions(doc, level, doc_units)
            units += doc_units
            accepted |= doc_accepted
        units, _ = merge_duplicates(units)
        auto = [u for u in units if (u.score >= min_score or (u.zh, u.en) in accepted) and fits(u)]
        review = [u for u in units if u not in auto]
        for here, path in ((auto, out / "tm" / "auto" / f"untm.{level}.tmx"),
                           (review, out / "tm" / REVIEW_FOLDER / f"untm.{level}.review.tmx")):
            merged, _ = merge_duplicates(with_label_variants(here, chosen.label_units))
            write_tmx(merged, path, segtype=level, profile=chosen, notes=notes, created=CREATED)
        rows = [("tuid", "symbol", "label", "shape", "score", "status", "zh", "en")]
        rows += [(u.tuid, u.symbol, u.label, u.shape, f"{u.score:.4f}", "auto" if u in auto else "review", u.zh, u.en)
                 for u in units]
        write_tsv(rows, out / f"untm.{level}.tsv")


def _rescored(doc: AlignedDocument, symbol: str, change: dict[int, float]) -> AlignedDocument:
    """The same texts under another symbol, some sentence and paragraph beads scored differently."""
    beads = {level: tuple(replace(b, score=change.get(i, b.score)) for i, b in enumerate(doc.beads[level]))
             for level in LEVELS}
    return AlignedDocument(replace(doc.zh, symbol=symbol), replace(doc.en, symbol=symbol), beads)


def _decided(doc: AlignedDocument) -> AlignedDocument:
    """A reviewer accepted the low-scored link 3 and rejected link 0 (sentence level), corrected paragraph 4."""
    decisions = []
    for level, index, decision, en_text in (("sentence", 3, ACCEPT, ""), ("sentence", 0, REJECT, ""),
                                            ("paragraph", 4, "", "1. Stresses the importance, corrected.")):
        bead = doc.beads[level][index]
        decisions.append(Decision(level, bead.zh, bead.en, text_hash(*link_texts(doc, level)(bead)), decision,
                                  en_text=en_text))
    return replace(doc, decisions=tuple(decisions))


@pytest.mark.parametrize("profile", ["generic", "trados", "split"])
def test_merged_fragments_equal_the_whole_build_export(tmp_path: Path, monkeypatch, profile: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(CREATED.timestamp())))
    # "split": files capped at 3 kB, so the merged units spread over numbered parts
    monkeypatch.setitem(PROFILES, "split", Profile("split", max_file_bytes=3000, max_segment_chars=60))
    tiny = _tiny_document()
    docs = [tiny,
            _rescored(tiny, "S/RES/1(2000)", {0: 0.99, 2: 0.5, 4: 0.97}),  # later and better: its content wins
            # its acceptance moves link 3 to auto everywhere; its corrected link 4 ties with the second document's
            _decided(_rescored(tiny, "S/RES/2(2000)", {1: 0.2, 4: 0.97})),
            replace(tiny, beads={"sentence": (Bead((7,), (6,), 0.99),), "paragraph": ()})]  # one label pair, best
    export(docs, tmp_path / "merged", min_score=0.5, profile=profile, model_id="m")
    _whole_build_export(docs, tmp_path / "reference", 0.5, profile)
    reference = sorted(p.relative_to(tmp_path / "reference") for p in (tmp_path / "reference").rglob("*") if p.is_file())
    assert len(reference) >= 6
    if profile == "split":
        assert any(".part2." in p.name for p in reference)
    for name in reference:
        assert (tmp_path / "merged" / name).read_bytes() == (tmp_path / "reference" / name).read_bytes(), name
    sentence_tsv = (tmp_path / "merged" / "untm.sentence.tsv").read_text(encoding="utf-8")
    assert "S/RES/1(2000)" in sentence_tsv  # the better-scored copy of a pair first seen in the first document
