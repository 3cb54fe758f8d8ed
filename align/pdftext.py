"""PDF → text for the ingestion stage, with pypdfium2 (PDFium, Chrome's PDF engine; Apache-2.0/BSD).

Chosen by measurement on the real UN PDF S/RES/2803(2025) (tests/data/pdf), segmenting each
extractor's text and comparing with pdftotext, which made the corpus texts:
- pypdfium2: 0.03 s; the same 31 paragraphs with the same labels once two layout habits are
  undone (below); the texts differ only where pdftotext kept a stray space before a line-end
  hyphen ("co -existence"), which PDFium does not;
- pypdf: 0.23 s; the same two habits, plus spaces doubled at line joins;
- pdfminer.six: 0.28 s; runs of double spaces inside paragraphs and an annex heading split;
- pdftotext (poppler) is a system binary, not a Python package, so pip cannot install it.
No official Chinese PDF was available offline, so one was generated from seed S/RES/2518's text
(headless Chromium, Noto CJK): pypdfium2's text segments into the seed's 33 paragraphs, all
identical (such text has no end-of-paragraph marks; align/paragraphs.py then joins full-width lines).
PDFium puts text on one baseline on one line ("United Nations S/RES/2803 (2025)") and can emit a
page's running header right after the last sentence ("matter.S/RES/2803 (2025)"); both are split
back onto lines of their own here, so furniture detection sees them as pdftotext shows them.
An image-only PDF (old scans) yields no text, which is reported, not returned as an empty document.
"""

from __future__ import annotations

import re
import threading
from importlib.metadata import version
from pathlib import Path

from align.errors import ExtractError

_SYMBOL = r"[A-Z]{1,10}(?:/[A-Z0-9][A-Za-z0-9.\-]*)+ ?\((?:19|20)\d\d\)"
_GLUED_HEADER_RE = re.compile(rf"(?<=[.;:,])[ \t]*({_SYMBOL})[ \t]*$", re.MULTILINE)
_MASTHEAD_PAIR_RES = [
    re.compile(rf"^(United Nations)[ \t]+({_SYMBOL}|[A-Z]{{1,10}}(?:/[A-Z0-9.\-]+)+)[ \t]*$", re.MULTILINE),
    re.compile(r"^(Security Council|General Assembly|Economic and Social Council)[ \t]+(Distr\.:.*?)[ \t]*$",
               re.MULTILINE),
]


# PDFium is not thread-safe; the crawler fetches in threads, so one document is read at a time.
_PDFIUM_LOCK = threading.Lock()


def extractor_name() -> str:
    return f"pypdfium2 {version('pypdfium2')}"


def _unglue(text: str) -> str:
    text = _GLUED_HEADER_RE.sub(r"\n\1", text)
    for pattern in _MASTHEAD_PAIR_RES:
        text = pattern.sub(r"\1\n\2", text)
    return text


def pdf_to_text(path: Path) -> str:
    """Text of every page, pages separated by form feeds; ExtractError for a broken or image-only PDF."""
    with _PDFIUM_LOCK:
        return _pdf_to_text(path)


def _pdf_to_text(path: Path) -> str:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise ExtractError(f"{path} is not a readable PDF: {exc}", hint="fetch it again (`untm fetch --force`)") from exc
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            text_page = page.get_textpage()
            raw = text_page.get_text_range().replace("\r\n", "\n").replace("\r", "\n")
            # PDFium marks a hyphen that ended a line with U+FFFE (or U+0002)
            pages.append(raw.replace("\ufffe", "-").replace("\x02", "-"))
            text_page.close()
            page.close()
    finally:
        document.close()
    text = "\n\f".join(_unglue(page) for page in pages)
    if not text.strip():
        raise ExtractError(f"{path} has no text layer (an image scan?)",
                           hint="old UN documents are scanned images: OCR them first, or skip this document")
    return text
