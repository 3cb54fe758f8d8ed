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

from align.errors import AlignError
from align.types import write_atomic

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


def write_workbook(sheets: Mapping[str, Iterable[Mapping[str, object]]] | Iterable[tuple[str, Mapping[str, object]]],
                   path: Path, created: datetime | None = None, titles: Sequence[str] | None = None) -> Path:
    """One sheet per title (rows keyed by COLUMNS), written atomically: `sheets` maps title → rows, or is a
    stream of (title, row) with `titles` naming the sheets in order. Rows are streamed (openpyxl's
    write-only mode), so a build's workbook takes the memory of one row, not of every cell."""
    from openpyxl import Workbook
    from openpyxl.cell import Cell
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    if isinstance(sheets, Mapping):
        titles = list(sheets)
        stream: Iterable[tuple[str, Mapping[str, object]]] = ((t, row) for t in titles for row in sheets[t])
    else:
        stream = sheets
    workbook = Workbook(write_only=True)
    if created is not None:  # reproducible document properties (SOURCE_DATE_EPOCH)
        workbook.properties.created = workbook.properties.modified = created.replace(tzinfo=None)
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    reviewer_fill = PatternFill("solid", fgColor="FFF8E1")
    opened, counts, styles = {}, {}, {}
    for title in titles or ():
        sheet = opened[title] = workbook.create_sheet(title)
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
        counts[title] = 0
        styles[title] = []  # one styled cell per column, whose style every row's cell copies
        for column in COLUMNS:
            template = Cell(sheet, row=1, column=1)
            if column in ("zh", "en", "corrected zh", "corrected en", "note"):
                template.alignment = wrap
            if column in REVIEWER_COLUMNS:
                template.fill = reviewer_fill
            styles[title].append(template._style if template.has_style else None)
    for title, row in stream:
        sheet = opened[title]
        sheet.append([value if style is None else Cell(sheet, row=1, column=1, value=value, style_array=style)
                      for value, style in zip((row.get(column, "") for column in COLUMNS), styles[title])])
        counts[title] += 1
    for title, sheet in opened.items():
        letter = get_column_letter(COLUMNS.index("decision") + 1)
        validation = DataValidation(type="list", formula1='"' + ",".join(DECISION_CHOICES) + '"', allow_blank=True,
                                    showErrorMessage=True, errorTitle="decision",
                                    error="Choose accept or reject, or leave the cell empty.")
        validation.add(f"{letter}2:{letter}{max(counts[title] + 1, 2)}")
        sheet.data_validations.append(validation)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return write_atomic(path, _reproducible_zip(buffer.getvalue(), created))


def _reproducible_zip(data: bytes, created: datetime | None) -> bytes:
    """The same archive with every entry dated `created` (openpyxl dates them now), so a rebuild is byte-identical."""
    import zipfile

    if created is None:
        return data
    moment = max(created.replace(tzinfo=None), datetime(1980, 1, 1))  # zip dates start in 1980
    stamp, time_text = moment.timetuple()[:6], moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source, target = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=stamp)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, entry.external_attr
            content = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":  # openpyxl stamps `modified` with the time of saving
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + time_text, content)
            rewritten.writestr(info, content)
    return target.getvalue()


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
