"""Benchmark the aligner: strict/lax F1 and time on synthetic and real UN sets, speed, memory.

Sets:
- synthetic: documents of 100-3,000 segments built from the 8,000 UN Parallel Corpus sentence pairs
  in tests/data/unpc, with 1-2, 2-1, 1-3, 3-1 merges and 1-0, 0-1 drops (some in runs of 4-8);
- real paragraphs: the four committed pairs (gold: the label-checked diagonal), and the same pairs
  with English or Chinese paragraphs merged and dropped (gold by construction).
If the peer package `sentalign` (Vecalign's DP, in memory) is installed, it runs on the same
inputs with the same bundled model. Usage: python scripts/bench_align.py [--quick]
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align.aligner import align_beads  # noqa: E402
from align.embed import USEEmbedder  # noqa: E402
from align.embed_cache import EmbeddingCache  # noqa: E402
from align.evaluate import score  # noqa: E402
from align.extract import read_text, segment_file, segment_text  # noqa: E402
from align.pair import align_documents, make_side  # noqa: E402
from align.synthetic import SyntheticDocument, load_pairs, make_document  # noqa: E402
from align.types import Bead  # noqa: E402
from align.workflow import align_segments  # noqa: E402

PAIRS = ["S-RES-2423-2018", "S-RES-2518-2020", "S-RES-2589-2021", "S-RES-2594-2021"]


def perturb(zh: list[str], en: list[str], seed: int) -> SyntheticDocument:
    """Merge and drop paragraphs on both sides of a diagonal pair; gold follows the edits."""
    rng = np.random.default_rng(seed)
    n = len(zh)
    action = {int(i): str(rng.choice(["merge_en", "merge_zh", "drop_en", "drop_zh"]))
              for i in rng.choice(np.arange(3, n - 2), size=max(2, n // 12), replace=False)}
    out_zh: list[str] = []
    out_en: list[str] = []
    gold: list[Bead] = []
    i = 0
    while i < n:
        kind = action.get(i)
        if kind in ("merge_en", "merge_zh") and i + 1 < n and (i + 1) not in action:
            if kind == "merge_en":
                gold.append(Bead((len(out_zh), len(out_zh) + 1), (len(out_en),), 1.0))
                out_zh += [zh[i], zh[i + 1]]
                out_en.append(en[i] + " " + en[i + 1])
            else:
                gold.append(Bead((len(out_zh),), (len(out_en), len(out_en) + 1), 1.0))
                out_zh.append(zh[i] + zh[i + 1])
                out_en += [en[i], en[i + 1]]
            i += 2
            continue
        if kind == "drop_en":
            gold.append(Bead((len(out_zh),), (), 1.0))
            out_zh.append(zh[i])
        elif kind == "drop_zh":
            gold.append(Bead((), (len(out_en),), 1.0))
            out_en.append(en[i])
        else:
            gold.append(Bead((len(out_zh),), (len(out_en),), 1.0))
            out_zh.append(zh[i])
            out_en.append(en[i])
        i += 1
    return SyntheticDocument(tuple(out_zh), tuple(out_en), tuple(gold))


def untm_align(doc: SyntheticDocument, embedder, use_labels: bool) -> list[Bead]:
    """What `untm align --presegmented` does: paragraph level uses operative numbers as anchors."""
    return align_segments(doc.zh, doc.en, embedder, "paragraph" if use_labels else "sentence")


def vecalign_align(doc: SyntheticDocument, embedder) -> list[Bead]:
    from sentalign import sentalign

    class Encoder:  # the same bundled model, so only the aligners differ
        def encode(self, texts, **_):
            return embedder.encode(list(texts))

    result = sentalign(list(doc.zh), list(doc.en), encoder=Encoder(), alignment_max_size=4)
    return [Bead(tuple(a.src_indices), tuple(a.tgt_indices), 1.0) for a in result.alignments]


def run_set(name: str, docs: list[SyntheticDocument], embedder, use_labels: bool, peers: bool) -> None:
    rows = {"untm": ([], 0.0)}
    for doc in docs:  # warm the embedding cache so times compare aligners, not the model
        make_side(doc.zh, "zh", embedder, 4), make_side(doc.en, "en", embedder, 4)
    start = time.perf_counter()
    rows["untm"] = ([(untm_align(d, embedder, use_labels), d.gold) for d in docs], time.perf_counter() - start)
    if peers:
        start = time.perf_counter()
        results = [(vecalign_align(d, embedder), d.gold) for d in docs]
        rows["vecalign"] = (results, time.perf_counter() - start)
    segments = sum(len(d.zh) + len(d.en) for d in docs)
    for system, (results, seconds) in rows.items():
        s = score(results)
        print(f"{name:<34} {system:<9} strict P {s.strict_precision:.3f} R {s.strict_recall:.3f} "
              f"F1 {s.strict_f1:.3f} | lax F1 {s.lax_f1:.3f} | {seconds:6.2f} s ({segments} segments)")


def main() -> None:
    quick = "--quick" in sys.argv
    try:
        import sentalign  # noqa: F401
        peers = True
    except ImportError:
        peers = False
        print("(peer comparison skipped: `pip install sentalign` to run Vecalign's DP with the same model)")
    cache = EmbeddingCache(ROOT / ".cache" / "bench-embeddings.sqlite")
    embedder = USEEmbedder(cache)
    pairs = load_pairs(ROOT / "tests" / "data" / "unpc" / "UNv1.0.devset+testset.zh-en.jsonl")

    print("== alignment quality (same bundled model for every system)")
    sizes = [100, 300, 1000] if quick else [100, 300, 1000, 3000]
    run_set("synthetic, merges+drops", [make_document(pairs, n, 100 + n) for n in sizes], embedder, False, peers)
    run_set("synthetic, + runs of 4-8 drops", [make_document(pairs, n, 200 + n, gap_runs=max(2, n // 150))
                                                for n in sizes], embedder, False, peers)
    real = []
    for slug in PAIRS:
        zh = [p.text for p in segment_file(ROOT / "seeds" / f"{slug}.zh.txt").document.paragraphs]
        en = [p.text for p in segment_file(ROOT / "fetched" / slug / "en.txt").document.paragraphs]
        real.append((zh, en))
    run_set("real pairs, paragraphs", [SyntheticDocument(tuple(z), tuple(e), tuple(Bead((i,), (i,), 1.0)
                                                                                 for i in range(len(z))))
                                       for z, e in real], embedder, True, peers)
    perturbed = [perturb(z, e, seed) for seed in range(3) for z, e in real]
    run_set("real pairs, merged+dropped paras", perturbed, embedder, True, peers)
    run_set("  same, without label anchors", perturbed, embedder, False, peers)

    print("\n== speed")
    doc = make_document(pairs, 3200, 7, gap_runs=4)
    zh_side, en_side = make_side(doc.zh, "zh", embedder, 4), make_side(doc.en, "en", embedder, 4)
    for n in ([500, 1000, 2000, 3000]):
        cut = SyntheticDocument(doc.zh[:n], doc.en[:n], ())
        z, e = make_side(cut.zh, "zh", embedder, 4), make_side(cut.en, "en", embedder, 4)
        start = time.perf_counter()
        align_beads(z, e)
        print(f"DP + margins, {n} x {n} segments (embedding excluded): {time.perf_counter() - start:.2f} s")
    del zh_side, en_side

    fresh = USEEmbedder()  # no cache: the model loads and embeds everything
    start = time.perf_counter()
    zh_doc = segment_text(read_text(ROOT / "seeds" / "S-RES-2423-2018.zh.txt"), "zh").document
    en_doc = segment_text(read_text(ROOT / "fetched" / "S-RES-2423-2018" / "en.txt"), "en").document
    alignment = align_documents(zh_doc, en_doc, fresh)
    print(f"end to end S/RES/2423(2018), raw text -> paragraph and sentence beads, cold model and cache: "
          f"{time.perf_counter() - start:.2f} s ({len(alignment.paragraph_beads)} paragraph beads, "
          f"{len(alignment.zh_sentences)}+{len(alignment.en_sentences)} sentences)")
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
