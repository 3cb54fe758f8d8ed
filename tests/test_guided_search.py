"""Windowed neighbour search and the coarse-to-fine guide path (no model needed)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from synthetic_vectors import check_cover as _check_cover
from synthetic_vectors import meanings as _meanings
from synthetic_vectors import noisy as _noisy
from synthetic_vectors import side as _side

from align.aligner import AlignParams, align_beads
from align.guided_search import block_means, exact_search, guide, invert, windowed_search


def _unit(count: int, seed: int, dim: int = 32) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.mark.parametrize("k", [1, 4, 9])
def test_a_window_covering_everything_is_exact_search(k: int) -> None:
    queries, base = _unit(300, 1), _unit(200, 2)
    exact = exact_search(queries, base, k)
    windowed = windowed_search(queries, base, k, np.full(300, 100.0), half_width=1000)
    np.testing.assert_allclose(windowed[0], exact[0], rtol=1e-5, atol=1e-5)
    assert (windowed[1] == exact[1]).mean() > 0.99  # equal up to ties in float rounding


def test_window_only_returns_rows_near_the_centre_or_in_the_sample() -> None:
    queries, base = _unit(400, 3), _unit(400, 4)
    centres = np.arange(400, dtype=float)
    sample = np.array([0, 399])
    scores, ids = windowed_search(queries, base, 4, centres, half_width=10, sample=sample)
    near = np.abs(ids - centres[:, None]) <= 10
    assert (near | np.isin(ids, sample)).all()
    assert np.isin(ids, sample).any()  # the far sampled rows are searched too
    assert (np.diff(scores, axis=1) <= 1e-6).all()  # best first
    assert all(len(set(row)) == 4 for row in ids)  # no row twice


def test_guide_follows_a_shifted_diagonal() -> None:
    meanings = _meanings(900, 5, dim=64).astype(np.float32)
    zh = _noisy(meanings, 6)
    en = _noisy(np.vstack([meanings[:300], _meanings(40, 7, dim=64), meanings[300:]]), 8)  # 40 extra en rows
    path = guide(zh, en, exact_below=64, factor=8, half_width=32, top_k=4)
    assert path is not None and path.shape == (900,)
    truth = np.concatenate([np.arange(300), np.arange(300, 900) + 40]) + 0.5
    assert np.percentile(np.abs(path - truth), 95) < 16
    back = invert(path, len(en))
    assert back.shape == (len(en),) and (np.diff(back) >= 0).all()


def test_no_guide_below_the_exact_limit() -> None:
    assert guide(_unit(50, 1), _unit(60, 2), exact_below=4096, factor=8, half_width=32, top_k=4) is None


def test_block_means_are_unit_vectors_of_each_block() -> None:
    vectors = _unit(17, 9)
    blocks = block_means(vectors, 8)
    assert blocks.shape == (3, 32)
    np.testing.assert_allclose(np.linalg.norm(blocks, axis=1), 1.0, rtol=1e-5)
    expected = vectors[8:16].sum(axis=0)
    np.testing.assert_allclose(blocks[1], expected / np.linalg.norm(expected), rtol=1e-5, atol=1e-6)


def test_windowed_alignment_finds_the_same_beads_as_exact_on_a_long_document() -> None:
    n = 700
    meanings = _meanings(n, 11)
    rng = np.random.default_rng(11)
    lengths = rng.integers(10, 80, n)
    keep = [i for i in range(n) if i not in (100, 450)]  # two English segments dropped
    zh = _side(_noisy(meanings, 12), lengths)
    en = _side(_noisy(meanings[keep], 13), lengths[keep] * 3)
    exact = align_beads(zh, en, replace(AlignParams(), exact_below=10**6))
    windowed = align_beads(zh, en, replace(AlignParams(), exact_below=64, search_half_width=48, margin_sample=64))
    _check_cover(windowed, n, n - 2)
    assert [(b.zh, b.en) for b in windowed] == [(b.zh, b.en) for b in exact]
    assert [b.zh for b in windowed if not b.en] == [(100,), (450,)]
