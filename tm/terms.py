"""Terminology from the memory itself: concordance, counterparts by co-occurrence, term extraction.

No dictionary: a term's counterpart is the other-language expression most strongly associated
with it over the aligned units (Dice coefficient of unit co-occurrence, Smadja et al. 1996),
English candidates being word n-grams and Chinese candidates character n-grams, so no Chinese
word segmenter is needed. Among equally associated candidates the longer one wins (the maximal
phrase: "troop- and police-contributing countries" over "police-contributing"). Reads the TSV
that `untm build` writes, so it starts in well under a second (no model, no translate-toolkit).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from align.errors import AlignError

_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_EN_TOKEN_RE = re.compile(r"[A-Za-z][A-Za-z0-9'’\-]*[A-Za-z0-9]|[A-Za-z]")
_ZH_BREAK_RE = re.compile(r"[\s\d，。；：、！？“”‘’（）()《》「」\-–—,.;:!?\"'/]+")
_STOPWORDS = frozenset("""a an the of and or to in on for by with at from as its their his her this that these those
be is are was were been it which who whom whose such other any all also further its including under into
within between through upon about against among than including inter alia s""".split())
_MAX_EN_WORDS, _MAX_ZH_CHARS = 6, 12
_RERANK = 60  # candidates, by Dice, that the embedder re-scores


@dataclass(frozen=True, slots=True)
class Unit:
    tuid: str
    symbol: str
    label: str
    zh: str
    en: str
    score: float


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str
    together: int  # units where term and candidate co-occur
    frequency: int  # units whose other side has the candidate
    dice: float


@dataclass(slots=True)
class Concordance:
    term: str
    lang: str
    units: list[Unit]
    counterparts: list[tuple[str, int, float]] = field(default_factory=list)  # (text, units, share)
    assigned: list[str | None] = field(default_factory=list)  # counterpart found in each unit


def load_units(build: Path) -> list[Unit]:
    """Matched sentence units of a build (auto and review), from its TSV."""
    path = Path(build) / "untm.sentence.tsv"
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    except OSError as exc:
        raise AlignError(f"no translation memory at {path}", hint="run `untm build -o OUT` first, then --tm OUT") from exc
    return [Unit(r["tuid"], r["symbol"], r["label"], r["zh"], r["en"], float(r["score"])) for r in rows]


def term_language(term: str) -> str:
    return "zh" if _CJK_RE.search(term) else "en"


def term_pattern(term: str) -> re.Pattern[str]:
    """Chinese: the substring. English: whole words, any case, with simple inflection (s, es, ed, ing, ies)."""
    if term_language(term) == "zh":
        return re.compile(re.escape(term))
    words = re.split(r"[\s\-]+", term.strip())
    parts = []
    for word in words:
        lower = re.escape(word.lower())
        if lower.endswith("y") and len(lower) > 2:
            parts.append(f"{lower[:-1]}(?:y|ies|ied)")
        else:
            stem = lower[:-1] if lower.endswith("e") and len(lower) > 3 else lower
            parts.append(f"(?:{lower}|{stem})(?:s|es|ed|d|ing|’s|'s)?")
    return re.compile(r"(?<![A-Za-z])" + r"[\s\-]*".join(parts) + r"(?![A-Za-z])", re.IGNORECASE)


def _singular(word: str) -> str:
    """Light plural folding so "agreement" and "agreements" count as one candidate."""
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _en_ngrams(text: str) -> set[str]:
    tokens = [_singular(t.lower()) for t in _EN_TOKEN_RE.findall(text)]
    found = set()
    for n in range(1, _MAX_EN_WORDS + 1):
        for i in range(len(tokens) - n + 1):
            gram = tokens[i : i + n]
            if gram[0].lower() in _STOPWORDS or gram[-1].lower() in _STOPWORDS:
                continue
            found.add(" ".join(gram))
    return found


def _zh_ngrams(text: str) -> set[str]:
    found = set()
    for run in _ZH_BREAK_RE.split(text):
        for n in range(2, min(_MAX_ZH_CHARS, len(run)) + 1):
            for i in range(len(run) - n + 1):
                found.add(run[i : i + n])
    return found


def _normalise_en(text: str) -> str:
    return " ".join(_singular(t.lower()) for t in _EN_TOKEN_RE.findall(text))


class Memory:
    """Units with their candidate n-grams counted once, for any number of look-ups."""

    def __init__(self, units: Sequence[Unit]) -> None:
        self.units = list(units)
        self.grams = {"en": [_en_ngrams(u.en) for u in self.units], "zh": [_zh_ngrams(u.zh) for u in self.units]}
        self.frequency = {lang: Counter(g for grams in self.grams[lang] for g in grams) for lang in ("en", "zh")}
        self.closed = {"en": _never_alone(self.frequency["en"], " "), "zh": _never_alone(self.frequency["zh"], "")}


def rank_counterparts(term: str, memory: Memory, limit: int = 8, embedder=None) -> list[Candidate]:
    """Other-language candidates for `term`, best first: Dice over unit co-occurrence, and with an
    embedder, Dice times the squared cross-lingual similarity of term and candidate (repeated
    boilerplate co-occurs perfectly in a small memory; only the translation also means the same)."""
    lang = term_language(term)
    other_lang = "en" if lang == "zh" else "zh"
    pattern = term_pattern(term)
    inside = [bool(pattern.search(u.zh if lang == "zh" else u.en)) for u in memory.units]
    if not any(inside):
        return []
    together: Counter[str] = Counter()
    for has_term, unit_grams in zip(inside, memory.grams[other_lang]):
        if has_term:
            together.update(unit_grams)
    frequency, closed = memory.frequency[other_lang], memory.closed[other_lang]
    term_forms = {_normalise_en(term)} if lang == "en" else {term}
    with_term = sum(inside)
    candidates = [Candidate(g, a, frequency[g], 2 * a / (with_term + frequency[g]))
                  for g, a in together.items()
                  if g not in term_forms and g not in closed and (a >= 2 or with_term == 1)]
    candidates.sort(key=lambda c: (-round(c.dice, 6), -c.together, -len(c.text), c.text))
    if embedder is None or not candidates:
        return candidates[:limit]
    shortlist = candidates[:_RERANK]
    vectors = embedder.encode([term] + [c.text for c in shortlist])
    similarity = {c.text: float(s) for c, s in zip(shortlist, vectors[1:] @ vectors[0])}
    kept = _drop_fragments(shortlist, similarity, lang)
    kept.sort(key=lambda c: (-(c.dice * max(similarity[c.text], 0.0) ** 2), c.text))
    return kept[:limit]


def _never_alone(frequency: Counter[str], joiner: str) -> set[str]:
    """N-grams that never occur without one particular neighbour token: fragments of a longer
    expression ("持和平" of "维持和平", "status-of-forces" of "status-of-forces agreements")."""
    wider: dict[str, set[int]] = {}
    for gram, n in frequency.items():
        if joiner:
            words = gram.split(joiner)
            if len(words) < 2:
                continue
            shorter = (joiner.join(words[:-1]), joiner.join(words[1:]))
        else:
            shorter = (gram[:-1], gram[1:])
        for part in shorter:
            wider.setdefault(part, set()).add(n)
    return {gram for gram, n in frequency.items() if n in wider.get(gram, ())}


def _drop_fragments(candidates: list[Candidate], similarity: dict[str, float], term_lang: str) -> list[Candidate]:
    """Drop a candidate that a one-token-longer candidate covers in as many units and means as well
    ("持和平" inside "维持和平", "international humanitarian" inside "... law")."""
    by_text = {c.text: c for c in candidates}
    joiner = " " if term_lang == "zh" else ""

    def wider(text: str) -> list[str]:
        if joiner:
            return [t for t in by_text if len(t.split()) == len(text.split()) + 1
                    and (t.startswith(text + " ") or t.endswith(" " + text))]
        return [t for t in by_text if len(t) == len(text) + 1 and (t.startswith(text) or t.endswith(text))]

    return [c for c in candidates
            if not any(by_text[w].together == c.together and similarity[w] >= similarity[c.text] - 0.05
                       for w in wider(c.text))]


def _surface(candidate: str, text: str, lang: str) -> tuple[int, int] | None:
    """Where a candidate occurs in a unit's text (English: case- and spacing-insensitive)."""
    if lang == "zh":
        start = text.find(candidate)
        return (start, start + len(candidate)) if start >= 0 else None
    words = [re.escape(w[:-1]) + "(?:y|ies)" if w.endswith("y") else re.escape(w) + "(?:s|es)?"
             for w in candidate.split()]
    match = re.search(r"(?<![A-Za-z])" + r"[\s\-]*".join(words) + r"(?![A-Za-z])", text, re.IGNORECASE)
    return match.span() if match else None


def concordance(term: str, memory: Memory, embedder=None) -> Concordance:
    """Units containing `term`, the candidate translations with counts and shares, and each unit's own."""
    lang = term_language(term)
    pattern = term_pattern(term)
    hits = [u for u in memory.units if pattern.search(u.zh if lang == "zh" else u.en)]
    result = Concordance(term, lang, hits)
    if not hits:
        return result
    ranked = rank_counterparts(term, memory, embedder=embedder)
    strong = [c for c in ranked if c.dice >= 0.3 * max(r.dice for r in ranked)][:4] if ranked else []
    other_lang = "en" if lang == "zh" else "zh"
    counts: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = {}
    for unit in hits:
        text = unit.en if lang == "zh" else unit.zh
        found, span = next(((c.text, sp) for c in strong if (sp := _surface(c.text, text, other_lang))), (None, None))
        result.assigned.append(text[span[0]:span[1]] if span else None)
        if found:
            counts[found] += 1
            surfaces.setdefault(found, Counter())[text[span[0]:span[1]]] += 1
    # shown as the form the units use most ("troop- and police-contributing countries")
    result.counterparts = [(surfaces[key].most_common(1)[0][0], n, n / len(hits)) for key, n in counts.most_common()]
    return result


def spans(term_or_candidate: str, text: str, lang: str, is_term: bool) -> tuple[int, int] | None:
    """Where to highlight: the term itself (its pattern) or an assigned counterpart."""
    if is_term:
        match = term_pattern(term_or_candidate).search(text)
        return match.span() if match else None
    return _surface(term_or_candidate, text, lang)


@dataclass(frozen=True, slots=True)
class TermPair:
    zh: str
    en: str
    frequency: int
    dice: float


_FUNCTION_CHARS = set("的和与及在了对为并或等以其之将由于所把被从是也而就都向中上下")


def extract_terms(memory: Memory, min_frequency: int = 3, min_dice: float = 0.5, limit: int = 200,
                  embedder=None) -> list[TermPair]:
    """Frequent Chinese n-grams that are nearly always whole (not mostly inside one longer n-gram)
    and do not start or end with a function character, paired with their best English counterpart
    when the association is strong enough; the English shown is the units' most common surface."""
    frequency = memory.frequency["zh"]
    frequent = {g: n for g, n in frequency.items()
                if n >= min_frequency and g[0] not in _FUNCTION_CHARS and g[-1] not in _FUNCTION_CHARS}
    wider: dict[str, int] = {}
    for gram, n in frequency.items():
        for part in (gram[:-1], gram[1:]):
            wider[part] = max(wider.get(part, 0), n)
    whole = [g for g, n in frequent.items() if wider.get(g, 0) < 0.9 * n]
    pairs = []
    for zh in sorted(whole, key=lambda g: (-frequent[g], g)):
        ranked = rank_counterparts(zh, memory, limit=1, embedder=embedder)
        if ranked and ranked[0].dice >= min_dice:
            shown = concordance_surface(ranked[0].text, memory, zh)
            pairs.append(TermPair(zh, shown, frequent[zh], round(ranked[0].dice, 3)))
        if len(pairs) >= limit:
            break
    return pairs


def concordance_surface(candidate: str, memory: Memory, term: str) -> str:
    """The most common way the units write an English candidate next to the term."""
    forms: Counter[str] = Counter()
    for unit in memory.units:
        if term in unit.zh and (span := _surface(candidate, unit.en, "en")):
            forms[unit.en[span[0]:span[1]]] += 1
    return forms.most_common(1)[0][0] if forms else candidate
