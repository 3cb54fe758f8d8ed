"""The store's count of embedded passages (kept by triggers) always equals counting them."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tm.store import Store, store_path


def counted(store: Store) -> int:
    return store.db.execute("SELECT count(*) FROM passages WHERE embedded = 1").fetchone()[0]


def paragraphs(document: str, count: int) -> list[tuple[str, str, int, str, str, str, str]]:
    return [("S/1", "en", i, "", f"{document} paragraph {i}, with a clause", "", f"{document}:{i}") for i in range(count)]


def two_passages(text: str, lang: str) -> list[str]:
    return [text, text.split(",")[0]]


operations = st.lists(st.one_of(
    st.tuples(st.just("replace"), st.sampled_from(["a", "b", "c"]), st.integers(0, 4)),
    st.tuples(st.just("mark"), st.lists(st.integers(1, 40), max_size=10)),
    st.tuples(st.just("reset"), st.none()),
    st.tuples(st.just("unmark_one"), st.integers(1, 40)),
), max_size=25)


@settings(max_examples=150, deadline=None)
@given(operations)
def test_the_counter_follows_every_change(tmp_path_factory, steps) -> None:
    folder = tmp_path_factory.mktemp("store")
    with Store(folder) as store:
        for step in steps:
            if step[0] == "replace":
                store.replace_paragraphs(step[1], "S/1", "k", paragraphs(step[1], step[2]), two_passages)
            elif step[0] == "mark":
                store.mark_embedded(step[1])
            elif step[0] == "reset":
                store.db.execute("UPDATE passages SET embedded = 0")
            else:
                store.db.execute("UPDATE passages SET embedded = 0 WHERE id = ?", (step[1],))
            assert store.embedded_count() == counted(store)
    with Store(folder) as reopened:
        assert reopened.embedded_count() == counted(reopened)


def test_a_store_from_before_the_counter_is_counted_once_then_followed(tmp_path: Path) -> None:
    with Store(tmp_path) as store:
        store.replace_paragraphs("a", "S/1", "k", paragraphs("a", 5), two_passages)
        store.mark_embedded(list(range(1, 8)))
    old = sqlite3.connect(store_path(tmp_path))  # as a store written before the counter existed
    for trigger in ("insert", "update", "delete"):
        old.execute(f"DROP TRIGGER passages_embedded_{trigger}")
    old.execute("DROP TABLE counters")
    old.execute("UPDATE passages SET embedded = 1 WHERE id = 9")
    old.commit()
    old.close()
    with Store(tmp_path) as store:
        assert store.embedded_count() == counted(store) == 8
        store.replace_paragraphs("a", "S/1", "k2", paragraphs("a", 2), two_passages)
        assert store.embedded_count() == counted(store) == 0
        store.mark_embedded([store.db.execute("SELECT max(id) FROM passages").fetchone()[0]])
        assert store.embedded_count() == counted(store) == 1
