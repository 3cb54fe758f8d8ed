"""Review decisions and the workbook without the model: export honours them, bad workbooks are refused."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from align.extract import segment_text
from align.types import Bead, to_jsonl, write_atomic
from tm.cli import cli
from tm.decisions import ACCEPT, REJECT, Decision, export_workbook, link_texts, text_hash
from tm.export import AlignedDocument, export
from tm.tmx import read_tmx

ZH = "安全理事会，\n回顾其以往各项决议，\n1. 决定延长任务期限；\n2. 请秘书长报告；\n3. 决定继续积极处理此案。\n"
EN = ("The Security Council,\nRecalling its previous resolutions,\n1. Decides to extend the mandate;\n"
      "2. Requests the Secretary-General to report;\n3. Decides to remain actively seized of the matter.\n")
SCORES = (0.9, 0.3, 0.8, 0.95, 0.9)


def _document() -> AlignedDocument:
    zh = segment_text(ZH, "zh", "S/RES/9999(2030)").document
    en = segment_text(EN, "en", "S/RES/9999(2030)").document
    beads = tuple(Bead((i,), (i,), s) for i, s in enumerate(SCORES))
    return AlignedDocument(zh, en, {"paragraph": beads, "sentence": beads}, name="tiny")


def _decision(doc: AlignedDocument, index: int, decision: str = "", en_text: str = "") -> Decision:
    bead = doc.beads["paragraph"][index]
    return Decision("paragraph", bead.zh, bead.en, text_hash(*link_texts(doc, "paragraph")(bead)), decision,
                    en_text=en_text)


def _tm(out: Path, level: str = "paragraph") -> dict[str, tuple[str, str]]:
    units = {u.zh: (u.en, "auto") for u in read_tmx(out / "tm" / "auto" / f"untm.{level}.tmx")}
    units |= {u.zh: (u.en, "review") for u in read_tmx(out / "tm" / "penalty-30" / f"untm.{level}.review.tmx")}
    return units


def test_export_honours_accept_reject_and_correction(tmp_path: Path) -> None:
    doc = _document()
    export([doc], tmp_path / "plain", min_score=0.5)
    decided = AlignedDocument(doc.zh, doc.en, doc.beads, "tiny", (
        _decision(doc, 1, ACCEPT), _decision(doc, 2, REJECT), _decision(doc, 3, en_text="2. Asks for a report;")))
    export([decided], tmp_path / "decided", min_score=0.5)
    plain, changed = _tm(tmp_path / "plain"), _tm(tmp_path / "decided")
    assert plain["回顾其以往各项决议，"][1] == "review" and changed["回顾其以往各项决议，"][1] == "auto"
    assert "1. 决定延长任务期限；" in plain and "1. 决定延长任务期限；" not in changed
    assert changed["2. 请秘书长报告；"] == ("2. Asks for a report;", "auto")
    decided_texts = {"回顾其以往各项决议，", "1. 决定延长任务期限；", "2. 请秘书长报告；"}
    # a numbered link also comes without its label and as the label alone (tm/export.with_label_variants)
    decided_texts |= {"决定延长任务期限；", "请秘书长报告；", "1.", "2."}
    untouched = set(plain) - decided_texts
    assert untouched  # the other links are compared, not an empty set
    assert {k: plain[k] for k in untouched} == {k: changed[k] for k in untouched}
    assert _tm(tmp_path / "plain", "sentence") == _tm(tmp_path / "decided", "sentence")  # decisions are per level
    page = (tmp_path / "decided" / "review" / "S-RES-9999-2030.html").read_text(encoding="utf-8")
    assert not re.search(r'<tr class="[^"]*decided-', page)  # paragraph decisions: in the summary, not on sentence rows
    assert "Reviewer decisions: paragraph links 1 accept, 1 corrected, 1 reject" in page
    index = (tmp_path / "decided" / "review" / "index.html").read_text(encoding="utf-8")
    assert "3 reviewer decisions" in index


@pytest.fixture
def build_folder(tmp_path: Path) -> Path:
    """OUT/docs/tiny as `untm build` leaves it, and the workbook `untm review export` writes."""
    doc = _document()
    folder = tmp_path / "out" / "docs" / "tiny"
    write_atomic(folder / "zh.paragraphs.jsonl", to_jsonl(doc.zh.paragraphs))
    write_atomic(folder / "en.paragraphs.jsonl", to_jsonl(doc.en.paragraphs))
    write_atomic(folder / "beads.jsonl", "".join(
        json.dumps({"level": level, "zh": list(b.zh), "en": list(b.en), "score": b.score}) + "\n"
        for level in ("paragraph", "sentence") for b in doc.beads[level]))
    export_workbook(tmp_path / "out", 0.5)
    return tmp_path / "out"


def _edit(workbook: Path, sheet: str, row: int, **cells: str) -> None:
    book = load_workbook(workbook)
    header = [c.value for c in book[sheet][1]]
    for name, value in cells.items():
        book[sheet].cell(row=row, column=header.index(name.replace("_", " ")) + 1, value=value)
    book.save(workbook)


def test_workbook_has_a_decision_drop_down(build_folder: Path) -> None:
    book = load_workbook(build_folder / "review" / "untm.review.xlsx")
    assert book.sheetnames == ["sentences", "paragraphs"]
    sheet = book["paragraphs"]
    assert sheet.max_row == 1 + len(SCORES)
    [validation] = sheet.data_validations.dataValidation
    assert validation.formula1 == '"accept,reject"' and str(validation.sqref).startswith("J2")
    assert [c.value for c in sheet[3]][6:9] == ["review", "回顾其以往各项决议，", "Recalling its previous resolutions,"]


def test_apply_stores_decisions_and_lists_stale_rows(build_folder: Path) -> None:
    workbook = build_folder / "review" / "untm.review.xlsx"
    _edit(workbook, "paragraphs", 3, decision="accept")
    _edit(workbook, "paragraphs", 4, note="check the number")
    book = load_workbook(workbook)
    book.create_sheet("my notes")["A1"] = "a sheet of the reviewer's own is left alone"
    book.save(workbook)
    (build_folder / "docs" / "tiny" / "en.paragraphs.jsonl").write_text(
        (build_folder / "docs" / "tiny" / "en.paragraphs.jsonl").read_text(encoding="utf-8")
        .replace("Decides to extend", "Decides to prolong"), encoding="utf-8")  # the input changed since
    result = CliRunner().invoke(cli, ["review", "apply", str(workbook), "--out", str(build_folder)])
    assert result.exit_code == 0, result.output
    assert "1 accepted, 0 rejected, 0 corrected, 0 notes in 1 document; 1 row no longer applies" in result.stdout
    assert "no longer applies (the alignment changed): sheet 'paragraphs' row 4: tiny paragraph zh[2] en[2]" \
        in result.stderr
    stored = json.loads((build_folder / "docs" / "tiny" / "decisions.json").read_text(encoding="utf-8"))
    assert [(d["zh"], d["decision"]) for d in stored["decisions"]] == [([1], "accept")]


@pytest.mark.parametrize("cells, message", [
    ({"decision": "maybe"}, "sheet 'paragraphs', row 3: decision 'maybe' is neither accept nor reject"),
    ({"decision": "reject", "corrected_en": "Other text."}, "row 3: rejected and corrected at once"),
    ({"decision": "accept", "key": "paragraph|1"}, "row 3: key 'paragraph|1' is damaged"),
    ({"decision": "accept", "document": "elsewhere"}, "document 'elsewhere' is not in"),
])
def test_apply_refuses_a_bad_row_and_writes_nothing(build_folder: Path, cells: dict, message: str) -> None:
    workbook = build_folder / "review" / "untm.review.xlsx"
    _edit(workbook, "paragraphs", 2, decision="accept")  # a good row before the bad one: still nothing written
    _edit(workbook, "paragraphs", 3, **cells)
    result = CliRunner().invoke(cli, ["review", "apply", str(workbook), "--out", str(build_folder)])
    assert result.exit_code == 1
    assert message in result.stderr and "hint:" in result.stderr
    assert str(workbook) in result.stderr or "give --out the build folder" in result.stderr
    assert not (build_folder / "docs" / "tiny" / "decisions.json").exists()


@pytest.mark.parametrize("content, message", [
    (None, "workbook not found"),
    (b"tuid\tzh\ten\n", "is not an Excel workbook (.xlsx)"),
])
def test_apply_refuses_what_is_not_a_workbook(tmp_path: Path, content: bytes | None, message: str) -> None:
    path = tmp_path / "review.xlsx"
    if content is not None:
        path.write_bytes(content)
    result = CliRunner().invoke(cli, ["review", "apply", str(path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1 and message in result.stderr and str(path) in result.stderr
    assert not (tmp_path / "out").exists()


def test_review_export_fills_in_the_decisions_taken(build_folder: Path, tmp_path: Path) -> None:
    workbook = build_folder / "review" / "untm.review.xlsx"
    _edit(workbook, "paragraphs", 3, decision="accept", note="fine")
    _edit(workbook, "paragraphs", 4, corrected_en="1. Decides to prolong the mandate;")
    assert CliRunner().invoke(cli, ["review", "apply", str(workbook), "--out", str(build_folder)]).exit_code == 0
    again = tmp_path / "again.xlsx"
    result = CliRunner().invoke(cli, ["review", "export", "--out", str(build_folder), "--workbook", str(again)])
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(again)["paragraphs"].iter_rows(min_row=2, values_only=True))
    assert [(r[6], r[9], r[11], r[12]) for r in rows[1:3]] == [
        ("auto (accepted)", "accept", None, "fine"), ("auto (confirmed)", None, "1. Decides to prolong the mandate;", None)]


def test_review_export_needs_a_build(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["review", "export", "--out", str(tmp_path / "nothing")])
    assert result.exit_code == 1 and "no aligned documents in" in result.stderr and "untm build" in result.stderr
    assert not (tmp_path / "nothing").exists()


def test_a_note_alone_changes_nothing() -> None:
    from dataclasses import replace

    from tm.decisions import apply_decisions
    from tm.export import units_of

    doc = _document()
    noted = replace(_decision(doc, 1), note="merge with the next row")
    units, _ = units_of(doc, "paragraph")
    assert apply_decisions(replace(doc, decisions=(noted,)), "paragraph", units) == (units, set())
