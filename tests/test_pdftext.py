"""PDF → text: the chosen extractor gives the ingestion stage the same paragraphs as pdftotext."""

from __future__ import annotations

from pathlib import Path

import pytest

from align.errors import ExtractError
from align.extract import segment_file, segment_text
from align.pdftext import pdf_to_text
from conftest import DATA, zh_seed

PDF = DATA / "pdf"


def _squash(text: str) -> str:
    return text.replace(" ", "").replace("-", "")


def test_english_pdf_gives_pdftotext_paragraphs() -> None:
    ours = segment_text(pdf_to_text(PDF / "S_RES_2803_2025.en.pdf"), "en").document
    reference = segment_text((PDF / "S_RES_2803_2025.en.pdftotext.txt").read_text(encoding="utf-8"), "en").document
    assert ours.symbol == reference.symbol == "S/RES/2803(2025)"
    assert [p.label for p in ours.paragraphs] == [p.label for p in reference.paragraphs]
    # pdftotext keeps a stray space before some line-end hyphens ("co -existence"); PDFium does not
    assert [_squash(p.text) for p in ours.paragraphs] == [_squash(p.text) for p in reference.paragraphs]


def test_generated_chinese_pdf_keeps_the_seed_paragraphs() -> None:
    ours = segment_text(pdf_to_text(PDF / "S_RES_2518_2020.zh.generated.pdf"), "zh").document
    seed = segment_file(zh_seed("S-RES-2518-2020")).document
    assert [p.label for p in ours.paragraphs] == [p.label for p in seed.paragraphs]
    assert [_squash(p.text) for p in ours.paragraphs] == [_squash(p.text) for p in seed.paragraphs]


def test_not_a_pdf_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nthis is not really a pdf")
    with pytest.raises(ExtractError, match="broken.pdf is not a readable PDF"):
        pdf_to_text(broken)
