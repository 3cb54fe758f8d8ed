"""Bad input is refused with a message naming the file and a hint, and nothing is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA, FETCHED, SEEDS

from tm.cli import cli

ZH_TEXT = (DATA / "pair" / "annual-report.zh.txt").read_text(encoding="utf-8")
EN_TEXT = (DATA / "pair" / "annual-report.en.txt").read_text(encoding="utf-8")


@pytest.fixture
def files(tmp_path: Path, monkeypatch) -> Path:
    """zh.txt, en.txt, empty.txt, blank.txt (white space only) in an otherwise empty folder."""
    monkeypatch.setenv("UNTM_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "zh.txt").write_text(ZH_TEXT, encoding="utf-8")
    (tmp_path / "en.txt").write_text(EN_TEXT, encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "blank.txt").write_text("  \n\n\u3000\t \n", encoding="utf-8")
    return tmp_path


def _written(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")} - {"zh.txt", "en.txt", "empty.txt", "blank.txt"}


@pytest.mark.parametrize("arguments, message, hint", [
    (["segment", "empty.txt"], "empty.txt is empty", "document's text"),
    (["segment", "blank.txt", "--lang", "en"], "blank.txt is empty", "document's text"),
    (["segment", "zh.txt", "--lang", "en"], "zh.txt looks Chinese, but it is given as English",
     "give an English file here, or say --lang zh"),
    (["segment", "en.txt", "--lang", "zh"], "en.txt looks English, but it is given as Chinese", "--lang en"),
    (["align", "empty.txt", "en.txt"], "empty.txt is empty", "document's text"),
    (["align", "zh.txt", "blank.txt", "--presegmented"], "blank.txt is empty", "document's text"),
    (["align", "en.txt", "zh.txt"], "the two files seem swapped: en.txt is English and zh.txt is Chinese",
     "give the Chinese file first, then the English one: zh.txt en.txt"),
    (["align", "en.txt", "zh.txt", "--presegmented"], "the two files seem swapped", "Chinese file first"),
    (["align", "zh.txt", "zh.txt"], "both files are Chinese: zh.txt and zh.txt", "one Chinese and one English"),
    (["align", "en.txt", "en.txt", "--presegmented"], "both files are English", "one Chinese and one English"),
])
def test_segment_and_align_refuse_bad_input(files: Path, arguments: list[str], message: str, hint: str) -> None:
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 1, result.output
    assert f"error: {message}" in result.stderr and "hint: " in result.stderr and hint in result.stderr
    assert result.stdout == ""
    assert not (files / "cache").exists() or not any((files / "cache").iterdir()), "something was embedded"


@pytest.mark.parametrize("arguments, message", [
    (["--pair", "empty.txt", "en.txt"], "empty.txt is empty"),
    (["--pair", "zh.txt", "blank.txt"], "blank.txt is empty"),
    (["--pair", "en.txt", "zh.txt"], "the two files seem swapped: en.txt is English and zh.txt is Chinese"),
    (["--pair", "zh.txt", "zh.txt"], "both files are Chinese"),
    (["en.txt", "--offline"], "en.txt looks English, but it is given as Chinese"),
    (["blank.txt", "--offline"], "blank.txt is empty"),
])
def test_build_refuses_bad_input_and_writes_nothing(files: Path, arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["-q", "build", *arguments, "-o", "out"])
    assert result.exit_code == 1, result.output
    assert message in result.stdout and "hint (" in result.stdout
    assert "nothing written" in result.stdout
    assert _written(files) <= {"cache"} and not (files / "out").exists()


def test_build_hint_for_an_english_seed_names_no_option_build_lacks(files: Path) -> None:
    """`untm build` has no --lang: its hint must not send the user to one (it used to: "or say --lang en")."""
    result = CliRunner().invoke(cli, ["-q", "build", "en.txt", "--offline", "-o", "out"])
    assert result.exit_code == 1, result.output
    assert "hint (en): give a Chinese file here" in result.stdout
    assert "--lang" not in result.output


def test_fetch_accepts_a_folder_of_seeds(tmp_path: Path) -> None:
    shutil.copytree(SEEDS, tmp_path / "seeds")
    shutil.copytree(FETCHED, tmp_path / "fetched")
    result = CliRunner().invoke(cli, ["-q", "fetch", str(tmp_path / "seeds"), "--offline", "--fetched",
                                      str(tmp_path / "fetched")])
    # five Chinese seeds: four English counterparts in the cache, S/RES/2717(2023)'s missing (offline)
    assert "4 cached" in result.stdout, result.output
    assert "S/RES/2717(2023) [en]" in result.stderr
