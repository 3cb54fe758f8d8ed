"""Post-pass on one block's beads: short parts placed by their text, where span vectors cannot tell.

Why (issue #13): a bead is scored on the sum-pooled vector of its joined span, and a short part (a
heading, a label, "I. Introduction") moves that vector by about its share of the tokens. Whether
such a part belongs to a bead, to the next bead or to no bead changes a bead's score by less than
ordinary noise, so the DP places it by chance: left unmatched (an unmatched segment costs nothing),
or given to the neighbouring bead. The text decides it instead: the part's own embedding is compared
with as much text at the bead's other-side edge as its translation would take (EdgeCosine, given by
align.pair.edge_cosine). A part fits an edge when its cosine to that text exceeds `edge_min` and the
cosine of the bead's own segment next to it (else the edge text is that segment's translation).
Three moves, each only where the beads' scores drop by less than `drop_limit`:
- release: a bead's edge part whose text does not match the edge at all (cosine <= `edge_min`)
  becomes unmatched (a deletion the DP glued on: it costs the bead about nothing);
- absorb: an unmatched segment joins the bead next to it (past unmatched segments of the other
  side, whose order in the path is arbitrary) when it fits that bead's edge;
- shift: the edge part of one bead moves to the adjacent bead when it fits the adjacent bead's
  edge, better than its own bead's.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Raw = tuple[int, int, int, int, float]  # zh start, zh count, en start, en count, similarity (nan: unmatched)
Gain = Callable[[int, int, int, int], float]  # similarity of zh[i:i+a] with en[j:j+b], block coordinates
# (side "zh"/"en", segment, bead zh ids, bead en ids, segment comes first) -> (n, 2): cosine of the
# segment's text, and of the bead's own segment next to it, to the bead's other side at that edge;
# all ids are document positions
EdgeQuery = tuple[str, int, tuple[int, ...], tuple[int, ...], bool]
EdgeCosine = Callable[[list[EdgeQuery]], np.ndarray]


def _fit(cosines: np.ndarray) -> np.ndarray:
    """The part's cosine where it beats the bead's own neighbouring segment at that edge, else -1."""
    cosines = np.asarray(cosines, dtype=np.float64).reshape(-1, 2)
    return np.where(cosines[:, 0] > cosines[:, 1], cosines[:, 0], -1.0)


def _matched(bead) -> bool:
    return bool(bead is not None and bead[1] and bead[3])


def _query(side: str, part: int, bead: tuple[int, int, int, int], first: bool, z0: int, e0: int) -> EdgeQuery:
    zi, a, ej, b = bead[:4]
    return (side, (z0 if side == "zh" else e0) + part, tuple(range(z0 + zi, z0 + zi + a)),
            tuple(range(e0 + ej, e0 + ej + b)), first)


def absorb_unmatched(raw: list[Raw], gain: Gain, edge_cosine: EdgeCosine, allowed: set[tuple[int, int]],
                     drop_limit: float, edge_min: float, z0: int, e0: int) -> list[Raw]:
    """Join unmatched segments to an adjacent bead whose edge text they match."""
    beads: list[list | None] = [list(r) for r in raw]
    candidates = []  # (unmatched index, bead index, joined bead, query)
    for k, (i, a, j, b, _) in enumerate(raw):
        if a and b:
            continue
        best = None
        for step in (-1, 1):
            n = k + step
            while 0 <= n < len(raw) and not _matched(raw[n]) and bool(raw[n][1]) != bool(a):
                n += step  # an unmatched segment of the other side: the two may be in either order
            if not (0 <= n < len(raw) and _matched(raw[n])):
                continue
            ni, na, nj, nb, similarity = raw[n]
            if a and i in (ni - 1, ni + na):
                joined = (min(i, ni), na + 1, nj, nb)
                first = i < ni
            elif b and j in (nj - 1, nj + nb):
                joined = (ni, na, min(j, nj), nb + 1)
                first = j < nj
            else:
                continue
            if (joined[1], joined[3]) not in allowed:
                continue
            joined_gain = gain(*joined)
            drop = similarity - joined_gain
            if drop < drop_limit and (best is None or drop < best[0]):
                query = _query("zh" if a else "en", i if a else j, joined, first, z0, e0)
                best = (drop, (k, n, (*joined, joined_gain), query))
        if best is not None:
            candidates.append(best[1])
    if not candidates:
        return list(raw)
    cosines = _fit(edge_cosine([query for *_, query in candidates]))
    for (k, n, joined, _), cosine in zip(candidates, cosines):
        if cosine <= edge_min or beads[n] is None or beads[k] is None:
            continue
        if joined[1] - beads[n][1] + joined[3] - beads[n][3] == 1:  # the bead was not changed meanwhile
            beads[n], beads[k] = list(joined), None
    return [tuple(r) for r in beads if r is not None]


def shift_candidates(raw: list[Raw], gain: Gain, allowed: set[tuple[int, int]]) -> list[tuple]:
    """Every move of one edge part between two adjacent beads: (index of the first bead, side, part,
    whether it leaves the second bead, new first bead, new second bead, score drop)."""
    out = []
    for k in range(len(raw) - 1):
        x, y = raw[k], raw[k + 1]
        if not (_matched(x) and _matched(y)) or x[0] + x[1] != y[0] or x[2] + x[3] != y[2]:
            continue
        xi, xa, xj, xb, xs = x
        yi, ya, yj, yb, ys = y
        moves = []
        if xa > 1:
            moves.append(("zh", xi + xa - 1, (xi, xa - 1, xj, xb), (yi - 1, ya + 1, yj, yb), False))
        if ya > 1:
            moves.append(("zh", yi, (xi, xa + 1, xj, xb), (yi + 1, ya - 1, yj, yb), True))
        if xb > 1:
            moves.append(("en", xj + xb - 1, (xi, xa, xj, xb - 1), (yi, ya, yj - 1, yb + 1), False))
        if yb > 1:
            moves.append(("en", yj, (xi, xa, xj, xb + 1), (yi, ya, yj + 1, yb - 1), True))
        for side, part, new_x, new_y, from_y in moves:
            if (new_x[1], new_x[3]) not in allowed or (new_y[1], new_y[3]) not in allowed:
                continue
            gx, gy = gain(*new_x), gain(*new_y)
            out.append((k, side, part, from_y, (*new_x, gx), (*new_y, gy), xs + ys - gx - gy))
    return out


def shift_parts(raw: list[Raw], gain: Gain, edge_cosine: EdgeCosine, allowed: set[tuple[int, int]],
                drop_limit: float, edge_min: float, z0: int, e0: int) -> list[Raw]:
    """Move an edge part to the adjacent bead whose edge text it matches better than its own bead's."""
    candidates = [c for c in shift_candidates(raw, gain, allowed) if c[6] < drop_limit]
    if not candidates:
        return list(raw)
    queries = []
    for k, side, part, from_y, new_x, new_y, _ in candidates:
        # where it is: first of the second bead, or last of the first; where it would go: the other edge
        queries.append(_query(side, part, raw[k + 1] if from_y else raw[k], from_y, z0, e0))
        queries.append(_query(side, part, new_x if from_y else new_y, not from_y, z0, e0))
    cosines = _fit(edge_cosine(queries))
    beads = list(raw)
    changed: set[int] = set()
    order = sorted(range(len(candidates)), key=lambda c: cosines[2 * c] - cosines[2 * c + 1])
    for c in order:
        k, _, _, _, new_x, new_y, _ = candidates[c]
        stay, move = cosines[2 * c], cosines[2 * c + 1]
        if move <= edge_min or move <= stay or k in changed or k + 1 in changed:
            continue
        beads[k], beads[k + 1] = new_x, new_y
        changed.update((k, k + 1))
    return beads


def release_parts(raw: list[Raw], gain: Gain, edge_cosine: EdgeCosine, drop_limit: float, edge_min: float,
                  z0: int, e0: int) -> list[Raw]:
    """Unmatch a bead's edge part whose text does not match that edge of the bead's other side."""
    candidates = []  # (bead index, side, part, first, rest of the bead)
    for k, (i, a, j, b, similarity) in enumerate(raw):
        if not (a and b):
            continue
        for side, count in (("zh", a), ("en", b)):
            for first in ((True, False) if count > 1 else ()):
                if side == "zh":
                    part, rest = (i, (i + 1, a - 1, j, b)) if first else (i + a - 1, (i, a - 1, j, b))
                else:
                    part, rest = (j, (i, a, j + 1, b - 1)) if first else (j + b - 1, (i, a, j, b - 1))
                rest_gain = gain(*rest)
                if similarity - rest_gain < drop_limit:
                    candidates.append((k, side, part, first, (*rest, rest_gain)))
    if not candidates:
        return list(raw)
    queries = [_query(side, part, raw[k], first, z0, e0) for k, side, part, first, _ in candidates]
    parts = np.asarray(edge_cosine(queries), dtype=np.float64).reshape(-1, 2)[:, 0]
    chosen: dict[int, tuple] = {}  # one part a bead: the one that matches its edge least
    for candidate, cosine in zip(candidates, parts):
        k = candidate[0]
        if cosine <= edge_min and (k not in chosen or cosine < chosen[k][0]):
            chosen[k] = (cosine, candidate)
    out: list[Raw] = []
    for k, bead in enumerate(raw):
        if k not in chosen:
            out.append(bead)
            continue
        _, side, part, first, rest = chosen[k][1]
        ri, ra, rj, rb, _ = rest  # the part's position on the other side: where the rest starts or ends
        alone = ((part, 1, rj if first else rj + rb, 0, float("nan")) if side == "zh"
                 else (ri if first else ri + ra, 0, part, 1, float("nan")))
        out.extend([alone, rest] if first else [rest, alone])
    return out


def refine(raw: list[Raw], gain: Gain, edge_cosine: EdgeCosine, allowed: set[tuple[int, int]],
           drop_limit: float, edge_min: float, z0: int, e0: int) -> list[Raw]:
    """The three moves in turn: parts that match no edge out, unmatched parts in, then parts at the
    boundary of two beads."""
    raw = release_parts(raw, gain, edge_cosine, drop_limit, edge_min, z0, e0)
    raw = absorb_unmatched(raw, gain, edge_cosine, allowed, drop_limit, edge_min, z0, e0)
    return shift_parts(raw, gain, edge_cosine, allowed, drop_limit, edge_min, z0, e0)
