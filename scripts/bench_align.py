"""Benchmark the aligner: strict/lax F1 and time on synthetic and real UN sets, speed, memory.

Sets:
- synthetic: documents of 100-3,000 segments built from the 8,000 UN Parallel Corpus sentence pairs
  in tests/data/unpc, with 1-2, 2-1, 1-3, 3-1 merges and 1-0, 0-1 drops (some in runs of 4-8);
- heavy (issue #13): 22 % 1-3/3-1 and 22 % 1-0/0-1 beads, on the seeds the aligner was studied on,
  on held-out seeds with another mix plus runs of drops (studied in the second round), and on two
  fresh sets (seeds and mixes of their own); recall is printed per gold bead shape (`--heavy`: only these);
- real paragraphs: the four committed pairs (gold: the label-checked diagonal), and the same pairs
  with English or Chinese paragraphs merged and dropped (gold by construction).
If the peer package `sentalign` (Vecalign's DP, in memory) is installed, it runs on the same
inputs with the same bundled model.
Usage: python scripts/bench_align.py [--quick] [--no-peers] [--no-absorb] [--heavy];
`--scale [--exact]` times aligning alone at 10,000 and 30,000 segments (each in its own process).
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align.aligner import AlignParams, Side, align_beads  # noqa: E402
from align.embed import USEEmbedder  # noqa: E402
from align.embed_cache import EmbeddingCache  # noqa: E402
from align.evaluate import score  # noqa: E402
from align.extract import read_text, segment_file, segment_text  # noqa: E402
from align.pair import align_documents, make_side  # noqa: E402
from align.synthetic import SyntheticDocument, combined_pairs, load_pairs, make_document  # noqa: E402
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
    params = replace(AlignParams(), absorb="--no-absorb" not in sys.argv)  # --no-absorb: the DP alone, as before
    return align_segments(doc.zh, doc.en, embedder, "paragraph" if use_labels else "sentence", params)


def vecalign_align(doc: SyntheticDocument, embedder) -> list[Bead]:
    from sentalign import sentalign

    class Encoder:  # the same bundled model, so only the aligners differ
        def encode(self, texts, **_):
            return embedder.encode(list(texts))

    result = sentalign(list(doc.zh), list(doc.en), encoder=Encoder(), alignment_max_size=4)
    return [Bead(tuple(a.src_indices), tuple(a.tgt_indices), 1.0) for a in result.alignments]


def run_set(name: str, docs: list[SyntheticDocument], embedder, use_labels: bool, peers: bool,
            shapes: bool = False) -> None:
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
        if shapes:
            print(f"{'':<34} {'':<9} recall by gold shape: {shape_recall(results)}")


def shape_recall(results) -> str:
    """Strict recall of each gold bead shape, e.g. `1-3 0.955 (179)`."""
    total: Counter = Counter()
    found: Counter = Counter()
    for test, gold in results:
        keys = {(b.zh, b.en) for b in test}
        for bead in gold:
            shape = (len(bead.zh), len(bead.en))
            total[shape] += 1
            found[shape] += (bead.zh, bead.en) in keys
    return "  ".join(f"{a}-{b} {found[(a, b)] / total[(a, b)]:.3f} ({total[(a, b)]})" for a, b in sorted(total))


SCALE_SIZES = (10_000, 30_000)
HEAVY = {(1, 2): 0.05, (2, 1): 0.05, (1, 3): 0.11, (3, 1): 0.11, (1, 0): 0.11, (0, 1): 0.11}
HELD_OUT = {(1, 3): 0.10, (3, 1): 0.12, (1, 0): 0.12, (0, 1): 0.10, (1, 2): 0.04, (2, 1): 0.04}
# issue #13, second round: the held-out seeds above were then studied too, so two more sets, fixed
# before any result on them was seen, each with its own seeds, mix and runs of drops
FRESH_A = {(1, 3): 0.12, (3, 1): 0.10, (1, 0): 0.10, (0, 1): 0.12, (1, 2): 0.03, (2, 1): 0.05}
FRESH_B = {(1, 3): 0.10, (3, 1): 0.12, (1, 0): 0.13, (0, 1): 0.09, (1, 2): 0.03, (2, 1): 0.03}
FRESH_C = {(1, 3): 0.11, (3, 1): 0.11, (1, 0): 0.11, (0, 1): 0.12, (1, 2): 0.02, (2, 1): 0.02}  # after the last change
HEAVY_SETS = {  # name -> (mix, ((size, seed), ...), runs of 4-8 drops per document)
    "heavy 1-3/3-1+drops, study seeds": (HEAVY, ((600, 1001), (1000, 1002), (800, 1003)), 0),
    "heavy, held-out seeds and mix": (HELD_OUT, ((700, 2001), (900, 2002), (1200, 2003)), 2),
    "heavy, fresh seeds A": (FRESH_A, ((800, 3001), (1000, 3002), (650, 3003)), 1),
    "heavy, fresh seeds B": (FRESH_B, ((900, 4001), (750, 4002), (1100, 4003)), 3),
    "heavy, fresh seeds C": (FRESH_C, ((500, 5001), (1300, 5002), (850, 5003)), 2),
}


def scale_child(folder: Path, size: int, exact: bool) -> None:
    """One size in its own process, so max RSS is this size's: align precomputed spans, print figures."""
    arrays = np.load(folder / f"{size}.npz")
    zh, en = Side(arrays["zh_spans"], arrays["zh_lengths"]), Side(arrays["en_spans"], arrays["en_lengths"])
    gold = [Bead(tuple(int(i) for i in z if i >= 0), tuple(int(j) for j in e if j >= 0), 1.0)
            for z, e in zip(arrays["gold_zh"], arrays["gold_en"])]
    params = replace(AlignParams(), exact_below=10**9) if exact else AlignParams()
    start = time.perf_counter()
    beads = align_beads(zh, en, params)
    seconds = time.perf_counter() - start
    s = score([(beads, gold)])
    print(f"{size} {'exact' if exact else 'windowed'} {seconds:.2f} {s.strict_f1:.4f} {s.lax_f1:.4f} "
          f"{peak_rss_mb():.0f}", flush=True)


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM). Not ru_maxrss: Linux carries it across exec, so a child started
    from a big parent would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_scale(pairs, embedder, exact: bool) -> None:
    """Aligning alone (spans precomputed) at 10,000 and 30,000 segments a side, back to back."""
    print("\n== linear cost: align precomputed spans, each size in a fresh process (max RSS of that process)")
    source = combined_pairs(pairs, 33_000, seed=5)
    with tempfile.TemporaryDirectory() as folder:
        for size in SCALE_SIZES:
            doc = make_document(source, size, 50 + size // 1000, gap_runs=size // 1000)
            zh, en = make_side(doc.zh, "zh", embedder, 4), make_side(doc.en, "en", embedder, 4)
            pad = max(max(len(b.zh), len(b.en)) for b in doc.gold)
            ids = lambda side: np.array([list(t) + [-1] * (pad - len(t)) for t in side], dtype=np.int64)  # noqa: E731
            np.savez(Path(folder) / f"{size}.npz", zh_spans=zh.spans, zh_lengths=zh.lengths, en_spans=en.spans,
                     en_lengths=en.lengths, gold_zh=ids([b.zh for b in doc.gold]), gold_en=ids([b.en for b in doc.gold]))
            del zh, en
        print(f"load (uptime): {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
        figures = {}
        for mode in (["windowed", "exact"] if exact else ["windowed"]):
            for size in SCALE_SIZES:
                out = subprocess.run([sys.executable, __file__, "--scale-child", folder, str(size), mode],
                                     capture_output=True, text=True, check=True).stdout.split()
                figures[(mode, size)] = (float(out[2]), float(out[3]), float(out[4]), float(out[5]))
                seconds, strict, lax, rss = figures[(mode, size)]
                print(f"{mode:<8} {size:>6} x {size:<6} segments: {seconds:7.2f} s, strict F1 {strict:.4f}, "
                      f"lax F1 {lax:.4f}, max RSS {rss:.0f} MB", flush=True)
            small, large = figures[(mode, SCALE_SIZES[0])], figures[(mode, SCALE_SIZES[1])]
            print(f"{mode}: 30k/10k time ratio {large[0] / small[0]:.2f}, max RSS ratio {large[3] / small[3]:.2f}")
        print(f"load (uptime): {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


def main() -> None:
    if "--scale-child" in sys.argv:
        at = sys.argv.index("--scale-child")
        scale_child(Path(sys.argv[at + 1]), int(sys.argv[at + 2]), sys.argv[at + 3] == "exact")
        return
    quick = "--quick" in sys.argv
    try:
        import sentalign  # noqa: F401
        peers = "--no-peers" not in sys.argv
    except ImportError:
        peers = False
        print("(peer comparison skipped: `pip install sentalign` to run Vecalign's DP with the same model)")
    cache = EmbeddingCache(ROOT / ".cache" / "bench-embeddings.sqlite")
    embedder = USEEmbedder(cache)
    pairs = load_pairs(ROOT / "tests" / "data" / "unpc" / "UNv1.0.devset+testset.zh-en.jsonl")

    if "--scale" in sys.argv:
        run_scale(pairs, embedder, "--exact" in sys.argv)
        return
    print("== alignment quality (same bundled model for every system)")
    sizes = [100, 300, 1000] if quick else [100, 300, 1000, 3000]
    heavy_only = "--heavy" in sys.argv  # only the issue #13 sets
    if not heavy_only:
        run_set("synthetic, merges+drops", [make_document(pairs, n, 100 + n) for n in sizes], embedder, False, peers,
                shapes=True)
        run_set("synthetic, + runs of 4-8 drops", [make_document(pairs, n, 200 + n, gap_runs=max(2, n // 150))
                                                    for n in sizes], embedder, False, peers)
    # issue #13: >= 20 % 1-3/3-1 and >= 20 % deletions
    for name, (mix, documents, runs) in HEAVY_SETS.items():
        run_set(name, [make_document(pairs, n, seed, mix, gap_runs=runs) for n, seed in documents], embedder,
                False, peers, shapes=True)
    if heavy_only:
        return
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
