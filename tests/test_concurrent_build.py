"""Four `untm build` processes on one out/ folder (and one fetch cache and embedding cache) at once.

Each used to clear the "stale" temp files the others were still writing (FileNotFoundError in 5 of
8 processes here); temp files now carry their writer's pid and only dead writers' are removed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from align.stages import HASHES_FILE
from build_outputs import differences
from conftest import FETCHED, ROOT, zh_seed

pytestmark = pytest.mark.integration


def _files(folder: Path) -> dict[str, bytes]:
    """Every output but the meta files, which record input paths (and so the out folder's name), and the hash memo."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith(".meta.json") and p.name != HASHES_FILE}


def test_four_concurrent_builds_match_a_lone_build(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for slug in ("S-RES-2518-2020", "S-RES-2589-2021"):
        shutil.copy(zh_seed(slug), seeds)
    shutil.copytree(FETCHED, tmp_path / "fetched")
    env = dict(os.environ, PYTHONPATH=str(ROOT), SOURCE_DATE_EPOCH="1795000000")
    command = [sys.executable, "-m", "tm.cli", "build", str(seeds), "--offline",
               "--fetched", str(tmp_path / "fetched"), "-o"]
    lone = subprocess.run([*command, str(tmp_path / "lone")], capture_output=True, text=True,
                          env=env | {"UNTM_CACHE": str(tmp_path / "cache-lone")})
    assert lone.returncode == 0, lone.stderr
    shared_env = env | {"UNTM_CACHE": str(tmp_path / "cache-shared")}
    processes = [subprocess.Popen([*command, str(tmp_path / "shared")], env=shared_env, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
    results = [(p.wait(timeout=600), *p.communicate()) for p in processes]
    for returncode, stdout, stderr in results:
        assert returncode == 0 and "Traceback" not in stderr, stderr
        assert "search index:" in stdout, stdout
    lone_files, shared_files = _files(tmp_path / "lone"), _files(tmp_path / "shared")
    assert sorted(shared_files) == sorted(lone_files)
    assert differences(shared_files, lone_files) == []
    assert any(name.endswith("untm.sentence.tmx") for name in lone_files)
    assert not list((tmp_path / "shared").rglob("*.tmp"))
