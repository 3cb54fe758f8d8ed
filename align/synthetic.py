"""Synthetic evaluation documents from line-aligned UN sentence pairs, with gold known by construction.

Consecutive pairs of the UN Parallel Corpus test sets are real running text; merging neighbours
on one side makes 1-2 / 2-1 / 1-3 / 3-1 beads, dropping one side makes 1-0 / 0-1 beads, and
dropping a run of several makes the long gaps that fixed-width bands miss.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from align.types import Bead

# bead shape → probability per step; the rest is 1-1
DEFAULT_RATES = {(1, 2): 0.05, (2, 1): 0.05, (1, 3): 0.02, (3, 1): 0.02, (1, 0): 0.03, (0, 1): 0.03}


@dataclass(frozen=True, slots=True)
class SyntheticDocument:
    zh: tuple[str, ...]
    en: tuple[str, ...]
    gold: tuple[Bead, ...]


def load_pairs(path: Path) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8") as handle:
        return [(row["zh"], row["en"]) for row in map(json.loads, handle) if row["zh"].strip() and row["en"].strip()]


def make_document(pairs: list[tuple[str, str]], size: int, seed: int, rates: dict | None = None,
                  gap_runs: int = 0) -> SyntheticDocument:
    """About `size` source pairs from a random start, reshaped into beads of the given rates.

    `gap_runs` runs of 4-8 consecutive one-sided segments are added (text one side lacks).
    """
    rng = np.random.default_rng(seed)
    rates = DEFAULT_RATES if rates is None else rates
    shapes = list(rates) + [(1, 1)]
    weights = np.array(list(rates.values()) + [1.0 - sum(rates.values())])
    start = int(rng.integers(0, max(1, len(pairs) - size)))
    source = pairs[start : start + size]
    gap_at = set(rng.choice(len(source), size=min(gap_runs, len(source)), replace=False).tolist()) if gap_runs else set()
    zh: list[str] = []
    en: list[str] = []
    gold: list[Bead] = []
    position = 0
    while position < len(source):
        if position in gap_at:
            a, b = (int(rng.integers(4, 9)), 0) if rng.random() < 0.5 else (0, int(rng.integers(4, 9)))
            for _ in range(max(a, b)):
                if position >= len(source):
                    break
                z, e = source[position]
                position += 1
                if a:
                    gold.append(Bead((len(zh),), (), 1.0))
                    zh.append(z)
                else:
                    gold.append(Bead((), (len(en),), 1.0))
                    en.append(e)
            continue
        a, b = shapes[int(rng.choice(len(shapes), p=weights))]
        take = source[position : position + max(a, b, 1)]
        if len(take) < max(a, b, 1):
            a, b, take = 1, 1, source[position : position + 1]
        position += len(take)
        zh_parts = [z for z, _ in take]
        en_parts = [e for _, e in take]
        zh_ids: tuple[int, ...] = ()
        en_ids: tuple[int, ...] = ()
        if a:
            zh_texts = zh_parts if a == len(take) else ["".join(zh_parts)]
            zh_ids = tuple(range(len(zh), len(zh) + len(zh_texts)))
            zh.extend(zh_texts)
        if b:
            en_texts = en_parts if b == len(take) else [" ".join(en_parts)]
            en_ids = tuple(range(len(en), len(en) + len(en_texts)))
            en.extend(en_texts)
        gold.append(Bead(zh_ids, en_ids, 1.0))
    return SyntheticDocument(tuple(zh), tuple(en), tuple(gold))


def combined_pairs(pairs: list[tuple[str, str]], count: int, seed: int) -> list[tuple[str, str]]:
    """`count` new pairs, each two source pairs joined (zh with no space, en with one), for documents
    longer than the source has pairs: a random second half keeps every joined pair unique."""
    rng = np.random.default_rng(seed)
    out: list[tuple[str, str]] = []
    while len(out) < count:
        partner = rng.permutation(len(pairs))
        out.extend((z + pairs[p][0], e + " " + pairs[p][1]) for (z, e), p in zip(pairs, partner))
    return out[:count]
