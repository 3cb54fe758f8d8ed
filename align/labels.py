"""Paragraph labels at the start of a line: operative numbers, (a)/(i)/㈠ sub-paragraphs, bullets.

Chinese and English write the same label differently (㈠ vs (i), "-" vs "–"); both map to one
canonical number so the two sides of a document can be compared label by label.
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


@dataclass(frozen=True, slots=True)
class Label:
    kind: str  # "operative" or "sub"
    number: str  # "12", "(a)", "(iv)", "•"
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
    return None


def is_roman(number: str) -> bool:
    """True for "(i)", "(iv)"…; "(i)" after "(h)" is a letter, which callers decide from context."""
    inner = number.strip("()")
    return bool(inner) and bool(_ROMAN_RE.match(inner))
