"""Second pass: decide where paragraphs begin, join their lines, and give each a kind and label.

Chinese PDF text marks a paragraph's end with white space after its last line (indentation is no
guide: a page break indents mid-word, "刚果发" / " 展合作社"). Text with one paragraph per line has
no such mark; there a long line without final punctuation runs on into the next. English pdftotext
output has neither, so breaks come from punctuation, capitals, preamble openers, line width and
labels, after undoing pdftotext's reading-order swaps.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from align.labels import Label, read_label
from align.lines import GAP_NONE, ContentLine
from align.types import HEADING, OPERATIVE, PREAMBLE, SUB, TITLE

_ZH_END_RE = re.compile(r"[，。；：！？,;:.!?][”’」』）)\"]*$")
_EN_END_RE = re.compile(r"[,;:.!?][”’\")]*$")
_EN_HARD_END_RE = re.compile(r"[;:.!?][”’\")]*$")
_ZH_HARD_END_RE = re.compile(r"[。；：！？;:.!?][”’」』）)\"]*\s*$")
_ASCII_ALNUM = re.compile(r"[A-Za-z0-9]")
_HEADING_WIDTH = 40  # display columns: a Chinese line this short without final punctuation is a heading

# Words that open a preambular paragraph besides the "-ing" participles ("Recalling", "Noting").
_EN_OPENERS = {
    "Mindful", "Aware", "Conscious", "Cognizant", "Concerned", "Deeply", "Gravely", "Seriously",
    "Alarmed", "Convinced", "Determined", "Further", "Also", "Guided", "Encouraged", "Having",
    "Bearing", "Desirous", "Recognizing", "Acknowledging", "Noting", "Taking", "Acting",
}
_TITLE_RES = {
    "zh": [re.compile(r"^第\s*[\d/]+\s*(?:\(\d{4}\))?\s*号决议$"), re.compile(r"通过$"),
           re.compile(r"^(?:安全理事会|大会|经济及社会理事会)\s*[，,]$")],
    "en": [re.compile(r"^Resolution [\d/]+"), re.compile(r"^Adopted by"),
           re.compile(r"^The (?:Security Council|General Assembly|Economic and Social Council),$")],
}


def _accept_label(line: str, last_operative: int, after_end: bool = False, after_heading: bool = False) -> Label | None:
    """A label that really starts a paragraph: an operative number follows on from the last one,
    or skips at most two when the previous line ended a sentence (a paragraph one side lacks), or
    starts again at 1 after a heading (an annex numbers its own paragraphs: "Annex" / "1. …")."""
    label = read_label(line)
    if label and label.kind == OPERATIVE:
        number = int(label.number)
        restarts = number == 1 and after_heading
        if number != last_operative + 1 and not restarts and not (
                after_end and last_operative < number <= last_operative + 3):
            return None
    return label


def _is_label_only(line: str) -> bool:
    label = read_label(line)
    return label is not None and label.length == len(line)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap_width(lines: list[ContentLine]) -> int | None:
    """The full line width when the text is wrapped (many lines end at the same width), else None."""
    widths = Counter(_display_width(line.text) for line in lines)
    if len(lines) < 10:
        return None
    # justified lines vary by a few columns (digits and Latin letters are half-width)
    common = max(widths, key=lambda w: sum(widths[w - d] for d in range(5)))
    share = sum(widths[common - d] for d in range(5)) / len(lines)
    return common if share >= 0.4 and common >= 20 else None


def _zh_breaks(lines: list[ContentLine]) -> list[bool]:
    """breaks[i]: a paragraph starts at lines[i]."""
    trailing_mode = sum(line.trailing_space for line in lines) >= max(3, 0.1 * len(lines))
    # Without end-of-paragraph marks: a full-width line runs on (a PDF wrapped it), and so does a
    # long one without final punctuation (a page gap in one-paragraph-per-line text).
    width = None if trailing_mode else _wrap_width(lines)
    breaks, last_operative = [], 0
    for i, line in enumerate(lines):
        prev = lines[i - 1] if i else None
        heading = bool(prev and not _ZH_END_RE.search(prev.text) and _display_width(prev.text) <= _HEADING_WIDTH)
        label = _accept_label(line.text, last_operative, bool(prev and _ZH_HARD_END_RE.search(prev.text)), heading)
        if label and label.kind == OPERATIVE:
            last_operative = int(label.number)
        if prev is None:
            breaks.append(True)
            continue
        if trailing_mode:
            starts = prev.trailing_space or (label is not None and label.kind == OPERATIVE
                                             and bool(_ZH_END_RE.search(prev.text)))
        else:
            full = width is not None and _display_width(prev.text) >= width - 4
            unfinished = not _ZH_END_RE.search(prev.text) and (
                len(prev.text) >= 50 or (width is not None and _display_width(prev.text) >= 0.75 * width))
            runs_on = (full or unfinished) and not _is_label_only(prev.text)
            starts = label is not None or not runs_on
        breaks.append(starts)
    return breaks


def _undo_swaps(lines: list[ContentLine]) -> list[ContentLine]:
    """pdftotext sometimes puts a label's tail line before its head: "38." / "tasks:" / "" / "Decides…"."""
    out = list(lines)
    i = 0
    while i + 2 < len(out):
        label_line, tail, head = out[i], out[i + 1], out[i + 2]
        if (_is_label_only(label_line.text) and tail.gap == GAP_NONE and tail.text[:1].islower()
                and head.gap != GAP_NONE and head.text[:1].isupper() and len(tail.text) < 40):
            out[i + 1], out[i + 2] = head, tail
            head.gap, tail.gap = tail.gap, GAP_NONE
            i += 3
            continue
        i += 1
    return out


def _en_breaks(lines: list[ContentLine]) -> list[bool]:
    lengths = sorted(len(line.text) for line in lines) or [80]
    width = lengths[int(0.9 * (len(lengths) - 1))]
    breaks, last_operative = [], 0
    for i, line in enumerate(lines):
        if i == 0:
            breaks.append(True)
            continue
        prev, text = lines[i - 1].text, line.text
        prev_short = len(prev) < 0.75 * width
        heading = prev_short and not _EN_END_RE.search(prev) and not _is_label_only(prev)
        label = _accept_label(text, last_operative, bool(_EN_HARD_END_RE.search(prev)), heading)
        prev_ends = bool(_EN_END_RE.search(prev))
        upper = text[:1].isupper() or text[:1] in "“\"("
        first_word = re.split(r"[\s,]", text, maxsplit=1)[0]
        if _is_label_only(prev):
            starts = False
        elif i < 8 and any(p.search(text) for p in _TITLE_RES["en"]):
            starts = True  # title block: "Resolution 2518 (2020)", "Adopted by …", "The Security Council,"
        elif label is not None and label.kind == OPERATIVE:
            starts = True
        elif label is not None:
            starts = prev_ends or prev_short or line.gap != GAP_NONE
        elif not upper:
            starts = False
        elif _EN_HARD_END_RE.search(prev):
            starts = True
        elif prev_ends:
            starts = prev_short or first_word in _EN_OPENERS or (
                first_word.endswith("ing") and first_word[:1].isupper() and "-" not in first_word)
        else:
            starts = prev_short and not prev.endswith("-") and (line.gap != GAP_NONE or len(prev) < 0.6 * width)
        if starts and label is not None and label.kind == OPERATIVE:
            last_operative = int(label.number)
        breaks.append(starts)
    return breaks


def _join(parts: list[str], lang: str) -> str:
    text = parts[0]
    for part in parts[1:]:
        if lang == "zh":
            both_ascii = _ASCII_ALNUM.match(text[-1:]) and _ASCII_ALNUM.match(part[:1])
            text += (" " if both_ascii else "") + part
        elif text.endswith("-") and text[-2:-1].isalpha() and part[:1].isalpha():
            text += part  # a compound broken at its hyphen keeps the hyphen and no space
        else:
            text += " " + part
    return text


def build_paragraphs(lines: list[ContentLine], lang: str) -> list[tuple[str, int]]:
    """(text, index of its first content line) for each paragraph, in order."""
    if lang == "en":
        lines = _undo_swaps(lines)
        breaks = _en_breaks(lines)
    else:
        breaks = _zh_breaks(lines)
    groups: list[tuple[list[str], int]] = []
    for i, (line, starts) in enumerate(zip(lines, breaks)):
        if starts:
            groups.append(([line.text], i))
        else:
            groups[-1][0].append(line.text)
    return [(_join(parts, lang), first) for parts, first in groups]


def classify(texts: list[str], lang: str) -> list[tuple[str, str]]:
    """(kind, number) for each paragraph text: title, preamble, heading, operative N or sub (a)."""
    end_re = _ZH_END_RE if lang == "zh" else _EN_END_RE
    title_res = _TITLE_RES["zh" if lang == "zh" else "en"]
    kinds: list[tuple[str, str]] = []
    in_title, last_operative = True, 0
    for position, text in enumerate(texts):
        if in_title and position < 4 and any(p.search(text) for p in title_res):
            kinds.append((TITLE, ""))
            continue
        in_title = False
        label = _accept_label(text, last_operative, bool(position and end_re.search(texts[position - 1])),
                              bool(kinds) and kinds[-1][0] == HEADING)
        if label is not None and label.kind == OPERATIVE:
            last_operative = int(label.number)
            kinds.append((OPERATIVE, label.number))
        elif label is not None and label.kind == HEADING:
            kinds.append((HEADING, label.number))
        elif label is not None:
            kinds.append((SUB, label.number))
        elif not end_re.search(text) and len(text) < 150:
            kinds.append((HEADING, ""))
        elif last_operative:
            kinds.append((SUB, ""))
        else:
            kinds.append((PREAMBLE, ""))
    return kinds
