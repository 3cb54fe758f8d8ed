"""First pass over extracted text: split into lines, set aside furniture, links and Markdown marks.

Everything set aside is kept in `dropped`, so a caller can check that no character was lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from align.furniture import is_furniture, is_link, is_masthead

_MARKDOWN_HEADING_RE = re.compile(r"^(\s*)(#{1,6})\s+")
_MARKDOWN_EMPHASIS_RE = re.compile(r"\*\*|__")
# A footnote's text at the foot of a page starts with its superscript mark ("¹ 见 S/2021/…").
_FOOTNOTE_LINE_RE = re.compile(r"^[¹²³⁴-⁹⁰]+\s*\S")

GAP_NONE, GAP_BLANK, GAP_PAGE = "none", "blank", "page"


@dataclass(slots=True)
class ContentLine:
    text: str  # stripped of surrounding white space and Markdown marks
    number: int  # 1-based line number in the source
    gap: str  # what stood between this line and the previous content line
    trailing_space: bool  # the source line ended in white space (a paragraph end in zh PDF text)


@dataclass(slots=True)
class LinkLine:
    url: str
    number: int
    content_before: int  # how many content lines came before it


@dataclass(slots=True)
class ScannedText:
    content: list[ContentLine] = field(default_factory=list)
    links: list[LinkLine] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)  # running headers seen (symbol candidates)


def _strip_markdown(line: str, dropped: list[str]) -> str:
    match = _MARKDOWN_HEADING_RE.match(line)
    if match:
        dropped.append(match.group(2))
        line = line[: match.start(2)] + line[match.end() :]
    marks = _MARKDOWN_EMPHASIS_RE.findall(line)
    if marks:
        dropped.extend(marks)
        line = _MARKDOWN_EMPHASIS_RE.sub("", line)
    return line


def scan(text: str) -> ScannedText:
    """Classify every line of `text` as content, link, furniture or blank."""
    scanned = ScannedText()
    gap = GAP_NONE
    in_lead = True  # the masthead can only come before the first content line
    for number, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        if "\f" in raw:
            gap = GAP_PAGE
            raw = raw.replace("\f", "")
        stripped = raw.strip()
        if not stripped:
            if gap == GAP_NONE and scanned.content:
                gap = GAP_BLANK
            continue
        if is_link(stripped):
            scanned.links.append(LinkLine(stripped, number, len(scanned.content)))
            scanned.dropped.append(stripped)
            gap = GAP_PAGE
            continue
        if _FOOTNOTE_LINE_RE.match(stripped):  # footnote text stays out of the paragraphs
            scanned.dropped.append(stripped)
            continue
        if is_furniture(stripped) or (in_lead and is_masthead(stripped)):
            scanned.dropped.append(stripped)
            if is_furniture(stripped) and stripped[0].isalpha():
                scanned.headers.append(stripped)
            gap = GAP_PAGE
            continue
        in_lead = False
        trailing = raw != raw.rstrip()
        cleaned = _strip_markdown(stripped, scanned.dropped).strip()
        if not cleaned:
            continue
        scanned.content.append(ContentLine(cleaned, number, gap if scanned.content else GAP_NONE, trailing))
        gap = GAP_NONE
    return scanned
