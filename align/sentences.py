"""Split one paragraph into sentences: zh at 。！？；, en at . ! ? ; before a space.

UN operative paragraphs chain clauses with ";" in both languages, so ";" ends a sentence on both
sides and the two sides stay parallel. A sentence never crosses a paragraph.
"""

from __future__ import annotations

import re

from align.labels import read_label

_CLOSERS = "”’」』）)\"'"
_ZH_SPLIT_RE = re.compile(rf"[。！？；]+[{_CLOSERS}]*")
_EN_CANDIDATE_RE = re.compile(rf"[.!?;]+[{_CLOSERS}\]]*(?=\s)")
_ABBREVIATIONS = {
    "no", "nos", "mr", "mrs", "ms", "dr", "prof", "e.g", "i.e", "etc", "art", "arts", "para",
    "paras", "vol", "vols", "vs", "st", "u.s", "u.n", "p", "pp", "rev", "add", "corr", "suppl",
    "ch", "chap", "inc", "ltd", "co", "cf", "approx", "ibid", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "fig", "op", "annex", "sect", "h.e", "amb",
}


def split_zh(paragraph: str) -> list[str]:
    sentences, start = [], 0
    for match in _ZH_SPLIT_RE.finditer(paragraph):
        sentences.append(paragraph[start : match.end()])
        start = match.end()
    sentences.append(paragraph[start:])
    return [s.strip() for s in sentences if s.strip()]


def _is_en_boundary(paragraph: str, match: re.Match[str], label_end: int) -> bool:
    if match.end() <= label_end:
        return False
    if ";" in match.group():
        return True
    following = paragraph[match.end() :].lstrip()[:1]
    if not following or not (following.isupper() or following.isdigit() or following in "“\"(‘["):
        return False
    word = paragraph[: match.start()].rsplit(None, 1)[-1] if paragraph[: match.start()].strip() else ""
    word = word.lstrip("(“\"‘[")
    # a lone capital is an initial ("U. N."), except the roman numerals ending "Chapter V."
    if word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper() and word not in "IVX"):
        return False
    return True


def split_en(paragraph: str) -> list[str]:
    label = read_label(paragraph)
    label_end = label.length if label else 0
    sentences, start = [], 0
    for match in _EN_CANDIDATE_RE.finditer(paragraph):
        if _is_en_boundary(paragraph, match, label_end):
            sentences.append(paragraph[start : match.end()])
            start = match.end()
    sentences.append(paragraph[start:])
    return [s.strip() for s in sentences if s.strip()]


def split_sentences(paragraph: str, lang: str) -> list[str]:
    return split_zh(paragraph) if lang == "zh" else split_en(paragraph)
