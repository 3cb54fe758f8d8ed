"""`untm index`, `search`, `lookup` and `terms`: the search index, the TM store and terminology."""

from __future__ import annotations

import json
from pathlib import Path

import click

from tm import cli_common  # load_embedder through the module: one place to swap the model in tests
from tm.cli_common import echo, handle_errors, index_embedder, model_option, progress, require_text
from tm.progress import counted

index_option = click.option("--index", "out", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
                            help="Build folder (what `untm build -o` wrote).")


@click.command()
@index_option
@click.option("--force", is_flag=True, help="Rebuild even when up to date.")
@model_option
@handle_errors
def index(out: Path, force: bool, model: str) -> None:
    """Build the cross-language search index of a build folder (untm build does this too).

    \b
    Example:
      untm index --index out
    """
    from tm.search import build_index

    with progress().task("indexing") as task:
        paragraphs = build_index(out, index_embedder(model, task), force=force)
    click.echo(f"{counted(paragraphs, 'paragraph')} indexed in {out}/index")


@click.command()
@click.argument("query")
@click.option("-k", "--top", "k", type=click.IntRange(1, 1000), default=10, help="How many paragraphs to show.")
@index_option
@click.option("--symbol", help="Only this document, e.g. S/RES/2423(2018).")
@click.option("--lang", type=click.Choice(["zh", "en"]), help="Only paragraphs in this language.")
@click.option("--label", help='Only paragraphs whose label starts so, e.g. "operative".')
@click.option("--json", "as_json", is_flag=True, help="JSON lines instead of text.")
@model_option
@handle_errors
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
    from tm.search import hit_json
    from tm.search import search as run_search

    require_text(query, "QUERY")
    embedder = cli_common.load_embedder(model)
    hits = run_search(out, query, embedder, k, symbol=symbol, lang=lang, label=label)
    if not hits:  # one line, so an empty answer is not taken for a crash; JSON lines stay empty
        filters = " ".join(f"--{name} {value}" for name, value in (("symbol", symbol), ("lang", lang), ("label", label))
                           if value)
        click.echo(f"nothing found for {query}" + (f" ({filters})" if filters else ""), err=as_json)
    for rank, hit in enumerate(hits, start=1):
        if as_json:
            echo(json.dumps(hit_json(hit), ensure_ascii=False))
            continue
        p = hit.paragraph
        echo(f"{rank}. {hit.score:.3f}{' =' if hit.literal else '  '} {p.symbol}  {p.label}  [{p.lang}]")
        echo(f"   {p.text}")
        if p.aligned:
            echo(f"   {'en' if p.lang == 'zh' else 'zh'}: {p.aligned}")


tm_option = click.option("--tm", "build_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("out"),
                         help="Build folder (what `untm build -o` wrote).")


def _highlight(text: str, span: tuple[int, int] | None, colour: str) -> str:
    if not span:
        return text
    start, end = span
    return text[:start] + click.style(text[start:end], fg=colour, bold=True) + text[end:]


@click.command()
@click.argument("term")
@tm_option
@click.option("--json", "as_json", is_flag=True, help="JSON lines: the counterparts, then one line per unit.")
@click.option("--no-model", is_flag=True, help="Co-occurrence only, without the embedding re-ranking.")
@click.option("--limit", type=click.IntRange(1), default=50, help="Most units to list.")
@handle_errors
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

    require_text(term, "TERM")
    embedder = None if no_model else cli_common.load_embedder(None)
    with open_store(build_dir) as store:
        result = concordance(term, store, embedder)
    other = "en" if result.lang == "zh" else "zh"
    if as_json:
        echo(json.dumps({"term": term, "units": result.total, "counterparts": [
            {"text": t, "units": n, "confidence": round(c, 3)} for t, n, c in result.counterparts]},
            ensure_ascii=False))
    else:
        sampled = f" (counterparts from {len(result.units)})" if len(result.units) < result.total else ""
        echo(f"{term}: {counted(result.total, 'unit')}{sampled}" if result.total
             else f"{term}: nothing found in the TM of {build_dir}")
        for text, n, confidence in result.counterparts:
            echo(f"  → {text}  {counted(n, 'unit')}, confidence {confidence:.0%}")
        if result.units:
            echo("")
    for unit, counterpart in list(zip(result.units, result.assigned))[:limit]:
        source, target = (unit.zh, unit.en) if result.lang == "zh" else (unit.en, unit.zh)
        term_span = spans(term, source, result.lang, True)
        other_span = spans(counterpart, target, other, False) if counterpart else None
        if as_json:
            echo(json.dumps({"tuid": unit.tuid, "symbol": unit.symbol, "label": unit.label, "status": unit.status,
                              "score": unit.score, result.lang: source, other: target, "term_span": term_span,
                              "counterpart": counterpart, "counterpart_span": other_span}, ensure_ascii=False))
            continue
        echo(f"{unit.symbol} {unit.label}")
        echo(f"  {result.lang}: {_highlight(source, term_span, 'yellow')}")
        echo(f"  {other}: {_highlight(target, other_span, 'cyan')}")


@click.group()
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
@handle_errors
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

    with open_store(build_dir) as store, progress().task("extracting terms") as task:
        pairs = extract_terms(store, min_frequency=min_frequency, min_dice=min_score, limit=limit,
                              embedder=None if no_model else index_embedder(None, task))
    if not as_json:
        echo("zh\ten\tunits\tassociation\tc-value\ttermhood")
    for pair in pairs:
        if as_json:
            echo(json.dumps({"zh": pair.zh, "en": pair.en, "frequency": pair.frequency, "score": pair.dice,
                              "cvalue": pair.cvalue, "termhood": pair.termhood}, ensure_ascii=False))
        else:
            echo(f"{pair.zh}\t{pair.en}\t{pair.frequency}\t{pair.dice:.3f}\t{pair.cvalue:.1f}\t{pair.termhood:.0f}")
    if tbx:
        click.echo(f"TBX ({counted(len(pairs), 'term pair')}): {write_tbx(pairs, tbx)}", err=True)
    if glossary:
        click.echo(f"OmegaT glossary ({counted(len(pairs), 'term pair')}): {write_glossary(pairs, glossary)}", err=True)
