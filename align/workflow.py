"""File-level entry points for aligning two texts (the `untm align` command)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from align.aligner import AlignParams, align_beads
from align.embed import Embedder
from align.extract import read_text, segment_file
from align.labels import read_label
from align.pair import align_documents, join_segments, make_side
from align.types import Bead


def _lines(path: Path) -> list[str]:
    """Every line is a segment, blank ones included, so bead ids are line numbers (from 0)."""
    return [line.strip() for line in read_text(path).splitlines()]


def align_presegmented(zh_file: Path, en_file: Path, embedder: Embedder, level: str,
                       params: AlignParams = AlignParams()) -> list[Bead]:
    """Beads over the non-blank lines of two files; at paragraph level, same operative numbers anchor."""
    zh_lines, en_lines = _lines(zh_file), _lines(en_file)
    anchors: tuple[tuple[int, int], ...] = ()
    if level == "paragraph":
        def numbers(lines):
            found = {}
            for index, line in enumerate(lines):
                label = read_label(line)
                if label and label.kind == "operative":
                    found.setdefault(label.number, []).append(index)
            return {k: v[0] for k, v in found.items() if len(v) == 1}

        zh_numbers, en_numbers = numbers(zh_lines), numbers(en_lines)
        anchors = tuple(sorted((i, en_numbers[k]) for k, i in zh_numbers.items() if k in en_numbers))
    zh_side = make_side(zh_lines, "zh", embedder, params.max_span)
    en_side = make_side(en_lines, "en", embedder, params.max_span)
    return align_beads(zh_side, en_side, params, anchors=anchors)


def align_files(zh_file: Path, en_file: Path, embedder: Embedder, level: str,
                params: AlignParams = AlignParams()) -> Iterator[dict]:
    """JSON-ready rows, one per bead, with both texts and the score."""
    zh = segment_file(zh_file, "zh").document
    en = segment_file(en_file, "en").document
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
