"""The stage files' hash memo (align/stages.py): a re-run need not read unchanged files to hash them, and
an edited file is never taken for the one remembered."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from align import stages
from align.stages import HASHES_FILE, remember_hashes, save_hashes, sha256_file


@pytest.fixture(autouse=True)
def fresh_memo(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("_HASHED", "_REMEMBERED", "_BY_FOLDER"):
        monkeypatch.setattr(stages, name, {})


def _settled(path: Path, text: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`text` in `path`, taken as settled (its ctime cannot be set back, so the memo is told not to wait)."""
    path.write_text(text, encoding="utf-8")
    past = time.time() - 60
    os.utime(path, (past, past))
    monkeypatch.setattr(stages, "_SETTLED_NS", 0)
    return path


def _forget() -> None:
    for memo in (stages._HASHED, stages._REMEMBERED, stages._BY_FOLDER):
        memo.clear()


def test_a_kept_hash_is_used_while_the_file_is_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _settled(tmp_path / "beads.jsonl", "one\n", monkeypatch)
    assert sha256_file(path) == hashlib.sha256(b"one\n").hexdigest()
    save_hashes(tmp_path)
    kept = json.loads((tmp_path / HASHES_FILE).read_text(encoding="utf-8"))
    kept["beads.jsonl"][-1] = "0" * 64  # what the memo says wins while the stat is as recorded: it is read
    (tmp_path / HASHES_FILE).write_text(json.dumps(kept), encoding="utf-8")
    _forget()
    remember_hashes(tmp_path)
    assert sha256_file(path) == "0" * 64


def test_an_edit_of_the_same_size_and_mtime_is_hashed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _settled(tmp_path / "beads.jsonl", "one\n", monkeypatch)
    mtime = path.stat().st_mtime_ns
    sha256_file(path)
    save_hashes(tmp_path)
    _forget()
    time.sleep(0.05)  # past the file system clock's tick (a real build waits 2 s: _SETTLED_NS)
    path.write_text("two\n", encoding="utf-8")  # same size; the mtime put back, as a same-second edit leaves it
    os.utime(path, ns=(mtime, mtime))
    remember_hashes(tmp_path)
    assert sha256_file(path) == hashlib.sha256(b"two\n").hexdigest()  # the ctime moved


def test_a_file_just_written_is_not_remembered(tmp_path: Path) -> None:
    path = tmp_path / "beads.jsonl"
    path.write_text("one\n", encoding="utf-8")
    assert sha256_file(path) == hashlib.sha256(b"one\n").hexdigest()
    save_hashes(tmp_path)
    assert not (tmp_path / HASHES_FILE).exists()  # changed within the clock's granularity: no entry kept
