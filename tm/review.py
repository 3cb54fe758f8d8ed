"""Static review pages: one HTML file per document and an index, opened straight from disk.

Chinese and English side by side, one row per sentence bead, coloured by confidence, with
1-n / n-1 / unmatched beads marked and paragraph labels shown; a "needs review" filter (score
below the build's --min-score) and a summary with an inline SVG score histogram. No framework
and no script beyond a few lines: the filter flips one class on the table, so a 3,000-bead page
stays instant.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from align.symbols import slug
from align.types import write_atomic
from tm.export import AlignedDocument, segments_of

_STYLE = """
body{font-family:"Noto Sans CJK SC","Noto Sans",system-ui,sans-serif;margin:1.5rem;color:#1d2330}
h1{font-size:1.3rem}table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{border-bottom:1px solid #dde1e8;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{position:sticky;top:0;background:#f4f6f9}td.n,th.n{width:3.5rem}td.label,th.label{width:7rem;color:#555}
td.score,th.score{width:4rem;text-align:right}td.shape,th.shape{width:4rem}
tr.high td.score{background:#d9f2dd}tr.mid td.score{background:#fdf1c7}tr.low td.score{background:#f9d3d0}
tr.shape-nm td.shape{font-weight:bold;color:#7a3db8}tr.unmatched td.shape{font-weight:bold;color:#b3261e}
tr.unmatched td:empty::after{content:"—";color:#b3261e}
table.only-review tr.bead:not(.review){display:none}
.summary{display:flex;gap:2rem;align-items:flex-start;margin-bottom:1rem}
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


def document_page(doc: AlignedDocument, min_score: float) -> str:
    """The review page of one document, as HTML text."""
    zh_texts, zh_labels = segments_of(doc.zh, "sentence")
    en_texts, en_labels = segments_of(doc.en, "sentence")
    beads = doc.beads["sentence"]
    symbol = doc.zh.symbol or doc.en.symbol
    shapes = Counter(f"{len(b.zh)}-{len(b.en)}" for b in beads)
    review = sum(1 for b in beads if b.score < min_score or not b.zh or not b.en)
    rows = []
    for number, bead in enumerate(beads, start=1):
        label = zh_labels[bead.zh[0]] if bead.zh else en_labels[bead.en[0]]
        needs_review = bead.score < min_score or not bead.zh or not bead.en
        band = "high" if bead.score >= max(0.8, min_score) else "mid" if bead.score >= min_score else "low"
        classes = f"bead {band} {_shape_class(len(bead.zh), len(bead.en))}{' review' if needs_review else ''}"
        zh = html.escape("".join(zh_texts[i] for i in bead.zh))
        en = html.escape(" ".join(en_texts[j] for j in bead.en))
        rows.append(f'<tr class="{classes}" data-score="{bead.score:.4f}"><td class="n">{number}</td>'
                    f'<td class="label">{html.escape(label)}</td><td lang="zh">{zh}</td><td lang="en">{en}</td>'
                    f'<td class="score">{bead.score:.2f}</td><td class="shape">{len(bead.zh)}-{len(bead.en)}</td></tr>')
    counts = "".join(f"<tr><td>{html.escape(shape)}</td><td>{n}</td></tr>" for shape, n in sorted(shapes.items()))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(symbol)} — untm review</title>
<style>{_STYLE}</style></head><body>
<p><a href="index.html">All documents</a></p>
<h1>{html.escape(symbol)}: {len(beads)} sentence beads</h1>
<div class="summary"><table class="counts"><tr><th>bead</th><th>count</th></tr>{counts}
<tr><td>needs review</td><td id="review-count">{review}</td></tr></table>
<figure>{_histogram([b.score for b in beads])}<figcaption>scores, 0 to 1</figcaption></figure></div>
<p><label><input type="checkbox" id="only-review"> Only beads that need review (score below {min_score:g}, or unmatched)</label>
— showing <span id="shown">{len(beads)}</span></p>
<table id="beads"><thead><tr><th class="n">#</th><th class="label">label</th><th lang="zh">中文</th><th lang="en">English</th>
<th class="score">score</th><th class="shape">bead</th></tr></thead><tbody>
{chr(10).join(rows)}
</tbody></table><script>{_SCRIPT}</script></body></html>
"""


def write_review(docs: Sequence[AlignedDocument], out: Path, min_score: float) -> list[Path]:
    """OUT/review/<slug>.html for each document and OUT/review/index.html; returns the paths written."""
    folder = Path(out) / "review"
    written, items = [], []
    for doc in docs:
        symbol = doc.zh.symbol or doc.en.symbol
        page = folder / f"{slug(symbol)}.html"
        written.append(write_atomic(page, document_page(doc, min_score)))
        beads = doc.beads["sentence"]
        review = sum(1 for b in beads if b.score < min_score or not b.zh or not b.en)
        items.append(f'<li><a href="{page.name}">{html.escape(symbol)}</a>: {len(beads)} beads, {review} to review</li>')
    index = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>untm review</title>'
             f"<style>{_STYLE}</style></head><body><h1>Alignment review</h1><ul>{''.join(items)}</ul></body></html>\n")
    written.append(write_atomic(folder / "index.html", index))
    return written
