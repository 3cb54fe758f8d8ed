"""align.pair.edge_cosine: a part's text against the bead's other-side text at the near edge."""

from __future__ import annotations

import numpy as np

from align.pair import edge_cosine

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


def test_a_heading_translated_at_the_beads_edge_scores_high_and_a_stranger_is_refused() -> None:
    zh = ["利比里亚", "会议举行。", "贫穷", "报告会议举行。"]
    en = ["Liberia The conference met.", "The report conference met."]
    cosines = edge_cosine(zh, en, LexiconEmbedder())
    # zh 0 before the bead ([1], [0]): "Liberia" opens the English; zh 2 before ([3], [1]): not there
    heading, stranger, tail = cosines([("zh", 0, (0, 1), (0,), True), ("zh", 2, (2, 3), (1,), True),
                                       ("zh", 2, (1, 2), (0,), False)])
    assert heading > 0.9
    assert stranger == -1.0
    assert tail == -1.0
