"""`untm review export` and `untm review apply`: the reviewer's workbook out of a build and back in."""

from __future__ import annotations

from pathlib import Path

import click

from tm.cli_common import handle_errors


@click.group()
def review() -> None:
    """The review round trip: a workbook out of a build, the reviewer's decisions back in.

    \b
    Example:
      untm review export --out out
      untm review apply out/review/untm.review.xlsx --out out && untm build seeds -o out
    """


@review.command("export")
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              help="Build folder (what `untm build -o` wrote).")
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.5, help="The build's --min-score (for the status column).")
@click.option("--workbook", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Where to write it (default: OUT/review/untm.review.xlsx).")
@handle_errors
def review_export(out: Path, min_score: float, workbook: Path | None) -> None:
    """Write the review workbook of a build: one row per link, decisions taken so far filled in.

    \b
    Example:
      untm review export --out out --workbook review.xlsx
    """
    from tm.decisions import export_workbook

    click.echo(f"review workbook: {export_workbook(out, min_score, workbook)}")


@review.command("apply")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              help="Build folder the workbook came from.")
@handle_errors
def review_apply(workbook: Path, out: Path) -> None:
    """Store a reviewed workbook's decisions per document; the next `untm build` honours them.

    Accepted links go to tm/auto whatever their score, rejected ones leave the TM, corrected text
    replaces the segment. Rows whose link changed since the workbook was written are listed, not applied.

    \b
    Example:
      untm review apply out/review/untm.review.xlsx --out out
    """
    from tm.decisions import apply_workbook
    from tm.progress import counted, no_longer_apply

    report = apply_workbook(workbook, out)
    for stale in report.stale:
        click.echo(f"no longer applies (the alignment changed): {stale}", err=True)
    click.echo(f"{report.accepted} accepted, {report.rejected} rejected, {report.corrected} corrected, "
               f"{counted(report.notes, 'note')} in {counted(len(report.documents), 'document')}; "
               f"{no_longer_apply(len(report.stale), 'row')}")
    click.echo(f"run `untm build … -o {out}` again to rebuild the TM with them")
