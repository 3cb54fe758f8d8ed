"""The look-up's fast paths give exactly what the plain versions gave (tm/terms.py word_ngrams)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tm.terms import _MAX_WORDS, _MAX_ZH_CHARS, STOPWORDS, ZH_FUNCTION_WORDS, word_ngrams
from tm.words import RUN_BREAK


def plain_word_ngrams(words: list[str], lang: str) -> set[str]:
    """word_ngrams as first written (every n-gram built, then filtered): the reference."""
    if RUN_BREAK in words:
        runs, current = [], []
        for word in words + [RUN_BREAK]:
            if word == RUN_BREAK:
                runs.append(current)
                current = []
            else:
                current.append(word)
        return set().union(*(plain_word_ngrams(run, lang) for run in runs))
    stop = STOPWORDS if lang == "en" else ZH_FUNCTION_WORDS
    found = set()
    for n in range(1, _MAX_WORDS[lang] + 1):
        for i in range(len(words) - n + 1):
            gram = words[i : i + n]
            if gram[0] in stop or gram[-1] in stop:
                continue
            if lang == "zh" and (not 2 <= sum(map(len, gram)) <= _MAX_ZH_CHARS or "的" in gram):
                continue
            if lang == "en" and n == 1 and len(gram[0]) < 2:
                continue
            found.add(" ".join(gram))
    return found


ZH_VOCABULARY = ["维持", "和平", "行动", "的", "和", "与", "安全理事会", "人", "国", "联合国维持和平行动部", "部队",
                 "派遣国", "在", "进行", "、", RUN_BREAK, "解除武装复员和重返社会方案", "了"]
EN_VOCABULARY = ["peace", "keeping", "operation", "the", "of", "and", "a", "s", "x", "united", "nations", "security",
                 "council", "troop-contributing", "country", "in", RUN_BREAK, "international", "humanitarian", "law"]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(ZH_VOCABULARY), max_size=40))
def test_chinese_ngrams_are_those_of_the_plain_version(words: list[str]) -> None:
    assert word_ngrams(words, "zh") == plain_word_ngrams(words, "zh")


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(EN_VOCABULARY), max_size=40))
def test_english_ngrams_are_those_of_the_plain_version(words: list[str]) -> None:
    assert word_ngrams(words, "en") == plain_word_ngrams(words, "en")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="维和的a ，", max_size=4), max_size=20), st.sampled_from(["zh", "en"]))
def test_any_words_give_the_plain_versions_ngrams(words: list[str], lang: str) -> None:
    assert word_ngrams(words, lang) == plain_word_ngrams(words, lang)


def test_a_long_run_gives_its_terms_and_no_fragments_across_breaks() -> None:
    words = ["联合国", "维持", "和平", "行动", "的", "安全", "，", "部队", "派遣国"]
    found = word_ngrams(words, "zh")
    assert {"联合国 维持 和平 行动", "维持 和平", "部队 派遣国", "安全"} <= found
    assert not any("的" in g.split() or "，" in g or "安全 部队" in g for g in found)
