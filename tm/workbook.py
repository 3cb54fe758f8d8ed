"""The review workbook (.xlsx): one sheet per level, one row per link; the only module importing openpyxl.

openpyxl (MIT, pure Python) both writes the workbook and reads back what a reviewer saved from
Excel or LibreOffice; xlsxwriter cannot read. The decision column carries a drop-down
(data validation: accept / reject), the text columns wrap, the header row stays in view.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from align.errors import AlignError

COLUMNS = ("document", "symbol", "level", "label", "bead", "score", "status", "zh", "en",
           "decision", "corrected zh", "corrected en", "note", "key")
REVIEWER_COLUMNS = ("decision", "corrected zh", "corrected en", "note")
DECISION_CHOICES = ("accept", "reject")
_HELP = {"decision": "accept: into tm/auto whatever the score; reject: out of the TM; empty: as the score says",
         "corrected zh": "the right Chinese for this link, if the text is wrong (counts as accepted)",
         "corrected en": "the right English for this link, if the text is wrong (counts as accepted)",
         "note": "anything else, e.g. 'merge with the next row' or 'split after the first sentence'",
         "key": "untm's key for this link: leave it as it is"}
_WIDTHS = {"document": 16, "symbol": 16, "level": 9, "label": 12, "bead": 6, "score": 7, "status": 14, "zh": 60,
           "en": 60, "decision": 10, "corrected zh": 40, "corrected en": 40, "note": 24, "key": 12}


class WorkbookError(AlignError):
    """A review workbook that cannot be read, or whose rows do not make sense."""


# Cell styles by column: 0 plain, 2 wrapped text, 3 reviewer fill, 4 both (1 is the bold header). The ids are
# the order write_workbook registers them in, so rows can be written apart from the workbook (row_xml).
_STYLE_IDS = {"zh": 2, "en": 2, "decision": 3, "corrected zh": 4, "corrected en": 4, "note": 4}
_LETTERS = tuple(chr(ord("A") + i) for i in range(len(COLUMNS)))
_ROW = "\x00"  # stands for the row number in a row written apart (never in XML text: see _FORBIDDEN_RE)
_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _cell_xml(letter: str, value: object, style: int) -> str:
    styled = f' s="{style}"' if style else ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        text = _FORBIDDEN_RE.sub("", "" if value is None else str(value))
        if not text:
            return f'<c r="{letter}{_ROW}"{styled} t="inlineStr"></c>'
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        space = ' xml:space="preserve"' if text != text.strip() else ""
        return f'<c r="{letter}{_ROW}"{styled} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    return f'<c r="{letter}{_ROW}"{styled} t="n"><v>{value!r}</v></c>'


def row_xml(row: Mapping[str, object]) -> str:
    """One workbook row (keyed by COLUMNS) as sheet XML with its row number left open: a build makes each
    document's rows once (tm/review.review_parts) and the workbook is their concatenation, numbered."""
    cells = "".join(_cell_xml(letter, row.get(column, ""), _STYLE_IDS.get(column, 0))
                    for letter, column in zip(_LETTERS, COLUMNS))
    return f'<row r="{_ROW}">{cells}</row>'


def write_workbook(sheets: Mapping[str, Iterable[Mapping[str, object]]]
                   | Iterable[tuple[str, Mapping[str, object] | str]],
                   path: Path, created: datetime | None = None, titles: Sequence[str] | None = None) -> Path:
    """One sheet per title (rows keyed by COLUMNS, or their row_xml), written atomically: `sheets` maps
    title → rows, or is a stream of (title, row) with `titles` naming the sheets in order. openpyxl makes
    the workbook around the rows (header, styles, comments, drop-down); the rows are streamed into it
    from a temporary file, so the workbook takes the memory of one row and no cell objects."""
    import contextlib
    import tempfile

    if isinstance(sheets, Mapping):
        titles = list(sheets)
        stream: Iterable[tuple[str, Mapping[str, object] | str]] = ((t, r) for t in titles for r in sheets[t])
    else:
        stream = sheets
    with contextlib.ExitStack() as stack:  # the rows of each sheet, numbered, in a temporary file
        spools = {title: stack.enter_context(tempfile.TemporaryFile()) for title in titles or ()}
        counts = dict.fromkeys(spools, 0)
        for title, row in stream:
            counts[title] += 1
            xml = row if isinstance(row, str) else row_xml(row)
            spools[title].write(xml.replace(_ROW, str(counts[title] + 1)).encode("utf-8"))
        skeleton = _skeleton(counts, created)
        for spool in spools.values():
            spool.seek(0)
        return _assemble(skeleton, spools, path, created)


def _skeleton(counts: Mapping[str, int], created: datetime | None) -> bytes:
    """The workbook without its data rows: sheets with their header, column widths, frozen header, drop-down."""
    from openpyxl import Workbook
    from openpyxl.cell import Cell
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook(write_only=True)
    if created is not None:  # reproducible document properties (SOURCE_DATE_EPOCH)
        workbook.properties.created = workbook.properties.modified = created.replace(tzinfo=None)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    reviewer_fill = PatternFill("solid", fgColor="FFF8E1")
    for title, count in counts.items():
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"  # the sheet's view and columns go first in write-only mode
        for number, column in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(number)].width = _WIDTHS[column]
        header = []
        for column in COLUMNS:
            cell = Cell(sheet, row=1, column=1, value=column)
            cell.font = bold
            if column in _HELP:
                cell.comment = Comment(_HELP[column], "untm")
            header.append(cell)
        sheet.append(header)
        for column in COLUMNS:  # register the data cells' styles, in _STYLE_IDS's order
            template = Cell(sheet, row=1, column=1)
            if column in ("zh", "en", "corrected zh", "corrected en", "note"):
                template.alignment = wrap
            if column in REVIEWER_COLUMNS:
                template.fill = reviewer_fill
            if template.has_style and template.style_id != _STYLE_IDS[column]:
                raise RuntimeError(f"openpyxl gave column {column!r} style {template.style_id}, "
                                   f"not {_STYLE_IDS[column]}")
        letter = get_column_letter(COLUMNS.index("decision") + 1)
        validation = DataValidation(type="list", formula1='"' + ",".join(DECISION_CHOICES) + '"', allow_blank=True,
                                    showErrorMessage=True, errorTitle="decision",
                                    error="Choose accept or reject, or leave the cell empty.")
        validation.add(f"{letter}2:{letter}{max(count + 1, 2)}")
        sheet.data_validations.append(validation)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _assemble(skeleton: bytes, spools: Mapping[str, BinaryIO], path: Path, created: datetime | None) -> Path:
    """The skeleton with each sheet's rows put in, written atomically; with `created`, every entry is dated
    then (openpyxl dates them now, and stamps `modified` with the time of saving), so a rebuild is identical."""
    import shutil
    import zipfile

    from align.types import atomic_file

    source = zipfile.ZipFile(io.BytesIO(skeleton))
    # openpyxl names the sheets' parts xl/worksheets/sheet1.xml, sheet2.xml… in the order they were created
    sheet_files = {f"xl/worksheets/sheet{number}.xml": title for number, title in enumerate(spools, start=1)}
    if not set(sheet_files) <= set(source.namelist()):
        raise RuntimeError(f"openpyxl wrote no {min(set(sheet_files) - set(source.namelist()))}")
    if created is not None:
        moment = max(created.replace(tzinfo=None), datetime(1980, 1, 1))  # zip dates start in 1980
        stamp, time_text = moment.timetuple()[:6], moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with atomic_file(path) as handle, zipfile.ZipFile(handle, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp if created is not None else entry.date_time)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, entry.external_attr
            content = source.read(entry.filename)
            if created is not None and entry.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + time_text, content)
            if entry.filename not in sheet_files:
                rewritten.writestr(info, content)
                continue
            head, tail = content.split(b"</sheetData>")
            with rewritten.open(info, "w") as sheet:
                sheet.write(head)
                shutil.copyfileobj(spools[sheet_files[entry.filename]], sheet, 1 << 20)
                sheet.write(b"</sheetData>" + tail)
    return Path(path)


def read_workbook(path: Path) -> dict[str, list[tuple[int, dict[str, str]]]]:
    """sheet → [(row number, {column: text})] of a saved workbook; WorkbookError naming the file otherwise."""
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError as exc:
        raise WorkbookError(f"workbook not found: {path}", hint="give the .xlsx that untm build wrote "
                                                                 "(OUT/review/untm.review.xlsx)") from exc
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise WorkbookError(f"{path} is not an Excel workbook (.xlsx): {exc}",
                            hint="save it as .xlsx (Excel Workbook) and try again") from exc
    sheets: dict[str, list[tuple[int, dict[str, str]]]] = {}
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            header = [str(c).strip() if c is not None else "" for c in next(rows, ())]
            if "key" not in header and "document" not in header:
                continue  # a sheet the reviewer added (notes, a glossary): not ours to read
            missing = [c for c in ("key", *REVIEWER_COLUMNS) if c not in header]
            if missing:
                raise WorkbookError(f"{path}, sheet {sheet.title!r}: no column {missing[0]!r}",
                                    hint="keep the header row and the columns untm wrote; add no columns before them")
            sheets[sheet.title] = [
                (number, {name: "" if value is None else str(value) for name, value in zip(header, values) if name})
                for number, values in enumerate(rows, start=2) if any(v is not None for v in values)]
    finally:
        workbook.close()
    return sheets
