"""The pure helpers scripts/bench_align.py uses to run hunalign as a peer."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from bench_align import hunalign_tokens, ladder_to_beads  # noqa: E402


def test_ladder_rungs_become_the_beads_between_them():
    ladder = "0\t0\t0.3\n1\t1\t0.1\n1\t2\t-0.3\n3\t3\t0.2\n4\t3\t0\n"
    beads = ladder_to_beads(ladder, 4, 3)
    assert [(b.zh, b.en) for b in beads] == [((0,), (0,)), ((), (1,)), ((1, 2), (2,)), ((3,), ())]


def test_a_ladder_that_stops_short_is_refused():
    with pytest.raises(ValueError, match=r"\(5, 3\)"):
        ladder_to_beads("0\t0\t0.3\n4\t3\t0\n", 5, 3)


def test_tokens_split_words_numbers_cjk_runs_and_punctuation():
    assert hunalign_tokens("第2423(2018)号决议，") == "第 2423 ( 2018 ) 号决议 ，"
    assert hunalign_tokens("Resolution 2,423 (2018).") == "Resolution 2,423 ( 2018 ) ."
