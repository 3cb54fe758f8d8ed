"""Each document's share of the export, made once as stage files in its docs/<name>/, so an export merges them.

    units.jsonl       its translation units and unmatched rows (units_of), whatever the profile
    export.fragment   its <tu>s, label variants and TSV rows as bytes, decisions applied (tm/fragments.py)
    review.json       its review page, index line and workbook rows (tm/review.review_parts)

Adding N documents to a build of M then costs N documents' stages (run in the per-document work, on a
cluster's workers too); the export merges the M + N fragments by their small indexes and copies bytes.
Each file is a stage output with a meta file (align/stages.py): it is redone when the paragraphs,
beads or review decisions it came from change.
"""
from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path

from align.stages import run_stage
from tm.export import LEVELS, AlignedDocument, load_aligned, units_of
from tm.tmx import TmUnit

UNITS_FILE = "units.jsonl"
UNITS_VERSION = 2  # bump when units_of changes what it makes of the same beads
DOCUMENT_FILES = ("zh.paragraphs.jsonl", "en.paragraphs.jsonl", "beads.jsonl")
REVIEW_FILE = "review.json"
REVIEW_VERSION = 2  # bump when tm/review.py changes a page, an index line or a workbook row


def units_stage(work: Path, force: bool = False) -> bool:
    """docs/<name>/{paragraphs,beads} → docs/<name>/units.jsonl: units and unmatched rows per level.
    True when it was made again (the document's paragraphs or beads changed)."""
    inputs = [work / name for name in DOCUMENT_FILES]

    def produce() -> str:
        doc = replace(load_aligned(*inputs), name=work.name)  # a document without a symbol names its units by folder
        lines = []
        for level in LEVELS:
            units, unmatched = units_of(doc, level)
            lines += [json.dumps({"level": level, "unit": [u.tuid, u.zh, u.en, u.symbol, u.label, u.shape, u.score]},
                                 ensure_ascii=False) for u in units]
            lines += [json.dumps({"level": level, "unmatched": list(row)}, ensure_ascii=False) for row in unmatched]
        return "".join(line + "\n" for line in lines)

    return run_stage(work / UNITS_FILE, "units", {"version": UNITS_VERSION}, inputs, produce, force)


def fragment_stage(work: Path, profile: str, force: bool = False) -> Path:
    """docs/<name>/units.jsonl (+ its review decisions) → docs/<name>/export.fragment for one TMX profile."""
    from tm.decisions import DECISIONS_FILE, apply_decisions
    from tm.fragments import FRAGMENT_FILE, FRAGMENT_VERSION, make_fragment
    from tm.tmx import PROFILES

    units_file, decisions = work / UNITS_FILE, work / DECISIONS_FILE
    decided = decisions.exists()  # the decisions need the document itself to find their units
    inputs = [units_file, *(work / name for name in DOCUMENT_FILES), decisions] if decided else [units_file]

    def produce() -> bytes:
        doc = load_folder(work) if decided else None
        units, accepted, unmatched = {}, {}, []
        for level in LEVELS:
            units[level], level_unmatched = read_units(units_file, level)
            if doc is not None:
                units[level], accepted[level] = apply_decisions(doc, level, units[level])
            if level == "sentence":
                unmatched = level_unmatched
        return make_fragment(units, accepted, unmatched, PROFILES[profile])

    out = work / FRAGMENT_FILE
    run_stage(out, "export-fragment", {"profile": profile, "version": FRAGMENT_VERSION}, inputs, produce, force)
    return out


def review_stage(work: Path, min_score: float, force: bool = False) -> Path:
    """docs/<name>/{paragraphs,beads,decisions} → docs/<name>/review.json: its review page, index line and
    workbook rows (tm/review.review_parts), so the export writes the review outputs without the documents."""
    from tm.decisions import DECISIONS_FILE
    from tm.review import review_parts, source_of

    decisions = work / DECISIONS_FILE
    inputs = [*(work / name for name in DOCUMENT_FILES), *([decisions] if decisions.exists() else [])]
    sources = (source_of(work, "zh"), source_of(work, "en"))  # a parameter: the page names them

    def produce() -> str:
        return json.dumps(review_parts(load_folder(work), min_score, sources), ensure_ascii=False) + "\n"

    out = work / REVIEW_FILE
    params = {"min_score": min_score, "version": REVIEW_VERSION, "sources": list(sources)}
    run_stage(out, "review", params, inputs, produce, force)
    return out


def read_units(path: Path, level: str) -> tuple[list[TmUnit], list[tuple[str, str, str, str]]]:
    """The units and unmatched rows of one level, as units_of gives them."""
    units, unmatched = [], []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            if row["level"] != level:
                continue
            if "unit" in row:
                units.append(TmUnit(*row["unit"]))
            else:
                unmatched.append(tuple(row["unmatched"]))
    return units, unmatched


def load_folder(folder: Path) -> AlignedDocument:
    """The aligned document a build left in OUT/docs/<name>, named by its folder, with its review decisions."""
    from tm.decisions import read_decisions

    return replace(load_aligned(*(folder / name for name in DOCUMENT_FILES)), name=folder.name,
                   decisions=read_decisions(folder))


class LazyDocuments(Sequence[AlignedDocument]):
    """Aligned documents read from their folders one at a time, when iterated: the export keeps none."""

    def __init__(self, folders: Sequence[Path]) -> None:
        self.folders = list(folders)

    def __len__(self) -> int:
        return len(self.folders)

    def __getitem__(self, position):  # type: ignore[override]
        if isinstance(position, slice):
            return LazyDocuments(self.folders[position])
        return load_folder(self.folders[position])

    def __iter__(self) -> Iterator[AlignedDocument]:
        return (self[i] for i in range(len(self)))
