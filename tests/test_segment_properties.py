"""Property tests: segmentation never loses, duplicates or crashes on arbitrary line soup."""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from align.extract import plain_characters, segment_text

_LINES = st.sampled_from([
    " 1. 欢迎最近的步骤， ", "强调指出马里政府务必采取", " 2. 要求各方； ", "㈠ 支持执行 ", "– 在签署", "",
    "S/RES/2423 (2018)  ", "18-10687 (C) 12/16 ", "https://undocs.org/ch/S/RES/2378(2017)", "## 第 2518(2020)号决议",
    "**强调指出**和平", "Recalling its previous resolutions,", "1.", "Welcomes the recent steps;", "tasks:",
    "(d)", "threats", "Protection of civilians", "2/18", "*1810687*", "\f", "United Nations", "Distr.: General",
    "Stresses that all parties should", "(2017) and 2100 (2013).", "–", "Mali", "    ", "\x0b", "第七章",
])
_free_lines = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


def _non_space(text: str) -> Counter[str]:
    return Counter(ch for ch in text if not ch.isspace())


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_LINES, _free_lines), max_size=60), st.sampled_from([None, "zh", "en"]))
def test_segmentation_conserves_content(lines: list[str], lang: str | None) -> None:
    text = "\n".join(lines)
    segmented = segment_text(text, lang=lang)
    paragraphs = segmented.document.paragraphs
    kept = _non_space("".join(p.raw for p in paragraphs))  # raw: before normalisation
    # control and invisible characters are dropped on purpose (no UN text has them), ligatures spelled out
    assert kept + _non_space("".join(segmented.dropped)) == _non_space(plain_characters(text))
    assert not re.search(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u00ad\u200b\ufeff]", "".join(p.raw for p in paragraphs))
    assert [p.index for p in paragraphs] == list(range(len(paragraphs)))
    assert all(p.text and p.text == p.text.strip() for p in paragraphs)
