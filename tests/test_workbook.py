"""The review workbook: rows written as sheet XML apart from openpyxl read back as the values given."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from openpyxl import load_workbook

from tm.workbook import COLUMNS, read_workbook, row_xml, write_workbook

CREATED = datetime(2026, 11, 22, tzinfo=UTC)
ROWS = [
    {"document": "S-RES-1-2000", "symbol": "S/RES/1(2000)", "level": "sentence", "label": "1.", "bead": "1-1",
     "score": 0.9914, "status": "auto", "zh": "安全理事会 <决定> & “继续”", "en": "  The Council & <its> “work”  ",
     "key": "sentence|0|0|abc"},
    {"document": "S-RES-1-2000", "symbol": "S/RES/1(2000)", "level": "sentence", "label": "", "bead": "1-0",
     "score": 1.0, "status": "unmatched", "zh": "只有\x01中文", "en": "", "decision": "reject", "note": "a\tb",
     "key": "sentence|1||def"},
]


def test_rows_read_back_as_written(tmp_path: Path) -> None:
    path = write_workbook([("sentences", ROWS[0]), ("paragraphs", row_xml(ROWS[1])), ("sentences", ROWS[1])],
                          tmp_path / "book.xlsx", CREATED, ["sentences", "paragraphs"])
    sheets = read_workbook(path)
    assert [number for number, _ in sheets["sentences"]] == [2, 3] and len(sheets["paragraphs"]) == 1
    for (_, read), given in zip(sheets["sentences"], ROWS):
        expected = {c: str(given.get(c, "")).replace("\x01", "") for c in COLUMNS}
        assert {c: read.get(c, "") for c in COLUMNS} == expected
    assert sheets["paragraphs"][0][1] == sheets["sentences"][1][1]
    book = load_workbook(path)
    sheet = book["sentences"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b and sheet["J1"].comment is not None
    assert sheet["H2"].alignment.wrap_text and sheet["J2"].fill.fgColor.rgb.endswith("FFF8E1")
    assert str(sheet.data_validations.dataValidation[0].sqref) == "J2:J3"
    assert isinstance(sheet["F2"].value, float)


def test_same_rows_same_bytes(tmp_path: Path) -> None:
    first = write_workbook({"sentences": ROWS}, tmp_path / "a.xlsx", CREATED).read_bytes()
    again = write_workbook([("sentences", row_xml(r)) for r in ROWS], tmp_path / "b.xlsx", CREATED,
                           ["sentences"]).read_bytes()
    assert first == again
