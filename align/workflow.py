"""File-level entry points for aligning two texts (the `untm align` command)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from align.aligner import AlignParams, align_beads
from align.embed import Embedder
from align.extract import read_text
from align.inputs import check_line_files, segment_pair
from align.pair import align_documents, edge_cosine, join_segments, make_side, number_anchors
from align.types import Bead


def _lines(path: Path) -> list[str]:
    """Every line is a segment, blank ones included, so bead ids are line numbers (from 0)."""
    return [line.strip() for line in read_text(path).splitlines()]


def align_presegmented(zh_file: Path, en_file: Path, embedder: Embedder, level: str,
                       params: AlignParams = AlignParams()) -> list[Bead]:
    """Beads over the non-blank lines of two files; at paragraph level, same operative numbers anchor."""
    check_line_files(zh_file, en_file)
    return align_segments(_lines(zh_file), _lines(en_file), embedder, level, params)


def align_segments(zh: Sequence[str], en: Sequence[str], embedder: Embedder, level: str,
                   params: AlignParams = AlignParams()) -> list[Bead]:
    """Beads over two segment lists; at paragraph level, operative numbers on both sides anchor."""
    anchors = number_anchors(zh, en) if level == "paragraph" else ()
    return align_beads(make_side(zh, "zh", embedder, params.max_span), make_side(en, "en", embedder, params.max_span),
                       params, anchors=anchors,
                       edge_cosine=edge_cosine(zh, en, embedder) if params.absorb else None)


def align_files(zh_file: Path, en_file: Path, embedder: Embedder, level: str,
                params: AlignParams = AlignParams()) -> Iterator[dict]:
    """JSON-ready rows, one per bead, with both texts and the score."""
    zh_segmented, en_segmented = segment_pair(zh_file, en_file)
    zh, en = zh_segmented.document, en_segmented.document
    alignment = align_documents(zh, en, embedder, params)
    if level == "paragraph":
        beads, zh_texts, en_texts = alignment.paragraph_beads, [p.text for p in zh.paragraphs], [p.text for p in en.paragraphs]
    else:
        beads = alignment.sentence_beads
        zh_texts, en_texts = [s for _, s in alignment.zh_sentences], [s for _, s in alignment.en_sentences]
    for bead in beads:
        yield {"zh": list(bead.zh), "en": list(bead.en), "score": bead.score,
               "zh_text": join_segments([zh_texts[i] for i in bead.zh], "zh"),
               "en_text": join_segments([en_texts[j] for j in bead.en], "en")}
