"""Atomic writes: the user's umask applies, temp files name their writer, only dead writers' are cleaned."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from align.types import create_temporary, remove_stale_temporaries, write_atomic
from tm.tmx import TmUnit, write_tmx


@pytest.fixture
def umask():
    """Set a umask for one test and restore the previous one."""
    previous = os.umask(0o022)
    os.umask(previous)

    def set_umask(value: int) -> None:
        os.umask(value)

    yield set_umask
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask,expected", [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600), (0o027, 0o640)])
def test_written_files_follow_the_umask(tmp_path: Path, umask, mask: int, expected: int) -> None:
    umask(mask)
    assert _mode(write_atomic(tmp_path / "a.json", "{}")) == expected
    unit = TmUnit("d/p0-0_0-0", "决定继续处理此案。", "Decides to remain seized of the matter.", "S/RES/1(2000)",
                  "operative 1", "1-1", 0.9)
    for name in ("untm.tmx", "untm.tmx.gz"):
        written = write_tmx([unit], tmp_path / "tm" / name, segtype="paragraph")
        assert [_mode(p) for p in written.paths] == [expected]


def test_rewriting_keeps_umask_permissions(tmp_path: Path, umask) -> None:
    umask(0o022)
    target = tmp_path / "out.txt"
    target.write_text("old")
    target.chmod(0o600)
    write_atomic(target, "new")
    assert target.read_text() == "new" and _mode(target) == 0o644


def test_temporary_names_carry_the_pid(tmp_path: Path) -> None:
    first, second = create_temporary(tmp_path / "beads.jsonl"), create_temporary(tmp_path / "beads.jsonl")
    assert first != second
    for temporary in (first, second):
        assert temporary.name.startswith(f".beads.jsonl.{os.getpid()}.") and temporary.name.endswith(".tmp")
        assert temporary.exists() and temporary.stat().st_size == 0


def _dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_only_dead_writers_temporaries_are_removed(tmp_path: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        names = {
            "mine": f".beads.jsonl.{os.getpid()}.0a1b2c3d.tmp",
            "live other": f".beads.jsonl.{sleeper.pid}.0a1b2c3d.tmp",
            "meta of live other": f".beads.jsonl.meta.json.{sleeper.pid}.99887766.tmp",
            "dead": f".beads.jsonl.{_dead_pid()}.0a1b2c3d.tmp",
            "legacy mkstemp": ".beads.jsonl.k2j_8zq1.tmp",
            "absurd pid": ".beads.jsonl.99999999999999999999.0a1b2c3d.tmp",
            "pid zero": ".beads.jsonl.0.0a1b2c3d.tmp",
            "another file's": f".zh.paragraphs.jsonl.{_dead_pid()}.0a1b2c3d.tmp",
        }
        for name in names.values():
            (tmp_path / name).write_text("partial")
        remove_stale_temporaries(tmp_path, ["beads.jsonl"])
        left = {label for label, name in names.items() if (tmp_path / name).exists()}
        assert left == {"mine", "live other", "meta of live other", "another file's"}
    finally:
        sleeper.kill()
        sleeper.wait()
