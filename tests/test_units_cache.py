"""Incremental builds: each document's units are cached, an added document redoes only its own work,
and the merged export equals a build from scratch; the synthetic corpus generator is deterministic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from align.stages import HASHES_FILE
from conftest import ROOT
from tm.cli import cli
from tm.export import LEVELS, units_of
from tm.fragments import FRAGMENT_FILE
from tm.units_cache import REVIEW_FILE, UNITS_FILE, LazyDocuments, read_units

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


def _build(seeds: list[Path], out: Path, corpus: Path) -> None:
    result = CliRunner().invoke(cli, ["build", *map(str, seeds), "-o", str(out), "--fetched",
                                      str(corpus / "fetched"), "--offline"])
    assert result.exit_code == 0, result.output


def _export_outputs(out: Path) -> dict[str, bytes]:
    """Every file the export lists in its manifest, and the manifest."""
    names = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    assert any(name.endswith("untm.review.xlsx") for name in names)
    return {name: (out / name).read_bytes() for name in [*names, "manifest.json"]}


def _stamps(folder: Path, names: tuple[str, ...]) -> dict[Path, int]:
    return {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file() and p.name in names}


def _name(seed: Path) -> str:
    return seed.name.removesuffix(".zh.txt")


def test_adding_documents_redoes_only_their_work(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("UNTM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    corpus = _corpus(tmp_path / "corpus", 4)
    seeds = sorted((corpus / "seeds").glob("*.zh.txt"))
    _build(seeds[:3], tmp_path / "grown", corpus)
    work_files = {p: p.stat().st_mtime_ns for p in (tmp_path / "grown" / "docs").rglob("*")
                  if p.is_file() and p.name != HASHES_FILE}  # the hash memo is a cache, kept up to date
    assert sum(p.name in (UNITS_FILE, FRAGMENT_FILE, REVIEW_FILE) for p in work_files) == 9
    pages = _stamps(tmp_path / "grown" / "review", tuple(f"{_name(s)}.html" for s in seeds[:3]))
    assert len(pages) == 3
    _build(seeds, tmp_path / "grown", corpus)
    assert {p: p.stat().st_mtime_ns for p in work_files} == work_files  # the first three: nothing redone
    assert {p: p.stat().st_mtime_ns for p in pages} == pages  # nor their review pages rewritten
    assert (tmp_path / "grown" / "docs" / _name(seeds[3]) / FRAGMENT_FILE).exists()
    _build(seeds, tmp_path / "scratch", corpus)
    grown, scratch = _export_outputs(tmp_path / "grown"), _export_outputs(tmp_path / "scratch")
    assert sorted(grown) == sorted(scratch) and len(grown) >= 12
    assert [name for name in scratch if grown[name] != scratch[name]] == []


def test_a_changed_document_is_redone_and_the_merge_follows(tmp_path: Path, monkeypatch) -> None:
    """One seed edited, one document given a reviewer's decision: their fragments are redone, the third's not,
    and the merged outputs equal a build from scratch of the same inputs."""
    from tm.decisions import REJECT, Decision, link_texts, text_hash, write_decisions
    from tm.units_cache import load_folder

    monkeypatch.setenv("UNTM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    corpus = _corpus(tmp_path / "corpus", 3)
    seeds = sorted((corpus / "seeds").glob("*.zh.txt"))
    out = tmp_path / "changed"
    _build(seeds, out, corpus)
    stamps = _stamps(out / "docs", (FRAGMENT_FILE, REVIEW_FILE))
    before = (out / "tm" / "auto" / "untm.sentence.tmx").read_bytes()
    lines = seeds[0].read_text(encoding="utf-8").splitlines(keepends=True)
    seeds[0].write_text("".join(lines[:-4]), encoding="utf-8")  # its last paragraphs dropped
    doc = load_folder(out / "docs" / _name(seeds[1]))
    bead = next(b for b in doc.beads["sentence"] if b.zh and b.en and b.score >= 0.5)
    decision = Decision("sentence", bead.zh, bead.en, text_hash(*link_texts(doc, "sentence")(bead)), REJECT)
    write_decisions(out / "docs" / _name(seeds[1]), [decision])
    _build(seeds, out, corpus)
    redone = {p.parent.name for p, stamp in stamps.items() if p.stat().st_mtime_ns != stamp}
    assert redone == {_name(seeds[0]), _name(seeds[1])}
    assert (out / "tm" / "auto" / "untm.sentence.tmx").read_bytes() != before
    (tmp_path / "scratch" / "docs" / _name(seeds[1])).mkdir(parents=True)
    write_decisions(tmp_path / "scratch" / "docs" / _name(seeds[1]), [decision])
    _build(seeds, tmp_path / "scratch", corpus)
    changed, scratch = _export_outputs(out), _export_outputs(tmp_path / "scratch")
    assert sorted(changed) == sorted(scratch)
    assert [name for name in scratch if changed[name] != scratch[name]] == []


def test_a_document_left_out_leaves_the_merged_outputs(tmp_path: Path, monkeypatch) -> None:
    from tm.units_cache import load_folder

    monkeypatch.setenv("UNTM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    corpus = _corpus(tmp_path / "corpus", 3)
    seeds = sorted((corpus / "seeds").glob("*.zh.txt"))
    kept = [seeds[0], seeds[2]]
    _build(seeds, tmp_path / "shrunk", corpus)
    symbol = load_folder(tmp_path / "shrunk" / "docs" / _name(seeds[1])).zh.symbol.encode()
    assert symbol in (tmp_path / "shrunk" / "untm.sentence.tsv").read_bytes()
    _build(kept, tmp_path / "shrunk", corpus)
    _build(kept, tmp_path / "scratch", corpus)
    shrunk, scratch = _export_outputs(tmp_path / "shrunk"), _export_outputs(tmp_path / "scratch")
    assert sorted(shrunk) == sorted(scratch)
    assert [name for name in scratch if shrunk[name] != scratch[name]] == []
    assert symbol not in shrunk["tm/auto/untm.sentence.tmx"] + shrunk["untm.sentence.tsv"] + shrunk["review/index.html"]
