"""The `untm` command line: parses options, calls one library function, formats the result.

The only module that prints, reads argv or exits. Heavy libraries load inside the commands.
"""

from __future__ import annotations

import functools
import json
import logging
import sys
from pathlib import Path

import click

from align import __version__
from align.errors import AlignError


def _handle_errors(command):
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


@click.group(context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
@click.version_option(__version__, prog_name="untm")
@click.option("--debug", is_flag=True, help="Show tracebacks for user errors too.")
@click.option("-v", "--verbose", is_flag=True, help="Log progress details to stderr.")
def cli(debug: bool, verbose: bool) -> None:
    """untm: align Chinese and English UN documents and build translation memories."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language (detected if not given).")
@click.option("--sentences", is_flag=True, help="One sentence per line instead of one paragraph.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines with label and index.")
@_handle_errors
def segment(file: Path, lang: str | None, sentences: bool, as_json: bool) -> None:
    """Split UN text extracted from a PDF into clean paragraphs (or sentences).

    \b
    Example:
      untm segment seeds/S-RES-2518-2020.zh.txt --sentences
    """
    from align.extract import segment_file, sentences_of

    document = segment_file(file, lang).document
    rows = (
        [{"paragraph": i, "sentence": n, "text": text}
         for n, (i, text) in enumerate(sentences_of(document))]
        if sentences
        else [{"index": p.index, "label": p.label, "text": p.text} for p in document.paragraphs]
    )
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False) if as_json else row["text"])


def main() -> None:
    cli(prog_name="untm")
