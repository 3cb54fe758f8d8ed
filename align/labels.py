"""Paragraph labels at the start of a line: operative numbers, (a)/(i)/㈠ sub-paragraphs, bullets,
chapter-heading numbers (一、/ I.).

Chinese and English write the same label differently (㈠ vs (i), "-" vs "–", 一、 vs I.); both map to
one canonical number so the two sides of a document can be compared label by label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PARENTHESISED_CJK = "㈠㈡㈢㈣㈤㈥㈦㈧㈨㈩"
_ROMAN = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"]

_OPERATIVE_RE = re.compile(r"^(\d{1,3})[.．](?=\s|$)")
_SUB_RE = re.compile(r"^[(（]([a-z]{1,4})[)）](?=\s|$)")
_CJK_SUB_RE = re.compile(rf"^([{_PARENTHESISED_CJK}])")
_BULLET_RE = re.compile(r"^[–—\-•·▪](?=\s|$)")
_ROMAN_RE = re.compile(r"^(?:x{0,3})(?:ix|iv|v?i{0,3})$")
_CJK_DIGITS = "一二三四五六七八九"
# A chapter heading's number: "一、 背景" / "一. 导言" and "I. Background" (up to 39, as UN reports go)
_CJK_HEADING_RE = re.compile(rf"^([{_CJK_DIGITS}]|十[{_CJK_DIGITS}]?|[二三]十[{_CJK_DIGITS}]?)(?:、|[.．](?=\s))")
_EN_HEADING_RE = re.compile(r"^(X{0,3}(?:IX|IV|V?I{0,3}))\.(?=\s|$)")


@dataclass(frozen=True, slots=True)
class Label:
    kind: str  # "operative", "sub" or "heading"
    number: str  # "12", "(a)", "(iv)", "•", "IV"
    length: int  # characters the label takes at the start of the stripped line


def read_label(line: str) -> Label | None:
    """The label a stripped line starts with, if any."""
    if match := _OPERATIVE_RE.match(line):
        return Label("operative", match.group(1), match.end())
    if match := _SUB_RE.match(line):
        return Label("sub", f"({match.group(1)})", match.end())
    if match := _CJK_SUB_RE.match(line):
        return Label("sub", f"({_ROMAN[_PARENTHESISED_CJK.index(match.group(1))]})", match.end())
    if match := _BULLET_RE.match(line):
        return Label("sub", "•", match.end())
    if (match := _EN_HEADING_RE.match(line)) and match.group(1):
        return Label("heading", match.group(1), match.end())
    if match := _CJK_HEADING_RE.match(line):
        return Label("heading", _roman(_cjk_number(match.group(1))), match.end())
    return None


def _cjk_number(text: str) -> int:
    """一 → 1, 十四 → 14, 三十九 → 39."""
    tens, _, units = text.rpartition("十")
    if "十" not in text:
        return _CJK_DIGITS.index(text) + 1
    return (_CJK_DIGITS.index(tens) + 1 if tens else 1) * 10 + (_CJK_DIGITS.index(units) + 1 if units else 0)


def _roman(number: int) -> str:
    """1–39 as an upper-case Roman numeral."""
    ones = _ROMAN[number % 10 - 1].upper() if number % 10 else ""
    return "X" * (number // 10) + ones


def is_roman(number: str) -> bool:
    """True for "(i)", "(iv)"…; "(i)" after "(h)" is a letter, which callers decide from context."""
    inner = number.strip("()")
    return bool(inner) and bool(_ROMAN_RE.match(inner))
