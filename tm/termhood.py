"""Term extraction: Chinese word n-grams that are terms, paired with their English counterparts.

Termhood against general language: a candidate must be far more frequent in the memory than in
general Chinese (wordfreq's zh frequencies, the only wordfreq user here), which drops 安全, 行动,
采取; nested terms are scored by C-value (Frantzi, Ananiadou & Mima 2000), so 联合国维持和平行动
keeps its own frequency and a piece that only lives inside longer terms scores low. Candidates are
runs of jieba words, so no fragment (联合国维, 持和平) can be a candidate at all.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

from tm.store import Store
from tm.terms import concordance, shown, word_ngrams
from tm.words import quiet_segmenter

MIN_TERMHOOD = 50.0
_JOINERS = frozenset("的 针对 对 向 由 在".split())  # memory frequency / general-language frequency, per word token


@dataclass(frozen=True, slots=True)
class TermPair:
    zh: str
    en: str
    frequency: int
    dice: float
    cvalue: float = 0.0
    termhood: float = 0.0


def general_frequency(text: str) -> float:
    import wordfreq.chinese  # noqa: F401  (imports jieba, which sets its own logger to DEBUG)
    from wordfreq import word_frequency

    quiet_segmenter()  # so jieba's dictionary loading is not logged on stderr
    return word_frequency(text, "zh", minimum=1e-8)


def candidate_terms(store: Store, min_frequency: int = 3) -> list[tuple[str, int, float, float]]:
    """(words, units, C-value, termhood) of Chinese candidates, best C-value first."""
    grams: Counter[str] = Counter()
    tokens = 0
    for (words,) in store.db.execute("SELECT words FROM units_zh_words"):
        split = words.split()
        tokens += len(split)
        grams.update(word_ngrams(split, "zh"))
    # a "的" or "针对" inside joins two phrases ("人员的安全", "和平行动人员和针对"), it does not make a term
    frequent = {g: n for g, n in grams.items() if n >= min_frequency and not _JOINERS & set(g.split())}
    containers: dict[str, list[int]] = {}
    for gram, n in frequent.items():
        words = gram.split()
        for size in range(1, len(words)):
            for i in range(len(words) - size + 1):
                part = " ".join(words[i : i + size])
                if part in frequent:
                    containers.setdefault(part, []).append(n)
    found = []
    for gram, n in frequent.items():
        nested = containers.get(gram, [])
        if nested and max(nested) >= 0.9 * n:  # a fragment: nearly always inside one longer candidate
            continue
        cvalue = math.log2(len(gram.split()) + 1) * (n - (sum(nested) / len(nested) if nested else 0))
        termhood = (n / max(tokens, 1)) / general_frequency(shown(gram, "zh"))
        if cvalue > 0 and termhood >= MIN_TERMHOOD:
            found.append((gram, n, cvalue, termhood))
    found.sort(key=lambda t: (-t[2], t[0]))
    return found


def extract_terms(store: Store, min_frequency: int = 3, min_dice: float = 0.3, limit: int = 200,
                  embedder=None) -> list[TermPair]:
    """Chinese terms (termhood and C-value) with their top English counterpart where it is strong enough."""
    pairs = []
    for gram, n, cvalue, termhood in candidate_terms(store, min_frequency):
        zh = shown(gram, "zh")
        found = concordance(zh, store, embedder)
        if not found.counterparts:
            continue
        en, units, _ = found.counterparts[0]
        dice = 2 * units / (found.total + n) if found.total else 0.0
        if dice >= min_dice and any(c.isalpha() for c in en):
            pairs.append(TermPair(zh, en, n, round(dice, 3), round(cvalue, 1), round(termhood, 1)))
        if len(pairs) >= limit:
            break
    return pairs
