"""The command line: help everywhere, examples, errors on stderr with a hint."""

from __future__ import annotations

import json

import click
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


def _lines_file(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.mark.integration
def test_align_presegmented_covers_every_line_once(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("UNTM_CACHE", str(tmp_path / "cache"))
    zh = _lines_file(tmp_path / "zh.txt", ["安全理事会，", "回顾其以往各项决议，", "1. 决定延长任务期限；", "2. 请秘书长报告；",
                                          "3. 决定继续积极处理此案。"])
    en = _lines_file(tmp_path / "en.txt", ["The Security Council,", "Recalling its previous resolutions,",
                                          "1. Decides to extend the mandate;", "2. Requests the Secretary-General to report;",
                                          "3. Decides to remain actively seized of the matter."])
    result = CliRunner().invoke(cli, ["align", zh, en, "--presegmented", "--level", "paragraph"])
    assert result.exit_code == 0, result.output
    beads = result.stdout.splitlines()  # progress lines go to stderr
    assert [b.rsplit(":", 1)[0] for b in beads] == [f"[{i}]:[{i}]" for i in range(5)]
    assert all(0 <= float(b.rsplit(":", 1)[1]) <= 1 for b in beads)


@pytest.mark.integration
def test_align_documents_as_json(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("UNTM_CACHE", str(tmp_path / "cache"))
    result = CliRunner().invoke(cli, ["align", str(zh_seed("S-RES-2518-2020")), str(en_counterpart("S-RES-2518-2020")),
                                      "--level", "paragraph"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]  # progress lines go to stderr
    assert len(rows) == 33 and rows[-1]["zh_text"] == "15. 决定继续处理此案。"
    assert rows[-1]["en_text"] == "15. Decides to remain seized of the matter."


def test_eval_scores_known_beads(tmp_path) -> None:
    gold = _lines_file(tmp_path / "gold", ["[0]:[0]", "[1,2]:[1]", "[3]:[]", "[4]:[2]"])
    test = _lines_file(tmp_path / "test", ["[0]:[0]:0.9", "[1]:[1]:0.8", "[2]:[]:0.7", "[3]:[]:0.6", "[4]:[2]:0.9"])
    result = CliRunner().invoke(cli, ["eval", test, gold, "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["strict_precision"] == pytest.approx(3 / 5) and scores["strict_recall"] == pytest.approx(3 / 4)
    assert scores["lax_precision"] == pytest.approx(4 / 5) and scores["lax_recall"] == pytest.approx(1.0)


def test_eval_rejects_malformed_lines(tmp_path) -> None:
    bad = _lines_file(tmp_path / "bad", ["[0]:[0]", "zero to zero"])
    result = CliRunner().invoke(cli, ["eval", bad, bad])
    assert result.exit_code == 1 and "bad:2: not a bead line" in result.output


def test_eval_needs_pairs(tmp_path) -> None:
    one = _lines_file(tmp_path / "one", ["[0]:[0]"])
    result = CliRunner().invoke(cli, ["eval", one])
    assert result.exit_code == 2


@pytest.mark.integration
def test_presegmented_blank_lines_are_segments(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("UNTM_CACHE", str(tmp_path / "cache"))
    zh = _lines_file(tmp_path / "zh.txt", ["安全理事会，", "", "决定继续积极处理此案。"])
    en = _lines_file(tmp_path / "en.txt", ["The Security Council,", "Decides to remain actively seized of the matter."])
    result = CliRunner().invoke(cli, ["align", zh, en, "--presegmented"])
    assert result.exit_code == 0, result.output
    covered = [i for line in result.stdout.splitlines() for i in json.loads(line.split(":")[0])]
    assert covered == [0, 1, 2]


def test_segment_into_a_closed_pipe_exits_quietly(tmp_path) -> None:
    """`untm segment FILE | head -1`: the reader leaves early; exit 0 as `untm lookup` does, no traceback."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    text = tmp_path / "long.zh.txt"  # far more than a pipe's buffer, so the writer is still writing
    text.write_text("\n\n".join(f"{n}. 安全理事会决定继续积极处理此案，并请秘书长报告执行情况。" for n in range(1, 5001)),
                    encoding="utf-8")
    env = os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    process = subprocess.Popen([sys.executable, "-c", "from tm.cli import main; main()", "segment", str(text)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait() == 0 and "Traceback" not in stderr, stderr


def _readme_usages() -> list[tuple[list[str], str]]:
    """(command path, usage) of each line of README's Commands block, e.g. (["review", "apply"], "WORKBOOK [--out OUT]")."""
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Commands", 1)[1].split("`untm --help`", 1)[0]
    usages = []
    for line in block.strip().splitlines():
        usage = re.split(r"\s{3,}", line.strip())[0]
        words = usage.split()
        path = [words[1]]
        group = cli.commands[words[1]]
        if hasattr(group, "commands") and len(words) > 2 and words[2] in group.commands:
            path.append(words[2])
        usages.append((path, " ".join(words[1 + len(path):])))
    return usages


@pytest.mark.parametrize("path, usage", _readme_usages(), ids=lambda value: " ".join(value) if isinstance(value, list)
                         else None)
def test_readme_command_lines_match_the_commands(path: list[str], usage: str) -> None:
    """Every option README's Commands block shows exists, and a command taking no argument is shown with none."""
    import re

    command = cli
    for name in path:
        command = command.commands[name]
    help_text = CliRunner().invoke(cli, [*path, "--help"]).output
    for option in re.findall(r"--[a-z][a-z-]*", usage):
        assert option in help_text, f"README shows `untm {' '.join(path)} {option}`, which --help does not list"
    shown = re.sub(r"\[[^]]*\]|--[a-z-]+ [A-Z][A-Z /.…]*|--[a-z-]+|-[a-z] \S+", " ", usage).split()
    if not any(isinstance(p, click.Argument) for p in command.params):
        assert not shown, f"README shows `untm {' '.join(path)}` with {shown}, but it takes no argument"


@pytest.mark.integration
def test_no_hit_says_so_in_one_line(built, monkeypatch) -> None:
    """`untm search` / `untm lookup` finding nothing print one line saying so (not nothing, not "0 units"), exit 0."""
    monkeypatch.setenv("UNTM_CACHE", str(built.parent / "cache"))
    found = CliRunner().invoke(cli, ["search", "peacekeeping", "--index", str(built), "--label", "no-such-label"])
    assert found.exit_code == 0, found.output
    assert found.output == "nothing found for peacekeeping (--label no-such-label)\n"
    as_json = CliRunner().invoke(cli, ["search", "peacekeeping", "--index", str(built), "--label", "x", "--json"])
    assert as_json.exit_code == 0 and as_json.stdout == "" and "nothing found" in as_json.stderr
    looked = CliRunner().invoke(cli, ["lookup", "zzqxv", "--tm", str(built), "--no-model"])
    assert looked.exit_code == 0, looked.output
    assert looked.output == f"zzqxv: nothing found in the TM of {built}\n"


@pytest.mark.integration
def test_terms_extract_names_the_files_it_wrote(built, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("UNTM_CACHE", str(built.parent / "cache"))
    result = CliRunner().invoke(cli, ["terms", "extract", "--tm", str(built), "--limit", "1", "--no-model",
                                      "--tbx", str(tmp_path / "t.tbx"), "--glossary", str(tmp_path / "g.txt")])
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [f"TBX (1 term pair): {tmp_path / 't.tbx'}",
                                          f"OmegaT glossary (1 term pair): {tmp_path / 'g.txt'}"]
