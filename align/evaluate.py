"""The field's bead metric: strict and lax precision, recall and F1, micro-averaged over documents.

Beads are written one per line as `[zh ids]:[en ids]` with an optional `:score`. Strict counts a
bead only when it equals a gold bead. Lax counts a bead that overlaps a gold bead on both sides
(for an unmatched 1-0 / 0-1 bead: its segment is unmatched in the gold too).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from align.errors import AlignError
from align.types import Bead

_LINE_RE = re.compile(r"^\s*(\[[\d,\s]*\])\s*:\s*(\[[\d,\s]*\])\s*(?::\s*([-+\d.eE]+|nan))?\s*$")


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


def parse_beads(lines: Iterable[str], source: str = "<beads>") -> list[Bead]:
    beads = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        match = _LINE_RE.match(line)
        if not match:
            raise AlignError(f"{source}:{number}: not a bead line: {line.strip()[:60]!r}",
                             hint="expected `[zh ids]:[en ids]` or `[zh ids]:[en ids]:score`, e.g. [3]:[3, 4]:0.91")
        score = float(match.group(3)) if match.group(3) else 1.0
        beads.append(Bead(tuple(json.loads(match.group(1))), tuple(json.loads(match.group(2))), score))
    return beads


def read_bead_file(path: Path) -> list[Bead]:
    try:
        with open(path, encoding="utf-8") as handle:
            return parse_beads(handle, str(path))
    except OSError as exc:
        raise AlignError(f"cannot read {path}: {exc.strerror}", hint="check the path") from exc


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
