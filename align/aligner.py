"""Pure alignment: span vectors in, beads out. No files, network or model.

1. Margin scores (Artetxe & Schwenk 2019, as in LASER mining): cos(x, y) divided by the mean cosine
   of x and y to their k nearest neighbours on the other side, so scores compare across models
   and documents. Neighbours come from a FAISS index (align/index.py).
2. A band: FAISS top-k candidates for each zh segment, chained by a heaviest increasing
   subsequence (Bertalign's first pass, without its fixed-width assumptions), interpolated, then
   widened so that every row connects.
3. A DP over the band with every bead shape up to 4 segments a side, each scored on the embedding
   of the joined span (Vecalign's overlaps), minus a zh/en length-ratio penalty calibrated on the
   document itself, against a deletion threshold set from the document's own random-pair margins
   (Vecalign's idea of a percentile-based deletion cost).
4. Hard anchors (same operative number on both sides) cut the DP into blocks where both numbered
   paragraphs start a bead, unless the embeddings contradict them.
5. Long documents (n·m > exact_below²): every neighbour search (margins, band candidates) looks only
   within search_half_width rows of a coarse-to-fine guide path, plus margin_sample evenly spaced
   rows, so time and memory grow linearly (align/guided_search.py; issue #13).

Bead shapes (issue #13): a 1-3 / 3-1 bead loses to a 1-2 / 2-1 plus an unmatched segment when
including the third part does not raise the bead's score, since an unmatched segment costs nothing.
The parts so lost are mostly short (headings, labels: under 10 % of the bead's characters) whose own
vector barely moves a sum-pooled span; global knobs trade 1-0/0-1 recall for 1-3/3-1 one for one.
So a post-pass (AlignParams.absorb, on by default; align/absorb.py) places such short parts by their
text: an unmatched segment joins the adjacent bead, or a bead's edge part moves to the adjacent bead,
when the beads' scores drop < absorb_drop and the part's text embeds closer than the bead's own
neighbouring segment (and > absorb_edge) to as much text at that edge of the other side
(align.pair.edge_cosine). It needs the texts: align_documents and align_segments pass them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from align.absorb import EdgeCosine, refine
from align.guided_search import guide, heaviest_chain, invert, search
from align.types import Bead

# For documents too short to calibrate: typical values on UN text with the bundled model
# (paragraph-level thresholds measured 0.62-0.94, spreads 0.19-0.33).
_PRIOR_THRESHOLD, _PRIOR_SPREAD = 0.85, 0.25

PAIR_SHAPES = ((1, 1), (1, 2), (2, 1), (1, 3), (3, 1), (2, 2), (1, 4), (4, 1))


@dataclass(frozen=True, slots=True)
class AlignParams:
    max_span: int = 4  # segments one side of a bead may join
    top_k: int = 6  # FAISS candidates per segment for the band
    margin_k: int = 4  # neighbours in the margin's denominator
    window: int = 8  # band half-width, in segments
    length_weight: float = 0.5  # weight of the squared log length-ratio deviation
    shape_penalty: float = 0.0  # per segment beyond 1-1; >0 favours 1-1 (0 measured best, see README)
    random_percentile: float = 99.0  # deletion threshold: this percentile of random-pair margins
    exact_below: int = 4096  # exact neighbour search while n·m <= this squared; windowed above (linear)
    coarse_factor: int = 8  # segments per block of the coarse guide path
    search_half_width: int = 128  # rows each side of the guide path that the windowed search looks at
    margin_sample: int = 2048  # windowed margins also see this many evenly spaced rows (hubs far away)
    absorb: bool = True  # post-pass placing short parts by their text (needs texts: align.pair passes edge_cosine)
    absorb_drop: float = 0.05  # post-pass: a part may join or move to a bead if the beads' gains drop less
    absorb_edge: float = 0.3  # ... and the neighbour's text embeds this close to the bead's edge text


@dataclass(frozen=True, slots=True)
class Side:
    """One language side: spans (K, n, d) where [k, i] embeds segments i..i+k, and lengths (n,)."""

    spans: np.ndarray
    lengths: np.ndarray

    @property
    def size(self) -> int:
        return self.spans.shape[1]


@dataclass(frozen=True, slots=True)
class Calibration:
    """Document-level constants: en/zh length ratio, deletion threshold, random-margin spread."""

    ratio: float
    threshold: float
    spread: float


@dataclass(slots=True)
class _Scored:
    """Sides with their neighbour means (K, n) and cumulative lengths, for fast span look-ups."""

    zh: Side
    en: Side
    zh_knn: np.ndarray
    en_knn: np.ndarray
    zh_cum: np.ndarray
    en_cum: np.ndarray
    zh_nearest: tuple[np.ndarray, np.ndarray]  # each zh segment's best en match: (cosines, indices)
    en_nearest: tuple[np.ndarray, np.ndarray]
    zh_guide: np.ndarray | None  # (n,) en position each zh segment's match lies near; None: search all
    en_guide: np.ndarray | None
    half_width: int


def _neighbours(spans: np.ndarray, other_singles: np.ndarray, k: int, centres: np.ndarray | None,
                half_width: int, sample_size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(K, n) mean cosine of each span to its k nearest single segments of the other side (near the
    guide path when there is one), and each single segment's nearest one (cosine, index)."""
    result = np.zeros(spans.shape[:2], dtype=np.float32)
    nearest_cos = np.full(spans.shape[1], -1.0, dtype=np.float32)
    nearest_id = np.zeros(spans.shape[1], dtype=np.int64)
    if other_singles.shape[0] == 0:
        return result, nearest_cos, nearest_id
    for level in range(spans.shape[0]):
        valid = spans.shape[1] - level
        if valid <= 0:
            break
        scores, ids = search(spans[level, :valid], other_singles, k, None if centres is None else centres[:valid],
                             half_width, sample_size)
        result[level, :valid] = scores.mean(axis=1)
        if level == 0:
            nearest_cos, nearest_id = scores[:, 0].copy(), ids[:, 0].copy()
    return result, nearest_cos, nearest_id


def _prepare(zh: Side, en: Side, params: AlignParams) -> _Scored:
    zh_guide = guide(zh.spans[0], en.spans[0], exact_below=params.exact_below, factor=params.coarse_factor,
                     half_width=params.search_half_width, top_k=params.top_k) if zh.size and en.size else None
    en_guide = None if zh_guide is None else invert(zh_guide, en.size)
    zh_knn, zh_cos, zh_ids = _neighbours(zh.spans, en.spans[0], params.margin_k, zh_guide, params.search_half_width,
                                         params.margin_sample)
    en_knn, en_cos, en_ids = _neighbours(en.spans, zh.spans[0], params.margin_k, en_guide, params.search_half_width,
                                         params.margin_sample)
    return _Scored(
        zh, en, zh_knn, en_knn,
        np.concatenate([[0.0], np.cumsum(zh.lengths, dtype=np.float64)]),
        np.concatenate([[0.0], np.cumsum(en.lengths, dtype=np.float64)]),
        (zh_cos, zh_ids), (en_cos, en_ids), zh_guide, en_guide, params.search_half_width,
    )


def _margin(cos: np.ndarray, zh_knn: np.ndarray | float, en_knn: np.ndarray | float) -> np.ndarray:
    # ratio margin; measured on UN text it beat the difference margin and a denominator without the
    # nearest neighbour (strict F1 0.984 vs 0.978 and 0.983 on the synthetic development set)
    return cos / np.maximum((np.asarray(zh_knn) + np.asarray(en_knn)) / 2.0, 0.05)


def _length_penalty(zh_chars, en_chars, ratio: float) -> np.ndarray:
    """Squared log ratio of the two lengths, each scaled halfway by the document ratio (symmetric)."""
    root = math.sqrt(ratio)
    return np.log((np.asarray(en_chars) / root + 8.0) / (np.asarray(zh_chars) * root + 8.0)) ** 2


def calibrate(zh: Side, en: Side, params: AlignParams = AlignParams(), scored: _Scored | None = None) -> Calibration:
    """Length ratio and random-pair margin statistics of one document pair."""
    scored = scored or _prepare(zh, en, params)
    n, m = zh.size, en.size
    # both sums at least 1: an all-blank side gives a finite ratio, not a zero that _length_penalty divides by
    ratio = float(max(en.lengths.sum(), 1.0) / max(zh.lengths.sum(), 1.0)) if n and m else 1.0
    if n < 2 or m < 2:
        return Calibration(ratio, _PRIOR_THRESHOLD, _PRIOR_SPREAD)
    # a grid of pairs far from the diagonal: symmetric in the two languages, deterministic
    grid = min(64, n, m)
    zi, ej = np.meshgrid(np.linspace(0, n - 1, grid).round().astype(int),
                         np.linspace(0, m - 1, grid).round().astype(int), indexing="ij")
    zi, ej = zi.ravel(), ej.ravel()
    far = np.abs(zi / n - ej / m) > 0.15
    if far.sum() < 20:  # too short to tell random pairs from true ones
        return Calibration(ratio, _PRIOR_THRESHOLD, _PRIOR_SPREAD)
    zi, ej = zi[far], ej[far]
    cos = np.einsum("id,id->i", zh.spans[0][zi], en.spans[0][ej])
    margins = _margin(cos, scored.zh_knn[0][zi], scored.en_knn[0][ej])
    spread = float(max(np.std(margins), 0.05))
    return Calibration(ratio, float(np.percentile(margins, params.random_percentile)), spread)


def _pair_gain(s: _Scored, i0: int, a: int, j0: np.ndarray, b: int, cal: Calibration, params: AlignParams) -> np.ndarray:
    """Similarity, less length penalty, of zh[i0:i0+a] with en[j:j+b] for each j in j0: (len(j0),)."""
    cos = s.en.spans[b - 1][j0] @ s.zh.spans[a - 1][i0]
    margin = _margin(cos, s.zh_knn[a - 1][i0], s.en_knn[b - 1][j0])
    zh_chars = s.zh_cum[i0 + a] - s.zh_cum[i0]
    en_chars = s.en_cum[j0 + b] - s.en_cum[j0]
    return margin - params.length_weight * _length_penalty(zh_chars, en_chars, cal.ratio)


def _band(s: _Scored, cal: Calibration, params: AlignParams) -> tuple[np.ndarray, np.ndarray]:
    """(lo, hi) of allowed en positions for each lattice row 0..n, connected and monotone."""
    n, m = s.zh.size, s.en.size
    candidates: dict[tuple[int, int], float] = {}
    if n and m:  # top-k both ways, so the band does not depend on which language comes first
        scores, ids = search(s.zh.spans[0], s.en.spans[0], params.top_k, s.zh_guide, s.half_width)
        for i in range(n):
            for j, cos in zip(ids[i], scores[i]):
                candidates[(i, int(j))] = float(cos)
        scores, ids = search(s.en.spans[0], s.zh.spans[0], params.top_k, s.en_guide, s.half_width)
        for j in range(m):
            for i, cos in zip(ids[j], scores[j]):
                candidates[(int(i), j)] = float(cos)
    points = []
    for (i, j), cos in candidates.items():
        if not math.isfinite(cos):
            continue
        gain = float(_margin(cos, s.zh_knn[0][i], s.en_knn[0][j])) - cal.threshold
        if gain > 0:
            points.append((i, j, gain))
    chain = heaviest_chain(points, m)
    xs = [0.0] + [c for i, j in chain for c in (i, i + 1)] + [float(n)]
    ys = [0.0] + [c for i, j in chain for c in (j, j + 1)] + [float(m)]
    centres = np.interp(np.arange(n + 1), xs, ys)
    lo = np.clip(np.floor(centres - params.window), 0, m).astype(np.int64)
    hi = np.clip(np.ceil(centres + params.window), 0, m).astype(np.int64)
    lo[0], hi[n] = 0, m
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    hi = np.maximum.accumulate(hi)
    for r in range(n):  # a row must reach the next one through a 1-0 step
        hi[r] = max(hi[r], lo[r + 1])
    return lo, hi


def _align_block(s: _Scored, cal: Calibration, params: AlignParams) -> list[tuple[int, int, int, int, float]]:
    """DP over one block: (zh start, zh count, en start, en count, similarity or nan) per bead."""
    n, m = s.zh.size, s.en.size
    lo, hi = _band(s, cal, params)
    shapes = [(a, b) for a, b in PAIR_SHAPES if a <= params.max_span and b <= params.max_span]
    best: list[np.ndarray] = []
    back: list[np.ndarray] = []
    for i in range(n + 1):
        width = hi[i] - lo[i] + 1
        row = np.full(width, -np.inf)
        pointer = np.full(width, -1, dtype=np.int64)
        if i == 0:
            row[0] = 0.0 if lo[0] == 0 else -np.inf
        columns = np.arange(lo[i], hi[i] + 1)
        for shape_index, (a, b) in enumerate([(1, 0)] + shapes):
            if a > i:
                continue
            prev_lo, prev_hi = lo[i - a], hi[i - a]
            source = columns - b
            ok = (source >= prev_lo) & (source <= prev_hi)
            if not ok.any():
                continue
            candidate = np.full(width, -np.inf)
            previous = best[i - a][source[ok] - prev_lo]
            if b == 0:
                gain = 0.0
            else:
                gain = _pair_gain(s, i - a, a, source[ok], b, cal, params) - cal.threshold \
                    - params.shape_penalty * (a + b - 2)
            candidate[ok] = previous + gain
            better = candidate > row
            row[better] = candidate[better]
            pointer[better] = shape_index
        for c in range(1, width):  # 0-1 steps within the row
            if row[c - 1] > row[c]:
                row[c], pointer[c] = row[c - 1], len(shapes) + 1
        best.append(row)
        back.append(pointer)
    all_shapes = [(1, 0)] + shapes + [(0, 1)]
    beads = []
    i, j = n, m
    while i > 0 or j > 0:
        a, b = all_shapes[back[i][j - lo[i]]]
        i, j = i - a, j - b
        similarity = float(_pair_gain(s, i, a, np.array([j]), b, cal, params)[0]) if a and b else math.nan
        beads.append((i, a, j, b, similarity))
    return beads[::-1]


def _confidence(similarity: float, cal: Calibration) -> float:
    """Logistic in the document's own units: 0.5 at the deletion threshold, one random-pair spread per step."""
    z = (similarity - cal.threshold) / cal.spread
    return 1.0 / (1.0 + math.exp(-min(max(z, -60.0), 60.0)))


def _slice(s: _Scored, z0: int, z1: int, e0: int, e1: int) -> _Scored:
    zh = Side(s.zh.spans[:, z0:z1], s.zh.lengths[z0:z1])
    en = Side(s.en.spans[:, e0:e1], s.en.lengths[e0:e1])
    return _Scored(zh, en, s.zh_knn[:, z0:z1], s.en_knn[:, e0:e1],
                   s.zh_cum[z0 : z1 + 1] - s.zh_cum[z0], s.en_cum[e0 : e1 + 1] - s.en_cum[e0],
                   s.zh_nearest, s.en_nearest,
                   None if s.zh_guide is None else s.zh_guide[z0:z1] - e0,
                   None if s.en_guide is None else s.en_guide[e0:e1] - z0, s.half_width)


def _trusted_anchors(s: _Scored, anchors, cal: Calibration, params: AlignParams) -> list[tuple[int, int]]:
    kept: list[tuple[int, int]] = []
    for i, j in sorted(anchors):
        if not (0 <= i < s.zh.size and 0 <= j < s.en.size):
            continue
        if kept and (i <= kept[-1][0] or j <= kept[-1][1]):
            continue
        if _pair_gain(s, i, 1, np.array([j]), 1, cal, params)[0] >= cal.threshold:
            kept.append((i, j))
    return kept


def _blocks_from_anchors(anchors: list[tuple[int, int]], n: int, m: int) -> list[tuple[int, int, int, int]]:
    """Blocks (zh start, zh end, en start, en end) cut where each anchor pair starts a bead together.

    An anchor fixes where a bead begins, not its shape: "12." may still join "13." on the other side.
    """
    cuts = [(0, 0)] + [a for a in anchors if a != (0, 0)] + [(n, m)]
    return [(i0, i1, j0, j1) for (i0, j0), (i1, j1) in zip(cuts, cuts[1:]) if i0 < i1 or j0 < j1]


def _refine(raw: list, s: _Scored, cal: Calibration, params: AlignParams, edge_cosine: EdgeCosine,
            z0: int, e0: int) -> list:
    """Short parts placed by their text (align/absorb.py), scored in this block's coordinates."""
    def gain(i: int, a: int, j: int, b: int) -> float:
        return float(_pair_gain(s, i, a, np.array([j]), b, cal, params)[0])

    allowed = {shape for shape in PAIR_SHAPES if max(shape) <= params.max_span}
    return refine(raw, gain, edge_cosine, allowed, params.absorb_drop, params.absorb_edge, z0, e0)


def align_beads(zh: Side, en: Side, params: AlignParams = AlignParams(), anchors: tuple[tuple[int, int], ...] = (),
                blocks: list[tuple[int, int, int, int]] | None = None,
                edge_cosine: EdgeCosine | None = None) -> list[Bead]:
    """Beads covering every zh and en segment once, in order, each with a 0-1 confidence.

    `blocks` (zh start, zh end, en start, en end), in order and covering both sides, confine beads;
    without them, trusted `anchors` (zh index, en index) cut the document into blocks. `edge_cosine`
    (side, segment, bead zh, bead en, segment comes first) → cosine of the segment's text to the
    bead's other-side text at that edge, enables the post-pass that places short parts (align/absorb.py).
    """
    scored = _prepare(zh, en, params)
    cal = calibrate(zh, en, params, scored)
    best_single = np.full(zh.size, -np.inf), np.full(en.size, -np.inf)
    if zh.size and en.size:
        (zh_cos, zh_ids), (en_cos, en_ids) = scored.zh_nearest, scored.en_nearest
        best_single = (_margin(zh_cos, scored.zh_knn[0], scored.en_knn[0][zh_ids]),
                       _margin(en_cos, scored.zh_knn[0][en_ids], scored.en_knn[0]))
    if blocks is None:
        blocks = _blocks_from_anchors(_trusted_anchors(scored, anchors, cal, params), zh.size, en.size)
    beads: list[Bead] = []
    for z0, z1, e0, e1 in blocks:
        if z1 - z0 == 1 and e1 - e0 == 1:  # one segment a side between two cuts
            raw = [(0, 1, 0, 1, float(_pair_gain(scored, z0, 1, np.array([e0]), 1, cal, params)[0]))]
        else:
            raw = _align_block(_slice(scored, z0, z1, e0, e1), cal, params)
            if edge_cosine is not None:
                raw = _refine(raw, _slice(scored, z0, z1, e0, e1), cal, params, edge_cosine, z0, e0)
        for i, a, j, b, similarity in raw:
            zh_ids_ = tuple(range(z0 + i, z0 + i + a))
            en_ids_ = tuple(range(e0 + j, e0 + j + b))
            if a and b:
                score = _confidence(similarity, cal)
            else:  # an unmatched segment is sure when its best match anywhere is poor
                lonely = best_single[0][zh_ids_[0]] if a else best_single[1][en_ids_[0]]
                score = 1.0 - _confidence(float(lonely), cal)
            beads.append(Bead(zh_ids_, en_ids_, round(score, 4)))
    return beads
