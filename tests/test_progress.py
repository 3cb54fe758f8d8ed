"""Progress: a rich bar on a terminal, plain throttled lines otherwise, nothing with --quiet."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import FETCHED, SEEDS

from tm.cli import cli
from tm.progress import BAR, LINES, QUIET, Progress, ReportingEmbedder, counted, make_progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_mode_follows_the_stream_and_quiet() -> None:
    assert make_progress(stream=io.StringIO()).mode == LINES
    assert make_progress(stream=_Terminal()).mode == BAR
    assert make_progress(quiet=True, stream=_Terminal()).mode == QUIET


def test_plain_lines_are_throttled_but_the_last_always_shows() -> None:
    stream = io.StringIO()
    with Progress(LINES, stream, interval=3600).task("building", 3) as task:
        task.advance(1, "first")  # the first line shows at once
        task.advance(1, "second")  # within the interval: not shown
        task.stage("third: aligning")  # a stage always shows
        task.advance(1, "third")  # the last item always shows
    assert stream.getvalue().splitlines() == ["building 1/3 first", "building 2/3 third: aligning",
                                              "building 3/3 third"]


def test_quiet_prints_nothing() -> None:
    stream = io.StringIO()
    with Progress(QUIET, stream).task("building", 2) as task:
        task.advance(2, "done")
        task.stage("x")
    assert stream.getvalue() == ""


def test_terminal_gets_a_rich_bar() -> None:
    stream = _Terminal()
    with make_progress(stream=stream).task("fetching", 4) as task:
        for _ in range(4):
            task.advance(1, "S/RES/2518(2020) [en] cached")
    output = stream.getvalue()
    assert "fetching" in output and "4/4" in output and "\x1b[" in output  # drawn with terminal control codes


class _FakeEmbedder:
    model_id = "fake"

    def encode(self, texts):
        return np.ones((len(texts), 2), dtype=np.float32)

    def encode_spans(self, texts, max_span, joiner):
        return np.ones((max_span, len(texts), 2), dtype=np.float32)


def test_reporting_embedder_reports_each_batch_inside_a_document() -> None:
    stream = io.StringIO()
    with Progress(LINES, stream).task("building", 1) as task:
        embedder = ReportingEmbedder(_FakeEmbedder(), task, "doc: ")
        assert embedder.encode_spans(["a", "b", "c"], 2, " ").shape == (2, 3, 2)
        assert embedder.model_id == "fake"
    assert stream.getvalue() == "building 0/1 doc: embedding 3 segments\n"
    one = io.StringIO()
    with Progress(LINES, one).task("indexing", None) as task:
        ReportingEmbedder(_FakeEmbedder(), task).encode(["a"])
    assert one.getvalue() == "indexing embedding 1 segment\n"


def test_fetch_shows_progress_lines_unless_quiet(tmp_path: Path) -> None:
    shutil.copytree(FETCHED, tmp_path / "fetched")
    arguments = ["fetch", str(SEEDS), "--offline", "--fetched", str(tmp_path / "fetched")]
    shown = CliRunner().invoke(cli, arguments)
    assert "fetching 5/5" in shown.stderr, shown.output
    quiet = CliRunner().invoke(cli, ["--quiet", *arguments])
    assert "fetching" not in quiet.stderr and quiet.stdout == shown.stdout


@pytest.mark.parametrize("n,noun,plural,expected", [(1, "segment", None, "1 segment"), (0, "unit", None, "0 units"),
                                                    (2, "term pair", None, "2 term pairs"),
                                                    (1, "entry", "entries", "1 entry"), (3, "entry", "entries", "3 entries")])
def test_counted(n: int, noun: str, plural: str | None, expected: str) -> None:
    assert counted(n, noun, plural) == expected
