"""Sentence splitting: known answers, and properties over generated paragraphs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from align.sentences import split_en, split_zh


@pytest.mark.parametrize("paragraph,expected", [
    ("1. 欢迎最近的步骤；强调指出马里政府务必采取步骤。", ["1. 欢迎最近的步骤；", "强调指出马里政府务必采取步骤。"]),
    ("他说：“决定继续处理此案。”然后离开。", ["他说：“决定继续处理此案。”", "然后离开。"]),
    ("没有句末标点", ["没有句末标点"]),
    ("请秘书长报告！是否？是。", ["请秘书长报告！", "是否？", "是。"]),
])
def test_split_zh(paragraph: str, expected: list[str]) -> None:
    assert split_zh(paragraph) == expected


@pytest.mark.parametrize("paragraph,expected", [
    ("1. Welcomes the steps. Stresses the urgency.", ["1. Welcomes the steps.", "Stresses the urgency."]),
    ("72. Decides to remain seized of the matter.", ["72. Decides to remain seized of the matter."]),
    ("(a) To support the parties; to report on violations, and", ["(a) To support the parties;", "to report on violations, and"]),
    ("Recalls resolution No. 5 of Mr. Smith, e.g. Annex I. Notes it.", ["Recalls resolution No. 5 of Mr. Smith, e.g. Annex I.", "Notes it."]),
    ("Up to 13,289 military personnel and 1.5 per cent. Decides so.", ["Up to 13,289 military personnel and 1.5 per cent.", "Decides so."]),
    ("The “Pact for Peace.” Requests more.", ["The “Pact for Peace.”", "Requests more."]),
    ("He met U. N. staff. Then left.", ["He met U. N. staff.", "Then left."]),
    ("ends without a stop", ["ends without a stop"]),
    ("I. Background", ["I. Background"]),  # a chapter heading's number is its label, never a sentence of its own
    ("XIV. Other matters. Notes it.", ["XIV. Other matters.", "Notes it."]),
])
def test_split_en(paragraph: str, expected: list[str]) -> None:
    assert split_en(paragraph) == expected


_zh_text = st.text(alphabet="维持和平安全理事会。，；！？”（）1 2", min_size=0, max_size=120)
_en_text = st.text(alphabet="abc ABC.;!?,12()“”", min_size=0, max_size=120)


@settings(max_examples=300, deadline=None)
@given(_zh_text)
def test_zh_sentences_keep_every_character(paragraph: str) -> None:
    sentences = split_zh(paragraph)
    assert "".join(sentences).replace(" ", "") == paragraph.replace(" ", "")
    assert all(s == s.strip() and s for s in sentences)


@settings(max_examples=300, deadline=None)
@given(_en_text)
def test_en_sentences_keep_every_character(paragraph: str) -> None:
    sentences = split_en(paragraph)
    assert "".join(sentences).replace(" ", "") == paragraph.replace(" ", "")
    assert all(s == s.strip() and s for s in sentences)
