"""The short-part post-pass (align/absorb.py, issue #13): align.pair.edge_cosine, the two moves, and the
build path (align_documents, the align stage) using it."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from align.absorb import absorb_unmatched, release_parts, shift_parts
from align.aligner import PAIR_SHAPES, AlignParams
from align.pair import align_documents, edge_cosine
from align.synthetic import load_pairs, make_document
from align.types import PREAMBLE, Document, Paragraph

UNPC = Path(__file__).parent / "data" / "unpc" / "UNv1.0.devset+testset.zh-en.jsonl"
ALLOWED = set(PAIR_SHAPES)

LEXICON = [("利比里亚", "Liberia"), ("会议", "conference"), ("举行", "met"), ("贫穷", "poverty"),
           ("报告", "report")]


class LexiconEmbedder:
    """Counts of bilingual lexicon entries: texts sharing words across languages share directions."""

    model_id = "lexicon"

    def encode(self, texts):
        out = np.zeros((len(texts), len(LEXICON) + 1), dtype=np.float32)
        for row, text in enumerate(texts):
            for k, (zh, en) in enumerate(LEXICON):
                out[row, k] = text.count(zh) + text.count(en)
            out[row, -1] = 0.1  # every text has some common direction
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def test_a_heading_translated_at_the_beads_edge_scores_high_and_a_stranger_does_not() -> None:
    zh = ["利比里亚", "会议举行。", "贫穷", "报告会议举行。"]
    en = ["Liberia The conference met.", "The report conference met."]
    cosines = edge_cosine(zh, en, LexiconEmbedder())
    # zh 0 before the bead ([1], [0]): "Liberia" opens the English; zh 2 before ([3], [1]): not there
    (heading, heading_near), (stranger, stranger_near), (tail, tail_near) = cosines(
        [("zh", 0, (0, 1), (0,), True), ("zh", 2, (2, 3), (1,), True), ("zh", 2, (1, 2), (0,), False)])
    assert heading > 0.9 and heading > heading_near
    assert stranger <= stranger_near  # "The report" is the start of zh 3's translation, not zh 2's
    assert tail <= tail_near


def test_an_unmatched_part_joins_past_an_unmatched_segment_of_the_other_side() -> None:
    # the DP's path: zh 0 - en 0, en 1 unmatched, zh 1 unmatched, zh 2 - en 2+3; en 1 heads the last bead
    raw = [(0, 1, 0, 1, 1.5), (0, 0, 1, 1, float("nan")), (1, 1, 0, 0, float("nan")), (2, 1, 2, 2, 1.5)]
    asked = []

    def edge_cosine(queries):
        asked.extend(queries)
        return np.array([(0.8 if (side, index, first) == ("en", 1, True) else 0.1, 0.2)
                         for side, index, _, _, first in queries])

    gain = lambda i, a, j, b: 1.48 if i == 2 else 1.3  # noqa: E731  (joined to the first bead: much worse)
    joined = absorb_unmatched(raw, gain, edge_cosine, ALLOWED, 0.05, 0.3, 0, 0)
    assert ("en", 1, (2,), (1, 2, 3), True) in asked
    assert [r[:4] for r in joined] == [(0, 1, 0, 1), (1, 1, 0, 0), (2, 1, 1, 3)]


@pytest.mark.parametrize("tail_cosine,rest_gain,released", [
    (0.1, 1.52, True),  # en 2 matches nothing at the end of zh 1 and the bead does as well without it
    (0.6, 1.52, False),  # its text is there: a true part, however little it moves the span vector
    (0.1, 1.30, False),  # the bead scores much worse without it: the span vectors hold it
])
def test_a_deletion_glued_to_a_bead_is_released(tail_cosine, rest_gain, released) -> None:
    raw = [(0, 1, 0, 1, 1.5), (1, 1, 1, 2, 1.5), (2, 1, 3, 1, 1.5)]

    def edge_cosine(queries):
        return np.array([(tail_cosine if index == 2 else 0.7, 0.2) for _, index, _, _, _ in queries])

    out = release_parts(raw, lambda i, a, j, b: rest_gain, edge_cosine, 0.05, 0.3, 0, 0)
    if released:
        assert [r[:4] for r in out] == [(0, 1, 0, 1), (1, 1, 1, 1), (2, 0, 2, 1), (2, 1, 3, 1)]
    else:
        assert out == raw


def _two_beads(edge: dict):
    """zh 0 - en 0+1, zh 1 - en 2+3 as the DP left them; `edge` says how well en 1's text matches the
    end of zh 0 and the start of zh 1 (every other part matches only where it is)."""
    raw = [(0, 1, 0, 2, 1.5), (1, 1, 2, 2, 1.5)]

    def edge_cosine(queries):
        return np.array([(edge.get((zh_ids, first), 0.0) if index == 1 else 0.9 * (len(en_ids) == 2), 0.1)
                         for _, index, zh_ids, en_ids, first in queries])

    return raw, edge_cosine


def test_a_short_part_given_to_the_neighbouring_bead_moves_to_the_bead_whose_edge_it_translates() -> None:
    raw, edge_cosine = _two_beads({((1,), True): 0.7, ((0,), False): 0.2})
    moved = shift_parts(raw, lambda i, a, j, b: 1.49, edge_cosine, ALLOWED, 0.05, 0.3, 0, 0)
    assert [r[:4] for r in moved] == [(0, 1, 0, 1), (1, 1, 1, 3)]


@pytest.mark.parametrize("edge,gain", [
    ({((1,), True): 0.7, ((0,), False): 0.8}, 1.49),  # it matches its own bead's edge better
    ({((1,), True): 0.25, ((0,), False): 0.0}, 1.49),  # too faint to tell
    ({((1,), True): 0.7, ((0,), False): 0.2}, 1.40),  # the beads would score much worse
])
def test_a_part_stays_where_the_text_or_the_scores_do_not_say_otherwise(edge, gain) -> None:
    raw, edge_cosine = _two_beads(edge)
    assert shift_parts(raw, lambda i, a, j, b: gain, edge_cosine, ALLOWED, 0.05, 0.3, 0, 0) == raw


def _heavy_window(seed: int, size: int, bead: int, mix: dict, runs: int):
    """25 gold beads around one 1-3 bead of a heavy synthetic document (as in scripts/bench_align.py),
    each segment a paragraph so that the build's paragraph and sentence passes both see it."""
    pairs = load_pairs(UNPC)
    doc = make_document(pairs, size, seed, mix, gap_runs=runs)
    window = doc.gold[bead - 12 : bead + 13]
    zh_ids = [i for b in window for i in b.zh]
    en_ids = [j for b in window for j in b.en]
    gold = doc.gold[bead]
    assert len(gold.zh) == 1 and len(gold.en) == 3

    def document(lang: str, texts: list[str]) -> Document:
        return Document("X", lang, tuple(Paragraph("X", lang, k, t, PREAMBLE) for k, t in enumerate(texts)))

    zh = document("zh", [doc.zh[i] for i in zh_ids])
    en = document("en", [doc.en[j] for j in en_ids])
    return zh, en, ((zh_ids.index(gold.zh[0]),), tuple(en_ids.index(j) for j in gold.en))


HEAVY = {(1, 2): 0.05, (2, 1): 0.05, (1, 3): 0.11, (3, 1): 0.11, (1, 0): 0.11, (0, 1): 0.11}
HELD_OUT = {(1, 3): 0.10, (3, 1): 0.12, (1, 0): 0.12, (0, 1): 0.10, (1, 2): 0.04, (2, 1): 0.04}


@pytest.fixture(scope="module")
def use():
    from align.embed import USEEmbedder

    return USEEmbedder()


@pytest.mark.integration
@pytest.mark.parametrize("seed,size,bead,mix,runs,heading", [
    (1001, 600, 182, HEAVY, 0, "General Conference"),
    (2001, 700, 213, HELD_OUT, 2, "Education for democracy"),
])
def test_the_build_keeps_a_1_3_bead_with_a_short_first_part_whole(use, seed, size, bead, mix, runs,
                                                                   heading) -> None:
    zh, en, (zh_part, en_parts) = _heavy_window(seed, size, bead, mix, runs)
    assert en.paragraphs[en_parts[0]].text == heading
    alone = align_documents(zh, en, use, AlignParams(absorb=False))
    # the DP alone drops the heading
    assert ((), en_parts[:1]) in {(b.zh, b.en) for b in alone.paragraph_beads}
    alignment = align_documents(zh, en, use)  # what `untm build` runs (align/stages.py, default params)
    assert (zh_part, en_parts) in {(b.zh, b.en) for b in alignment.paragraph_beads}
    # sentences: inside that paragraph bead the heading opens the first zh sentence's bead, as it should
    heading_sentence = next(k for k, (p, _) in enumerate(alignment.en_sentences) if p == en_parts[0])
    first_zh = next(k for k, (p, _) in enumerate(alignment.zh_sentences) if p == zh_part[0])
    bead_of_heading = next(b for b in alignment.sentence_beads if heading_sentence in b.en)
    assert bead_of_heading.zh[:1] == (first_zh,) and bead_of_heading.en[0] == heading_sentence
    unmatched = {b.en for b in alone.sentence_beads if not b.zh}
    assert (heading_sentence,) in unmatched  # without the post-pass the sentence pass drops it too


def test_the_align_stage_fingerprint_records_the_post_pass(tmp_path) -> None:
    """Builds made before the post-pass was on (absorb false) are redone, not reused."""
    from align.stages import align_stage, is_up_to_date
    from align.types import to_jsonl
    from fake_embedder import BigramEmbedder

    zh_file, en_file, out = (tmp_path / name for name in ("zh.paragraphs.jsonl", "en.paragraphs.jsonl", "beads.jsonl"))
    zh_file.write_text(to_jsonl([Paragraph("X", "zh", 0, "会议举行。", PREAMBLE)]), encoding="utf-8")
    en_file.write_text(to_jsonl([Paragraph("X", "en", 0, "The conference met.", PREAMBLE)]), encoding="utf-8")
    embedder = BigramEmbedder()
    align_stage(zh_file, en_file, out, embedder=embedder)
    meta = json.loads((tmp_path / "beads.jsonl.meta.json").read_text(encoding="utf-8"))
    assert meta["params"]["absorb"] is True
    settings = {"model": embedder.model_id} | {name: getattr(AlignParams(), name)
                                               for name in AlignParams.__slots__}
    assert is_up_to_date(out, "align", settings, [zh_file, en_file])
    assert not is_up_to_date(out, "align", settings | {"absorb": False}, [zh_file, en_file])
