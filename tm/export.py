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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from align.extract import sentences_of
from align.labels import read_label
from align.pair import join_segments
from align.stages import read_document, sha256_file
from align.symbols import slug
from align.types import Bead, Document, atomic_file, read_beads, remove_stale_temporaries
from tm.fragments import tsv_line
from tm.tmx import PROFILES, TmUnit, clean_segment, write_tmx_bytes

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


def write_tsv(rows: Sequence[Sequence[str]], path: Path, excel: bool = False) -> Path:
    """UTF-8 TSV; `excel` adds a BOM and CRLF line ends so Excel reads the Chinese right."""
    return write_tsv_lines((tsv_line(row) for row in rows), path, excel)


def write_tsv_lines(lines: Iterable[str | bytes], path: Path, excel: bool = False) -> Path:
    """TSV lines (cells already joined) streamed into `path` atomically, as write_tsv lays them out."""
    newline = b"\r\n" if excel else b"\n"
    with atomic_file(path) as handle:
        if excel:
            handle.write("\ufeff".encode())
        for line in lines:
            handle.write(line.encode() if isinstance(line, str) else line)
            handle.write(newline)
    return Path(path)


def _creation_time() -> datetime:
    """SOURCE_DATE_EPOCH (the reproducible-builds convention) when set, else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return datetime.fromtimestamp(int(epoch), timezone.utc) if epoch else datetime.now(timezone.utc)


def document_fragment(doc: AlignedDocument, profile: str) -> bytes:
    """A document's export fragment (tm/fragments.py) made from the document itself, decisions applied."""
    from tm.decisions import apply_decisions
    from tm.fragments import make_fragment

    units, accepted, unmatched = {}, {}, []
    for level in LEVELS:
        level_units, level_unmatched = units_of(doc, level)
        units[level], accepted[level] = apply_decisions(doc, level, level_units)
        if level == "sentence":
            unmatched = level_unmatched
    return make_fragment(units, accepted, unmatched, PROFILES[profile])


@dataclass(slots=True)
class _Merged:
    """One distinct (zh, en) pair of a level: the best-scored of its units (the first of equals), where first seen."""

    score: float
    position: int  # the document holding the best-scored unit
    record: list  # its fragment record (tm/fragments.py)


def _merge_level(fragments, level: str, report: ExportReport,
                 unmatched: list[str] | None) -> tuple[list[_Merged], set[str]]:
    """merge_duplicates over every document's units of a level, by the fragments' keys; the accepted pair keys."""
    first: dict[str, int] = {}
    merged: list[_Merged] = []
    accepted: set[str] = set()
    for position in range(len(fragments)):
        index = fragments.index(position, level)
        accepted.update(index["accepted"])
        if unmatched is not None:
            unmatched.extend(fragments.index(position, "unmatched"))
        for record in index["units"]:
            key, score = record[0], record[1]
            at = first.get(key)
            if at is None:
                first[key] = len(merged)
                merged.append(_Merged(score, position, record))
            else:
                report.duplicates_merged += 1
                if score > merged[at].score:
                    merged[at] = _Merged(score, position, record)
    return merged, accepted


def _tmx_units(fragments, chosen: list[_Merged]):
    """merge_duplicates(with_label_variants(units)) of the chosen units, as (bytes, removed characters)."""
    first: dict[str, int] = {}
    variants: list[tuple[float, int, int, int, int]] = []
    for unit in chosen:
        for key, offset, length, removed in unit.record[6]:
            entry = (unit.score, unit.position, offset, length, removed)
            at = first.get(key)
            if at is None:
                first[key] = len(variants)
                variants.append(entry)
            elif unit.score > variants[at][0]:
                variants[at] = entry
    del first
    return ((fragments.read(position, offset, length), removed) for _, position, offset, length, removed in variants)


def _tsv_rows(fragments, units: list[_Merged], in_auto: list[bool]) -> Iterator[str | bytes]:
    """The TSV lines of the merged units, the status of each filled in between its cached halves."""
    yield tsv_line(("tuid", "symbol", "label", "shape", "score", "status", "zh", "en"))
    for unit, auto in zip(units, in_auto):
        _, _, _, offset, head, tail, _ = unit.record
        row = fragments.read(unit.position, offset, head + tail)
        yield row[:head] + (b"\tauto\t" if auto else b"\treview\t") + row[head:]


def export(docs: Sequence[AlignedDocument], out: Path, *, min_score: float, profile: str = "generic",
           model_id: str = "", excel: bool = False, gzip: bool = False,
           missing: Sequence[tuple[str, str, str]] = (), fragments: Sequence[Path] | None = None,
           reviews: Sequence[Path] | None = None) -> ExportReport:
    """Write every TM file of one build; each file atomically. `missing`: (name, symbol, why) of documents left out.

    `fragments[i]`: docs[i]'s export fragment (tm/fragments.py, tm/units_cache.fragment_stage), merged
    instead of serialising the document again; without them each document's fragment is made in memory.
    `reviews[i]`: docs[i]'s review parts (tm/units_cache.review_stage), so the documents are not read at all.
    """
    from tm.fragments import Fragments

    chosen_profile = PROFILES[profile]
    report = ExportReport()
    for folder in (out, out / "tm" / "auto", out / "tm" / REVIEW_FOLDER):  # what a killed export left
        remove_stale_temporaries(folder, ("untm", "unmatched.tsv"))
    created = _creation_time()
    sources = fragments if fragments is not None else [document_fragment(doc, profile) for doc in docs]
    merged_fragments = Fragments(sources)
    unmatched_rows: list[str] = []
    for level in LEVELS:
        units, accepted = _merge_level(merged_fragments, level, report, unmatched_rows if level == "sentence" else None)
        in_auto = [(u.score >= min_score or u.record[0] in accepted) and u.record[2] for u in units]
        notes = {"model": model_id, "min-score": f"{min_score:g}", "profile": chosen_profile.name}
        suffix = ".tmx.gz" if gzip else ".tmx"  # OmegaT and Trados read gzipped TMX
        for wanted, path in ((True, out / "tm" / "auto" / f"untm.{level}{suffix}"),
                             (False, out / "tm" / REVIEW_FOLDER / f"untm.{level}.review{suffix}")):
            here = [u for u, auto in zip(units, in_auto) if auto == wanted]
            written = write_tmx_bytes(_tmx_units(merged_fragments, here), path, segtype=level, profile=chosen_profile,
                                      notes=notes, created=created)
            report.removed_characters += written.removed_characters
            report.outputs.extend(written.paths)
        report.auto[level] = sum(in_auto)
        report.review[level] = len(units) - report.auto[level]
        report.outputs.append(write_tsv_lines(_tsv_rows(merged_fragments, units, in_auto), out / f"untm.{level}.tsv",
                                              excel))
    from tm.review import write_review

    report.outputs.extend(write_review(docs, out, min_score, missing, reviews))
    from tm.omegat import write_segmentation

    report.outputs.append(write_segmentation(out))  # OmegaT rules that split a Chinese paragraph number off
    report.unmatched = len(unmatched_rows)
    report.outputs.append(write_tsv_lines([tsv_line(("symbol", "language", "label", "text")), *unmatched_rows],
                                          out / "unmatched.tsv", excel))
    return report


def manifest(outputs: Sequence[Path]) -> dict[str, str]:
    return {str(p): sha256_file(p) for p in outputs}
