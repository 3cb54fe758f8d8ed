"""The field's bead metric: strict and lax precision, recall and F1, micro-averaged over documents.

Beads are written one per line as `[zh ids]:[en ids]` with an optional `:score`. Strict counts a
bead only when it equals a gold bead. Lax counts a bead that overlaps a gold bead on both sides
(for an unmatched 1-0 / 0-1 bead: its segment is unmatched in the gold too). A malformed line is
an error naming its file, line and column, never a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from align.errors import AlignError
from align.types import Bead

_SPACE_RE = re.compile(r"\s*")
_ID_RE = re.compile(r"[0-9]+", re.ASCII)  # ASCII only: `\d` also takes "١" and other scripts' digits
_SCORE_RE = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?(?:nan|inf)",
                       re.ASCII | re.IGNORECASE)
_MAX_ID_DIGITS = 15  # segment numbers, not arbitrary integers (Python refuses int() past 4,300 digits)
BEAD_HINT = ("a bead line is `[zh ids]:[en ids]` with an optional `:score`, ids being 0-based segment "
             "numbers, e.g. [3]:[3, 4]:0.91 or [5]:[] (blank lines are skipped)")


@dataclass(frozen=True, slots=True)
class Scores:
    strict_precision: float
    strict_recall: float
    strict_f1: float
    lax_precision: float
    lax_recall: float
    lax_f1: float


def format_bead(bead: Bead) -> str:
    return f"{list(bead.zh)}:{list(bead.en)}:{bead.score:.4f}"


class _BadLine(Exception):
    def __init__(self, column: int, reason: str) -> None:
        self.column, self.reason = column, reason  # column: 0-based offset in the line


class _LineParser:
    """Reads one bead line left to right; _BadLine says where it stops fitting the grammar."""

    def __init__(self, line: str) -> None:
        self.line, self.at = line, 0

    def _skip_space(self) -> None:
        self.at = _SPACE_RE.match(self.line, self.at).end()

    def _expect(self, char: str, what: str) -> None:
        self._skip_space()
        if not self.line.startswith(char, self.at):
            raise _BadLine(self.at, f"expected {what}")
        self.at += 1

    def _ids(self, side: str) -> tuple[int, ...]:
        self._expect("[", f"'[' opening the {side} ids")
        ids: list[int] = []
        self._skip_space()
        if self.line.startswith("]", self.at):
            self.at += 1
            return ()
        while True:
            self._skip_space()
            match = _ID_RE.match(self.line, self.at)
            if not match:
                raise _BadLine(self.at, f"expected a segment number (0, 1, 2, …) in the {side} ids")
            if len(match.group()) > _MAX_ID_DIGITS:
                raise _BadLine(self.at, f"segment number too large ({len(match.group())} digits)")
            ids.append(int(match.group()))
            self.at = match.end()
            self._skip_space()
            if self.line.startswith("]", self.at):
                self.at += 1
                return tuple(ids)
            self._expect(",", f"',' or ']' after a segment number in the {side} ids")

    def bead(self) -> Bead:
        zh = self._ids("zh")
        self._expect(":", "':' between the zh and en ids")
        en = self._ids("en")
        self._skip_space()
        score = 1.0
        if self.line.startswith(":", self.at):
            self.at += 1
            self._skip_space()
            match = _SCORE_RE.match(self.line, self.at)
            if not match:
                raise _BadLine(self.at, "expected a score such as 0.91 after ':'")
            score = float(match.group())
            self.at = match.end()
            self._skip_space()
        if self.at < len(self.line):
            raise _BadLine(self.at, "expected the end of the line")
        return Bead(zh, en, score)


def parse_beads(lines: Iterable[str], source: str = "<beads>") -> list[Bead]:
    """Beads of bead lines; AlignError naming source, line and column at the first malformed one."""
    beads = []
    for number, line in enumerate(lines, start=1):
        line = line.rstrip("\r\n")
        if not line.strip():
            continue
        try:
            beads.append(_LineParser(line).bead())
        except _BadLine as bad:
            shown = line if len(line) <= 60 else line[max(0, bad.column - 30) : bad.column + 30]
            raise AlignError(f"{source}:{number}: not a bead line, column {bad.column + 1}: {bad.reason}: "
                             f"{shown!r}", hint=BEAD_HINT) from None
    return beads


def read_bead_file(path: Path) -> list[Bead]:
    """Beads of a UTF-8 bead file; AlignError naming the file (and line) when it cannot be read or parsed."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise AlignError(f"cannot read {path}: {exc.strerror or exc}", hint="check the path") from exc
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise AlignError(f"{path}:{line}: a binary file, not bead lines", hint=BEAD_HINT)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise AlignError(f"{path}:{line}: not UTF-8 text (bad byte at offset {exc.start})",
                         hint=BEAD_HINT) from None
    # split at "\n" only: str.splitlines also breaks at \x0b, \x1c or U+2028, and line numbers would drift
    beads = parse_beads(text.split("\n"), str(path))
    if not beads:  # scoring nothing against something gives 0.0 as if it were a result
        raise AlignError(f"{path}: no bead lines (the file is empty or blank)", hint=BEAD_HINT)
    return beads


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _lax_hits(test: Sequence[Bead], gold: Sequence[Bead]) -> int:
    zh_gold = {i: g for g in gold for i in g.zh}
    en_gold = {j: g for g in gold for j in g.en}
    hits = 0
    for bead in test:
        if bead.zh and bead.en:
            hits += any(zh_gold.get(i) is not None and zh_gold[i] is en_gold.get(j) and zh_gold[i].en
                        for i in bead.zh for j in bead.en)
        elif bead.zh:
            hits += any(i in zh_gold and not zh_gold[i].en for i in bead.zh)
        elif bead.en:
            hits += any(j in en_gold and not en_gold[j].zh for j in bead.en)
    return hits


def score(pairs: Iterable[tuple[Sequence[Bead], Sequence[Bead]]]) -> Scores:
    """Micro-averaged scores over (test beads, gold beads) of several documents."""
    strict_hits = lax_test = lax_gold = n_test = n_gold = 0
    for test, gold in pairs:
        test = [b for b in test if b.zh or b.en]
        gold = [b for b in gold if b.zh or b.en]
        gold_keys = {(b.zh, b.en) for b in gold}
        strict_hits += sum((b.zh, b.en) in gold_keys for b in test)
        lax_test += _lax_hits(test, gold)
        lax_gold += _lax_hits(gold, test)
        n_test += len(test)
        n_gold += len(gold)
    sp = strict_hits / n_test if n_test else 0.0
    sr = strict_hits / n_gold if n_gold else 0.0
    lp = lax_test / n_test if n_test else 0.0
    lr = lax_gold / n_gold if n_gold else 0.0
    return Scores(sp, sr, _f1(sp, sr), lp, lr, _f1(lp, lr))
