"""Terminology from the memory itself: concordance and counterparts by co-occurrence, over the TM store.

No dictionary: a term's counterpart is the other-language expression most strongly associated with
it over the aligned sentence units (Dice coefficient of unit co-occurrence, Smadja et al. 1996).
Candidates are runs of whole words (jieba words for Chinese, folded English words), so a
counterpart starts and ends on a word boundary. The units come from the store's full-text
tables, so a look-up reads only the units that hold the term (a sample of `SAMPLE` when there are
more), never the whole memory; candidate frequencies are FTS phrase counts.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from align.errors import AlignError
from tm.store import Store, StoredUnit
from tm.words import RUN_BREAK, en_words

_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_ACRONYM_RE = re.compile(r"[A-Z][A-Za-z]*[A-Z][A-Z0-9\-]*")  # MDSF, UNAMID, MONUSCO, UNMEER
STOPWORDS = frozenset("""a an the of and or to in on for by with at from as its their his her this that these those
be is are was were been it which who whom whose such other any all also further including under into not no
within between through upon about against among than inter alia s its has have had will shall may should would
can could must do does did so if but while where when whether both each every more most very well same own
new further thereof therein such during should present presents before after over since until via per
without""".split())
ZH_FUNCTION_WORDS = frozenset("""的 和 与 及 在 了 对 为 并 或 等 以 其 之 将 由 于 所 把 被 从 是 也 而 就 都 向 中 上 下
这 该 各 第 有 有关 以及 并且 或者 对于 关于 通过 根据 按照 包括 其他 这些 那些 一个 一些 所有 任何 已 已经 正在 应 应当
应该 可以 能 能够 要 给 到 使 让 时 后 前 内 外 间 则 即 又 再 还 但 但是 因 因为 所以 如果 不 没有 非 我们 他们 它们
其中 此 本 之后 之前 方面 问题 情况 进行 作出 开展 采取 继续 加强 支持 表示 注意 请 吁请 鼓励 促请 决定 欢迎 强调 重申
未经""".split())
# jieba cuts these off as words of their own, yet they begin terms: 有 组织 犯罪, 不 扩散, 非 索 特派团, 被 拘留 者.
# They may start a longer n-gram (Dice then decides), never stand alone or end one.
ZH_BOUND_PREFIXES = frozenset({"有", "不", "非", "被"})
# a coordination "X and Y" names two things; unless the term is one itself, its counterpart is one conjunct
CONJUNCTIONS = {"en": frozenset({"and", "or"}), "zh": frozenset({"和", "与", "及", "或", "以及"})}
_MAX_WORDS = {"en": 9, "zh": 5}  # "United Nations Convention on the Law of the Sea"
_MAX_ZH_CHARS = 12
SAMPLE = 200  # units of a frequent term read for candidates; co-occurrence is scaled up from them
_SHORTLIST = 20  # candidates, by co-occurrence, whose frequency is counted
_RERANK = 8  # candidates, by Dice, that the embedder re-scores


@dataclass(frozen=True, slots=True)
class Candidate:
    text: str  # words joined by spaces (English) or nothing (Chinese)
    together: int  # sampled units where term and candidate co-occur
    frequency: int  # units whose other side has the candidate
    dice: float


@dataclass(slots=True)
class Concordance:
    term: str
    lang: str
    units: list[StoredUnit]  # the units read (all, or the sample)
    total: int = 0  # units holding the term in the whole store
    counterparts: list[tuple[str, int, float]] = field(default_factory=list)  # (text, units, confidence)
    assigned: list[str | None] = field(default_factory=list)  # counterpart found in each unit


def term_language(term: str) -> str:
    return "zh" if _CJK_RE.search(term) else "en"


def check_term(term: str) -> str:
    term = " ".join(term.split())
    if not term:
        raise AlignError("the term is empty", hint='give a word or phrase, e.g. untm lookup "peacekeeping"')
    return term


def term_pattern(term: str) -> re.Pattern[str]:
    """Chinese: the substring. English: whole words, any case, with simple inflection (s, es, ed, ing, ies)."""
    if term_language(term) == "zh":
        return re.compile(re.escape(term))
    words = re.split(r"[\s\-]+", term.strip())
    parts = []
    for word in words:
        lower = re.escape(word.lower())
        if lower.endswith("y") and len(lower) > 2:
            parts.append(f"{lower[:-1]}(?:y|ys|ies|ied)")
        else:
            stem = lower[:-1] if lower.endswith("e") and len(lower) > 3 else lower
            parts.append(f"(?:{lower}|{stem})(?:s|es|ed|d|ing|’s|'s)?")
    return re.compile(r"(?<![A-Za-z])" + r"[\s\-]*".join(parts) + r"(?![A-Za-z])", re.IGNORECASE)


def _normalise_en(text: str) -> str:
    return " ".join(en_words(text))


def word_ngrams(words: list[str], lang: str) -> set[str]:
    """Runs of 1..n whole words not starting or ending with a function word (joined by " " for both
    languages, as the store's word tables hold them); no n-gram crosses a RUN_BREAK.

    One pass from each start word, stopping as soon as no longer n-gram from it can qualify (a break,
    a 的, too many characters): a look-up builds these for 200 units, so it is on the hot path."""
    stop = STOPWORDS if lang == "en" else ZH_FUNCTION_WORDS
    chinese = lang == "zh"
    longest = _MAX_WORDS[lang]
    count = len(words)
    found = set()
    for start, first in enumerate(words):
        if first == RUN_BREAK or (first in stop and not (chinese and first in ZH_BOUND_PREFIXES)):
            continue
        characters = 0
        for end in range(start, min(start + longest, count)):
            word = words[end]
            if word == RUN_BREAK:
                break
            if chinese:
                if word == "的":  # a 的 inside joins two phrases (人员的安全), it is not part of a term
                    break
                characters += len(word)
                if characters > _MAX_ZH_CHARS:
                    break
                if characters < 2:
                    continue
            elif end == start and len(word) < 2:
                continue
            if word not in stop:
                found.add(" ".join(words[start : end + 1]))
    return found


def shown(candidate: str, lang: str) -> str:
    return candidate.replace(" ", "") if lang == "zh" else candidate


def rank_counterparts(term: str, store: Store, limit: int = 8, embedder=None,
                      units: list[StoredUnit] | None = None, total: int | None = None) -> list[Candidate]:
    """Other-language candidates for `term`, best first: Dice over unit co-occurrence, and with an
    embedder, Dice times the squared cross-lingual similarity of term and candidate (repeated
    boilerplate co-occurs perfectly in a small memory; only the translation also means the same)."""
    lang = term_language(term)
    other = "en" if lang == "zh" else "zh"
    if units is None:
        units, _, total = _units_with(term, store)
    if not units:
        return []
    term_words = " ".join(en_words(term)) if lang == "en" else term
    words = {i: w.split() for i, w in store.unit_words(other, [u.id for u in units]).items()}
    # a word in fewer than a tenth of the units cannot be part of the main counterpart: n-grams are
    # built over runs of the other words only (keeps a look-up fast on frequent terms)
    seen: Counter[str] = Counter()
    for unit_words in words.values():
        seen.update(set(unit_words))
    floor = max(2, len(units) // 10) if total > 1 else 1
    together: Counter[str] = Counter()
    for unit in units:
        kept = [w if seen[w] >= floor else RUN_BREAK for w in words.get(unit.id, [])]
        together.update(word_ngrams(kept, other))
    scale = total / len(units)
    # ties broken by the text itself: by insertion order (a set's, which changes with the process's hash
    # seed) the same look-up could shortlist different candidates from one run to the next
    eligible = ((g, a) for g, a in together.items() if g != term_words and (a >= 2 or total == 1))
    shortlist = heapq.nsmallest(_SHORTLIST, eligible, key=lambda ga: (-ga[1], -len(ga[0]), ga[0]))
    candidates = []
    for gram, count in shortlist:
        # counted up to a cap: past it the Dice is too small to matter, and counting "united nations" in
        # a million units is what would make a look-up slow
        frequency = max(store.phrase_frequency(other, gram, cap=4 * total + 200), count)
        candidates.append(Candidate(gram, count, frequency, 2 * count * scale / (total + frequency)))
    candidates = _drop_fragments(_drop_coordinations(candidates, term, other))
    candidates.sort(key=lambda c: (-round(c.dice, 3), -len(c.text.split()), c.text))
    if embedder is None or not candidates:
        return candidates[:limit]
    shortlisted = candidates[:_RERANK]
    vectors = embedder.encode([term] + [shown(c.text, other) for c in shortlisted])
    similarity = {c.text: float(s) for c, s in zip(shortlisted, vectors[1:] @ vectors[0])}
    shortlisted.sort(key=lambda c: (-(c.dice * max(similarity[c.text], 0.0) ** 0.5), c.text))
    return _prefer_whole(shortlisted, similarity)[:limit]


def _prefer_whole(ranked: list[Candidate], similarity: dict[str, float]) -> list[Candidate]:
    """Put first the longest candidate that holds the best one, occurs with the term as often and means
    as much ("Global Environment" → "Global Environment Facility"): the maximal phrase is the term."""
    best = ranked[0]
    wider = [c for c in ranked if c is not best and f" {best.text} " in f" {c.text} "
             and c.together >= 0.8 * best.together and similarity[c.text] >= similarity[best.text] - 0.05]
    if not wider:
        return ranked
    chosen = max(wider, key=lambda c: (len(c.text.split()), c.together))
    return [chosen] + [c for c in ranked if c is not chosen]


def _drop_fragments(candidates: list[Candidate]) -> list[Candidate]:
    """Drop a candidate that a longer candidate holding it covers in nearly as many units ("维持" inside
    "维持 和平", "humanitarian" inside "international humanitarian law"): the longer one is the term."""
    kept = []
    for c in candidates:
        inside = f" {c.text} "
        if any(w is not c and inside in f" {w.text} " and w.together >= 0.85 * c.together
               and w.frequency >= 0.8 * c.frequency for w in candidates):
            continue
        kept.append(c)
    return kept


def _is_coordination(term: str) -> bool:
    """Whether the term may translate as "X and Y": it is one itself, or an acronym, which stands for a whole
    name and names coordinate (MDSF, Malian Defence and Security Forces: 马里国防和安全部队)."""
    if _ACRONYM_RE.fullmatch(term):
        return True
    if term_language(term) == "zh":
        return bool(re.search(r"[和与及或、]", term))
    return "," in term or bool(CONJUNCTIONS["en"] & set(term.lower().split()))


def _drop_coordinations(candidates: list[Candidate], term: str, lang: str) -> list[Candidate]:
    """Drop "X and Y" when the term is no coordination and X or Y is itself a candidate met with the term at
    least as often ("Heads of State" → 国家元首, not 国家元首和政府首脑, the phrase it travels in)."""
    if _is_coordination(term):
        return candidates
    conjunctions = CONJUNCTIONS[lang]
    together = {c.text: c.together for c in candidates}
    kept = []
    for c in candidates:
        words = c.text.split()
        cuts = [i for i, w in enumerate(words) if w in conjunctions]
        bounds = [-1, *cuts, len(words)]
        conjuncts = [" ".join(words[a + 1 : b]) for a, b in pairwise(bounds)]
        if cuts and any(together.get(part, 0) >= c.together for part in conjuncts):
            continue
        kept.append(c)
    return kept


def _units_with(term: str, store: Store) -> tuple[list[StoredUnit], int, int]:
    """Units with the term (a sample) and their count in the whole store and in its statistics window."""
    lang = term_language(term)
    pattern = term_pattern(term)
    units, total, window = store.units_with(lang, term, " ".join(en_words(term)), limit=SAMPLE)
    matching = [u for u in units if pattern.search(u.zh if lang == "zh" else u.en)]
    if not matching:
        return [], 0, 0
    # the word table folds more than the pattern (“peace-keeping”): count what the pattern confirms
    share = len(matching) / len(units)
    return matching, max(1, round(total * share)), max(1, round(window * share))


def _surface(candidate: str, text: str, lang: str) -> tuple[int, int] | None:
    """Where a candidate occurs in a unit's text (English: case-, plural- and spacing-insensitive)."""
    match = _surface_pattern(candidate, lang).search(text)
    return match.span() if match else None


@lru_cache(maxsize=1024)
def _surface_pattern(candidate: str, lang: str) -> re.Pattern[str]:
    """Compiled once per candidate: a look-up searches up to 200 units for each of its counterparts."""
    if lang == "zh":  # words may stand either side of an enumeration comma or a book-title mark
        return re.compile(r"[、《》]?".join(re.escape(w) for w in candidate.split()))
    # "y" words: policy → policies, but boy → boys, survey → surveys
    words = [re.escape(w[:-1]) + "(?:y|ies|ys)" if w.endswith("y") else re.escape(w) + "(?:s|es)?"
             for w in candidate.split()]
    return re.compile(r"(?<![A-Za-z])" + r"[\s\-,]*".join(words) + r"(?![A-Za-z])", re.IGNORECASE)


def wilson_lower(successes: int, trials: int, z: float = 1.96) -> float:
    """Lower bound of the 95 % Wilson interval: 1 of 1 is 0.21, 30 of 30 is 0.89 — never 100 % from one unit."""
    if trials == 0:
        return 0.0
    p = successes / trials
    centre = p + z * z / (2 * trials)
    margin = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
    return max(0.0, (centre - margin) / (1 + z * z / trials))


def concordance(term: str, store: Store, embedder=None) -> Concordance:
    """Units containing `term`, the candidate translations with unit counts and confidence, and each unit's own."""
    term = check_term(term)
    lang = term_language(term)
    units, total, window = _units_with(term, store)
    result = Concordance(term, lang, units, total)
    if not units:
        return result
    ranked = rank_counterparts(term, store, embedder=embedder, units=units, total=window)
    strong = [c for c in ranked if c.dice >= 0.3 * ranked[0].dice][:4] if ranked else []
    other = "en" if lang == "zh" else "zh"
    counts: Counter[str] = Counter()
    surfaces: dict[str, Counter[str]] = {}
    for unit in units:
        text = unit.en if lang == "zh" else unit.zh
        found, span = next(((c.text, sp) for c in strong if (sp := _surface(c.text, text, other))), (None, None))
        result.assigned.append(text[span[0]:span[1]] if span else None)
        if found:
            counts[found] += 1
            surfaces.setdefault(found, Counter())[text[span[0]:span[1]]] += 1
    order = [c.text for c in strong if c.text in counts]  # the ranking's order, not raw counts
    # shown as the form the units use most ("troop- and police-contributing countries")
    result.counterparts = [(surfaces[key].most_common(1)[0][0], counts[key], wilson_lower(counts[key], len(units)))
                           for key in order]
    return result


def spans(term_or_candidate: str, text: str, lang: str, is_term: bool) -> tuple[int, int] | None:
    """Where to highlight: the term itself (its pattern) or an assigned counterpart."""
    if is_term:
        match = term_pattern(term_or_candidate).search(text)
        return match.span() if match else None
    return _surface(term_or_candidate, text, lang)


def open_store(build: Path) -> Store:
    """The TM store of a build folder, with a clear error when there is none."""
    try:
        return Store(build, create=False)
    except AlignError as exc:
        raise AlignError(f"no translation memory at {Path(build)}", hint=exc.hint) from exc
