"""`untm eval` input: a malformed bead file is an error naming file, line and column, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from align.errors import AlignError
from align.evaluate import parse_beads, read_bead_file
from align.types import Bead
from tm.cli import cli


_NUMBER = "expected a segment number (0, 1, 2, …) in the"


@pytest.mark.parametrize("line,column,reason", [
    ("[1,,2]:[1]", 4, f"{_NUMBER} zh ids"),
    ("[,]:[1]", 2, f"{_NUMBER} zh ids"),
    ("[١]:[1]", 2, f"{_NUMBER} zh ids"),  # an Arabic-Indic digit, which `\d` took
    (":e", 1, "expected '[' opening the zh ids"),
    ("[1]:[2]:e", 9, "expected a score"),
    ("[1]:[2]:1e5e", 12, "expected the end of the line"),
    ("[-1]:[2]", 2, f"{_NUMBER} zh ids"),
    ("[1]:[-2]", 6, f"{_NUMBER} en ids"),
    ("[1] [2]", 5, "expected ':' between the zh and en ids"),
    ("[1]:[2", 7, "expected ',' or ']' after a segment number in the en ids"),
    ("[1 2]:[2]", 4, "expected ',' or ']' after a segment number in the zh ids"),
    ("[" + "9" * 5000 + "]:[1]", 2, "segment number too large (5000 digits)"),
    ("[1]:[2]:0.5 trailing", 13, "expected the end of the line"),
    ("[1]:[2]:1_0", 10, "expected the end of the line"),  # float() would take "1_0"
])
def test_malformed_line_names_line_and_column(line: str, column: int, reason: str) -> None:
    with pytest.raises(AlignError) as caught:
        parse_beads(["[0]:[0]", "", line], "gold.beads")
    assert caught.value.message.startswith(f"gold.beads:3: not a bead line, column {column}: {reason}")
    assert "[3]:[3, 4]:0.91" in caught.value.hint


@pytest.mark.parametrize("line,bead", [
    ("[0]:[0]", Bead((0,), (0,), 1.0)),
    ("  [ 1 , 2 ] : [ 3 ] : 0.5  ", Bead((1, 2), (3,), 0.5)),
    ("[4]:[]:-1.5e-3", Bead((4,), (), -0.0015)),
    ("[]:[7]\r", Bead((), (7,), 1.0)),
    ("[1]:[2]:1e999", Bead((1,), (2,), float("inf"))),
])
def test_well_formed_lines(line: str, bead: Bead) -> None:
    assert parse_beads([line]) == [bead]


@pytest.mark.parametrize("content,message", [
    (b"", "no bead lines"),
    (b"\n  \n", "no bead lines"),
    (b"[0]:[0]\n\x00\x01\x02", ":2: a binary file"),
    (b"[0]:[0]\n[1]:[1]\n\xff\xfe[2]", ":3: not UTF-8 text"),
])
def test_unreadable_files(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "test.beads"
    path.write_bytes(content)
    with pytest.raises(AlignError) as caught:
        read_bead_file(path)
    assert str(path) in caught.value.message and message in caught.value.message


def test_byte_order_mark_and_crlf_are_read(tmp_path: Path) -> None:
    path = tmp_path / "test.beads"
    path.write_bytes(b"\xef\xbb\xbf[0]:[0]:0.9\r\n[1]:[1, 2]\r\n")
    assert read_bead_file(path) == [Bead((0,), (0,), 0.9), Bead((1,), (1, 2), 1.0)]


def test_cli_reports_the_bad_line_without_traceback(tmp_path: Path) -> None:
    good, bad = tmp_path / "good.beads", tmp_path / "bad.beads"
    good.write_text("[0]:[0]\n", encoding="utf-8")
    bad.write_text("[0]:[0]\n[1,,2]:[1]\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["eval", str(good), str(bad)])
    assert result.exit_code == 1 and result.exception is not None and isinstance(result.exception, SystemExit)
    assert f"error: {bad}:2: not a bead line, column 4" in result.output
    assert "hint: a bead line is" in result.output
