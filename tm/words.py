"""Word boundaries for term candidates: jieba for Chinese (the only jieba user), a regex for English.

jieba rather than pkuseg/HanLP: it is installed, pure Python with a bundled dictionary, segments
the 8,000 UNv1.0 sentences (376k characters) in about 1 s here, and its dictionary already holds
UN words (理事会, 人道主义, 性暴力); boundaries are what counterparts need, not POS tags.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_EN_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z0-9'’\-]*[A-Za-z0-9]|[A-Za-z]")


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it logs its dictionary loading at INFO otherwise
    jieba.initialize()
    return jieba


def quiet_segmenter() -> None:
    """Load jieba with its logging turned down (other libraries that use jieba share the logger)."""
    _jieba()


def zh_words(text: str) -> list[str]:
    """Chinese words of `text` (runs of Han characters only; punctuation, digits and Latin dropped)."""
    return [w for w in _jieba().lcut(text, HMM=False) if _CJK_RE.match(w)]


RUN_BREAK = "，"  # between runs in the store's segmented text; unicode61 ignores it, n-grams stop at it


def zh_runs(text: str) -> list[list[str]]:
    """Chinese words grouped in runs that no punctuation, digit or Latin text interrupts (an enumeration
    comma 、 does not interrupt: 解除武装、复员和重返社会 is one term)."""
    runs: list[list[str]] = [[]]
    for word in _jieba().lcut(text, HMM=False):
        if word == "、" or word.isspace():
            continue
        if all(_CJK_RE.match(c) for c in word):
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    return [r for r in runs if r]


def zh_segmented(text: str) -> str:
    """Words separated by spaces, runs by RUN_BREAK."""
    return f" {RUN_BREAK} ".join(" ".join(run) for run in zh_runs(text))


def singular(word: str) -> str:
    """Light plural folding so "agreement" and "agreements" count as one word."""
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "'s", "’s")):
        return word[:-1]
    return word


def en_words(text: str) -> list[str]:
    """English words, lower-cased and singular ("Peacekeepers" → "peacekeeper")."""
    return [singular(t.lower().replace("’", "'")) for t in _EN_TOKEN_RE.findall(text)]
