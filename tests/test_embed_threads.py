"""A small batch (a query, a look-up's candidates) is embedded on one BLAS thread, to the same vectors.

tests/golden/usem3_term_vectors.npy: the first 18 terms of tests/data/terms_gold_150.tsv (Chinese side),
embedded in two batches of 9 by align/embed.py as it was before small batches ran on one thread (commit
1f13eb7); a change of the vectors would move every alignment and search figure.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from align.embed import _PARALLEL_FROM, USEEmbedder

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden" / "usem3_term_vectors.npy"


def _terms() -> list[str]:
    rows = [line.split("\t") for line in (DATA / "terms_gold_150.tsv").read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    return [zh.split("|")[0] for zh, _ in rows[:18]]


@pytest.fixture(scope="module")
def use() -> USEEmbedder:
    return USEEmbedder()


@pytest.mark.integration
def test_small_batches_give_the_vectors_they_gave_before(use: USEEmbedder) -> None:
    terms = _terms()
    ours = np.concatenate([use.encode(terms[:9]), use.encode(terms[9:])])
    assert np.allclose(ours, np.load(GOLDEN), rtol=0, atol=1e-6)


@pytest.mark.integration
def test_small_batches_equal_the_unlimited_computation(use: USEEmbedder) -> None:
    """The same pooling and head, called without the one-thread limit, give the same rows."""
    texts = _terms()[:9] + ["The Security Council,", "维持和平行动部"]
    sums, counts = use._pool(texts)
    unlimited = use._head(sums[:, :512] + sums[:, 512:1024] + sums[:, 1024:], counts)
    assert np.allclose(use.encode(texts), unlimited, rtol=0, atol=1e-6)
    spans = use.encode_spans(texts, 2, "")
    assert np.allclose(spans[0], unlimited, rtol=0, atol=1e-6)


@pytest.mark.integration
def test_only_small_batches_are_held_to_one_blas_thread(use: USEEmbedder, monkeypatch) -> None:
    from threadpoolctl import threadpool_info

    def blas_threads() -> int:
        return max(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas")

    default = blas_threads()
    seen: list[tuple[int, int]] = []
    head = use._head

    def recording_head(sums, counts):
        seen.append((len(sums), blas_threads()))
        return head(sums, counts)

    monkeypatch.setattr(use, "_head", recording_head)
    use.encode(["安全理事会", "Security Council"])
    use.encode_spans(["安全理事会，", "决定继续积极处理此案。"], 2, "")
    use.encode([f"paragraph {i} of a document" for i in range(_PARALLEL_FROM)])
    assert [threads for rows, threads in seen if rows < _PARALLEL_FROM] == [1, 1, 1]
    assert [threads for rows, threads in seen if rows >= _PARALLEL_FROM] == [default]
    assert blas_threads() == default  # the limit ends with the call
