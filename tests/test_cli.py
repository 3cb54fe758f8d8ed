"""The command line: help everywhere, examples, errors on stderr with a hint."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import en_counterpart, zh_seed
from tm.cli import cli


def _commands():
    return sorted(cli.commands)


@pytest.mark.parametrize("name", _commands())
def test_every_command_has_help_and_example(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output


def test_segment_json_lines() -> None:
    result = CliRunner().invoke(cli, ["segment", str(en_counterpart("S-RES-2518-2020")), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert rows[0] == {"index": 0, "label": "title", "text": "Resolution 2518 (2020)"}
    assert sum(row["label"].startswith("operative") for row in rows) == 15


def test_segment_sentences_plain() -> None:
    result = CliRunner().invoke(cli, ["segment", str(zh_seed("S-RES-2518-2020")), "--sentences"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "15. 决定继续处理此案。"


def test_missing_file_is_an_error_with_hint(tmp_path) -> None:
    result = CliRunner().invoke(cli, ["segment", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1
    assert "error: cannot read" in result.output and "nope.txt" in result.output
    assert "hint:" in result.output


def test_version() -> None:
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and "untm" in result.output
