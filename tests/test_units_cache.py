"""Incremental builds: each document's units are cached, an added document redoes only its own work,
and the merged export equals a build from scratch; the synthetic corpus generator is deterministic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT
from tm.cli import cli
from tm.export import LEVELS, units_of
from tm.units_cache import UNITS_FILE, LazyDocuments, read_units

pytestmark = pytest.mark.integration


def _corpus(folder: Path, count: int, seed: int = 7) -> Path:
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_corpus.py"), str(count), "-o", str(folder),
                    "--seed", str(seed)], check=True, capture_output=True)
    return folder


def test_cached_units_are_the_units_of_each_document(built: Path) -> None:
    folders = sorted(p for p in (built / "docs").iterdir() if (p / UNITS_FILE).exists())
    assert len(folders) == 4
    for folder, doc in zip(folders, LazyDocuments(folders)):
        for level in LEVELS:
            assert read_units(folder / UNITS_FILE, level) == units_of(doc, level)


def test_corpus_generator_is_deterministic(tmp_path: Path) -> None:
    a, b, c = _corpus(tmp_path / "a", 3), _corpus(tmp_path / "b", 3), _corpus(tmp_path / "c", 3, seed=8)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert len(files) == 9  # 3 × (seed, en.txt, source.json)
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    assert any((a / f).read_bytes() != (c / f).read_bytes() for f in files)


def test_adding_documents_redoes_only_their_work(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("UNTM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    corpus = _corpus(tmp_path / "corpus", 4)
    seeds = sorted((corpus / "seeds").glob("*.zh.txt"))
    fetched = ["--fetched", str(corpus / "fetched"), "--offline"]
    first = CliRunner().invoke(cli, ["build", *map(str, seeds[:3]), "-o", str(tmp_path / "grown"), *fetched])
    assert first.exit_code == 0, first.output
    work_files = {p: p.stat().st_mtime_ns for p in (tmp_path / "grown" / "docs").rglob("*") if p.is_file()}
    assert sum(p.name == UNITS_FILE for p in work_files) == 3
    second = CliRunner().invoke(cli, ["build", *map(str, seeds), "-o", str(tmp_path / "grown"), *fetched])
    assert second.exit_code == 0, second.output
    assert {p: p.stat().st_mtime_ns for p in work_files} == work_files  # the first three: nothing redone
    assert (tmp_path / "grown" / "docs" / seeds[3].name.removesuffix(".zh.txt") / UNITS_FILE).exists()
    scratch = CliRunner().invoke(cli, ["build", *map(str, seeds), "-o", str(tmp_path / "scratch"), *fetched])
    assert scratch.exit_code == 0, scratch.output
    for name in ("tm/auto/untm.sentence.tmx", "tm/auto/untm.paragraph.tmx", "untm.sentence.tsv", "unmatched.tsv",
                 "review/index.html"):
        assert (tmp_path / "grown" / name).read_bytes() == (tmp_path / "scratch" / name).read_bytes(), name
