"""Static review pages (one HTML file per document and an index) and the review workbook.

Chinese and English side by side, one row per sentence bead, coloured by confidence, with
1-n / n-1 / unmatched beads marked, paragraph labels and the reviewer's decisions shown; a "needs
review" filter (score below the build's --min-score) and a summary with an inline SVG score
histogram. No framework and no script beyond a few lines: the filter flips one class on the
table, so a 3,000-bead page stays instant. Each cell carries its language (lang="zh-Hans" / "en")
and a font stack for it: English takes a Latin font first, so the CJK font's full-width curly
quotes never open gaps in `Secretary-General’s`. OUT/review/untm.review.xlsx is the workbook a
reviewer fills and `untm review apply` reads back (tm/workbook.py, tm/decisions.py).
Each page names where each language's text came from (seed file, or the fetch cache's Word, PDF or
imported text, with its extractor), and a row whose text align/normalise.py changed (CJK–digit
spaces, repaired words, footnote marks) shows the paragraph as extracted under an "as extracted"
toggle, so a reviewer sees both and can tell a normalisation error from an alignment one.
"""

from __future__ import annotations

import html
import json
import re
import statistics
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from align.extract import sentences_of
from align.symbols import slug
from align.types import write_atomic
from tm.export import AlignedDocument, segments_of

WORKBOOK = "untm.review.xlsx"
_STYLE = """
body{font-family:"Noto Sans","DejaVu Sans","Liberation Sans",Arial,"Noto Sans CJK SC",sans-serif;margin:1.5rem;color:#1d2330}
:lang(en){font-family:"Noto Sans","DejaVu Sans","Liberation Sans",Arial,Helvetica,sans-serif}
:lang(zh){font-family:"Noto Sans CJK SC","Source Han Sans SC","Noto Sans SC","Microsoft YaHei","PingFang SC",sans-serif}
td.decision,th.decision{width:9rem}tr.decided-reject td{text-decoration:line-through;color:#777}
tr.decided-reject td.decision,tr.decided-accept td.decision{text-decoration:none;font-weight:bold}
tr.decided-accept td.decision{color:#1e7b34}tr.decided-reject td.decision{color:#b3261e}
.missing{color:#b3261e}
h1{font-size:1.3rem}table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{border-bottom:1px solid #dde1e8;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{position:sticky;top:0;background:#f4f6f9}td.n,th.n{width:3.5rem}td.label,th.label{width:7rem;color:#555}
td.score,th.score{width:4rem;text-align:right}td.shape,th.shape{width:4rem}
tr.high td.score{background:#d9f2dd}tr.mid td.score{background:#fdf1c7}tr.low td.score{background:#f9d3d0}
tr.shape-nm td.shape{font-weight:bold;color:#7a3db8}tr.unmatched td.shape{font-weight:bold;color:#b3261e}
tr.unmatched td:empty::after{content:"—";color:#b3261e}
table.only-review tr.bead:not(.review){display:none}
.summary{display:flex;gap:2rem;align-items:flex-start;margin-bottom:1rem}
details.raw{margin-top:.3rem;font-size:.85rem;color:#555}details.raw summary{cursor:pointer;color:#7a5a00}
p.sources{font-size:.9rem;color:#333}
table.counts{width:auto}.counts td{border:0;padding:.1rem .6rem}figure{margin:0}figcaption{font-size:.8rem;color:#555}
"""
_SCRIPT = """
document.getElementById('only-review').addEventListener('change', function (e) {
  document.getElementById('beads').classList.toggle('only-review', e.target.checked);
  var shown = document.querySelectorAll('#beads tr.bead' + (e.target.checked ? '.review' : '')).length;
  document.getElementById('shown').textContent = shown;
});
"""


def _histogram(scores: Sequence[float], bins: int = 10, width: int = 300, height: int = 90) -> str:
    counts = [0] * bins
    for score in scores:
        counts[min(int(score * bins), bins - 1)] += 1
    top = max(counts) or 1
    bar = width / bins
    bars = "".join(
        f'<rect x="{i * bar:.1f}" y="{height - 15 - (c / top) * (height - 20):.1f}" width="{bar - 2:.1f}" '
        f'height="{(c / top) * (height - 20):.1f}" fill="#4a78c2"><title>{i / bins:.1f}–{(i + 1) / bins:.1f}: {c}</title></rect>'
        for i, c in enumerate(counts))
    return (f'<svg id="histogram" width="{width}" height="{height}" role="img" aria-label="score histogram">{bars}'
            f'<text x="0" y="{height - 2}" font-size="10">0</text><text x="{width - 8}" y="{height - 2}" font-size="10">1</text></svg>')


def _shape_class(zh: int, en: int) -> str:
    if not zh or not en:
        return "unmatched"
    return "shape-11" if zh == en == 1 else "shape-nm"


def borderline(scores: Sequence[float], min_score: float, margin: float = 0.1) -> float:
    """Scores in [min_score, borderline) are painted yellow (doubtful), lower ones red, higher ones green.

    Red is exactly what the build sends to the review TM (below --min-score). Yellow marks a link
    that passed but only just (within `margin` above --min-score) *and* is an outlier in its own
    document (below median − 3·MAD of its scores), so a document whose correct pairs score
    0.72–0.77 stays green while one odd link among 0.95s still stands out.
    """
    if not scores:
        return min_score
    median = statistics.median(scores)
    mad = statistics.median(abs(s - median) for s in scores)
    return max(min_score, min(min_score + margin, median - 3 * mad))


def _decision_cell(decision) -> tuple[str, str]:
    """(row class, cell HTML) showing what a reviewer decided."""
    if decision is None:
        return "", ""
    if decision.decision == "reject":
        return " decided-reject", "rejected"
    kind = "accepted" if decision.decision == "accept" else "corrected" if decision.corrected else "note"
    parts = [kind]
    if decision.zh_text:
        parts.append(f'<div lang="zh-Hans">{html.escape(decision.zh_text)}</div>')
    if decision.en_text:
        parts.append(f'<div lang="en">{html.escape(decision.en_text)}</div>')
    if decision.note:
        parts.append(f'<div class="note">{html.escape(decision.note)}</div>')
    return (" decided-note" if kind == "note" else " decided-accept"), "".join(parts)


_FORMATS = {"docx": "Word file (.docx)", "doc": "legacy Word file (.doc)", "pdf": "PDF", "txt": "text file",
            "text": "text file"}


def source_of(folder: Path, lang: str) -> str:
    """Where a built document's `lang` text came from, read from its segment stage's meta file and,
    for a fetched text, the fetch cache's source.json beside it ("" when the build left no record)."""
    try:
        inputs = json.loads((folder / f"{lang}.paragraphs.jsonl.meta.json").read_text(encoding="utf-8"))["inputs"]
        path = Path(next(iter(inputs)))
    except (OSError, ValueError, KeyError, TypeError, StopIteration):
        return ""
    record = path.parent / "source.json"
    if path.name == f"{lang}.txt" and record.is_file():
        try:
            source = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            source = {}
        languages = source.get("languages") if isinstance(source.get("languages"), dict) else {}
        language = languages.get(lang) or (source if source.get("lang") == lang else None)
        if not isinstance(language, dict):
            return f"fetched text {path}"
        kind = language.get("format") or ("pdf" if "pdf" in str(language.get("extractor", "")).lower() else "text")
        extractor = language.get("extractor")
        return f"fetched {_FORMATS.get(kind, kind)}" + (f", read by {extractor}" if extractor else "") + f" ({path})"
    return f"{_FORMATS.get(path.suffix.lstrip('.').lower(), 'text file')} {path}"


def _as_extracted(document, paragraph_indices: Sequence[int], shown: set[int], lang: str) -> str:
    """The "as extracted" toggle for paragraphs of a row that normalisation changed (each shown once)."""
    by_index = {p.index: p for p in document.paragraphs}
    parts = []
    for index in dict.fromkeys(paragraph_indices):
        paragraph = by_index.get(index)
        if paragraph is None or index in shown or not paragraph.raw or paragraph.raw == paragraph.text:
            continue
        shown.add(index)
        parts.append(f'<details class="raw"><summary>as extracted</summary><div lang="{lang}">'
                     f"{html.escape(paragraph.raw)}</div></details>")
    return "".join(parts)


def page_name(doc: AlignedDocument) -> str:
    """File name of a document's page: its symbol's slug, or its build name when it has no symbol."""
    symbol = doc.zh.symbol or doc.en.symbol
    return f"{slug(symbol) if symbol else re.sub(r'[^A-Za-z0-9._-]+', '-', doc.name or 'document')}.html"


def document_page(doc: AlignedDocument, min_score: float, sources: tuple[str, str] = ("", "")) -> str:
    """The review page of one document, as HTML text; `sources`: source_of() for zh and en."""
    from tm.decisions import decisions_by_link

    zh_texts, zh_labels = segments_of(doc.zh, "sentence")
    en_texts, en_labels = segments_of(doc.en, "sentence")
    zh_paragraph_of = [index for index, _ in sentences_of(doc.zh)]
    en_paragraph_of = [index for index, _ in sentences_of(doc.en)]
    shown_zh: set[int] = set()
    shown_en: set[int] = set()
    beads = doc.beads["sentence"]
    symbol = doc.zh.symbol or doc.en.symbol or doc.name
    decided = decisions_by_link(doc, "sentence")
    shapes = Counter(f"{len(b.zh)}-{len(b.en)}" for b in beads)
    review = sum(1 for b in beads if b.score < min_score or not b.zh or not b.en)
    doubtful_below = borderline([b.score for b in beads if b.zh and b.en], min_score)
    rows = []
    for number, bead in enumerate(beads, start=1):
        label = zh_labels[bead.zh[0]] if bead.zh else en_labels[bead.en[0]]
        needs_review = bead.score < min_score or not bead.zh or not bead.en
        band = "high" if bead.score >= doubtful_below else "mid" if bead.score >= min_score else "low"
        decided_class, decision = _decision_cell(decided.get((bead.zh, bead.en)))
        classes = f"bead {band} {_shape_class(len(bead.zh), len(bead.en))}{' review' if needs_review else ''}{decided_class}"
        zh = html.escape("".join(zh_texts[i] for i in bead.zh)) + _as_extracted(
            doc.zh, [zh_paragraph_of[i] for i in bead.zh], shown_zh, "zh-Hans")
        en = html.escape(" ".join(en_texts[j] for j in bead.en)) + _as_extracted(
            doc.en, [en_paragraph_of[j] for j in bead.en], shown_en, "en")
        rows.append(f'<tr class="{classes}" data-score="{bead.score:.4f}"><td class="n">{number}</td>'
                    f'<td class="label">{html.escape(label)}</td><td lang="zh-Hans">{zh}</td><td lang="en">{en}</td>'
                    f'<td class="score">{bead.score:.2f}</td><td class="shape">{len(bead.zh)}-{len(bead.en)}</td>'
                    f'<td class="decision">{decision}</td></tr>')
    decisions_line = ""
    if doc.decisions:
        from tm.decisions import LEVELS

        kinds = {level: Counter(d.decision or ("corrected" if d.corrected else "note")
                                for d in decisions_by_link(doc, level).values())
                 for level in LEVELS}
        decisions_line = ('<p id="decisions">Reviewer decisions: ' + "; ".join(
            f"{level} links " + ", ".join(f"{n} {k}" for k, n in sorted(found.items()))
            for level, found in kinds.items() if found) + "</p>")
    counts = "".join(f"<tr><td>{html.escape(shape)}</td><td>{n}</td></tr>" for shape, n in sorted(shapes.items()))
    normalised = {lang: sum(1 for p in document.paragraphs if p.raw and p.raw != p.text)
                  for lang, document in (("zh", doc.zh), ("en", doc.en))}
    source_lines = "".join(f"<br>{name}: {html.escape(source)}" for name, source in zip(("Chinese", "English"), sources)
                           if source)
    sources_line = (f'<p class="sources" id="sources">Paragraphs changed by normalisation (shown "as extracted" '
                    f'under their row): Chinese {normalised["zh"]}, English {normalised["en"]}.{source_lines}</p>')
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(symbol)} — untm review</title>
<style>{_STYLE}</style></head><body>
<p><a href="index.html">All documents</a></p>
<h1>{html.escape(symbol)}: {len(beads)} sentence beads</h1>
<div class="summary"><table class="counts"><tr><th>bead</th><th>count</th></tr>{counts}
<tr><td>needs review</td><td id="review-count">{review}</td></tr></table>
<figure>{_histogram([b.score for b in beads])}<figcaption>scores, 0 to 1</figcaption></figure></div>
<p><label><input type="checkbox" id="only-review"> Only beads that need review (score below {min_score:g}, or unmatched)</label>
— showing <span id="shown">{len(beads)}</span></p>{sources_line}{decisions_line}
<p>Colours: red below {min_score:g} (review TM); yellow from {min_score:g} to {doubtful_below:.2f} (just passed and low for this document); green above.</p>
<table id="beads"><thead><tr><th class="n">#</th><th class="label">label</th><th lang="zh-Hans">中文</th><th lang="en">English</th>
<th class="score">score</th><th class="shape">bead</th><th class="decision">decision</th></tr></thead><tbody>
{chr(10).join(rows)}
</tbody></table><script>{_SCRIPT}</script></body></html>
"""


def review_parts(doc: AlignedDocument, min_score: float, sources: tuple[str, str] = ("", "")) -> dict:
    """What the review outputs hold of one document: its page (name and HTML), its line in the index and its
    workbook rows per level (sheet XML, tm/workbook.row_xml); JSON-shaped, so a build caches it per document
    (tm/units_cache.review_stage) and the export only concatenates. `sources`: source_of() for zh and en."""
    from tm.decisions import LEVELS, review_rows

    symbol = doc.zh.symbol or doc.en.symbol or doc.name
    page = page_name(doc)
    beads = doc.beads["sentence"]
    review = sum(1 for b in beads if b.score < min_score or not b.zh or not b.en)
    decided = f", {len(doc.decisions)} reviewer decisions" if doc.decisions else ""
    item = f'<li><a href="{page}">{html.escape(symbol)}</a>: {len(beads)} beads, {review} to review{decided}</li>'
    from tm.workbook import row_xml

    return {"page_name": page, "page": document_page(doc, min_score, sources), "item": item,
            "rows": {level: [row_xml(row) for row in review_rows(doc, level, min_score)] for level in LEVELS}}


def _write_if_changed(path: Path, text: str) -> Path:
    """An unchanged page is left alone: a build that adds documents writes (and syncs) only theirs."""
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return path
    except OSError:
        pass
    return write_atomic(path, data)


def write_review(docs: Sequence[AlignedDocument], out: Path, min_score: float,
                 missing: Sequence[tuple[str, str, str]] = (), parts: Sequence[Path] | None = None) -> list[Path]:
    """OUT/review/<slug>.html per document, index.html (listing `missing` (name, symbol, why) documents too)
    and the review workbook; returns the paths written. `parts[i]`: docs[i]'s cached review_parts (JSON)."""
    from tm.decisions import LEVELS, SHEETS
    from tm.export import _creation_time
    from tm.workbook import write_workbook

    folder = Path(out) / "review"
    written, items = [], []

    def rows():  # one pass over the documents: pages and index lines on the way, rows to the workbook
        for position in range(len(docs) if parts is None else len(parts)):
            if parts is None:
                doc = docs[position]
                built = Path(out) / "docs" / doc.name if doc.name else None
                sources = (source_of(built, "zh"), source_of(built, "en")) if built else ("", "")
                part = review_parts(doc, min_score, sources)
            else:
                part = json.loads(Path(parts[position]).read_text(encoding="utf-8"))
            written.append(_write_if_changed(folder / part["page_name"], part["page"]))
            items.append(part["item"])
            for level in LEVELS:
                for row in part["rows"][level]:
                    yield SHEETS[level], row

    folder.mkdir(parents=True, exist_ok=True)
    workbook = write_workbook(rows(), folder / WORKBOOK, _creation_time(), [SHEETS[level] for level in LEVELS])
    for name, symbol, why in missing:
        items.append(f'<li class="missing">{html.escape(symbol or name)}: <strong>not aligned</strong> — {html.escape(why)}</li>')
    index = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>untm review</title>'
             f"<style>{_STYLE}</style></head><body><h1>Alignment review</h1>"
             f'<p>Review workbook: <a href="{WORKBOOK}">{WORKBOOK}</a> (fill the decision columns, then '
             f"<code>untm review apply</code>)</p><ul>{''.join(items)}</ul></body></html>\n")
    written.append(write_atomic(folder / "index.html", index))
    written.append(workbook)
    return written
