"""Raw document text → Document: paragraphs with kinds and labels, links, detected symbol and language."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from align.errors import ExtractError
from align.lines import ScannedText, scan
from align.normalise import document_vocabulary, normalise
from align.paragraphs import build_paragraphs, classify
from align.sentences import split_sentences
from align.symbols import is_symbol, normalise_symbol
from align.types import Document, Link, Paragraph

_CJK_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_RE = re.compile(r"[A-Za-z]")
_ZH_TITLE_RE = re.compile(r"第\s*(\d+)\s*\((\d{4})\)\s*号决议")
_EN_TITLE_RE = re.compile(r"^Resolution (\d+) \((\d{4})\)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Segmented:
    """A document plus everything set aside while reading it (furniture, links, Markdown marks)."""

    document: Document
    dropped: tuple[str, ...]


def read_text(path: Path) -> str:
    """Text of a UTF-8 (or UTF-16 with BOM) file, or of a PDF, .docx or legacy .doc file (told by content)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"cannot read {path}: {exc.strerror}", hint="check the path") from exc
    if data.startswith((b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        from align.wordtext import sniff

        kind = sniff(data)
        if kind == "pdf":
            from align.pdftext import pdf_to_text

            return pdf_to_text(path)
        if kind in ("docx", "doc"):
            from align.wordtext import word_to_text

            return word_to_text(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:  # odd length, lone surrogate
            raise ExtractError(f"{path} is damaged UTF-16 ({exc.reason} at byte {exc.start})",
                               hint=f"re-save it as UTF-8, e.g. `iconv -f UTF-16 -t UTF-8 {path} > fixed.txt`") from exc
    if b"\x00" in data[:65536]:
        raise ExtractError(f"{path} is a binary file, not text",
                           hint="give UTF-8 text, a PDF, or a Word file (.docx, .doc)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractError(
            f"{path} is not UTF-8 (bad byte at offset {exc.start})",
            hint=f"convert it, e.g. `iconv -f GB18030 -t UTF-8 {path} > fixed.txt`",
        ) from exc


def detect_language(text: str) -> str:
    """"zh" when Chinese characters make up a fair share of the letters, else "en"."""
    sample = text[:200_000]
    cjk, latin = len(_CJK_RE.findall(sample)), len(_LATIN_RE.findall(sample))
    return "zh" if cjk and cjk * 3 >= latin * 0.5 else "en"


def _detect_symbol(scanned: ScannedText, texts: list[str]) -> str:
    headers = Counter(normalise_symbol(h) for h in scanned.headers if is_symbol(h))
    if headers:
        return headers.most_common(1)[0][0]
    head = "\n".join(texts[:4])
    for pattern in (_ZH_TITLE_RE, _EN_TITLE_RE):
        if match := pattern.search(head):
            organ = "A/RES" if ("大会" in head or "General Assembly" in head) else "S/RES"
            return f"{organ}/{match.group(1)}({match.group(2)})"
    return ""


# C0/C1 control characters other than the white space the line scanner reads (\t \n \v \f \r): no UN
# text has them, XML (TMX) and the review workbook refuse them, and PDF extraction leaves some behind
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Invisible format characters a PDF or Word file can carry (soft hyphen, zero-width space and joiners,
# word joiner, BOM, direction marks): not text, and a TM unit holding one never matches the sentence
# a translator's file shows
_INVISIBLE_RE = re.compile("[\u00ad\u200b-\u200f\u2060\ufeff]")
# Fixed-width and no-break spaces read as a space (the UN's Word text, as in the 8,000 sentence pairs,
# has plain spaces); the ideographic space only beside a digit or Latin letter, where the normaliser
# then treats it as the space PDF extraction invents (a Chinese heading may set one on purpose)
_SPACE_RE = re.compile("[\u00a0\u2000-\u200a\u202f\u205f]|(?<=[A-Za-z0-9.])\u3000|\u3000(?=[A-Za-z0-9])")
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st"})


def plain_characters(text: str) -> str:
    """The text with control and invisible characters dropped, odd spaces plain, ligatures spelled out."""
    text = _INVISIBLE_RE.sub("", _CONTROL_RE.sub("", text))
    return _SPACE_RE.sub(" ", text).translate(_LIGATURES)


def segment_text(text: str, lang: str | None = None, symbol: str | None = None) -> Segmented:
    """Segment extracted UN text into labelled, normalised paragraphs (raw text kept); `lang`, `symbol` detected if None."""
    text = plain_characters(text)
    language = lang or detect_language(text)
    scanned = scan(text)
    built = build_paragraphs(scanned.content, language) if scanned.content else []
    texts = [paragraph_text for paragraph_text, _ in built]
    doc_symbol = normalise_symbol(symbol) if symbol else _detect_symbol(scanned, texts)
    kinds = classify(texts, language)
    vocabulary = document_vocabulary(texts) if language == "en" else frozenset()
    paragraphs = tuple(
        Paragraph(doc_symbol, language, index, normalise(paragraph_text, language, vocabulary), kind, number,
                  raw=paragraph_text)
        for index, (paragraph_text, (kind, number)) in enumerate(zip(texts, kinds))
    )
    firsts = [first for _, first in built]
    links = tuple(
        Link(link.url, link.number, max(0, bisect_left(firsts, link.content_before) - 1))  # firsts ascend
        for link in scanned.links
    )
    return Segmented(Document(doc_symbol, language, paragraphs, links), tuple(scanned.dropped))


def segment_file(path: Path, lang: str | None = None, symbol: str | None = None) -> Segmented:
    return segment_text(read_text(path), lang, symbol)


def sentences_of(document: Document) -> list[tuple[int, str]]:
    """(paragraph index, sentence) for every sentence of the document, in order."""
    return [(p.index, s) for p in document.paragraphs for s in split_sentences(p.text, p.lang)]


def compare_structure(zh: Document, en: Document) -> list[str]:
    """Human-readable differences between the label sequences of two language versions."""
    problems = []
    if len(zh.paragraphs) != len(en.paragraphs):
        problems.append(f"paragraph count differs: zh {len(zh.paragraphs)}, en {len(en.paragraphs)}")
    for z, e in zip(zh.paragraphs, en.paragraphs):
        if z.label != e.label:
            problems.append(f"paragraph {z.index}: zh {z.label!r} vs en {e.label!r}")
            break
    return problems
