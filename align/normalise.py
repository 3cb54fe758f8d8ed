"""Segment text as the UN's Word files write it: undo what PDF extraction did to a paragraph.

Pure text in, text out, after segmentation and before alignment and export (extract.segment_text
keeps the text before this in Paragraph.raw). Precision first: a repair that changes correct text
costs more than a missed one, so every rule is measured on 8,000 UN sentences made from Word files
(scripts/bench_normalise.py: English changes < 0.1 % of sentences, Chinese only CJK–digit spaces).

Chinese: UN Word files put no space between a CJK character and a digit or Latin letter
(`2018年1月24日`, `COVID-19疫苗`); PDF extraction invents one, inconsistently. Spaces between
Latin words (`Central African Republic`) and the thousands separator (`1 593.2`) stay.
English: words broken by extraction (`includin g`, `wo men`, `Nor th`: English has a closed set of
two-letter words, so any other two-letter piece is a fragment), hyphens lost (`SecretaryGeneral`,
`evidencebased`: only when the document writes the hyphenated form elsewhere; `seventysixth`,
`troopand`; or a compound the UN's Word files always hyphenate: `costeffective`, data/un_hyphenated.tsv)
or spaced (`Secretary -General`, `police- contributing`), `MINUSMA ’s`. wordfreq alone cannot tell
`costeffective` from the correct UN spelling `workplan` (both zipf ≈ 1.35), hence the UN list. Word
checks use wordfreq (frequency of the joined form against its parts), chosen by measurement over
symspellpy: its lookup_compound changed 285 of 300 clean UN sentences (it drops punctuation and
guesses: "i lltreatment" → "i a treatment"), its word_segmentation 286 of 300.
Both: footnote markers (superscript digits) go. A plain digit glued to a word where the PDF had a
superscript is left: none occurs in the seeds, and between CJK characters it is usually a number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

NORMALISATION = "4"  # bump when a rule here or in extract.plain_characters changes: older stage files are rebuilt

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SUPERSCRIPTS = "¹²³⁰⁴⁵⁶⁷⁸⁹"
# not the exponent of a unit ("km²", "m³")
_FOOTNOTE_RE = re.compile(rf"(?<=\S)(?<!\bm)(?<!\bkm)(?<!\bcm)(?<!\bmm)[{_SUPERSCRIPTS}]+")
# A leading label or numbering token ("3.2", "29H.15", "a") keeps its space (UN Word text has it).
_ZH_LEAD_RE = re.compile(r"^(?:\d{1,3}[A-Z]?\.(?:\d+\.?)*|[a-z]|[(（][0-9a-z]{1,4}[)）]) +")
_ZH_SPACE_RES = [
    re.compile(rf"(?<=[{_CJK}]) +(?=[A-Za-z0-9])"),
    re.compile(rf"(?<=[A-Za-z0-9]) +(?=[{_CJK}])"),
    # "第 2378 (2017) 号决议" → "第2378(2017)号决议": the resolution year sticks to its number
    re.compile(r"(?<=\d) +(?=\(\d{4}\))"),
    re.compile(rf"(?<=\(\d{{4}}\)) +(?=[{_CJK}])"),
    re.compile(rf"(?<=[{_CJK}]) +(?=\(\d{{4}}\))"),
    # "伊黎伊斯兰国 (达伊沙 )", "一项 “和平契约”": Chinese sets brackets and quotes without spaces
    re.compile(rf"(?<=[{_CJK}]) +(?=[(“])"),
    re.compile(rf"(?<=\() +(?=[{_CJK}])"),
    re.compile(rf"(?<=[{_CJK}]) +(?=\))"),
]

_WORD_PAIR_RE = re.compile(r"(?:(?<=\s)|^|(?<=[(“\"‘]))([A-Za-z]+) (?=([a-z]+)(?![\w’'-]))")
_WORD_RE = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
_LOWER_WORD_RE = re.compile(r"(?<![\w’'./-])([a-z]{6,})(?![\w’'./-])")
_CAMEL_RE = re.compile(r"(?<![\w-])([A-Z][a-z]{2,})([A-Z][a-z]{2,})(?![\w-])")
_SPACED_HYPHEN_RE = re.compile(r"(?<=[A-Za-z]) -(?=[A-Za-z])")
_LINE_END_HYPHEN_RE = re.compile(r"(?<=[A-Za-z])- ([a-z]+)\b")
_SPACED_APOSTROPHE_RE = re.compile(r"(?<=[A-Za-z]) (?=[’']s\b)")
# Words after which a dangling hyphen is a suspended compound ("troop- and police-contributing").
_SUSPENDED = {"and", "or", "nor", "to", "but", "as", "than", "versus"}
# Prefixes UN style writes closed ("predeployment", "subregional"), and combining forms: no hyphen
# is restored after them (measured: "poly-metallic", "geo-mechanical" were false repairs).
PREFIXES = {"pre", "post", "sub", "non", "anti", "inter", "multi", "over", "under", "counter", "semi",
             "mid", "out", "super", "trans", "intra", "extra", "micro", "macro", "socio", "peace", "poly",
             "geo", "hydro", "cyber", "bio", "eco", "electro", "tele", "mis", "dis", "back", "fuel", "work"}

# English writes compound numerals with a hyphen ("seventy-sixth"), so a closed one lost it.
_TENS = {"twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"}
_UNITS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "first", "second", "third",
          "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"}

KNOWN = 3.0  # zipf frequency of a common word (≈ once per million words)
PART = 3.5  # each half of a compound that lost its hyphen is at least this common
UNKNOWN = 1.5  # below this a lower-case form is not an English word
WEAK = 4.0  # a part this rare may be a fragment when the joined word is much more common
# English has a closed set of two-letter words; any other two-letter piece ("Nor th") is a fragment,
# however often wordfreq met it (it counts "th" from "4 th", so its frequency says nothing here).
# Particles of names and Latin phrases count as words ("Dar es Salaam", "per se", "et al.").
_TWO_LETTER_WORDS = frozenset(
    "ad ah am an as at aw ax ay be by do eh go ha he hi ho id if in is it lo ma me mi my no of oh ok on "
    "or ow ox pa pi re so to uh um up us we ye yo "
    "al da de di du el en es et la le se ul".split())


@lru_cache(maxsize=65536)
def _zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en")


def document_vocabulary(texts: Iterable[str]) -> frozenset[str]:
    """Lower-cased words (hyphenated ones whole) of a document: evidence for repairs elsewhere in it."""
    return frozenset(word.lower() for text in texts for word in _WORD_RE.findall(text))


def _two_letter_fragment(part: str) -> bool:
    return len(part) == 2 and part.lower() not in _TWO_LETTER_WORDS


def _fragment(part: str, joined_zipf: float) -> bool:
    """A piece that is no word of its own next to the word it was cut from."""
    if len(part) == 1:
        return part not in ("a", "A", "I")
    if _two_letter_fragment(part):
        return True
    zipf = _zipf(part)
    return zipf < UNKNOWN + 1 or (zipf < WEAK and zipf < joined_zipf - 1.5)


def _inflection_known(word: str) -> bool:
    """"workplans", "backstopped": an inflected form wordfreq lacks of a word it has."""
    return any(word.endswith(end) and _zipf(word[: -len(end)]) > 0 for end in ("s", "es", "ed", "ing", "d"))


@lru_cache(maxsize=1)
def un_hyphenated() -> dict[str, tuple[str, str]]:
    """"costeffective" → ("cost", "effective"): compounds the UN's Word files hyphenate and never close
    (align/data/un_hyphenated.tsv, learned by scripts/make_hyphen_list.py from 8,000 UN sentences)."""
    table = {}
    for line in (Path(__file__).parent / "data" / "un_hyphenated.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            closed, form = line.split("\t")
            table[closed] = tuple(form.split("-"))
    return table


@lru_cache(maxsize=8)
def _closed_forms(vocabulary: frozenset[str]) -> dict[str, tuple[str, str]]:
    """"evidencebased" → ("evidence", "based") for each word hyphenated once in the vocabulary."""
    return {word.replace("-", ""): tuple(word.split("-")) for word in vocabulary if word.count("-") == 1}


def _compound(word: str, closed: dict[str, tuple[str, str]], unseen: bool = False) -> tuple[str, str] | None:
    """(head, tail) when a lower-case word is two words that lost their hyphen.

    Evidence: the hyphenated form elsewhere in the document or in UN Word-file style (un_hyphenated);
    a suspended compound ("troopand");
    a numeral ("seventysixth"); with `unseen`, any closed form wordfreq has never seen whose halves
    are common words (used only after a split-off letter: "i lltreatment"; alone it changed 9
    correct UN sentences of 8,000: "unsafeguarded", "giftbasket", "mercuryconvention")."""
    return closed.get(word) or un_hyphenated().get(word) or _lost_hyphen(word, unseen)


@lru_cache(maxsize=65536)
def _lost_hyphen(word: str, unseen: bool) -> tuple[str, str] | None:
    if _zipf(word) > 0 or _inflection_known(word):
        return None
    best: tuple[float, str, str] | None = None
    for cut in range(3, len(word) - 2):
        head, tail = word[:cut], word[cut:]
        if head in PREFIXES or (len(tail) < 4 and tail not in _SUSPENDED):
            continue
        if not (unseen or tail in _SUSPENDED or (head in _TENS and tail in _UNITS)):
            continue
        score = min(_zipf(head), _zipf(tail))
        if score >= PART and (best is None or score > best[0]):
            best = (score, head, tail)
    return (best[1], best[2]) if best else None


def _join_split_words(text: str, vocabulary: frozenset[str], strong_only: bool, rejoined: set[str]) -> str:
    """Join "includin g", "wo men", "r esources": a fragment and its neighbour make a word."""
    def join(match: re.Match[str]) -> str:
        head, tail = match.group(1), match.group(2)
        if (len(head) > 1 < len(tail) and _zipf(head) >= WEAK and _zipf(tail) >= WEAK
                and not _two_letter_fragment(head) and not _two_letter_fragment(tail)):
            return match.group()  # two common words: no rule below would join them
        joined = (head + tail).lower()
        if head[1:] != head[1:].lower():
            return match.group()
        in_document = joined in vocabulary and all(_fragment(p, 0.0) for p in (head, tail))  # "Platefo rme"
        # "i lltreatment": a letter cut off a compound that also lost its hyphen
        letter_off_compound = len(head) == 1 and head not in "aAI" and _compound(joined, _closed_forms(vocabulary), True)
        # "illici tly": two pieces that are no words make a rarer word
        both_broken = min(len(head), len(tail)) > 1 and max(_zipf(head), _zipf(tail)) < UNKNOWN and _zipf(joined) >= 2
        if not (_zipf(joined) >= KNOWN or in_document or letter_off_compound or both_broken):
            return match.group()
        if strong_only:  # first the pairs with a piece that is no word at all ("i lltreatment", not "and i")
            joins = any(len(p) > 1 and _zipf(p) < UNKNOWN for p in (head, tail)) or in_document or both_broken
        else:
            joined_zipf = _zipf(joined)
            joins = _fragment(head, joined_zipf) or _fragment(tail, joined_zipf)
        if joins and letter_off_compound:
            rejoined.add(joined)
        return head if joins else match.group()

    return _WORD_PAIR_RE.sub(join, text)


def _restore_hyphens(text: str, vocabulary: frozenset[str], rejoined: set[str]) -> str:
    closed = _closed_forms(vocabulary)

    def lower(match: re.Match[str]) -> str:
        parts = _compound(match.group(1), closed, match.group(1) in rejoined)
        if parts is None:
            return match.group()
        head, tail = parts
        return f"{head}- {tail}" if tail in _SUSPENDED else f"{head}-{tail}"  # "troopand" → "troop- and"

    def camel(match: re.Match[str]) -> str:
        # "SecretaryGeneral": only with the hyphenated form elsewhere in the document or in UN style
        # ("YouthStart" is a name)
        head, tail = match.group(1), match.group(2)
        known = f"{head}-{tail}".lower() in vocabulary or un_hyphenated().get((head + tail).lower()) is not None
        return f"{head}-{tail}" if known else match.group()

    return _CAMEL_RE.sub(camel, _LOWER_WORD_RE.sub(lower, text))


def _close_line_end_hyphen(match: re.Match[str]) -> str:
    word = match.group(1)
    return match.group() if word in _SUSPENDED else "-" + word


def normalise_en(text: str, vocabulary: frozenset[str] = frozenset()) -> str:
    """English paragraph text repaired where PDF extraction broke words, hyphens or apostrophes."""
    text = _FOOTNOTE_RE.sub("", text)
    text = _SPACED_APOSTROPHE_RE.sub("", text)
    text = _SPACED_HYPHEN_RE.sub("-", text)
    text = _LINE_END_HYPHEN_RE.sub(_close_line_end_hyphen, text)
    vocabulary = vocabulary or document_vocabulary([text])  # the document's words include this paragraph's
    rejoined: set[str] = set()
    for strong_only in (True, False):
        text = _join_split_words(text, vocabulary, strong_only, rejoined)
    return _restore_hyphens(text, vocabulary, rejoined)


def normalise_zh(text: str) -> str:
    """Chinese paragraph text without the CJK–Latin/digit spaces and footnote marks PDFs add."""
    text = _FOOTNOTE_RE.sub("", text)
    lead = _ZH_LEAD_RE.match(text)
    head, body = (text[: lead.end()], text[lead.end():]) if lead else ("", text)
    for pattern in _ZH_SPACE_RES:
        body = pattern.sub("", body)
    return head + body


def normalise(text: str, lang: str, vocabulary: frozenset[str] = frozenset()) -> str:
    """Normalised text of one segment in `lang` ("zh" or "en"); `vocabulary`: document_vocabulary()."""
    return normalise_zh(text) if lang == "zh" else normalise_en(text, vocabulary)
