"""The `untm` command line: parses options, calls one library function, formats the result.

This module holds the group and the document commands (segment, align, eval, build, fetch);
tm/cli_search.py and tm/cli_review.py the others, tm/cli_common.py what they share. These are the
only modules that print, read argv or exit. Heavy libraries load inside the commands.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from align import __version__
from tm import cli_common  # load_embedder through the module: one place to swap the model in tests
from tm.cli_common import LazyEmbedder, echo, handle_errors, index_embedder, model_option, progress
from tm.cli_review import review
from tm.cli_search import index, lookup, search, terms
from tm.progress import counted


@click.group(context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
@click.version_option(__version__, prog_name="untm")
@click.option("--debug", is_flag=True, help="Show tracebacks for user errors too.")
@click.option("-v", "--verbose", is_flag=True, help="Log progress details to stderr.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or progress lines.")
def cli(debug: bool, verbose: bool, quiet: bool) -> None:
    """untm: align Chinese and English UN documents and build translation memories."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language (detected if not given).")
@click.option("--sentences", is_flag=True, help="One sentence per line instead of one paragraph.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines with label and index.")
@handle_errors
def segment(file: Path, lang: str | None, sentences: bool, as_json: bool) -> None:
    """Split UN text extracted from a PDF into clean paragraphs (or sentences).

    \b
    Example:
      untm segment seeds/S-RES-2518-2020.zh.txt --sentences
    """
    from align.extract import segment_file, sentences_of
    from align.inputs import check_not_empty, segment_checked

    document = (segment_checked(file, lang, lang_option=True) if lang else segment_file(file)).document
    check_not_empty(file, [p.text for p in document.paragraphs])
    rows = (
        [{"paragraph": i, "sentence": n, "text": text}
         for n, (i, text) in enumerate(sentences_of(document))]
        if sentences
        else [{"index": p.index, "label": p.label, "text": p.text} for p in document.paragraphs]
    )
    for row in rows:
        echo(json.dumps(row, ensure_ascii=False) if as_json else row["text"])


@cli.command()
@click.argument("zh_file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("en_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--presegmented", is_flag=True, help="Each input line is one segment; print [zh]:[en]:score beads.")
@click.option("--level", type=click.Choice(["sentence", "paragraph"]), default="sentence",
              help="Align sentences (inside aligned paragraphs) or paragraphs.")
@model_option
@handle_errors
def align(zh_file: Path, en_file: Path, presegmented: bool, level: str, model: str) -> None:
    """Align a Chinese document with its English counterpart.

    Without --presegmented both files are UN text: each is segmented, embedded and aligned,
    and every bead is printed as a JSON line with both texts and its 0-1 score.

    \b
    Example:
      untm align seeds/S-RES-2518-2020.zh.txt fetched/S-RES-2518-2020/en.txt --level paragraph
      untm align zh.lines en.lines --presegmented --level sentence > test.beads
    """
    from align.evaluate import format_bead
    from align.inputs import check_line_files, segment_pair
    from align.workflow import align_files, align_presegmented
    from tm.progress import ReportingEmbedder

    if presegmented:  # refuse empty, swapped or same-language files before the model loads
        check_line_files(zh_file, en_file)
    else:
        segment_pair(zh_file, en_file)
    with progress().task("aligning") as task:
        embedder = ReportingEmbedder(cli_common.load_embedder(model), task)
        if presegmented:
            beads = [format_bead(bead) for bead in align_presegmented(zh_file, en_file, embedder, level)]
        else:
            beads = [json.dumps(row, ensure_ascii=False) for row in align_files(zh_file, en_file, embedder, level)]
    for line in beads:
        echo(line)


@cli.command("eval")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
@handle_errors
def evaluate(files: tuple[Path, ...], as_json: bool) -> None:
    """Strict and lax precision, recall and F1 of TEST beads against GOLD beads.

    Give files in pairs, TEST GOLD [TEST GOLD …]; scores are micro-averaged over all pairs.

    \b
    Example:
      untm eval doc1.test doc1.gold doc2.test doc2.gold
    """
    from dataclasses import asdict

    from align.evaluate import read_bead_file, score

    if len(files) % 2:
        raise click.UsageError("give TEST GOLD pairs: an even number of files")
    result = score((read_bead_file(t), read_bead_file(g)) for t, g in zip(files[::2], files[1::2]))
    if as_json:
        click.echo(json.dumps(asdict(result)))
        return
    click.echo(f"strict  P {result.strict_precision:.4f}  R {result.strict_recall:.4f}  F1 {result.strict_f1:.4f}")
    click.echo(f"lax     P {result.lax_precision:.4f}  R {result.lax_recall:.4f}  F1 {result.lax_f1:.4f}")


@cli.command()
@click.argument("seeds", nargs=-1)
@click.option("-o", "--out", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
              help="Folder for TMX, TSV and per-document work files.")
@click.option("--fetched", type=click.Path(file_okay=False, path_type=Path), default=Path("fetched"),
              help="Fetch cache folder.")
@click.option("--offline", is_flag=True, help="Use only the fetch cache; never touch the network.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.5,
              help="Beads scoring at least this go to tm/auto, the rest to the review TM.")
@click.option("--profile", type=click.Choice(["generic", "omegat", "trados", "memoq", "phrase"]),
              default="generic", help="CAT tool whose language codes and limits to follow.")
@click.option("--excel", is_flag=True, help="Write TSV with a BOM and CRLF for Excel.")
@click.option("--gzip", "gzip_tmx", is_flag=True, help="Write .tmx.gz (OmegaT and Trados read it).")
@click.option("--force", is_flag=True, help="Redo every stage even when its output is up to date.")
@click.option("--pair", "pairs", nargs=2, multiple=True, metavar="ZH EN",
              help="A Chinese file and its English translation, any document (repeatable).")
@click.option("--symbol", default="", help="Name the one document given when its text carries no UN symbol.")
@click.option("--ray", "ray_address", metavar="auto|ADDRESS", default=None,
              help="Run the documents on a Ray cluster (pip install 'untm[ray]'); same output as without.")
@model_option
@click.option("--base-url", default="https://undocs.org", help="The undocs.org service (for mirrors and tests).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, help="Seconds to wait for an answer.")
@click.option("--retries", type=click.IntRange(0, 10), default=4, help="Tries after a failure (502/503/504/429).")
@click.option("--max-retry-after", type=click.FloatRange(min=0), default=300.0,
              help="Longest Retry-After to wait for; a longer one fails the document.")
@handle_errors
def build(seeds: tuple[str, ...], out: Path, fetched: Path, offline: bool, min_score: float, profile: str,
          excel: bool, gzip_tmx: bool, force: bool, pairs: tuple[tuple[str, str], ...], symbol: str,
          ray_address: str | None, model: str, base_url: str, timeout: float, retries: int,
          max_retry_after: float) -> None:
    """Run the whole job: segment, fetch counterparts, align, export TMX, TSV, review pages and workbook.

    SEEDS are Chinese text files, folders (of *.zh.txt seeds, or of name.zh.* + name.en.* pairs), or
    document symbols (default: seeds/). --pair aligns any two files. Reviewer decisions stored by
    `untm review apply` are honoured. A re-run redoes only what changed. Exit status 1 if a document failed.

    \b
    Example:
      untm build seeds -o out --offline
      untm build "S/RES/2518(2020)" -o out --min-score 0.7 --profile trados
      untm build --pair report.zh.txt report.en.txt -o out
      untm build corpus/ -o out --offline --ray auto
    """
    from tm.build import BuildOptions, collect_seeds
    from tm.build import build as run_build
    from tm.report import summary_lines

    arguments = seeds or (() if pairs else ("seeds",))
    total = len(collect_seeds(arguments, pairs, symbol))
    options = BuildOptions(fetched=fetched, offline=offline, min_score=min_score, profile=profile,
                           excel=excel, gzip=gzip_tmx, force=force, ray=ray_address,
                           fetch_config=_fetch_config(base_url, timeout=timeout, retries=retries,
                                                      max_retry_after=max_retry_after))
    with progress().task("building", total) as task:
        report = run_build(arguments, out, LazyEmbedder(model), options, pairs=pairs, symbol=symbol, task=task)
    for line in summary_lines(report):
        click.echo(line)
    if report.export is not None or report.export_skipped:
        from threadpoolctl import threadpool_limits

        from tm.search import build_index

        # one BLAS thread, as the per-document stages use: vectors, so the index bytes, the same on every path
        with progress().task("indexing") as task, threadpool_limits(limits=1, user_api="blas"):
            paragraphs = build_index(out, index_embedder(model, task), force=force)
        click.echo(f"search index: {counted(paragraphs, 'paragraph')} in {out}/index")
    if report.failed:
        sys.exit(1)


def _fetch_config(base_url: str, *, timeout: float, retries: int, max_retry_after: float, **settings):
    """FetchConfig for --base-url & co: the UN hosts, plus the base URL's host (and loopback for tests)."""
    from urllib.parse import urlsplit

    from align.fetch import UN_HOSTS, FetchConfig

    try:
        base_host = (urlsplit(base_url).hostname or "").lower()
    except ValueError as exc:
        raise click.BadParameter(f"not a URL: {base_url}", param_hint="--base-url") from exc
    loopback = {"localhost", "127.0.0.1", "::1"}
    hosts = UN_HOSTS | {base_host} | (loopback if base_host in loopback else set())
    return FetchConfig(base_url=base_url, allowed_hosts=frozenset(hosts), read_timeout=timeout,
                       deadline=max(300.0, 5 * timeout), retries=retries, max_retry_after=max_retry_after, **settings)


@cli.command()
@click.argument("seeds", nargs=-1, required=True)
@click.option("--links", is_flag=True, help="Also fetch every linked document, in Chinese and English.")
@click.option("--fetched", type=click.Path(file_okay=False, path_type=Path), default=Path("fetched"),
              help="Fetch cache folder.")
@click.option("--offline", is_flag=True, help="Only report what the cache has and lacks (lacking is no failure).")
@click.option("--delay", type=float, default=0.5, help="Seconds between request starts.")
@click.option("--max-in-flight", type=click.IntRange(1, 4), default=4, help="Requests at once (at most 4).")
@click.option("--base-url", default="https://undocs.org", help="The undocs.org service (for mirrors and tests).")
@click.option("--timeout", type=click.FloatRange(min=1), default=60.0, help="Seconds to wait for an answer.")
@click.option("--retries", type=click.IntRange(0, 10), default=4, help="Tries after a failure (502/503/504/429).")
@click.option("--max-retry-after", type=click.FloatRange(min=0), default=300.0,
              help="Longest Retry-After to wait for; a longer one fails the document.")
@click.option("--force", is_flag=True, help="Fetch again even what the cache holds (and verify it anew).")
@handle_errors
def fetch(seeds: tuple[str, ...], links: bool, fetched: Path, offline: bool, delay: float, max_in_flight: int,
          base_url: str, timeout: float, retries: int, max_retry_after: float, force: bool) -> None:
    """Fetch the English counterparts of seeds (and with --links every linked document) into the cache.

    SEEDS are Chinese seed files (their symbol is read from the text), folders of them, or document symbols.

    Exit status 1 when a document failed (the service failed it, or its cache entry is damaged or
    wrong), else 0. With --offline a text the cache lacks is listed as "not cached", not as a failure.

    \b
    Example:
      untm fetch seeds/S-RES-2717-2023.zh.txt --links
      untm fetch "S/RES/2518(2020)" --offline
    """
    from align.fetch import Client, crawl
    from tm.report import fetch_jobs

    jobs, invalid = fetch_jobs(seeds, links)
    for problem in invalid:
        click.echo(f"skipped: {problem}", err=True)
    client = Client(_fetch_config(base_url, delay=delay, max_in_flight=max_in_flight, timeout=timeout,
                                  retries=retries, max_retry_after=max_retry_after))
    with progress().task("fetching", len(set(jobs))) as task:
        report = crawl(jobs, fetched, client=client, offline=offline, force=force,
                       on_result=lambda r: task.advance(1, f"{r.symbol} [{r.lang}] {r.status}"))
    for result in report.results:
        if result.status in ("failed", "not published"):
            named = f"{result.symbol} [{result.lang}]"  # a FetchError's message starts so too: say it once
            click.echo(f"{result.status}: {named} {result.message.removeprefix(named + ': ')}", err=True)
    missing = [r for r in report.results if r.status == "not cached"]
    for result in missing:
        click.echo(f"not cached: {result.symbol} [{result.lang}]", err=True)
    statuses = ("fetched", "cached", *(("not cached",) if offline else ()), "not published", "failed")
    counts = {status: report.count(status) for status in statuses}
    click.echo(", ".join(f"{n} {status}" for status, n in counts.items())
               + f", {counted(len(invalid), 'invalid link')} skipped")
    if missing:
        click.echo("hint: run without --offline to fetch what is not cached", err=True)
    if counts["failed"]:
        sys.exit(1)


for command in (index, search, lookup, terms, review):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="untm")


if __name__ == "__main__":
    main()
