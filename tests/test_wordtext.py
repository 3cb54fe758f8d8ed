"""Local .pdf, .docx and .doc files read like text (issue #15 part 3), and the Word reader's edges."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from align.errors import ExtractError
from align.extract import read_text, segment_file
from align.wordtext import docx_to_text
from fake_undocs import LEGACY_DOC, make_docx, word_file

ROOT = Path(__file__).resolve().parent.parent


def test_segment_reads_docx_like_the_text_it_was_made_from(tmp_path) -> None:
    path = tmp_path / "S-RES-2594-2021.zh.docx"
    path.write_bytes(word_file("S/RES/2594(2021)", "zh"))
    from_word = segment_file(path, "zh").document
    from_text = segment_file(ROOT / "seeds" / "S-RES-2594-2021.zh.txt", "zh").document
    assert [p.text for p in from_word.paragraphs] == [p.text for p in from_text.paragraphs]
    assert from_word.symbol == "S/RES/2594(2021)"


def test_segment_command_reads_pdf_and_docx(tmp_path) -> None:
    from tm.cli import cli

    pdf = tmp_path / "any-name.bin"  # told by content, not by name
    pdf.write_bytes((ROOT / "tests" / "data" / "pdf" / "S_RES_2803_2025.en.pdf").read_bytes())
    result = CliRunner().invoke(cli, ["segment", str(pdf), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) > 20 and any(row["text"].startswith("Decides") or "Decides" in row["text"] for row in rows)
    docx = tmp_path / "x.docx"
    docx.write_bytes(make_docx("S/RES/1 (2020)", ["Resolution 1 (2020)", "The Security Council,", "1.\tDecides to act."]))
    result = CliRunner().invoke(cli, ["segment", str(docx), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Decides to act." in result.output and "S/RES/1 (2020)" not in result.output  # the header is furniture


@pytest.mark.parametrize("data,message", [
    (b"PK\x03\x04\x00\x00broken zip", "binary file"),
    (LEGACY_DOC, "cannot convert the legacy Word file"),
    (b"\xff\xfe\x41\x00\x42", "damaged UTF-16"),  # odd length
    (b"\xff\xfe\x00\xd8\x41\x00", "damaged UTF-16"),  # lone surrogate
])
def test_unreadable_documents_are_clear_errors(tmp_path, data, message) -> None:
    path = tmp_path / "seed.zh.txt"
    path.write_bytes(data)
    with pytest.raises(ExtractError, match=message):
        read_text(path)


def test_docx_without_text_is_an_error(tmp_path) -> None:
    path = tmp_path / "empty.docx"
    path.write_bytes(make_docx("", []))
    with pytest.raises(ExtractError, match="has no text"):
        docx_to_text(path)
