"""Hybrid paragraph search over the TM store: literal (FTS5 trigram, BM25) and semantic (FAISS) fused.

Paragraphs that contain the query verbatim come first, ordered by reciprocal rank fusion (Cormack
et al. 2009, k = 60) of their BM25 and vector ranks; then the rest of the semantic hits, so a
paraphrase or the other language still finds its paragraph. `"quoted"` parts must occur verbatim
(when no paragraph has them all, the hits by meaning are shown, none marked literal).
Every paragraph of a build is indexed in both languages, so a Chinese query finds English-only
material and the reverse; a hit shows its aligned text in the other language where there is one.
The vector index grows by id: a re-built document's passages are removed and re-added, others are
never re-embedded; the index is rebuilt only when its type changes (flat → IVF → IVF-PQ).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from align.embed import Embedder
from align.errors import AlignError, StaleIndex
from align.index import VectorIndex
from align.pair import join_segments
from align.stages import read_document
from align.symbols import is_symbol, normalise_symbol
from align.types import read_beads, write_atomic
from tm.store import Store, StoredParagraph, store_lock, store_path

INDEX_DIR = "index"
_CLAUSE_END_RE = re.compile(r"(?<=[，,；;。：:])\s*")
_QUOTED_RE = re.compile(r'"([^"]+)"|“([^”]+)”')
_STRAY_QUOTES = str.maketrans({'"': " ", "“": " ", "”": " "})
APPROXIMATE_FROM = 200_000  # exact search below; IVF above (recall measured by scripts/bench_search.py)
COMPRESS_FROM = 1_000_000  # IVF-SQ8 from here on: ~0.5 GB a million vectors instead of 2 GB
RRF_K = 60
_ENCODE_CHUNK = 8192  # passages embedded and added at a time: the memory of a full rebuild is the index's
DELTA_SHARE = 4  # the main index file is rewritten once the delta beside it holds a quarter as many vectors


@dataclass(frozen=True, slots=True)
class Hit:
    score: float
    paragraph: StoredParagraph
    literal: bool = False  # the paragraph contains the query (or its quoted phrases) verbatim


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


def folder_sources(folder: Path) -> list[Path]:
    """The files of one document folder its paragraphs are read from (folder_paragraphs)."""
    names = ("zh.paragraphs.jsonl", "en.paragraphs.jsonl", "beads.jsonl")
    return [path for path in (folder / name for name in names) if path.exists()]


def embed_passages(folder: Path, embedder: Embedder) -> int:
    """Embed one document folder's search passages (into the embedder's cache); how many there were."""
    texts = [passage for row in folder_paragraphs(folder)[0] for passage in passages(row[4], row[1])]
    if texts:
        embedder.encode(texts)
    return len(texts)


def folder_paragraphs(folder: Path) -> tuple[list[tuple[str, str, int, str, str, str, str]], list[Path]]:
    """(symbol, lang, index, label, text, aligned, group) of one document folder, and its input files."""
    sources = folder_sources(folder)
    documents = {lang: path for lang in ("zh", "en") if (path := folder / f"{lang}.paragraphs.jsonl") in sources}
    beads_file = folder / "beads.jsonl"
    loaded = {lang: read_document(path) for lang, path in documents.items()}
    partner: dict[tuple[str, int], tuple[str, str]] = {}
    matched = [(b.zh, b.en) for b in read_beads(beads_file)["paragraph"] if b.zh and b.en] \
        if beads_file in sources and len(loaded) == 2 else []
    for number, (zh_ids, en_ids) in enumerate(matched):
        zh_text = join_segments([loaded["zh"].paragraphs[i].text for i in zh_ids], "zh")
        en_text = join_segments([loaded["en"].paragraphs[j].text for j in en_ids], "en")
        for i in zh_ids:
            partner[("zh", i)] = (en_text, f"{folder.name}:{number}")
        for j in en_ids:
            partner[("en", j)] = (zh_text, f"{folder.name}:{number}")
    rows = []
    for lang, document in loaded.items():
        for p in document.paragraphs:
            aligned, group = partner.get((lang, p.index), ("", f"{folder.name}:{lang}{p.index}"))
            rows.append((p.symbol, lang, p.index, p.label, p.text, aligned, group))
    return rows, sources


def _files_key(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _paths(out: Path) -> tuple[Path, Path]:
    folder = Path(out) / INDEX_DIR
    return folder / "paragraphs.faiss", folder / "index.json"


def _delta_path(faiss_file: Path) -> Path:
    """The vectors added since the main index file was last written: an exact (flat) index beside it, so
    adding N documents writes N documents' vectors, not the whole index (HOUSE_STYLE: O(N) growth)."""
    return faiss_file.with_name("paragraphs.delta.faiss")


def _main_intact(faiss_file: Path, info: dict) -> bool:
    """The main index file is the one index.json describes (a run killed after rewriting it, before
    recording that, leaves another size: then the index starts again)."""
    try:
        size = faiss_file.stat().st_size
    except OSError:
        return False
    return info.get("main_bytes", size) == size  # an index.json from before the delta has no size: no delta either


def _ids_of(index: VectorIndex) -> set[int]:
    return set(index.ids().tolist())


def build_index(out: Path, embedder: Embedder, force: bool = False) -> int:
    """Bring the store's paragraphs and the vector index up to date with OUT/docs; returns the paragraph count.
    Only new or changed documents are embedded; the index is rebuilt only when its type must change.

    New vectors go to a small exact delta index beside the main one; the main file is read and rewritten
    only when a document it holds changed, when the delta outgrows a quarter of it, or when its type must
    change, so adding N documents costs O(N) amortised, not a rewrite of M documents' vectors."""
    faiss_file, info_file = _paths(out)
    delta_file = _delta_path(faiss_file)
    with store_lock(out), Store(out) as store:
        info = _read_info(info_file)  # read under the lock: another build may have just written it
        usable = (not force and info.get("model") == embedder.model_id and faiss_file.exists()
                  and info.get("vectors") == store.embedded_count() and _main_intact(faiss_file, info)
                  and (info.get("delta", 0) == 0 or delta_file.exists()))
        removed: list[int] = []
        for folder in sorted((Path(out) / "docs").glob("*")):
            key = _files_key(folder_sources(folder))  # before parsing: an unchanged document is only hashed
            if usable and store.document_key(folder.name, "paragraphs") == key:
                continue
            rows, _ = folder_paragraphs(folder)
            symbol = rows[0][0] if rows else ""
            gone, _ = store.replace_paragraphs(folder.name, symbol, key, rows, passages)
            removed += gone
        if not usable:  # start again: every passage is embedded (from the embedding cache when it has them)
            store.db.execute("UPDATE passages SET embedded = 0")
        pending = store.pending_passages()
        if usable and not (pending or removed) and info_file.exists():
            return store.paragraph_count()  # nothing changed: the record of the last change stays as it was
        delta = VectorIndex.load(delta_file) if usable and info.get("delta", 0) else None
        if delta is not None and len(delta) != info["delta"]:  # not the delta index.json describes: start again
            store.db.execute("UPDATE passages SET embedded = 0")
            pending, usable, delta = store.pending_passages(), False, None
        main_count = info.get("vectors", 0) - info.get("delta", 0) if usable else 0
        in_delta = _ids_of(delta) if delta is not None else set()
        total = info.get("vectors", 0) - len(removed) + len(pending) if usable else len(pending)
        wanted = VectorIndex.kind_for(total, APPROXIMATE_FROM, COMPRESS_FROM)
        ids = np.array([p[0] for p in pending], dtype=np.int64)
        delta_size = (len(delta) if delta is not None else 0) - len(in_delta.intersection(removed)) + len(pending)
        if (usable and info.get("kind") == wanted and in_delta.issuperset(removed)
                and DELTA_SHARE * delta_size <= main_count):
            # the main file stays as it is: removals and additions go to the delta
            if delta is None:
                delta = _streamed_index(embedder, pending, approximate_from=len(pending) + 1)
            else:
                delta.remove(removed)
                _add_in_chunks(delta, embedder, pending)
            delta.save(delta_file)
            kind, main_bytes = info["kind"], info.get("main_bytes") or faiss_file.stat().st_size
        else:
            index = VectorIndex.load(faiss_file) if usable else None
            if index is not None and len(index) != main_count:  # not the main index index.json describes
                store.db.execute("UPDATE passages SET embedded = 0")
                pending, index, delta = store.pending_passages(), None, None
                ids = np.array([p[0] for p in pending], dtype=np.int64)
            if index is not None and delta is not None:  # fold the delta back in
                index.add(*delta.vectors_with_ids())
            all_count = (len(index) - len(removed) if index is not None else 0) + len(pending)
            if index is not None and index.kind != VectorIndex.kind_for(all_count, APPROXIMATE_FROM, COMPRESS_FROM):
                store.db.execute("UPDATE passages SET embedded = 0")  # type change: the one full rebuild
                pending, index = store.pending_passages(), None
                ids = np.array([p[0] for p in pending], dtype=np.int64)
            if index is not None:
                index.remove(removed)
                _add_in_chunks(index, embedder, pending)
            elif len(pending):
                index = _streamed_index(embedder, pending, APPROXIMATE_FROM, COMPRESS_FROM)
            delta_file.unlink(missing_ok=True)  # first: a run killed now finds no delta and starts again
            delta, delta_size = None, 0
            if index is not None:
                index.save(faiss_file)
            else:
                faiss_file.unlink(missing_ok=True)
            kind = index.kind if index is not None else "none"
            main_bytes = faiss_file.stat().st_size if index is not None else 0
            total = len(index) if index is not None else 0
        store.mark_embedded([int(i) for i in ids])
        write_atomic(info_file, json.dumps({"model": embedder.model_id, "vectors": total, "kind": kind,
                                            "embedded_now": len(pending), "delta": delta_size,
                                            "main_bytes": main_bytes}, indent=1) + "\n")
        return store.paragraph_count()


def _streamed_index(embedder: Embedder, passages: list[tuple[int, str]], approximate_from: int,
                    compress_from: int | None = None) -> VectorIndex:
    """An index of `passages` (id, text), trained on a sample and filled chunk by chunk: its peak
    memory is the index plus one chunk, not every vector of the corpus at once."""
    rows = VectorIndex.training_rows(len(passages), approximate_from, compress_from)
    sample = embedder.encode([passages[i][1] for i in rows] if len(rows) else [passages[0][1]])
    index = VectorIndex.empty(sample, len(passages), approximate_from, compress_from=compress_from)
    del sample
    _add_in_chunks(index, embedder, passages)
    return index


def _add_in_chunks(index: VectorIndex, embedder: Embedder, passages: list[tuple[int, str]]) -> None:
    for start in range(0, len(passages), _ENCODE_CHUNK):
        chunk = passages[start : start + _ENCODE_CHUNK]
        index.add(embedder.encode([text for _, text in chunk]), np.array([i for i, _ in chunk], dtype=np.int64))


def _read_info(info_file: Path) -> dict:
    try:
        return json.loads(info_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def parse_query(query: str) -> tuple[str, list[str]]:
    """(the query without quotes, its quoted phrases); an empty query is an error."""
    phrases = [a or b for a, b in _QUOTED_RE.findall(query)]
    unquoted = _QUOTED_RE.sub(lambda m: m.group(1) or m.group(2), query)
    # a quote left without its partner (`"protection of`, `""`) is no part of the text to find
    plain = " ".join(unquoted.translate(_STRAY_QUOTES).split())
    if not plain:
        raise AlignError("the search query is empty", hint='give some words, e.g. untm search "protection of civilians"')
    return plain, [p.strip() for p in phrases if p.strip()]


def _filters(symbol: str | None, lang: str | None, label: str | None) -> tuple[str, list[str]]:
    where, args = "", []
    for column, value, op in (("symbol", symbol, "="), ("lang", lang, "="), ("label", label, "LIKE")):
        if value:
            where += f" AND paragraphs.{column} {op} ?"
            args.append(value if op == "=" else value + "%")
    return where, args


def search(out: Path, query: str, embedder: Embedder, k: int = 10, *, symbol: str | None = None,
           lang: str | None = None, label: str | None = None) -> list[Hit]:
    """The k best paragraphs for `query`, verbatim occurrences first, an aligned pair counted once.
    Filters: document `symbol`, paragraph `lang`, `label` prefix ("operative")."""
    plain, phrases = parse_query(query)
    faiss_file, info_file = _paths(out)
    info = _read_info(info_file)
    if not info or not store_path(out).exists():
        raise StaleIndex(f"no search index in {out}", hint=f"run `untm build -o {out}` or `untm index --index {out}`")
    if info["model"] != embedder.model_id:
        raise StaleIndex(f"the index in {out} was built with {info['model']}, not {embedder.model_id}",
                         hint="search with the same --model, or rebuild the index with `untm index --force`")
    if symbol and is_symbol(symbol):
        symbol = normalise_symbol(symbol)  # "S/RES/2423 (2018)" as English text writes it
    where, args = _filters(symbol, lang, label)
    with Store(out, create=False) as store:
        if store.embedded_count() != info["vectors"]:
            raise StaleIndex(f"the index in {out} does not match its paragraph list", hint="run `untm index --force`")
        if symbol and not store.has_symbol(symbol):  # the filter would silently find nothing
            known = store.symbols(limit=6)
            shown = ", ".join(known[:5]) + (", …" if len(known) > 5 else "")
            raise AlignError(f"no document {symbol} in {out}",
                             hint=f"give --symbol as the build recorded it, e.g. {shown}" if known
                             else "its documents have no UN symbol; search without --symbol")
        if info["vectors"] == 0:
            return []
        literal: list[int] = []
        for phrase in phrases or [plain]:
            found = store.literal_paragraphs(phrase, where, args, limit=max(200, 20 * k))
            literal = found if not literal else [i for i in literal if i in set(found)]
        if phrases and not literal:
            if " ".join(phrases) == plain:  # the whole query quoted: verbatim or nothing, as --help says
                return []
            phrases = []  # a pasted sentence that quotes something: nothing has it verbatim, search by meaning
        semantic = _semantic(store, faiss_file, plain, embedder, k, bool(where))
        fused: dict[int, float] = {}
        for ranking in (literal, semantic):
            for rank, paragraph_id in enumerate(ranking):
                fused[paragraph_id] = fused.get(paragraph_id, 0.0) + 1.0 / (RRF_K + rank + 1)
        literal_set = set(literal)
        order = sorted(fused, key=lambda i: (i not in literal_set, -fused[i]))
        if phrases:
            order = [i for i in order if i in literal_set]
        rows = store.paragraphs(order[: 8 * k])
        hits, seen = [], set()
        for paragraph_id in order[: 8 * k]:
            paragraph = rows[paragraph_id]
            if paragraph.group in seen or (where and not _passes(paragraph, symbol, lang, label)):
                continue
            seen.add(paragraph.group)
            hits.append(Hit(round(fused[paragraph_id] * RRF_K / 2, 4), paragraph, paragraph_id in literal_set))
            if len(hits) == k:
                break
        return hits


def _passes(paragraph: StoredParagraph, symbol: str | None, lang: str | None, label: str | None) -> bool:
    return ((not symbol or paragraph.symbol == symbol) and (not lang or paragraph.lang == lang)
            and (not label or paragraph.label.startswith(label)))


def _semantic(store: Store, faiss_file: Path, query: str, embedder: Embedder, k: int, filtered: bool) -> list[int]:
    """Paragraph ids by their best passage's similarity to the query, best first (main index and delta merged)."""
    vector, wanted = embedder.encode([query]), (64 if filtered else 8) * k
    found: list[tuple[float, int]] = []
    delta_file = _delta_path(faiss_file)
    for path in (faiss_file, *([delta_file] if delta_file.exists() else [])):
        index = _load_index(path)
        scores, ids = index.search(vector, min(len(index), wanted))
        found += [(float(s), int(i)) for s, i in zip(scores[0], ids[0]) if i >= 0]
    ordered = [i for _, i in sorted(found, key=lambda pair: -pair[0])][:wanted]  # as many as one index gives
    owners = store.passage_owners(ordered)
    ranked: list[int] = []
    for passage_id in ordered:
        owner = owners.get(int(passage_id))
        if owner is not None and owner not in ranked:
            ranked.append(owner)
    return ranked


_LOADED: dict[str, tuple[tuple[int, int, int], VectorIndex]] = {}


def _load_index(faiss_file: Path) -> VectorIndex:
    """An index file, read once per process while it is unchanged (a server or a benchmark asks many times)."""
    stat = faiss_file.stat()
    key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    if _LOADED.get(str(faiss_file), (None,))[0] != key:
        _LOADED[str(faiss_file)] = (key, VectorIndex.load(faiss_file))
    return _LOADED[str(faiss_file)][1]


def hit_json(hit: Hit) -> dict:
    paragraph = {k: v for k, v in asdict(hit.paragraph).items() if k not in ("id", "group", "document")}
    return {"score": hit.score, "literal": hit.literal} | paragraph
