"""The TM store: every build's units and paragraphs in one SQLite file (OUT/tm.sqlite), with FTS5.

The TM-tool convention (Trados' .sdltm is SQLite). Keyed by document: re-recording a document
replaces its rows in one transaction, so builds add to the store and never duplicate. Full-text
tables: Chinese text under the trigram tokenizer (any substring of three or more characters, the
concordance a translator expects; shorter queries fall back to LIKE), and word-segmented text
(jieba for Chinese, folded English words) under unicode61, whose phrase counts give counterpart
frequencies. Why trigram over segmented text for literal search: scripts/measure_fts.py. The only
module importing sqlite3 for the TM (align/embed_cache.py keeps its own for vectors).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from align.errors import AlignError

STORE_NAME = "tm.sqlite"
SCHEMA_VERSION = 1
STATS_WINDOW = 100_000  # sentence units over which counterpart statistics are counted in a large store
SCAN_SHARE = 0.25  # a two-character phrase in more paragraphs than this share is found by a scan
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS documents (name TEXT PRIMARY KEY, symbol TEXT, units_key TEXT, paragraphs_key TEXT);
CREATE TABLE IF NOT EXISTS units (id INTEGER PRIMARY KEY, document TEXT NOT NULL, level TEXT NOT NULL,
    tuid TEXT, symbol TEXT, label TEXT, shape TEXT, score REAL, status TEXT, zh TEXT, en TEXT);
CREATE INDEX IF NOT EXISTS units_document ON units(document);
CREATE VIRTUAL TABLE IF NOT EXISTS units_zh USING fts5(zh, tokenize='trigram');
CREATE VIRTUAL TABLE IF NOT EXISTS units_zh_words USING fts5(words, tokenize='unicode61');
CREATE VIRTUAL TABLE IF NOT EXISTS units_en_words USING fts5(words, tokenize='unicode61');
CREATE TABLE IF NOT EXISTS paragraphs (id INTEGER PRIMARY KEY, document TEXT NOT NULL, symbol TEXT, lang TEXT,
    idx INTEGER, label TEXT, text TEXT, aligned TEXT, grp TEXT);
CREATE INDEX IF NOT EXISTS paragraphs_document ON paragraphs(document);
CREATE VIRTUAL TABLE IF NOT EXISTS paragraphs_text USING fts5(text, tokenize='trigram');
CREATE VIRTUAL TABLE IF NOT EXISTS paragraphs_trigrams USING fts5vocab(paragraphs_text, row);
CREATE INDEX IF NOT EXISTS paragraphs_tail ON paragraphs(substr(text, -2));
CREATE TABLE IF NOT EXISTS passages (id INTEGER PRIMARY KEY, paragraph INTEGER NOT NULL, text TEXT,
    embedded INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS passages_paragraph ON passages(paragraph);
CREATE INDEX IF NOT EXISTS passages_pending ON passages(embedded);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
CREATE TRIGGER IF NOT EXISTS passages_embedded_insert AFTER INSERT ON passages WHEN NEW.embedded = 1
BEGIN UPDATE counters SET value = value + 1 WHERE name = 'embedded_passages'; END;
CREATE TRIGGER IF NOT EXISTS passages_embedded_update AFTER UPDATE OF embedded ON passages
WHEN (NEW.embedded = 1) != (OLD.embedded = 1)
BEGIN UPDATE counters SET value = value + (NEW.embedded = 1) - (OLD.embedded = 1) WHERE name = 'embedded_passages'; END;
CREATE TRIGGER IF NOT EXISTS passages_embedded_delete AFTER DELETE ON passages WHEN OLD.embedded = 1
BEGIN UPDATE counters SET value = value - 1 WHERE name = 'embedded_passages'; END;
"""


@dataclass(frozen=True, slots=True)
class StoredUnit:
    id: int
    document: str
    level: str
    tuid: str
    symbol: str
    label: str
    shape: str
    score: float
    status: str
    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class StoredParagraph:
    id: int
    document: str
    symbol: str
    lang: str
    index: int
    label: str
    text: str
    aligned: str  # the other language's aligned text, "" if none
    group: str  # paragraphs of one aligned pair share it: shown once


_UNIT_COLUMNS = "id, document, level, tuid, symbol, label, shape, score, status, zh, en"
_PARAGRAPH_COLUMNS = "id, document, symbol, lang, idx, label, text, aligned, grp"


def store_lock(out: Path):
    """One writer at a time for a build folder's store and search index (concurrent `untm build`s share it).

    filelock, already the fetch cache's lock (align/fetch_cache.py): an OS lock released if a process dies.
    """
    from filelock import FileLock

    Path(out).mkdir(parents=True, exist_ok=True)
    return FileLock(str(Path(out) / f".{STORE_NAME}.lock"))


def store_path(out: Path) -> Path:
    return Path(out) / STORE_NAME


def fts_phrase(text: str) -> str:
    """An FTS5 phrase literal: the text in double quotes, inner quotes doubled."""
    return '"' + text.replace('"', '""') + '"'


class Store:
    """One open store; use as a context manager. Writes happen in explicit transactions."""

    def __init__(self, out: Path, create: bool = True) -> None:
        path = store_path(out)
        if not create and not path.exists():
            raise AlignError(f"no translation memory store at {path}",
                             hint=f"run `untm build -o {Path(out)}` first (it records every unit in {STORE_NAME})")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._window: int | None = None
        self.db = sqlite3.connect(path, isolation_level=None)  # autocommit; transactions are explicit
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        self._start_counting_embedded()

    def _start_counting_embedded(self) -> None:
        """The number of embedded passages, kept by triggers: every search compares it with the vector
        index, and counting a million rows took 28 ms of each search. A store made before the counter
        existed is counted once, in a write transaction so that no concurrent change is missed."""
        if self.db.execute("SELECT 1 FROM counters WHERE name = 'embedded_passages'").fetchone():
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("INSERT OR IGNORE INTO counters VALUES ('embedded_passages', "
                            "(SELECT count(*) FROM passages WHERE embedded = 1))")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    # -- documents -------------------------------------------------------------------------------
    def document_key(self, name: str, kind: str) -> str | None:
        column = "units_key" if kind == "units" else "paragraphs_key"
        row = self.db.execute(f"SELECT {column} FROM documents WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def _set_key(self, name: str, symbol: str, kind: str, key: str) -> None:
        column = "units_key" if kind == "units" else "paragraphs_key"
        self.db.execute("INSERT OR IGNORE INTO documents (name, symbol) VALUES (?, ?)", (name, symbol))
        self.db.execute(f"UPDATE documents SET {column} = ?, symbol = ? WHERE name = ?", (key, symbol, name))

    def replace_units(self, name: str, symbol: str, key: str,
                      units: Iterable[tuple[str, str, str, str, str, float, str, str, str]],
                      segment: Callable[[str, str], tuple[str, str]]) -> int:
        """Replace a document's units: (level, tuid, symbol, label, shape, score, status, zh, en) rows;
        `segment(zh, en)` gives the word-segmented (zh_words, en_words) texts."""
        rows = list(units)
        self.db.execute("BEGIN IMMEDIATE")
        try:
            old = [r[0] for r in self.db.execute("SELECT id FROM units WHERE document = ?", (name,))]
            self._delete_rows(("units_zh", "units_zh_words", "units_en_words"), old)
            self.db.execute("DELETE FROM units WHERE document = ?", (name,))
            for row in rows:
                cursor = self.db.execute(f"INSERT INTO units ({_UNIT_COLUMNS}) VALUES (NULL,?,?,?,?,?,?,?,?,?,?)",
                                         (name, *row))
                if row[0] != "sentence":  # lookups and counts are over sentence units
                    continue
                rowid = cursor.lastrowid
                zh_words, en_words = segment(row[7], row[8])
                self.db.execute("INSERT INTO units_zh (rowid, zh) VALUES (?, ?)", (rowid, row[7]))
                self.db.execute("INSERT INTO units_zh_words (rowid, words) VALUES (?, ?)", (rowid, zh_words))
                self.db.execute("INSERT INTO units_en_words (rowid, words) VALUES (?, ?)", (rowid, en_words))
            self._set_key(name, symbol, "units", key)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return len(rows)

    def replace_paragraphs(self, name: str, symbol: str, key: str,
                           paragraphs: Sequence[tuple[str, str, int, str, str, str, str]],
                           passages_of: Callable[[str, str], list[str]]) -> tuple[list[int], int]:
        """Replace a document's paragraphs ((symbol, lang, index, label, text, aligned, group) rows) and
        their passages (`passages_of(text, lang)`); returns (passage ids removed, passages added)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            old = [r[0] for r in self.db.execute("SELECT id FROM paragraphs WHERE document = ?", (name,))]
            removed = [r[0] for r in self.db.execute(
                "SELECT passages.id FROM passages JOIN paragraphs ON paragraphs.id = passages.paragraph "
                # `+`: not by the index on embedded, which made SQLite scan every embedded passage of the
                # store for each document (44 ms a document at 2,000 documents: adding N cost O(N·M))
                "WHERE paragraphs.document = ? AND +passages.embedded = 1", (name,))]
            self._delete_rows(("paragraphs_text",), old)
            self.db.execute("DELETE FROM passages WHERE paragraph IN (SELECT id FROM paragraphs WHERE document = ?)",
                            (name,))
            self.db.execute("DELETE FROM paragraphs WHERE document = ?", (name,))
            added = 0
            for row in paragraphs:
                cursor = self.db.execute(f"INSERT INTO paragraphs ({_PARAGRAPH_COLUMNS}) VALUES (NULL,?,?,?,?,?,?,?,?)",
                                         (name, *row))
                rowid = cursor.lastrowid
                self.db.execute("INSERT INTO paragraphs_text (rowid, text) VALUES (?, ?)", (rowid, row[4]))
                for passage in passages_of(row[4], row[1]):
                    self.db.execute("INSERT INTO passages (paragraph, text) VALUES (?, ?)", (rowid, passage))
                    added += 1
            self._set_key(name, symbol, "paragraphs", key)
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return removed, added

    def _delete_rows(self, tables: Sequence[str], ids: Sequence[int]) -> None:
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            marks = ",".join("?" * len(batch))
            for table in tables:
                self.db.execute(f"DELETE FROM {table} WHERE rowid IN ({marks})", batch)

    # -- passages and vectors --------------------------------------------------------------------
    def pending_passages(self) -> list[tuple[int, str]]:
        return list(self.db.execute("SELECT id, text FROM passages WHERE embedded = 0 ORDER BY id"))

    def mark_embedded(self, ids: Sequence[int]) -> None:
        self.db.execute("BEGIN IMMEDIATE")
        for start in range(0, len(ids), 500):
            batch = list(ids[start : start + 500])
            self.db.execute(f"UPDATE passages SET embedded = 1 WHERE id IN ({','.join('?' * len(batch))})", batch)
        self.db.execute("COMMIT")

    def embedded_count(self) -> int:
        """Passages marked embedded (the triggers' count, equal to counting them)."""
        return self.db.execute("SELECT value FROM counters WHERE name = 'embedded_passages'").fetchone()[0]

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # -- reading ---------------------------------------------------------------------------------
    def has_symbol(self, symbol: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE symbol = ? LIMIT 1", (symbol,)).fetchone() is not None

    def symbols(self, limit: int = 5) -> list[str]:
        """Some document symbols in the store, sorted (documents built without one left out)."""
        return [row[0] for row in self.db.execute(
            "SELECT DISTINCT symbol FROM documents WHERE symbol != '' ORDER BY symbol LIMIT ?", (limit,))]

    def paragraph_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM paragraphs").fetchone()[0]

    def unit_count(self, level: str = "sentence") -> int:
        return self.db.execute("SELECT count(*) FROM units WHERE level = ?", (level,)).fetchone()[0]

    def paragraphs(self, ids: Sequence[int]) -> dict[int, StoredParagraph]:
        found: dict[int, StoredParagraph] = {}
        for start in range(0, len(ids), 500):
            batch = list(ids[start : start + 500])
            for row in self.db.execute(f"SELECT {_PARAGRAPH_COLUMNS} FROM paragraphs WHERE id IN "
                                       f"({','.join('?' * len(batch))})", batch):
                found[row[0]] = StoredParagraph(*row)
        return found

    def passage_owners(self, passage_ids: Sequence[int]) -> dict[int, int]:
        owners: dict[int, int] = {}
        for start in range(0, len(passage_ids), 500):
            batch = [int(i) for i in passage_ids[start : start + 500]]
            owners.update(self.db.execute(f"SELECT id, paragraph FROM passages WHERE id IN "
                                          f"({','.join('?' * len(batch))})", batch))
        return owners

    def literal_paragraphs(self, phrase: str, where: str = "", args: Sequence[object] = (), limit: int = 100) -> list[int]:
        """Paragraph ids whose text contains `phrase` (case-insensitive), best BM25 first; a phrase under three
        characters (no trigram of its own), shortest paragraph first."""
        if len(phrase) >= 3:
            sql = (f"SELECT paragraphs.id FROM paragraphs_text JOIN paragraphs ON paragraphs.id = paragraphs_text.rowid "
                   f"WHERE paragraphs_text MATCH ? {where} ORDER BY paragraphs_text.rank LIMIT ?")
            return [r[0] for r in self.db.execute(sql, (fts_phrase(phrase), *args, limit))]
        candidates = self._short_phrase_candidates(phrase)
        within = "" if candidates is None else f"id IN ({candidates[0]}) AND"
        sql = (f"SELECT id FROM paragraphs WHERE {within} text LIKE ? ESCAPE '\\' {where} "
               f"ORDER BY length(text), id LIMIT ?")
        return [r[0] for r in self.db.execute(sql, (*(candidates[1] if candidates else ()), _like(phrase), *args, limit))]

    def _short_phrase_candidates(self, phrase: str) -> tuple[str, list[str]] | None:
        """A subquery (and its arguments) for the paragraphs that may hold a two-character phrase, or None to
        scan them all. Scanning a million paragraphs took 1.5-2.5 s ("裁军", "制裁"). Every occurrence but one
        at the very end of a text begins a trigram of the full-text index: the trigrams that begin with the
        phrase come from the index's vocabulary; the end of each text has an index of its own. Only for
        characters without case (Chinese): the trigrams are case-folded, LIKE folds ASCII only. When the
        phrase is in more than SCAN_SHARE of the paragraphs, reading them one by one is slower than a scan."""
        if len(phrase) != 2 or any(c.lower() != c or c.upper() != c for c in phrase):
            return None
        trigrams = self.db.execute("SELECT term, doc FROM paragraphs_trigrams WHERE term >= ? AND term <= ?",
                                   (phrase, phrase + "\U0010ffff")).fetchall()
        last = self.db.execute("SELECT max(id) FROM paragraphs").fetchone()[0] or 0
        if sum(doc for _, doc in trigrams) > SCAN_SHARE * last:
            return None
        ends = "SELECT id FROM paragraphs WHERE substr(text, -2) = ?"
        if not trigrams:
            return ends, [phrase]
        return (f"SELECT rowid FROM paragraphs_text WHERE paragraphs_text MATCH ? UNION {ends}",
                [" OR ".join(fts_phrase(term) for term, _ in trigrams), phrase])

    def units_with(self, lang: str, text: str, words: str, limit: int = 1000) -> tuple[list[StoredUnit], int, int]:
        """Units whose `lang` side contains `text` (zh: substring; en: the folded word phrase `words`), at most
        `limit` of them (in store order), how many there are in all, and how many in the statistics window.
        A Chinese term under three characters (no trigram) is scanned for in a small store; in a large one it is
        looked up as a word (prefix) of the segmented text: indexed, but blind to the term inside a longer word."""
        if lang == "zh" and len(text) >= 3:
            source, match = "units_zh", fts_phrase(text)
        elif lang == "en":
            source, match = "units_en_words", fts_phrase(words)
        elif self.window_end() is None:  # a small store: an exact scan is fast enough
            rows = list(self.db.execute(f"SELECT {_UNIT_COLUMNS} FROM units WHERE level = 'sentence' "
                                        "AND zh LIKE ? ESCAPE '\\'", (_like(text),)))
            return [StoredUnit(*r) for r in rows[:limit]], len(rows), len(rows)
        else:
            source, match = "units_zh_words", fts_phrase(text) + "*"
        rows = self.db.execute(f"SELECT {_UNIT_COLUMNS} FROM units WHERE id IN "
                               f"(SELECT rowid FROM {source} WHERE {source} MATCH ? LIMIT ?) ORDER BY id",
                               (match, limit)).fetchall()
        total = len(rows) if len(rows) < limit else self.phrase_count(source, match)
        window = total if self.window_end() is None or len(rows) < limit else \
            self.phrase_count(source, match, upto=self.window_end())
        return [StoredUnit(*r) for r in rows], total, window

    def window_end(self) -> int | None:
        """Past ~STATS_WINDOW sentence units, counts for Dice are taken over the first STATS_WINDOW rows only
        (Dice is a ratio: a large sample estimates it as well as the whole store, and counting "united nations"
        in a million units is what would make a look-up slow); None when the store is smaller."""
        if self._window is None:
            low, high = self.db.execute("SELECT min(id), max(id) FROM units").fetchone()  # O(1) on the key
            self._window = (low + STATS_WINDOW) if low is not None and high - low > STATS_WINDOW else 0
        return self._window or None

    def phrase_count(self, table: str, match: str, cap: int = 10_000_000, upto: int | None = None) -> int:
        where = "" if upto is None else f" AND rowid <= {int(upto)}"
        return self.db.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {table} MATCH ?{where} LIMIT ?)",
                               (match, cap)).fetchone()[0]

    def unit_words(self, lang: str, ids: Sequence[int]) -> dict[int, str]:
        table = "units_zh_words" if lang == "zh" else "units_en_words"
        found: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            batch = list(ids[start : start + 500])
            found.update(self.db.execute(f"SELECT rowid, words FROM {table} WHERE rowid IN "
                                         f"({','.join('?' * len(batch))})", batch))
        return found

    def phrase_frequency(self, lang: str, words: str, cap: int = 100_000) -> int:
        """Sentence units (in the statistics window) whose segmented `lang` side holds the word phrase, up to `cap`."""
        return self.phrase_count("units_zh_words" if lang == "zh" else "units_en_words", fts_phrase(words), cap,
                                 upto=self.window_end())

    def all_units(self, level: str = "sentence") -> list[StoredUnit]:
        return [StoredUnit(*r) for r in self.db.execute(f"SELECT {_UNIT_COLUMNS} FROM units WHERE level = ? ORDER BY id",
                                                        (level,))]


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
