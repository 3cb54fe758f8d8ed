"""Aligned documents → translation units → TMX (auto and review), TSV and the unmatched-segment file.

Layout under OUT (OmegaT reads tm/auto as exact matches and tm/penalty-NN with lowered scores):
    tm/auto/untm.{sentence,paragraph}.tmx              beads with score >= min_score
    tm/penalty-30/untm.{sentence,paragraph}.review.tmx  the rest of the matched beads
    untm.{sentence,paragraph}.tsv                       every matched bead, for spreadsheet review
    unmatched.tsv                                       1-0 / 0-1 beads (never in a TM: no empty <seg>)
    review/index.html, review/<slug>.html               side-by-side review pages (tm/review.py)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from align.extract import sentences_of
from align.labels import read_label
from align.pair import join_segments
from align.stages import read_document, sha256_file
from align.symbols import slug
from align.types import Bead, Document, read_beads, remove_stale_temporaries, write_atomic
from tm.tmx import PROFILES, TmUnit, clean_segment, write_tmx

LEVELS = ("sentence", "paragraph")
REVIEW_FOLDER = "penalty-30"


@dataclass(frozen=True, slots=True)
class AlignedDocument:
    zh: Document
    en: Document
    beads: dict[str, tuple[Bead, ...]]  # level → beads
    name: str = ""  # the build's name for it (OUT/docs/<name>); names a document that has no symbol
    decisions: tuple = ()  # tm.decisions.Decision: what a reviewer decided (untm review apply)


@dataclass(slots=True)
class ExportReport:
    auto: dict[str, int] = field(default_factory=dict)
    review: dict[str, int] = field(default_factory=dict)
    unmatched: int = 0
    duplicates_merged: int = 0
    removed_characters: int = 0
    outputs: list[Path] = field(default_factory=list)


def load_aligned(zh_paragraphs: Path, en_paragraphs: Path, beads_file: Path) -> AlignedDocument:
    return AlignedDocument(read_document(zh_paragraphs), read_document(en_paragraphs), read_beads(beads_file))


def segments_of(document: Document, level: str) -> tuple[list[str], list[str]]:
    """(texts, labels) of a document's segments at one level."""
    if level == "paragraph":
        return [p.text for p in document.paragraphs], [p.label for p in document.paragraphs]
    labels = {p.index: p.label for p in document.paragraphs}
    sentences = sentences_of(document)
    return [s for _, s in sentences], [labels[i] for i, _ in sentences]


def units_of(doc: AlignedDocument, level: str) -> tuple[list[TmUnit], list[tuple[str, str, str, str]]]:
    """Matched beads as units; unmatched ones as (symbol, language, label, text)."""
    zh_texts, zh_labels = segments_of(doc.zh, level)
    en_texts, en_labels = segments_of(doc.en, level)
    symbol = doc.zh.symbol or doc.en.symbol
    name = slug(symbol) if symbol else (doc.name or "document")
    units, unmatched = [], []
    for bead in doc.beads[level]:
        if not bead.zh or not bead.en:
            lang, ids, texts, labels = ("zh", bead.zh, zh_texts, zh_labels) if bead.zh else ("en", bead.en, en_texts, en_labels)
            unmatched.extend((symbol, lang, labels[i], texts[i]) for i in ids)
            continue
        zh = join_segments([zh_texts[i] for i in bead.zh], "zh")
        en = join_segments([en_texts[j] for j in bead.en], "en")
        if not clean_segment(zh)[0] or not clean_segment(en)[0]:
            unmatched.append((symbol, "zh", zh_labels[bead.zh[0]], zh))
            continue
        tuid = f"{name}/{level[0]}{bead.zh[0]}-{bead.zh[-1]}_{bead.en[0]}-{bead.en[-1]}"
        units.append(TmUnit(tuid, zh, en, symbol, zh_labels[bead.zh[0]], f"{len(bead.zh)}-{len(bead.en)}", bead.score))
    return units, unmatched


def with_label_variants(units: Iterable[TmUnit], label_units: bool) -> list[TmUnit]:
    """Each numbered unit, then the same pair without its paragraph label, then the label alone.

    The label-free pair matches wherever the sentence recurs under another number and wherever a
    CAT tool segments the number off (OmegaT's English rules split "1." from "1. Decides…"); the
    numbered pair serves Chinese, which OmegaT does not split there. The label keeps its number
    in x-label. `label_units` adds "1." ↔ "1." so the split-off number is filled too.
    """
    out: list[TmUnit] = []
    for unit in units:
        out.append(unit)
        zh_label, en_label = read_label(unit.zh), read_label(unit.en)
        if not zh_label or not en_label or zh_label.number != en_label.number or zh_label.number == "•":
            continue
        zh_rest, en_rest = unit.zh[zh_label.length:].strip(), unit.en[en_label.length:].strip()
        if zh_rest and en_rest:
            out.append(replace(unit, tuid=f"{unit.tuid}/unlabelled", zh=zh_rest, en=en_rest))
        if label_units:
            zh_written, en_written = unit.zh[:zh_label.length], unit.en[:en_label.length]
            out.append(replace(unit, tuid=f"label/{zh_written}/{en_written}", zh=zh_written, en=en_written, shape="label"))
    return out


def merge_duplicates(units: Iterable[TmUnit]) -> tuple[list[TmUnit], int]:
    """One unit per identical (zh, en) pair, the best-scored one, in first-seen order."""
    best: dict[tuple[str, str], TmUnit] = {}
    merged = 0
    for unit in units:
        key = (unit.zh, unit.en)
        if key in best:
            merged += 1
            if unit.score > best[key].score:
                best[key] = unit
        else:
            best[key] = unit
    return list(best.values()), merged


def _tsv_cell(text: str) -> str:
    return " ".join(text.replace("\t", " ").splitlines())


def write_tsv(rows: Sequence[Sequence[str]], path: Path, excel: bool = False) -> Path:
    """UTF-8 TSV; `excel` adds a BOM and CRLF line ends so Excel reads the Chinese right."""
    newline = "\r\n" if excel else "\n"
    text = newline.join("\t".join(_tsv_cell(str(c)) for c in row) for row in rows) + newline
    return write_atomic(path, ("\ufeff" if excel else "") + text)


def _creation_time() -> datetime:
    """SOURCE_DATE_EPOCH (the reproducible-builds convention) when set, else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)


def export(docs: Sequence[AlignedDocument], out: Path, *, min_score: float, profile: str = "generic",
           model_id: str = "", excel: bool = False, gzip: bool = False,
           missing: Sequence[tuple[str, str, str]] = (), cached_units: Sequence[Path] | None = None,
           decided: Sequence[bool] | None = None) -> ExportReport:
    """Write every TM file of one build; each file atomically. `missing`: (name, symbol, why) of documents left out.

    `cached_units[i]`: docs[i]'s units file (tm/units_cache.py), read instead of making its units again;
    then only the documents `decided` marks (they carry review decisions) are read for their decisions.
    """
    from tm.decisions import apply_decisions

    chosen = PROFILES[profile]
    limit = chosen.max_segment_chars

    def fits(unit: TmUnit) -> bool:
        return limit is None or (len(unit.zh) <= limit and len(unit.en) <= limit)

    report = ExportReport()
    for folder in (out, out / "tm" / "auto", out / "tm" / REVIEW_FOLDER):  # what a killed export left
        remove_stale_temporaries(folder, ("untm", "unmatched.tsv"))
    created = _creation_time()
    unmatched_rows: list[tuple[str, str, str, str]] = []
    for level in LEVELS:
        units: list[TmUnit] = []
        accepted: set[tuple[str, str]] = set()  # (zh, en) a reviewer accepted: tm/auto whatever the score
        for position in range(len(docs)):
            if cached_units is not None:  # the documents themselves are not read for this
                from tm.units_cache import read_units

                doc_units, doc_unmatched = read_units(cached_units[position], level)
            else:
                doc_units, doc_unmatched = units_of(docs[position], level)
            if cached_units is None or decided is None or decided[position]:
                doc_units, doc_accepted = apply_decisions(docs[position], level, doc_units)
                accepted |= doc_accepted
            units.extend(doc_units)
            if level == "sentence":
                unmatched_rows.extend(doc_unmatched)
        units, merged = merge_duplicates(units)
        report.duplicates_merged += merged
        auto = [u for u in units if (u.score >= min_score or (u.zh, u.en) in accepted) and fits(u)]
        review = [u for u in units if not ((u.score >= min_score or (u.zh, u.en) in accepted) and fits(u))]
        notes = {"model": model_id, "min-score": f"{min_score:g}", "profile": chosen.name}
        suffix = ".tmx.gz" if gzip else ".tmx"  # OmegaT and Trados read gzipped TMX
        for units_here, path in ((auto, out / "tm" / "auto" / f"untm.{level}{suffix}"),
                                 (review, out / "tm" / REVIEW_FOLDER / f"untm.{level}.review{suffix}")):
            units_here, _ = merge_duplicates(with_label_variants(units_here, chosen.label_units))
            written = write_tmx(units_here, path, segtype=level, profile=chosen, notes=notes, created=created)
            report.removed_characters += written.removed_characters
            report.outputs.extend(written.paths)
        report.auto[level], report.review[level] = len(auto), len(review)
        rows = [("tuid", "symbol", "label", "shape", "score", "status", "zh", "en")]
        rows += [(u.tuid, u.symbol, u.label, u.shape, f"{u.score:.4f}", "auto" if u in auto_set else "review", u.zh, u.en)
                 for auto_set in [set(auto)] for u in units]
        report.outputs.append(write_tsv(rows, out / f"untm.{level}.tsv", excel))
    from tm.review import write_review

    report.outputs.extend(write_review(docs, out, min_score, missing))
    from tm.omegat import write_segmentation

    report.outputs.append(write_segmentation(out))  # OmegaT rules that split a Chinese paragraph number off
    report.unmatched = len(unmatched_rows)
    report.outputs.append(write_tsv([("symbol", "language", "label", "text"), *unmatched_rows],
                                    out / "unmatched.tsv", excel))
    return report


def manifest(outputs: Sequence[Path]) -> dict[str, str]:
    return {str(p): sha256_file(p) for p in outputs}
