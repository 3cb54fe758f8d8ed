"""Word → text: .docx with python-docx, legacy .doc with antiword; format sniffing.

The document API answers `t=doc` with whatever it holds (shared NOTES.md): .docx, legacy .doc
(OLE2), WordPerfect for old documents, a PDF, or an error page, so the body is sniffed, never trusted
by its Content-Type. python-docx over docx2python, measured on .docx files made from the committed
texts of S/RES/2423(2018) (tests/fake_undocs.py): both give the same paragraphs (91 en, 511 zh),
python-docx in 56 / 75 ms, docx2python in 43 / 190 ms (en / zh); python-docx keeps the page header
apart from the body (docx2python's .text mixes them) and is what the tests make .docx files with.
The text written has the page-header lines (the UN masthead with the symbol) first, then one
paragraph per line with blank lines between, the shape align/paragraphs.py reads.
Legacy .doc goes through antiword (`-w 0`: one line per paragraph, `-m UTF-8.txt`), chosen by
measurement on real Word 97 files of S/RES/2518(2020) and 2423(2018) made by LibreOffice from those
.docx (tests/data/word): antiword gives every body paragraph verbatim in both languages (33/33,
35/35, 186/186, 188/188 against python-docx on the .docx); catdoc garbled Chinese (mojibake, paragraphs run
together) in 1 of 33 paragraphs of 2518 and 8 of 186 of 2423, so it is not used (a wrong text is worse than the
PDF). antiword drops the page header: a resolution still names itself in its title, another
document whose body never gives its symbol fails verification and falls back to the PDF. A
converter that fails or returns nothing is an ExtractError and the fetcher falls back to the PDF.
WordPerfect has no converter here (libwpd's wpd2text exists, but no WordPerfect file could be made
to measure it): ExtractError, PDF fallback.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from align.errors import ExtractError

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_WORDPERFECT_MAGIC = b"\xffWPC"
_CONVERTER_TIMEOUT = 60  # seconds; a converter stuck on a hostile file must not hang a build
WORD_FORMATS = ("docx", "doc")


def sniff(body: bytes) -> str:
    """What a body is: "docx", "doc", "wordperfect", "pdf", "html", "empty" or "unknown"."""
    if not body.strip():
        return "empty"
    if body.startswith(b"%PDF-"):
        return "pdf"
    if body.startswith(_OLE2_MAGIC):
        return "doc"
    if body.startswith(_WORDPERFECT_MAGIC):
        return "wordperfect"
    if body.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                return "docx" if "word/document.xml" in archive.namelist() else "unknown"
        except (zipfile.BadZipFile, OSError, ValueError):
            return "unknown"
    head = body.lstrip()[:200].lower()
    if head.startswith((b"<", b"\xef\xbb\xbf<")) or b"<html" in head:
        return "html"
    return "unknown"


_CONVERTERS = (["antiword", "-w", "0", "-m", "UTF-8.txt"],)


def extractor_name(kind: str) -> str:
    from importlib.metadata import version

    if kind == "docx":
        return f"python-docx {version('python-docx')}"
    return "/".join(c[0] for c in _CONVERTERS if shutil.which(c[0])) if kind == "doc" else kind


def _clean(text: str) -> str:
    """One Word paragraph as one line: tabs after paragraph numbers and manual line breaks become spaces."""
    return re.sub(r"[ \t\u00a0]*[\t\n\v\r][ \t\u00a0]*", " ", text).strip()


def docx_to_text(path: Path) -> str:
    """Header lines, then body paragraphs (tables' cells in reading order), separated by blank lines."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ExtractError(f"{path} is not a readable .docx file: {exc}",
                           hint="fetch it again (`untm fetch --force`), or open and re-save it in Word") from exc
    try:
        headers: list[str] = []
        for section in document.sections:
            for paragraph in section.first_page_header.paragraphs + section.header.paragraphs:
                line = _clean(paragraph.text)
                if line and line not in headers:
                    headers.append(line)
        body = [_clean(text) for text in _body_texts(document)]
    except (KeyError, ValueError, AttributeError) as exc:  # a damaged part inside a valid zip
        raise ExtractError(f"{path}: damaged .docx ({exc.__class__.__name__})", hint="fetch it again") from exc
    paragraphs = [p for p in body if p]
    if not paragraphs:
        raise ExtractError(f"{path} has no text", hint="the Word file is empty; use the PDF")
    return "\n".join(headers) + ("\n\n" if headers else "") + "\n\n".join(paragraphs) + "\n"


def _body_texts(document) -> list[str]:
    """Paragraph texts of the body in document order, descending into tables cell by cell."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    texts: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            texts.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    texts.extend(p.text for p in cell.paragraphs)
    return texts


def doc_to_text(path: Path) -> str:
    """Text of a legacy binary .doc through antiword, one paragraph per line."""
    converters = [c for c in _CONVERTERS if shutil.which(c[0])]
    if not converters:
        raise ExtractError(f"{path} is a legacy Word file and no converter is installed",
                           hint="install antiword (`apt-get install antiword`)")
    problems = []
    for command in converters:
        try:
            done = subprocess.run([*command, str(path)], capture_output=True, timeout=_CONVERTER_TIMEOUT)
        except (OSError, subprocess.TimeoutExpired) as exc:
            problems.append(f"{command[0]}: {exc.__class__.__name__}")
            continue
        text = done.stdout.decode("utf-8", "replace")
        if done.returncode == 0 and text.strip():
            lines = [_clean(line) for line in text.replace("\r", "\n").split("\n")]
            return "\n\n".join(line for line in lines if line) + "\n"
        problems.append(f"{command[0]}: {done.stderr.decode('utf-8', 'replace').strip()[:200] or 'no text'}")
    raise ExtractError(f"{path}: cannot convert the legacy Word file ({'; '.join(problems)})",
                       hint="use the PDF version of the document")


def word_to_text(path: Path) -> str:
    """Text of a .docx or legacy .doc file, by its content (not its name); ExtractError otherwise."""
    path = Path(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ExtractError(f"cannot read {path}: {exc.strerror}", hint="check the path") from exc
    if head.startswith(_OLE2_MAGIC):
        return doc_to_text(path)
    if head.startswith(b"PK"):
        return docx_to_text(path)
    if head.startswith(_WORDPERFECT_MAGIC):
        raise ExtractError(f"{path} is a WordPerfect file; no converter is installed", hint="use the PDF version")
    raise ExtractError(f"{path} is not a Word file", hint="give a .docx, .doc, .pdf or UTF-8 text file")
