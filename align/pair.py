"""Align one Chinese document with its English counterpart: paragraphs first, then sentences inside them."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from align.aligner import AlignParams, Side, align_beads
from align.embed import Embedder
from align.extract import sentences_of
from align.labels import read_label
from align.types import OPERATIVE, Bead, Document


@dataclass(frozen=True, slots=True)
class Alignment:
    zh: Document
    en: Document
    paragraph_beads: tuple[Bead, ...]
    zh_sentences: tuple[tuple[int, str], ...]  # (paragraph index, sentence)
    en_sentences: tuple[tuple[int, str], ...]
    sentence_beads: tuple[Bead, ...]


def join_segments(texts: Sequence[str], lang: str) -> str:
    """Chinese segments join with no space, English with one."""
    return ("" if lang == "zh" else " ").join(texts)


def text_length(text: str) -> float:
    return float(sum(1 for ch in text if not ch.isspace()))


def make_side(texts: Sequence[str], lang: str, embedder: Embedder, max_span: int) -> Side:
    spans = embedder.encode_spans(list(texts), max_span, "" if lang == "zh" else " ")
    return Side(spans, np.array([text_length(t) for t in texts], dtype=np.float64))


def label_anchors(zh: Document, en: Document) -> tuple[tuple[int, int], ...]:
    """(zh index, en index) of operative paragraphs whose number occurs once on each side."""
    zh_numbers = Counter(p.number for p in zh.paragraphs if p.kind == OPERATIVE)
    en_numbers = Counter(p.number for p in en.paragraphs if p.kind == OPERATIVE)
    en_index = {p.number: p.index for p in en.paragraphs if p.kind == OPERATIVE}
    return tuple((p.index, en_index[p.number]) for p in zh.paragraphs
                 if p.kind == OPERATIVE and zh_numbers[p.number] == 1 and en_numbers.get(p.number) == 1)


def number_anchors(zh: Sequence[str], en: Sequence[str]) -> tuple[tuple[int, int], ...]:
    """(zh index, en index) of segments starting with the same operative number, once on each side."""
    def numbers(texts: Sequence[str]) -> dict[str, int]:
        found: dict[str, list[int]] = {}
        for index, text in enumerate(texts):
            label = read_label(text)
            if label and label.kind == OPERATIVE:
                found.setdefault(label.number, []).append(index)
        return {number: at[0] for number, at in found.items() if len(at) == 1}

    zh_numbers, en_numbers = numbers(zh), numbers(en)
    return tuple(sorted((i, en_numbers[n]) for n, i in zh_numbers.items() if n in en_numbers))


def edge_cosine(zh: Sequence[str], en: Sequence[str], embedder: Embedder):
    """For the aligner's post-pass (align/absorb.py): cosines of a segment's text, and of the bead's own
    segment next to it, to as much text, scaled by the document's length ratio, at the near edge of
    the bead's other side (where a heading's translation would be): (len(queries), 2)."""
    ratio = max(sum(map(len, en)), 1) / max(sum(map(len, zh)), 1)  # never 0: an English side of blank lines

    def cosines(queries) -> np.ndarray:
        parts, neighbours, edges = [], [], []
        for side, index, zh_ids, en_ids, first in queries:
            own = zh if side == "zh" else en
            ids = zh_ids if side == "zh" else en_ids
            if side == "zh":  # a little more than the part's expected length: translations vary
                other = join_segments([en[j] for j in en_ids], "en")
                size = len(zh[index]) * ratio * 1.2 + 5
            else:
                other = join_segments([zh[i] for i in zh_ids], "zh")
                size = len(en[index]) / ratio * 1.2 + 3
            parts.append(own[index])
            neighbours.append(own[ids[1] if first else ids[-2]])  # the bead's own segment next to the part
            edges.append(other[: int(size)] if first else other[-int(size):])
        a, n, b = (np.asarray(embedder.encode(texts)) for texts in (parts, neighbours, edges))
        part = (a * b).sum(1) / np.maximum(np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1), 1e-9)
        near = (n * b).sum(1) / np.maximum(np.linalg.norm(n, axis=1) * np.linalg.norm(b, axis=1), 1e-9)
        return np.stack([part, near], axis=1)

    return cosines


def _sentence_bounds(sentences: Sequence[tuple[int, str]], paragraphs: int) -> np.ndarray:
    """bounds[p] .. bounds[p + 1] are the sentence positions of paragraph p."""
    per_paragraph = np.bincount([p for p, _ in sentences], minlength=paragraphs)
    return np.concatenate([[0], np.cumsum(per_paragraph)])


def _sentence_blocks(beads: Sequence[Bead], zh_bounds: np.ndarray, en_bounds: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Sentence ranges of each paragraph bead, so sentence beads never cross paragraph beads."""
    blocks, z, e = [], 0, 0
    for bead in beads:
        z_end = int(zh_bounds[bead.zh[-1] + 1]) if bead.zh else z
        e_end = int(en_bounds[bead.en[-1] + 1]) if bead.en else e
        blocks.append((z, z_end, e, e_end))
        z, e = z_end, e_end
    return blocks


def _post_pass(zh_texts: list[str], en_texts: list[str], embedder: Embedder, params: AlignParams):
    return edge_cosine(zh_texts, en_texts, embedder) if params.absorb else None


def align_documents(zh: Document, en: Document, embedder: Embedder, params: AlignParams = AlignParams()) -> Alignment:
    """Paragraph beads (label anchors the embeddings agree with), then sentence beads within each; at
    both levels short parts are placed by their text (align/absorb.py) unless params.absorb is off."""
    zh_texts, en_texts = [p.text for p in zh.paragraphs], [p.text for p in en.paragraphs]
    paragraph_beads = align_beads(
        make_side(zh_texts, "zh", embedder, params.max_span), make_side(en_texts, "en", embedder, params.max_span),
        params, anchors=label_anchors(zh, en), edge_cosine=_post_pass(zh_texts, en_texts, embedder, params))
    zh_sentences, en_sentences = sentences_of(zh), sentences_of(en)
    blocks = _sentence_blocks(paragraph_beads, _sentence_bounds(zh_sentences, len(zh.paragraphs)),
                              _sentence_bounds(en_sentences, len(en.paragraphs)))
    zh_texts, en_texts = [s for _, s in zh_sentences], [s for _, s in en_sentences]
    sentence_beads = align_beads(
        make_side(zh_texts, "zh", embedder, params.max_span), make_side(en_texts, "en", embedder, params.max_span),
        params, blocks=blocks, edge_cosine=_post_pass(zh_texts, en_texts, embedder, params))
    return Alignment(zh, en, tuple(paragraph_beads), tuple(zh_sentences), tuple(en_sentences), tuple(sentence_beads))
