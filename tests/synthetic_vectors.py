"""Synthetic sentence vectors for the aligner's tests: spans pooled by sum, shared meanings, noise."""

from __future__ import annotations

import numpy as np

from align.aligner import Side
from align.types import Bead


def side(vectors: np.ndarray, lengths: np.ndarray, max_span: int = 4) -> Side:
    """Spans as the normalised sum of their parts, like an embedder that pools by sum."""
    n, d = vectors.shape
    spans = np.zeros((max_span, n, d), dtype=np.float32)
    for k in range(max_span):
        for i in range(n - k):
            total = vectors[i : i + k + 1].sum(axis=0)
            spans[k, i] = total / max(np.linalg.norm(total), 1e-9)
    return Side(spans, lengths.astype(np.float64))


def meanings(count: int, seed: int, dim: int = 64) -> np.ndarray:
    """Unit vectors sharing a common direction, so that unrelated texts have cosine ~0.25 as with
    real sentence embeddings (isotropic random vectors, cosine ~0, are not what an aligner meets)."""
    rng = np.random.default_rng(seed)
    vectors = rng.normal(size=(count, dim))
    vectors = vectors / np.linalg.norm(vectors, axis=1, keepdims=True) + 0.6 * np.ones(dim) / np.sqrt(dim)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def noisy(vectors: np.ndarray, seed: int, noise: float = 0.35) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = vectors + noise * rng.normal(size=vectors.shape) / np.sqrt(vectors.shape[1])
    return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


def check_cover(beads: list[Bead], n: int, m: int) -> None:
    assert [i for b in beads for i in b.zh] == list(range(n))
    assert [j for b in beads for j in b.en] == list(range(m))
    assert all(b.zh or b.en for b in beads)
    assert all(0.0 <= b.score <= 1.0 for b in beads)
