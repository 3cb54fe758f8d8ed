"""Seeds that used to crash or misplace a build: damaged UTF-16, odd names, folders and dangling links."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from align.errors import ExtractError
from align.extract import read_text
from fake_embedder import BigramEmbedder
from tm.build import FAILED, BuildOptions, build, collect_seeds
from tm.cli import cli

ZH = "S/RES/1 (2000)\n第 1 (2000) 号决议\n1. 决定继续处理此案。\n2. 请秘书长报告。\n"
EN = ("Resolution 1 (2000)\n1. Decides to remain seized of the matter.\n"
      "2. Requests the Secretary-General to report.\n")


_LE, _BE = b"\xff\xfe" + "决定".encode("utf-16-le"), b"\xfe\xff" + "决定".encode("utf-16-be")


@pytest.mark.parametrize("data,reason", [
    (_LE + b"\x31", "truncated data"),  # odd length
    (_LE + b"\x00\xd8" + "x".encode("utf-16-le"), "illegal UTF-16 surrogate"),  # high surrogate, no low one
    (_BE + b"\xdc\x00", "illegal encoding"),  # a low surrogate alone
    (_LE + b"\x00\xd8", "unexpected end of data"),  # high surrogate at the end
])
def test_damaged_utf16_is_a_clear_error(tmp_path: Path, data: bytes, reason: str) -> None:
    seed = tmp_path / "seed.zh.txt"
    seed.write_bytes(data)
    with pytest.raises(ExtractError) as caught:
        read_text(seed)
    assert caught.value.message.startswith(f"{seed} is damaged UTF-16 ({reason}")
    assert "iconv -f UTF-16 -t UTF-8" in caught.value.hint


def test_sound_utf16_still_reads(tmp_path: Path) -> None:
    seed = tmp_path / "seed.zh.txt"
    seed.write_bytes("决定继续处理此案。".encode("utf-16"))
    assert read_text(seed) == "决定继续处理此案。"


@pytest.mark.parametrize("name,expected", [
    ("S-RES-1-2000.zh.txt", "S-RES-1-2000"), ("doc.txt", "doc"), ("...zh.txt", "___zh_txt"),
    (".zh.txt", "_zh_txt"), ("..txt", "__txt"), ("...txt", "___txt"),
])
def test_seed_names_never_point_at_out_itself(tmp_path: Path, name: str, expected: str) -> None:
    (tmp_path / name).write_text(ZH, encoding="utf-8")
    assert [seed.name for seed in collect_seeds([str(tmp_path / name)])] == [expected]
    assert [seed.name for seed in collect_seeds([str(tmp_path)])] == [expected]


def _cache(fetched: Path) -> None:
    folder = fetched / "S-RES-1-2000"
    folder.mkdir(parents=True)
    (folder / "en.txt").write_text(EN, encoding="utf-8")
    source = {"symbol": "S/RES/1(2000)", "lang": "en", "status": "complete",
              "text": {"file": "en.txt", "sha256": hashlib.sha256(EN.encode()).hexdigest()}}
    (folder / "source.json").write_text(json.dumps(source), encoding="utf-8")


def test_unreadable_seeds_fail_alone(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "...zh.txt").write_text(ZH, encoding="utf-8")
    (seeds / "folder.zh.txt").mkdir()
    (seeds / "dangling.zh.txt").symlink_to(tmp_path / "nowhere")
    (seeds / "utf16.zh.txt").write_bytes(b"\xff\xfe" + ZH.encode("utf-16-le") + b"\x31")
    _cache(tmp_path / "fetched")
    out = tmp_path / "out"
    options = BuildOptions(fetched=tmp_path / "fetched", offline=True)
    report = build([str(seeds)], out, BigramEmbedder(), options)
    status = {d.name: (d.status, d.message) for d in report.documents}
    assert status["___zh_txt"] == ("aligned", "")
    assert status["dangling"][0] == FAILED and "dangling.zh.txt" in status["dangling"][1]
    assert status["folder"][0] == FAILED and "folder.zh.txt" in status["folder"][1]
    assert status["utf16"][0] == FAILED and "damaged UTF-16" in status["utf16"][1]
    assert (out / "docs" / "___zh_txt" / "beads.jsonl").exists()
    assert not (out / "zh.paragraphs.jsonl").exists() and not (out / "docs" / "zh.paragraphs.jsonl").exists()
    assert report.export is not None and report.export.auto["paragraph"] > 0


def test_a_file_system_error_fails_one_document(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ("blocked", "fine"):
        (seeds / f"{name}.zh.txt").write_text(ZH, encoding="utf-8")
    _cache(tmp_path / "fetched")
    out = tmp_path / "out"
    (out / "docs").mkdir(parents=True)
    (out / "docs" / "blocked").write_text("a file where the work folder should be")
    options = BuildOptions(fetched=tmp_path / "fetched", offline=True)
    report = build([str(seeds)], out, BigramEmbedder(), options)
    status = {d.name: (d.status, d.message) for d in report.documents}
    assert status["fine"] == ("aligned", "")
    assert status["blocked"][0] == FAILED and str(out / "docs" / "blocked") in status["blocked"][1]


@pytest.mark.parametrize("content", [[], ["notes.md"], ["report.en.txt"]])
def test_a_folder_without_seeds_is_an_error_and_nothing_is_written(tmp_path: Path, content: list[str]) -> None:
    """It used to build nothing, write an empty TM set and exit 0, as if all had gone well."""
    folder = tmp_path / "incoming"
    folder.mkdir()
    for name in content:
        (folder / name).write_text("The Security Council decides to remain seized of the matter.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["-q", "build", str(folder), "-o", str(tmp_path / "out"), "--offline"])
    assert result.exit_code == 1, result.output
    assert f"error: no seeds in {folder}" in result.stderr and "hint: " in result.stderr
    assert not (tmp_path / "out").exists()
