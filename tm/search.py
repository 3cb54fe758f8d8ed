"""Cross-language paragraph search: every paragraph of a build, both languages, in one vector index.

A query is embedded with the model the index was built with (checked: another model's vectors
would silently return noise) and matched against Chinese and English paragraphs alike, so a
Chinese query finds English-only material and the reverse. Each hit shows its aligned text in
the other language where there is one. Paragraphs of documents with no counterpart (S/RES/2717's
Chinese here) are indexed too.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from align.embed import Embedder
from align.errors import StaleIndex
from align.index import VectorIndex
from align.pair import join_segments
from align.stages import is_up_to_date, outputs_intact, read_document, run_stage, sha256_file
from align.types import read_beads, to_jsonl, write_atomic

INDEX_DIR = "index"
_CLAUSE_END_RE = re.compile(r"(?<=[，,；;。：:])\s*")
APPROXIMATE_FROM = 200_000  # exact search below; IVF above (recall measured by scripts/bench_search.py)


@dataclass(frozen=True, slots=True)
class IndexedParagraph:
    row: int
    document: str  # folder name under OUT/docs
    symbol: str
    lang: str
    index: int  # paragraph index in its document
    label: str
    text: str
    aligned: str  # the other language's aligned text, "" if none
    group: str  # hits with the same group are one aligned pair: shown once


@dataclass(frozen=True, slots=True)
class Hit:
    score: float
    paragraph: IndexedParagraph


def collect_paragraphs(out: Path) -> tuple[list[IndexedParagraph], list[Path]]:
    """Every paragraph of every document of a build, and the files they came from."""
    rows: list[IndexedParagraph] = []
    sources: list[Path] = []
    for folder in sorted((Path(out) / "docs").glob("*")):
        documents = {lang: folder / f"{lang}.paragraphs.jsonl" for lang in ("zh", "en")}
        documents = {lang: path for lang, path in documents.items() if path.exists()}
        beads_file = folder / "beads.jsonl"
        sources += list(documents.values()) + ([beads_file] if beads_file.exists() else [])
        loaded = {lang: read_document(path) for lang, path in documents.items()}
        partner: dict[tuple[str, int], tuple[str, str]] = {}
        matched = [(b.zh, b.en) for b in read_beads(beads_file)["paragraph"] if b.zh and b.en] \
            if beads_file.exists() else []
        for number, (zh_ids, en_ids) in enumerate(matched):
            zh_text = join_segments([loaded["zh"].paragraphs[i].text for i in zh_ids], "zh")
            en_text = join_segments([loaded["en"].paragraphs[j].text for j in en_ids], "en")
            for i in zh_ids:
                partner[("zh", i)] = (en_text, f"{folder.name}:{number}")
            for j in en_ids:
                partner[("en", j)] = (zh_text, f"{folder.name}:{number}")
        for lang, document in loaded.items():
            for p in document.paragraphs:
                aligned, group = partner.get((lang, p.index), ("", f"{folder.name}:{lang}{p.index}"))
                rows.append(IndexedParagraph(len(rows), folder.name, p.symbol, lang, p.index, p.label, p.text,
                                             aligned, group))
    return rows, sources


def passages(text: str, lang: str) -> list[str]:
    """The paragraph itself and its clause groups: a long paragraph's one vector dilutes every topic
    in it, so a query about one clause is matched against clauses too (score: the best passage)."""
    clauses = [c for c in _CLAUSE_END_RE.split(text) if c.strip()]
    minimum = 30 if lang == "zh" else 90  # characters
    groups, current = [], ""
    for clause in clauses:
        current = f"{current}{'' if lang == 'zh' else ' '}{clause}".strip()
        if len(current) >= minimum:
            groups.append(current)
            current = ""
    if current:
        groups.append(current)
    return [text] + (groups if len(groups) > 1 else [])


def _paths(out: Path) -> tuple[Path, Path, Path, Path]:
    folder = Path(out) / INDEX_DIR
    return folder / "paragraphs.faiss", folder / "paragraphs.jsonl", folder / "index.json", folder / "owners.json"


def build_index(out: Path, embedder: Embedder, force: bool = False) -> int:
    """Build (or keep, if up to date) the search index of a build folder; returns the paragraph count."""
    rows, sources = collect_paragraphs(out)
    faiss_file, rows_file, info_file, owners_file = _paths(out)
    params = {"model": embedder.model_id, "approximate_from": APPROXIMATE_FROM, "passages": 1}
    if not force and is_up_to_date(info_file, "index", params, sources) and outputs_intact(info_file, info_file.parent):
        return len(rows)

    def produce() -> str:
        texts, owners = [], []
        for r in rows:
            for passage in passages(r.text, r.lang):
                texts.append(passage)
                owners.append(r.row)
        vectors = embedder.encode(texts)
        if rows:
            VectorIndex.build(vectors, approximate_from=APPROXIMATE_FROM).save(faiss_file)
        else:
            write_atomic(faiss_file, b"")  # nothing to search: search() returns before reading it
        write_atomic(rows_file, to_jsonl(rows))
        write_atomic(owners_file, json.dumps(owners))
        outputs = {p.name: sha256_file(p) for p in (faiss_file, rows_file, owners_file)}
        return json.dumps({"model": embedder.model_id, "paragraphs": len(rows), "vectors": len(owners),
                           "outputs": outputs}, indent=1) + "\n"

    run_stage(info_file, "index", params, sources, produce, force=True)
    return len(rows)


def search(out: Path, query: str, embedder: Embedder, k: int = 10) -> list[Hit]:
    """The k best paragraphs for `query`, an aligned pair counted once."""
    faiss_file, rows_file, info_file, owners_file = _paths(out)
    try:
        info = json.loads(info_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StaleIndex(f"no search index in {out}", hint=f"run `untm build -o {out}` or `untm index --index {out}`") from exc
    if info["model"] != embedder.model_id:
        raise StaleIndex(f"the index in {out} was built with {info['model']}, not {embedder.model_id}",
                         hint="search with the same --model, or rebuild the index with `untm index --force`")
    if info["paragraphs"] == 0:
        return []
    with open(rows_file, encoding="utf-8") as handle:
        rows = [IndexedParagraph(**json.loads(line)) for line in handle]
    owners = json.loads(owners_file.read_text(encoding="utf-8"))
    index = VectorIndex.load(faiss_file)
    if len(index) != len(owners):
        raise StaleIndex(f"the index in {out} does not match its paragraph list", hint="run `untm index --force`")
    scores, ids = index.search(embedder.encode([query]), min(len(owners), 8 * k))
    hits, seen = [], set()
    for score, vector in zip(scores[0], ids[0]):
        if vector < 0:
            continue
        paragraph = rows[owners[int(vector)]]
        if paragraph.group in seen:
            continue
        seen.add(paragraph.group)
        hits.append(Hit(float(score), paragraph))
        if len(hits) == k:
            break
    return hits


def hit_json(hit: Hit) -> dict:
    return {"score": round(hit.score, 4)} | {k: v for k, v in asdict(hit.paragraph).items() if k not in ("row", "group")}
