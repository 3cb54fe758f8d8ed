"""`untm build` end to end on the bundled seeds: offline, resumable, byte-identical after a kill."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FETCHED, ROOT, SEEDS
from tm.cli import cli
from tm.tmx import read_tmx

pytestmark = pytest.mark.integration


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch) -> Path:
    """A copy of seeds/ and fetched/, an empty embedding cache and a fixed creation date."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    shutil.copytree(FETCHED, tmp_path / "fetched")
    monkeypatch.setenv("UNTM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_build_on_the_bundled_seeds(workspace: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "seeds", "-o", "out", "--offline"])
    assert result.exit_code == 0, result.output
    assert "S/RES/2717(2023)  missing counterpart" in result.output
    sentence_units = list(read_tmx(workspace / "out" / "tm" / "auto" / "untm.sentence.tmx"))
    paragraph_units = list(read_tmx(workspace / "out" / "tm" / "auto" / "untm.paragraph.tmx"))
    assert len(sentence_units) > 250 and len(paragraph_units) > 250
    by_zh = {u.zh: u.en for u in paragraph_units}
    assert by_zh["72. 决定继续积极处理此案。"] == "72. Decides to remain actively seized of the matter."
    assert {u.symbol for u in sentence_units} == {"S/RES/2423(2018)", "S/RES/2518(2020)", "S/RES/2589(2021)",
                                                  "S/RES/2594(2021)"}
    # a second run finds everything up to date and changes nothing
    before = {p: p.read_bytes() for p in (workspace / "out").rglob("*.tmx")}
    again = CliRunner().invoke(cli, ["build", "seeds", "-o", "out", "--offline"])
    assert again.exit_code == 0 and "TM files up to date" in again.output
    assert {p: p.read_bytes() for p in (workspace / "out").rglob("*.tmx")} == before


def test_a_failing_document_does_not_stop_the_others(workspace: Path) -> None:
    (workspace / "seeds" / "broken.zh.txt").write_bytes(b"\x00\x01binary")
    result = CliRunner().invoke(cli, ["build", "seeds/broken.zh.txt", "seeds/S-RES-2518-2020.zh.txt", "-o", "out",
                                      "--offline"])
    assert result.exit_code == 1
    assert "broken" in result.output and "failed" in result.output
    assert any(u.symbol == "S/RES/2518(2020)" for u in read_tmx(workspace / "out" / "tm" / "auto" / "untm.sentence.tmx"))


def test_killed_build_resumes_to_identical_tmx(workspace: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "tm.cli", "build", "seeds", "--offline", "-o"]
    process = subprocess.Popen([*command, "killed"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not (workspace / "killed" / "docs" / "S-RES-2518-2020" / "beads.jsonl").exists():
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not (workspace / "killed" / "manifest.json").exists(), "the build finished before it could be killed"
    subprocess.run([*command, "killed"], env=env, check=True, capture_output=True)
    subprocess.run([*command, "clean"], env=env, check=True, capture_output=True)
    killed = sorted((workspace / "killed").rglob("*.tmx"))
    clean = sorted((workspace / "clean").rglob("*.tmx"))
    assert [p.relative_to(workspace / "killed") for p in killed] == [p.relative_to(workspace / "clean") for p in clean]
    for a, b in zip(killed, clean):
        assert a.read_bytes() == b.read_bytes(), a
    assert not list((workspace / "killed").rglob("*.tmp"))
