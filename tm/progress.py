"""Progress of long commands on stderr: a rich bar on a terminal, plain lines otherwise, nothing with --quiet.

rich draws the bar (chosen over tqdm: one bar with a free-text column for the current stage, and a
Console bound to stderr); it is imported only when stderr is a terminal, so scripts and logs get
short `label 3/10 detail` lines instead, at most one a second.
Library code takes a `Task` (or None) and calls `advance`/`stage`; only tm/cli.py makes a Progress.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    import numpy as np

BAR, LINES, QUIET = "bar", "lines", "quiet"


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """A count and its noun in agreement: "1 segment", "2 segments" (`plural` when not noun + "s")."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def no_longer_apply(n: int, noun: str) -> str:
    """"1 row no longer applies", "2 rows no longer apply": the verb agrees with the count too."""
    return f"{counted(n, noun)} no longer {'applies' if n == 1 else 'apply'}"


class Task:
    """One counted job (documents, requests); `stage` says what is happening inside the current item."""

    def __init__(self, progress: Progress, label: str, total: int | None) -> None:
        self._progress, self.label, self.total, self.done = progress, label, total, 0
        self._last_line = float("-inf")  # the first line shows at once
        self._rich_id = None

    def advance(self, n: int = 1, detail: str = "") -> None:
        self.done += n
        self._progress._show(self, detail, final=self.total is not None and self.done >= self.total)

    def stage(self, detail: str) -> None:
        self._progress._show(self, detail, final=True)


class Progress:
    """Creates tasks; mode is BAR (rich, a terminal), LINES (plain stderr lines) or QUIET."""

    def __init__(self, mode: str, stream: TextIO | None = None, interval: float = 1.0) -> None:
        self.mode, self.stream, self.interval = mode, stream, interval
        self._rich = None

    @contextmanager
    def task(self, label: str, total: int | None = None) -> Iterator[Task]:
        task = Task(self, label, total)
        if self.mode == BAR:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )
            from rich.progress import Progress as RichProgress

            self._rich = RichProgress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                                      MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.fields[detail]}"),
                                      console=Console(file=self.stream or sys.stderr), transient=False)
            self._rich.start()
            task._rich_id = self._rich.add_task(label, total=total, detail="")
        try:
            yield task
        finally:
            if self._rich is not None:
                self._rich.stop()
                self._rich = None

    def _show(self, task: Task, detail: str, final: bool) -> None:
        if self.mode == QUIET:
            return
        if self.mode == BAR and self._rich is not None:
            self._rich.update(task._rich_id, completed=task.done, detail=detail)
            return
        now = time.monotonic()
        if not final and now - task._last_line < self.interval:  # plain lines: at most one a second
            return
        task._last_line = now
        count = f" {task.done}/{task.total}" if task.total is not None else ""
        print(f"{task.label}{count}{' ' + detail if detail else ''}", file=self.stream or sys.stderr, flush=True)


def make_progress(quiet: bool = False, stream: TextIO | None = None) -> Progress:
    """A bar when `stream` (default stderr) is a terminal, plain lines when it is not, nothing when quiet."""
    if quiet:
        return Progress(QUIET, stream)
    target = stream or sys.stderr
    return Progress(BAR if target.isatty() else LINES, stream)


class ReportingEmbedder:
    """Wraps an Embedder so each batch it embeds shows as a stage of `task` (progress inside one document)."""

    def __init__(self, embedder, task: Task | None, what: str = "") -> None:
        self._embedder, self.task, self.what = embedder, task, what
        self.model_id = embedder.model_id

    def __getattr__(self, name: str):
        return getattr(self._embedder, name)

    def _say(self, n: int) -> None:
        if self.task is not None:
            self.task.stage(f"{self.what}embedding {counted(n, 'segment')}".strip())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self._say(len(texts))
        return self._embedder.encode(texts)

    def encode_spans(self, texts: Sequence[str], max_span: int, joiner: str) -> np.ndarray:
        self._say(len(texts))
        return self._embedder.encode_spans(texts, max_span, joiner)
