"""Benchmark the TM store at scale: store build time, `lookup` and hybrid `search` latency p50/p95.

Synthetic corpus from the 8,000 UNv1.0 sentence pairs (tests/data/unpc): N units drawn with
replacement, in documents of 1,000 units, recorded through Store.replace_units (jieba segmentation
included). Search: N/2 aligned pairs as paragraphs of both languages (N paragraphs) under FTS5, with
synthetic clustered 512-d vectors in the vector index (embedding a million paragraphs with the
bundled model would take ~2 h on 2 cores); queries are embedded with the real model.
Usage: python scripts/bench_lookup.py [N] [WORK_DIR] [--reuse]   (default 1,000,000, /tmp/untm-bench-lookup;
--reuse: time the queries again on the store and index a previous run left in WORK_DIR)
Every run starts with an empty embedding cache, so "cold" is the first look-up of a term or query in a
new process (as `untm lookup` on the command line) and "warm" a repeated one (as a running service).
Prints the machine's load average before each timing: the figures are only comparable at a similar load.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align.embed import USEEmbedder  # noqa: E402
from align.index import VectorIndex  # noqa: E402
from tm.record import segmented  # noqa: E402
from tm.search import APPROXIMATE_FROM, COMPRESS_FROM, INDEX_DIR, search  # noqa: E402
from tm.store import Store  # noqa: E402
from tm.terms import concordance  # noqa: E402

UNPC = ROOT / "tests" / "data" / "unpc" / "UNv1.0.devset+testset.zh-en.jsonl"
GOLD = ROOT / "tests" / "data" / "terms_gold_150.tsv"


def percentiles(times: list[float]) -> str:
    return f"p50 {statistics.median(times):6.1f} ms, p95 {np.percentile(times, 95):6.1f} ms"


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main() -> None:
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    size = int(arguments[0]) if arguments else 1_000_000
    work = Path(arguments[1] if len(arguments) > 1 else "/tmp/untm-bench-lookup")
    reuse = "--reuse" in sys.argv
    if not reuse:
        shutil.rmtree(work, ignore_errors=True)
    pairs = [json.loads(line) for line in UNPC.open(encoding="utf-8")]
    rng = np.random.default_rng(0)
    picks = rng.integers(0, len(pairs), size)
    if not reuse:
        start = time.perf_counter()
        with Store(work) as store:
            for document in range(0, size, 1000):
                rows = [("sentence", f"d{document}/s{i}", f"S/{document}", "", "1-1", 0.9, "auto", pairs[p]["zh"],
                         pairs[p]["en"]) for i, p in enumerate(picks[document : document + 1000])]
                store.replace_units(f"d{document}", f"S/{document}", "k", rows, segmented)
        built = time.perf_counter() - start
        size_mb = sum(f.stat().st_size for f in work.glob("tm.sqlite*")) / 1e6
        print(f"store of {size:,} units: built in {built / 60:.1f} min, {size_mb:.0f} MB", flush=True)
    gold = [line.split("\t") for line in GOLD.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    terms = [zh.split("|")[0] for zh, _ in gold[:40]] + [en.split("|")[0] for _, en in gold[:40]]
    from align.embed import make_embedder
    from align.embed_cache import EmbeddingCache

    for stale in work.glob("embeddings.sqlite*"):  # cold means cold, also with --reuse
        stale.unlink()
    embedder = make_embedder(None, EmbeddingCache(work / "embeddings.sqlite"))  # as the CLI does
    with Store(work, create=False) as store:
        for label, model in (("no model", None), ("with model, cold cache", embedder), ("with model, warm cache", embedder)):
            print(load(), flush=True)
            times = []
            for term in terms:
                t = time.perf_counter()
                concordance(term, store, model)
                times.append((time.perf_counter() - t) * 1000)
            print(f"lookup ({label}) over {len(terms)} terms: {percentiles(times)}", flush=True)
    if not reuse:
        paragraphs_from_store(work, pairs, picks[: size // 2], rng)
    # terms that were not looked up above, so that their first search embeds them
    queries = [zh.split("|")[0] for zh, _ in gold[40:50]] + [en.split("|")[0] for _, en in gold[40:50]] + [
        "protection of civilians", "保护平民", '"sustainable development"', "the Mission's withdrawal from South Kivu by April 2024"]
    search(work, "Security Council", embedder, k=10)  # loads the index file once, as a running service would
    for label in ("queries not embedded before", "repeated queries"):
        print(load(), flush=True)
        times = []
        for query in queries:
            t = time.perf_counter()
            search(work, query, embedder, k=10)
            times.append((time.perf_counter() - t) * 1000)
        print(f"hybrid search over {size:,} paragraphs, {len(queries)} {label}: {percentiles(times)}; "
              f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB", flush=True)


def paragraphs_from_store(work: Path, pairs: list[dict], picks: np.ndarray, rng: np.random.Generator) -> None:
    """Paragraph rows and a vector index of synthetic vectors (one passage per paragraph)."""
    start = time.perf_counter()
    with Store(work) as store:
        for document in range(0, len(picks), 1000):
            rows = []
            for i, p in enumerate(picks[document : document + 1000]):
                group = f"d{document}:{i}"
                rows.append((f"S/{document}", "zh", i, "", pairs[p]["zh"], pairs[p]["en"], group))
                rows.append((f"S/{document}", "en", i, "", pairs[p]["en"], pairs[p]["zh"], group))
            store.replace_paragraphs(f"p{document}", f"S/{document}", "k", rows, lambda text, lang: [text])
        ids = np.array([r[0] for r in store.db.execute("SELECT id FROM passages ORDER BY id")], dtype=np.int64)
        centres = rng.standard_normal((2000, 512)).astype(np.float32)
        vectors = centres[rng.integers(0, 2000, len(ids))] + 0.9 * rng.standard_normal((len(ids), 512)).astype(np.float32) / np.sqrt(512)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        filled = time.perf_counter() - start
        start = time.perf_counter()
        index = VectorIndex.build(vectors, approximate_from=APPROXIMATE_FROM, threads=2, ids=ids, compress_from=COMPRESS_FROM)
        index.save(work / INDEX_DIR / "paragraphs.faiss")
        store.db.execute("UPDATE passages SET embedded = 1")
        (work / INDEX_DIR / "index.json").write_text(json.dumps({"model": USEEmbedder().model_id, "vectors": len(ids),
                                                                 "kind": index.kind}))
    print(f"{len(ids):,} paragraphs: store {filled / 60:.1f} min, {index.kind} index {(time.perf_counter() - start) / 60:.1f} min",
          flush=True)


if __name__ == "__main__":
    main()
