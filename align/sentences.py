"""Split one paragraph into sentences: zh at 。！？；, en at . ! ? ; before a space.

UN operative paragraphs chain clauses with ";" in both languages, so ";" ends a sentence on both
sides and the two sides stay parallel. A sentence never crosses a paragraph. Time is linear in the
paragraph's length: nothing before or after a candidate is copied whole (a 2 MB line took hours).
"""

from __future__ import annotations

import re

from align.labels import read_label

_CLOSERS = "”’」』）)\"'"
_ZH_SPLIT_RE = re.compile(rf"[。！？；]+[{_CLOSERS}]*")
# The look-behind starts a candidate only at the first mark of a run, and the possessive
# quantifiers never give marks back: a run of n marks without a following space costs n, not n².
_EN_CANDIDATE_RE = re.compile(rf"(?<![.!?;])[.!?;]++[{_CLOSERS}\]]*+(?=\s)")
_NON_SPACE_RE = re.compile(r"\S")
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


def _word_before(text: str, end: int) -> str:
    """The last white-space-delimited word of text[:end], reading back only as far as it reaches."""
    window = 64
    while True:
        start = max(0, end - window)
        words = text[start:end].rsplit(None, 1)
        if len(words) == 2:
            return words[1]
        # one word or none: whole if the window began at the text's start or at white space
        if start == 0 or (words and (text[start].isspace() or text[start - 1].isspace())):
            return words[0] if words else ""
        window *= 2


def _is_en_boundary(paragraph: str, match: re.Match[str], label_end: int) -> bool:
    if match.end() <= label_end:
        return False
    if ";" in match.group():
        return True
    next_char = _NON_SPACE_RE.search(paragraph, match.end())
    following = next_char.group() if next_char else ""
    if not following or not (following.isupper() or following.isdigit() or following in "“\"(‘["):
        return False
    word = _word_before(paragraph, match.start()).lstrip("(“\"‘[")
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
