"""A two-character phrase is found through the trigram vocabulary and the index of text ends: the same
paragraphs, in the same order, as scanning every paragraph (tm/store.py literal_paragraphs)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tm.store
from tm.store import Store


def scanned(store: Store, phrase: str, lang: str | None = None, limit: int = 200) -> list[int]:
    """The plain way: every paragraph's text compared, shortest first."""
    like = "%" + phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    where, args = (" AND lang = ?", [lang]) if lang else ("", [])
    return [r[0] for r in store.db.execute(f"SELECT id FROM paragraphs WHERE text LIKE ? ESCAPE '\\' {where} "
                                           "ORDER BY length(text), id LIMIT ?", (like, *args, limit))]


def record(store: Store, texts: list[str], document: str = "d") -> None:
    rows = [("S/1", "zh" if i % 3 else "en", i, "", text, "", f"{document}:{i}") for i, text in enumerate(texts)]
    store.replace_paragraphs(document, "S/1", document, rows, lambda text, lang: [text])


TEXTS = ["裁军", "裁军。", "一、裁军", "全面裁军和不扩散", "裁军 ", "裁军A类", "裁军a类", "核裁军", "裁", "军", "裁 军",
         "关于裁军谈判会议的报告", "裁军裁军", "%裁军_", "UN 裁军"] + [f"无关段落第{i}号" for i in range(60)]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    with Store(tmp_path) as opened:
        record(opened, TEXTS)
        yield opened


@pytest.mark.parametrize("phrase", ["裁军", "军和", "核裁", "A类", "军。", "无关", "_裁", "天气"])
def test_short_phrase_finds_what_a_scan_finds(store: Store, phrase: str) -> None:
    assert store.literal_paragraphs(phrase, limit=200) == scanned(store, phrase)
    assert store.literal_paragraphs(phrase, " AND paragraphs.lang = ?", ["zh"], limit=3) == scanned(store, phrase, "zh", 3)


def test_a_rare_phrase_is_not_scanned_and_a_frequent_one_is(store: Store) -> None:
    assert store._short_phrase_candidates("裁军") is not None  # 13 of 75 paragraphs
    assert store._short_phrase_candidates("无关") is None  # 60 of 75: reading them one by one is slower than a scan
    assert store._short_phrase_candidates("UN") is None  # letters with case: LIKE folds ASCII only
    ends = [store.literal_paragraphs(p) for p in ("裁军", "核裁军")]
    assert {TEXTS.index(t) + 1 for t in ("裁军", "一、裁军", "核裁军")} <= set(ends[0])  # the phrase ends the text
    assert ends[0][:3] == [1, 2, 5] and ends[1] == [8]  # shortest first, then by id


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(alphabet="裁军和核 。A", max_size=8), min_size=1, max_size=30),
       st.text(alphabet="裁军和核 。A", min_size=2, max_size=2))
def test_any_texts_and_phrase_give_the_scans_result(tmp_path_factory, monkeypatch, texts, phrase) -> None:
    monkeypatch.setattr(tm.store, "SCAN_SHARE", float("inf"))  # the vocabulary path, however frequent the phrase
    with Store(tmp_path_factory.mktemp("store")) as store:
        record(store, texts)
        assert store.literal_paragraphs(phrase, limit=10) == scanned(store, phrase, limit=10)
