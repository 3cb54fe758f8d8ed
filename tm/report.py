"""Plain-text summaries for the command line, and the fetch job list of a set of seeds."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from align.errors import AlignError, SymbolError
from align.extract import segment_file
from align.symbols import is_symbol, normalise_symbol, symbol_from_undocs_url
from tm.build import BuildReport, collect_seeds, path_kind


def summary_lines(report: BuildReport) -> list[str]:
    """A table: one row per document, then the TM totals and where they are."""
    rows = [("document", "symbol", "status", "zh paras", "en paras", "para pairs", "sentence pairs")]
    for d in report.documents:
        status = d.status + (f" ({d.message})" if d.message else "")
        rows.append((d.name, d.symbol, status, str(d.zh_paragraphs), str(d.en_paragraphs),
                     str(d.paragraph_pairs), str(d.sentence_pairs)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines += [f"hint ({d.name}): {d.hint}" for d in report.documents if d.hint]
    if report.export is not None:
        e = report.export
        lines.append("")
        for level in ("sentence", "paragraph"):
            lines.append(f"{level} TM: {e.auto.get(level, 0)} auto, {e.review.get(level, 0)} for review")
        lines.append(f"unmatched segments: {e.unmatched}; identical pairs merged: {e.duplicates_merged}; "
                     f"XML-forbidden characters removed: {e.removed_characters}")
    elif report.export_skipped:
        lines.append("")
        lines.append("TM files up to date")
    elif report.documents:
        lines.append("")
        lines.append("nothing written: every document failed (see the status column)")
        return lines
    lines.append(f"output: {report.out}/ (tm/auto, tm/penalty-30, *.tsv, unmatched.tsv, review/, omegat/)")
    lines += [f"note: {notice}" for notice in report.notices]
    return lines


def fetch_jobs(seeds: Sequence[str], links: bool) -> tuple[list[tuple[str, str]], list[str]]:
    """(symbol, language) jobs for seeds, and the invalid links found (reported, never fetched)."""
    jobs: list[tuple[str, str]] = []
    invalid: list[str] = []
    expanded: list[str] = []
    for seed in seeds:  # a folder: its Chinese seeds, as `untm build FOLDER` reads them
        if path_kind(Path(seed)) == "dir":
            expanded += [str(s.zh_text) for s in collect_seeds([seed]) if s.zh_text is not None]
        else:
            expanded.append(seed)
    for seed in expanded:
        path = Path(seed)
        if path_kind(path) == "file":
            try:
                document = segment_file(path).document
            except AlignError as exc:  # one unreadable seed is reported, the others are fetched
                invalid.append(f"{path}: {exc.message}")
                continue
            if document.symbol:
                jobs.append((document.symbol, "en"))
            else:
                invalid.append(f"{path}: no document symbol found in the text")
            if links:
                for link in document.links:
                    try:
                        _, symbol = symbol_from_undocs_url(link.url)
                    except SymbolError:
                        invalid.append(f"{path}:{link.line}: invalid link {link.url}")
                        continue
                    jobs += [(symbol, "zh"), (symbol, "en")]
        elif is_symbol(seed):
            symbol = normalise_symbol(seed)
            jobs += [(symbol, "zh"), (symbol, "en")]
        else:
            shown = repr(seed) if len(seed) <= 120 else f"{seed[:120]!r}… ({len(seed):,} characters)"
            raise SymbolError(f"not a seed file or a document symbol: {shown}",
                              hint="give a Chinese seed file or a symbol like S/RES/2518(2020)")
    return jobs, invalid
