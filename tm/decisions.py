"""Review decisions: accept, reject or correct a link; stored per document and honoured by the next export.

OUT/docs/<name>/decisions.json keys each decision on the link's level, segment ids and a hash of
both texts, so a rebuild from unchanged input keeps it and a changed input names what no longer
applies. Export: accepted links go to tm/auto whatever their score, rejected ones leave the TM,
corrected text replaces the segment (a correction counts as accepted: the reviewer vouched for it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from align.errors import AlignError
from align.pair import join_segments
from align.stages import read_document
from align.types import Bead, read_beads, write_atomic
from tm.export import AlignedDocument, segments_of, units_of
from tm.tmx import TmUnit

DECISIONS_FILE = "decisions.json"
ACCEPT, REJECT = "accept", "reject"
LEVELS = ("sentence", "paragraph")
SHEETS = {"sentence": "sentences", "paragraph": "paragraphs"}


@dataclass(frozen=True, slots=True)
class Decision:
    """What a reviewer decided about one link; empty zh_text/en_text mean "text unchanged"."""

    level: str
    zh: tuple[int, ...]
    en: tuple[int, ...]
    text_hash: str
    decision: str = ""  # ACCEPT, REJECT or "" (a correction or a note only)
    zh_text: str = ""
    en_text: str = ""
    note: str = ""

    @property
    def corrected(self) -> bool:
        return bool(self.zh_text or self.en_text)

    def describe(self) -> str:
        what = self.decision or ("corrected" if self.corrected else "note")
        return f"{self.level} zh{list(self.zh)} en{list(self.en)} ({what})"


def text_hash(zh: str, en: str) -> str:
    return hashlib.sha256(f"{zh}\x1f{en}".encode()).hexdigest()[:16]


def link_key(level: str, bead: Bead, zh: str, en: str) -> str:
    """`level|zh ids|en ids|hash`: what the workbook's key column holds."""
    ids = (",".join(map(str, bead.zh)), ",".join(map(str, bead.en)))
    return f"{level}|{ids[0]}|{ids[1]}|{text_hash(zh, en)}"


def parse_key(key: str) -> tuple[str, tuple[int, ...], tuple[int, ...], str]:
    level, zh, en, digest = key.strip().split("|")
    if level not in LEVELS:
        raise ValueError(level)
    return level, tuple(int(i) for i in zh.split(",") if i), tuple(int(i) for i in en.split(",") if i), digest


def link_texts(doc: AlignedDocument, level: str) -> Callable[[Bead], tuple[str, str]]:
    """A function giving the (zh, en) texts of a link at `level`, as the TM joins them."""
    zh_texts, _ = segments_of(doc.zh, level)
    en_texts, _ = segments_of(doc.en, level)
    return lambda bead: (join_segments([zh_texts[i] for i in bead.zh], "zh"),
                         join_segments([en_texts[j] for j in bead.en], "en"))


def read_decisions(folder: Path) -> tuple[Decision, ...]:
    path = Path(folder) / DECISIONS_FILE
    if not path.exists():
        return ()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return tuple(Decision(**(d | {"zh": tuple(d["zh"]), "en": tuple(d["en"])})) for d in raw["decisions"])
    except (ValueError, KeyError, TypeError) as exc:
        raise AlignError(f"{path} is damaged: {exc}",
                         hint="delete it and apply the review workbook again (untm review apply)") from exc


def write_decisions(folder: Path, decisions: Sequence[Decision]) -> Path:
    records = [asdict(d) for d in decisions]
    text = json.dumps({"decisions": records}, ensure_ascii=False, indent=1) + "\n"
    return write_atomic(Path(folder) / DECISIONS_FILE, text)


def _split(doc: AlignedDocument) -> tuple[list[Decision], list[Decision]]:
    """(still valid, stale) decisions of a document: stale when its link or either text changed."""
    valid, stale = [], []
    by_level = {level: ({(b.zh, b.en): b for b in doc.beads.get(level, ())}, link_texts(doc, level))
                for level in {d.level for d in doc.decisions}}
    for decision in doc.decisions:
        beads, texts = by_level[decision.level]
        bead = beads.get((decision.zh, decision.en))
        ok = bead is not None and text_hash(*texts(bead)) == decision.text_hash
        (valid if ok else stale).append(decision)
    return valid, stale


def stale_decisions(doc: AlignedDocument) -> list[Decision]:
    return _split(doc)[1]


def apply_decisions(doc: AlignedDocument, level: str, units: list[TmUnit]) -> tuple[list[TmUnit], set[tuple[str, str]]]:
    """Units after the document's valid decisions at `level`, and the (zh, en) pairs accepted."""
    decisions = [d for d in _split(doc)[0] if d.level == level]
    if not decisions:
        return units, set()
    beads = {(b.zh, b.en): b for b in doc.beads[level]}
    result, accepted = list(units), set()
    for decision in decisions:
        # the unit this one link makes, found by tuid whatever units_of's naming is
        single, _ = units_of(replace(doc, beads={level: (beads[(decision.zh, decision.en)],)}, decisions=()), level)
        at = next((i for i, u in enumerate(result) if single and u.tuid == single[0].tuid), None)
        if at is None:  # an unmatched link: no unit to change
            continue
        if decision.decision == REJECT:
            del result[at]
            continue
        if decision.corrected:
            result[at] = replace(result[at], zh=decision.zh_text or result[at].zh, en=decision.en_text or result[at].en)
        if decision.decision == ACCEPT or decision.corrected:  # a note alone changes nothing
            accepted.add((result[at].zh, result[at].en))
    return result, accepted


def status_of(bead: Bead, min_score: float, decision: Decision | None) -> str:
    """Where the build put a link: auto, review, unmatched, rejected, or accepted into auto."""
    if decision is not None and decision.decision == REJECT:
        return "rejected"
    if not bead.zh or not bead.en:
        return "unmatched"
    if decision is not None and (decision.decision == ACCEPT or decision.corrected):
        return "auto (accepted)" if bead.score < min_score else "auto (confirmed)"
    return "auto" if bead.score >= min_score else "review"


def decisions_by_link(doc: AlignedDocument, level: str) -> dict[tuple[tuple[int, ...], tuple[int, ...]], Decision]:
    """The valid decisions of one level, by (zh ids, en ids)."""
    return {(d.zh, d.en): d for d in _split(doc)[0] if d.level == level}


def review_rows(doc: AlignedDocument, level: str, min_score: float) -> list[dict[str, object]]:
    """Workbook rows of one document and level, with the decisions already taken filled in."""
    texts = link_texts(doc, level)
    _, zh_labels = segments_of(doc.zh, level)
    _, en_labels = segments_of(doc.en, level)
    decided = decisions_by_link(doc, level)
    symbol = doc.zh.symbol or doc.en.symbol
    rows = []
    for bead in doc.beads.get(level, ()):
        zh, en = texts(bead)
        decision = decided.get((bead.zh, bead.en))
        rows.append({"document": doc.name or symbol, "symbol": symbol, "level": level,
                     "label": zh_labels[bead.zh[0]] if bead.zh else en_labels[bead.en[0]],
                     "bead": bead.shape, "score": round(bead.score, 4), "status": status_of(bead, min_score, decision),
                     "zh": zh, "en": en, "decision": decision.decision if decision else "",
                     "corrected zh": decision.zh_text if decision else "", "corrected en": decision.en_text if decision else "",
                     "note": decision.note if decision else "", "key": link_key(level, bead, zh, en)})
    return rows


@dataclass(slots=True)
class ApplyReport:
    documents: list[str] = field(default_factory=list)
    accepted: int = 0
    rejected: int = 0
    corrected: int = 0
    notes: int = 0
    stale: list[str] = field(default_factory=list)  # rows whose link changed since the workbook was written
    written: list[Path] = field(default_factory=list)


def load_document(out: Path, name: str) -> AlignedDocument:
    folder = Path(out) / "docs" / name
    if not (folder / "beads.jsonl").exists():
        raise AlignError(f"document {name!r} is not in {Path(out) / 'docs'}",
                         hint="give --out the build folder the workbook came from (untm build -o)")
    return AlignedDocument(read_document(folder / "zh.paragraphs.jsonl"), read_document(folder / "en.paragraphs.jsonl"),
                           read_beads(folder / "beads.jsonl"), name=name, decisions=read_decisions(folder))


def _row_decision(workbook: Path, sheet: str, number: int, row: dict[str, str]) -> tuple[str, str, str, str]:
    """(decision, corrected zh, corrected en, note) of one row; AlignError naming the row when it makes no sense."""
    where = f"{workbook}, sheet {sheet!r}, row {number}"
    decision = row.get("decision", "").strip().lower()
    if decision not in ("", ACCEPT, REJECT):
        raise AlignError(f"{where}: decision {row['decision']!r} is neither accept nor reject",
                         hint="write accept or reject in the decision column, or leave it empty")
    corrected_zh = row.get("corrected zh", "").strip()
    corrected_en = row.get("corrected en", "").strip()
    corrected_zh = "" if corrected_zh == row.get("zh", "").strip() else corrected_zh
    corrected_en = "" if corrected_en == row.get("en", "").strip() else corrected_en
    if decision == REJECT and (corrected_zh or corrected_en):
        raise AlignError(f"{where}: rejected and corrected at once",
                         hint="a rejected link leaves the TM; clear the correction, or accept the corrected text")
    return decision, corrected_zh, corrected_en, row.get("note", "").strip()


def apply_workbook(workbook: Path, out: Path) -> ApplyReport:
    """Store the decisions of a saved review workbook per document; every row is checked before anything is written."""
    report = ApplyReport()
    per_document: dict[str, list[Decision]] = {}
    docs: dict[str, AlignedDocument] = {}
    links: dict[tuple[str, str], dict] = {}
    from tm.workbook import read_workbook

    for sheet, rows in read_workbook(workbook).items():
        for number, row in rows:
            name = row.get("document", "").strip()
            if not name:
                continue
            decision, zh_text, en_text, note = _row_decision(workbook, sheet, number, row)
            if name not in docs:
                docs[name] = load_document(out, name)
                per_document[name] = []
            try:
                level, zh, en, digest = parse_key(row.get("key", ""))
            except ValueError as exc:
                raise AlignError(f"{workbook}, sheet {sheet!r}, row {number}: key {row.get('key')!r} is damaged",
                                 hint="keep the key column as untm wrote it") from exc
            if not (decision or zh_text or en_text or note):
                continue
            if (name, level) not in links:
                doc = docs[name]
                texts = link_texts(doc, level)
                links[(name, level)] = {(b.zh, b.en): text_hash(*texts(b)) for b in doc.beads.get(level, ())}
            if links[(name, level)].get((zh, en)) != digest:
                report.stale.append(f"sheet {sheet!r} row {number}: {name} {level} zh{list(zh)} en{list(en)}")
                continue
            per_document[name].append(Decision(level, zh, en, digest, decision, zh_text, en_text, note))
    for name, decisions in per_document.items():
        report.documents.append(name)
        report.accepted += sum(1 for d in decisions if d.decision == ACCEPT)
        report.rejected += sum(1 for d in decisions if d.decision == REJECT)
        report.corrected += sum(1 for d in decisions if d.corrected)
        report.notes += sum(1 for d in decisions if d.note)
        report.written.append(write_decisions(Path(out) / "docs" / name, decisions))
    return report


def holds_unapplied_work(workbook: Path, out: Path) -> bool:
    """Whether a saved review workbook's reviewer columns differ anywhere from the decisions stored in `out`: a
    workbook untm wrote (a build, `untm review export`) or one already applied only repeats them, whatever its bytes."""
    from tm.workbook import read_workbook

    stored: dict[str, dict[tuple, tuple[str, str, str, str]]] = {}
    try:
        for sheet, rows in read_workbook(workbook).items():
            for number, row in rows:
                said = _row_decision(workbook, sheet, number, row)
                name = row.get("document", "").strip()
                if not name:
                    if any(said):
                        return True
                    continue
                if name not in stored:
                    stored[name] = {(d.level, d.zh, d.en, d.text_hash): (d.decision, d.zh_text, d.en_text, d.note)
                                    for d in read_decisions(Path(out) / "docs" / name)}
                if said != stored[name].get(parse_key(row.get("key", "")), ("", "", "", "")):
                    return True
    except (AlignError, ValueError):  # a row apply would refuse, an unreadable file: the reviewer's to sort out
        return True
    return False


def export_workbook(out: Path, min_score: float, workbook: Path | None = None) -> Path:
    """The review workbook of every aligned document of a build folder (what `untm build` writes too)."""
    from tm.workbook import write_workbook

    names = sorted(p.parent.name for p in (Path(out) / "docs").glob("*/beads.jsonl"))
    if not names:
        raise AlignError(f"no aligned documents in {Path(out) / 'docs'}", hint="run `untm build -o OUT` first")
    docs = [load_document(out, name) for name in names]
    sheets = {SHEETS[level]: [row for doc in docs for row in review_rows(doc, level, min_score)] for level in LEVELS}
    return write_workbook(sheets, workbook or Path(out) / "review" / "untm.review.xlsx")
