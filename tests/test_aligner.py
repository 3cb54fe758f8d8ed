"""Properties of the pure aligner on synthetic vectors (no model needed)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from synthetic_vectors import check_cover as _check_cover
from synthetic_vectors import meanings as _meanings
from synthetic_vectors import noisy as _noisy
from synthetic_vectors import side as _side

from align.aligner import AlignParams, align_beads

PARAMS = AlignParams()


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 60), st.integers(0, 60), st.integers(0, 10_000))
def test_beads_cover_each_side_once_in_order(n: int, m: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    zh = _side(_meanings(n, seed), rng.integers(5, 80, n))
    en = _side(_meanings(m, seed + 1) if m else np.zeros((0, 64)), rng.integers(15, 240, m))
    _check_cover(align_beads(zh, en, PARAMS), n, m)


@settings(max_examples=30, deadline=None)
@given(st.integers(2, 80))
def test_identical_one_hot_documents_give_the_diagonal(n: int) -> None:
    one_hot = np.eye(n, dtype=np.float32)
    lengths = np.full(n, 30)
    beads = align_beads(_side(one_hot, lengths), _side(one_hot, lengths), PARAMS)
    assert [(b.zh, b.en) for b in beads] == [((i,), (i,)) for i in range(n)]


@settings(max_examples=40, deadline=None)
@given(st.integers(8, 80), st.integers(0, 10_000), st.data())
def test_dropping_one_english_segment_gives_one_1_0_bead(n: int, seed: int, data) -> None:
    dropped = data.draw(st.integers(0, n - 1))
    meanings = _meanings(n, seed)
    rng = np.random.default_rng(seed)
    zh_lengths = rng.integers(10, 80, n)
    keep = [i for i in range(n) if i != dropped]
    zh = _side(_noisy(meanings, seed + 1), zh_lengths)
    en = _side(_noisy(meanings[keep], seed + 2), zh_lengths[keep] * 3)
    beads = align_beads(zh, en, PARAMS)
    _check_cover(beads, n, n - 1)
    assert [b for b in beads if not b.en] == [b for b in beads if b.zh == (dropped,)]
    assert sum(1 for b in beads if not b.en) == 1
    assert all(len(b.zh) == 1 and len(b.en) == 1 for b in beads if b.en)


@settings(max_examples=30, deadline=None)
@given(st.integers(6, 60), st.integers(0, 10_000))
def test_swapping_languages_transposes_the_beads(n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    meanings = _meanings(n, seed)
    merged = np.vstack([meanings[:1] + meanings[1:2], meanings[2:]])  # a 2-1 bead at the start
    zh_lengths = rng.integers(10, 80, n)
    en_lengths = 3 * np.concatenate([[zh_lengths[0] + zh_lengths[1]], zh_lengths[2:]])
    zh = _side(_noisy(meanings, seed + 1), zh_lengths)
    en = _side(_noisy(merged / np.linalg.norm(merged, axis=1, keepdims=True), seed + 2), en_lengths)
    forward = align_beads(zh, en, PARAMS)
    backward = align_beads(en, zh, PARAMS)
    assert [(b.en, b.zh) for b in backward] == [(b.zh, b.en) for b in forward]
    assert forward[0].zh == (0, 1) and forward[0].en == (0,)
    assert all(b.zh and b.en for b in forward)  # (the order of adjacent 1-0 / 0-1 beads is a tie)


def test_same_input_same_output() -> None:
    meanings = _meanings(50, 3)
    zh = _side(_noisy(meanings, 4), np.full(50, 40))
    en = _side(_noisy(meanings, 5), np.full(50, 120))
    assert align_beads(zh, en, PARAMS) == align_beads(zh, en, PARAMS)


def test_anchor_contradicted_by_embeddings_is_ignored() -> None:
    meanings = _meanings(30, 7)
    zh = _side(_noisy(meanings, 8), np.full(30, 40))
    en = _side(_noisy(meanings, 9), np.full(30, 120))
    beads = align_beads(zh, en, PARAMS, anchors=((5, 20), (10, 10)))
    assert [(b.zh, b.en) for b in beads] == [((i,), (i,)) for i in range(30)]


def test_merges_are_found() -> None:
    meanings = _meanings(40, 11)
    en_meanings = [meanings[0], meanings[1] + meanings[2], meanings[3] + meanings[4] + meanings[5], *meanings[6:]]
    en_vectors = np.array(en_meanings) / np.linalg.norm(en_meanings, axis=1, keepdims=True)
    zh = _side(_noisy(meanings, 12), np.full(40, 40))
    en = _side(_noisy(en_vectors, 13), np.array([120, 240, 360] + [120] * 34))
    shapes = [(b.zh, b.en) for b in align_beads(zh, en, PARAMS)[:3]]
    assert shapes == [((0,), (0,)), ((1, 2), (1,)), ((3, 4, 5), (2,))]


def _heading_document():
    """zh: 40 meanings, 0 a short heading that en merges (faintly) into one segment with 1 and 2; 20 has
    no en counterpart. en: [0+1+2], 3..19, 21..39."""
    meanings = _meanings(40, 21)
    merged = 0.05 * meanings[0] + meanings[1] + meanings[2]
    en_ids = [(0, 1, 2)] + [(k,) for k in range(3, 40) if k != 20]
    en_vectors = np.array([merged] + [meanings[k] for k in range(3, 40) if k != 20])
    en_vectors /= np.linalg.norm(en_vectors, axis=1, keepdims=True)
    zh_lengths = np.array([3] + [40] * 39)
    en_lengths = np.array([250] + [120] * 36)
    zh_vectors = _noisy(meanings, 22, 0.2)
    zh_vectors[0] *= 0.1  # a sum-pooled span moves by a short part's token share
    zh = _side(zh_vectors, zh_lengths)
    en = _side(_noisy(en_vectors, 23, 0.2), en_lengths)

    def edge_cosine(queries):  # texts stand-in: the part's meaning is, or is not, in the bead's other side
        out = []
        for side, index, zh_bead, en_bead, _ in queries:
            inside = {k for j in en_bead for k in en_ids[j]}
            out.append((0.9 if side == "zh" and index in inside else 0.1, 0.0))  # (part, bead's own neighbour)
        return np.array(out)

    return zh, en, edge_cosine


def test_absorb_joins_a_short_heading_part_and_keeps_a_true_deletion() -> None:
    zh, en, edge_cosine = _heading_document()
    plain = [(b.zh, b.en) for b in align_beads(zh, en, PARAMS)]
    assert ((0,), ()) in plain  # the DP alone leaves the faint heading out
    params = AlignParams(absorb=True)
    beads = align_beads(zh, en, params, edge_cosine=edge_cosine)
    _check_cover(beads, 40, 37)
    shapes = [(b.zh, b.en) for b in beads]
    assert shapes[0] == ((0, 1, 2), (0,))
    assert ((20,), ()) in shapes  # its neighbours' text does not hold it: stays unmatched
    assert shapes[1:] == plain[2:]  # nothing else moves


def test_a_side_of_zero_lengths_aligns_without_numpy_warnings() -> None:
    """Every English segment of length 0 (blank lines that survived extraction): the length ratio
    stays finite, so the length penalty never divides by zero (it once warned and gave inf/nan)."""
    import warnings

    meanings = _meanings(6, 11)
    zh = _side(meanings, np.full(6, 30))
    en = _side(_noisy(meanings, 12), np.zeros(6))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a RuntimeWarning from numpy fails the test
        beads = align_beads(zh, en, PARAMS)
    _check_cover(beads, 6, 6)
