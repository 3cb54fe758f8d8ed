"""Scale benchmark: documents/minute of `untm build`, local vs a Ray cluster on this machine, peak
memory per worker, and the cost of adding documents to each existing build, split by stage (the
documents' stages, TMX/TSV merge, review pages, workbook, TM store, build checks, search index):
adding N documents costs O(N) when the split is about the same whatever the size added to.
Prints figures only.

    python scripts/bench_scale.py --sizes 200 2000 --add 100 --no-ray --work /tmp/untm-bench

Every configuration builds the synthetic corpus of scripts/make_corpus.py offline, with a fresh
embedding cache, in a child process, so timings include start-up (Ray's included: cluster start,
connect, worker start and model load are reported, not hidden). Report `uptime` with the figures:
the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RAY = Path(sys.executable).with_name("ray")
sys.path.insert(0, str(ROOT))
from align.cluster import cluster_processes, stop_local_cluster  # noqa: E402  (the project's code, by path)


def child(spec: dict) -> None:
    """One build in this process; prints its phases as JSON."""
    sys.path.insert(0, str(ROOT))
    from align.embed import make_embedder
    from align.embed_cache import EmbeddingCache
    from tm.build import BuildOptions, build
    from tm.search import build_index

    stage_s = _time_export_stages()
    started = time.perf_counter()
    embedder = make_embedder(None, EmbeddingCache(Path(spec["cache"]) / "embeddings.sqlite"))
    options = BuildOptions(fetched=Path(spec["fetched"]), offline=True, ray=spec.get("ray"))
    times: list[float] = []
    report = build(spec["seeds"], Path(spec["out"]), embedder, options, on_document=lambda d: times.append(time.perf_counter()))
    after_export = time.perf_counter()
    build_peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the search index's
    build_index(Path(spec["out"]), embedder)
    finished = time.perf_counter()
    statuses = [d.status for d in report.documents]
    print(json.dumps({
        "documents": len(statuses), "aligned": statuses.count("aligned"), "failed": len(report.failed),
        "first_document_s": times[0] - started if times else None,
        "documents_s": times[-1] - started if times else 0.0,
        "export_s": after_export - (times[-1] if times else started), "export_skipped": report.export_skipped,
        "index_s": finished - after_export, "total_s": finished - started,
        # the export step split: TMX/TSV merge, review pages + index, workbook, TM store; the rest of
        # export_s is the build's own checks (stage fingerprints, the outputs' hashes)
        # (the review pages are written while the workbook streams its rows: their time is taken out of it)
        "tmx_tsv_s": stage_s["export"] - stage_s["write_review"],
        "review_pages_s": stage_s["write_review"] - stage_s["write_workbook"] + stage_s["_write_if_changed"],
        "workbook_s": stage_s["write_workbook"] - stage_s["_write_if_changed"], "store_s": stage_s["record_build"],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "build_peak_rss_mb": build_peak_mb,
        "peak_rss_children_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        # CPU seconds, not wall: on a shared machine the wall clock depends on everyone else's load
        "driver_cpu_s": sum(getattr(resource.getrusage(who), field) for who in (resource.RUSAGE_SELF,
                            resource.RUSAGE_CHILDREN) for field in ("ru_utime", "ru_stime")),
    }))


def _time_export_stages() -> dict[str, float]:
    """Seconds spent in each part of the export step, by wrapping the functions the build calls."""
    import functools

    import tm.build
    import tm.record
    import tm.review
    import tm.workbook

    spent = {"export": 0.0, "write_review": 0.0, "write_workbook": 0.0, "_write_if_changed": 0.0, "record_build": 0.0}

    def timed(module, name: str) -> None:
        original = getattr(module, name)

        @functools.wraps(original)
        def wrapper(*args, **kwargs):
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - began

        setattr(module, name, wrapper)

    for module, name in ((tm.build, "export"), (tm.review, "write_review"), (tm.workbook, "write_workbook"),
                         (tm.review, "_write_if_changed"), (tm.record, "record_build")):
        timed(module, name)
    return spent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _watch_workers(temp_dir: str, port: int, peaks: dict[int, float], stop: threading.Event,
                   cpu: dict[int, float] | None = None) -> None:
    import ray  # noqa: F401  (Ray carries its own psutil and puts it on the path)
    import psutil

    while not stop.is_set():
        for p in cluster_processes(temp_dir, port):
            try:
                if "DocumentWorker" in " ".join(p.cmdline()):
                    peaks[p.pid] = max(peaks.get(p.pid, 0.0), p.memory_info().rss / 2**20)
                    if cpu is not None:
                        times = p.cpu_times()
                        cpu[p.pid] = times.user + times.system
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        stop.wait(0.5)


def run_build(work: Path, name: str, seeds: list[str], fetched: Path, ray: str | None = None,
              cache: Path | None = None, out: Path | None = None) -> dict:
    spec = {"seeds": seeds, "fetched": str(fetched), "out": str(out or work / name / "out"),
            "cache": str(cache or work / name / "cache"), "ray": ray}
    env = dict(os.environ, PYTHONPATH=str(ROOT), SOURCE_DATE_EPOCH="1795000000")
    spec_file = work / f"{name}.spec.json"
    spec_file.write_text(json.dumps(spec))
    result = subprocess.run([PYTHON, __file__, "--child", str(spec_file)], env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{name} failed:\n{result.stderr[-3000:]}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["docs_per_minute"] = 60 * figures["documents"] / figures["total_s"]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000])
    parser.add_argument("--add", type=int, default=100, help="documents added to each local build")
    parser.add_argument("--ray-cpus", type=int, default=2, help="CPUs of the local Ray cluster (one node)")
    parser.add_argument("--no-ray", action="store_true", help="local builds only")
    parser.add_argument("--ray-sizes", type=int, nargs="*", help="sizes to run on Ray (default: --sizes)")
    parser.add_argument("--grow-only", action="store_true", help="only add --add documents to the builds")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "untm-bench-scale")
    arguments = parser.parse_args()
    if arguments.child:
        child(json.loads(arguments.child.read_text()))
        return
    work = arguments.work
    if arguments.grow_only:  # the adding step alone, on the builds of an earlier run in --work
        seeds = [str(p) for p in sorted((work / "corpus" / "seeds").glob("*.zh.txt"))]
        for size in sorted(arguments.sizes):
            grow(work, size, arguments.add, seeds, work / "corpus" / "fetched", rerun=size == max(arguments.sizes))
        return
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    largest = max(arguments.sizes)
    subprocess.run([PYTHON, str(ROOT / "scripts" / "make_corpus.py"), str(largest + arguments.add), "-o",
                    str(work / "corpus"), "--seed", "1"], check=True, capture_output=True)
    seeds = [str(p) for p in sorted((work / "corpus" / "seeds").glob("*.zh.txt"))]
    fetched = work / "corpus" / "fetched"
    print(f"load at start: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} on "
          f"{os.cpu_count()} CPUs", flush=True)

    temp_dir = port = None
    if not arguments.no_ray:
        temp_dir = tempfile.mkdtemp(prefix="untmbench")
        port = _free_port()
        env = dict(os.environ, PYTHONPATH=str(ROOT), RAY_USAGE_STATS_ENABLED="0")
        started = time.perf_counter()
        subprocess.run([str(RAY), "start", "--head", f"--port={port}", f"--num-cpus={arguments.ray_cpus}",
                        f"--temp-dir={temp_dir}", "--include-dashboard=false",
                        f"--ray-client-server-port={_free_port()}", f"--dashboard-agent-listen-port={_free_port()}",
                        "--disable-usage-stats"], env=env, check=True, capture_output=True)
        print(f"ray start (head, {arguments.ray_cpus} CPUs): {time.perf_counter() - started:.1f} s", flush=True)
    ray_sizes = arguments.ray_sizes if arguments.ray_sizes is not None else arguments.sizes
    try:
        for size in sorted(arguments.sizes):
            figures = run_build(work, f"local-{size}", seeds[:size], fetched)
            print(f"local {size:>5} docs: {figures['docs_per_minute']:.1f} docs/min  {json.dumps(figures)}  "
                  f"load {os.getloadavg()[0]:.2f}", flush=True)
            if temp_dir is not None and size in ray_sizes:
                _ray_run(work, size, seeds, fetched, temp_dir, port)
    finally:
        if temp_dir is not None:
            stop_local_cluster(temp_dir, port)
            shutil.rmtree(temp_dir, ignore_errors=True)

    for size in sorted(arguments.sizes):
        grow(work, size, arguments.add, seeds, fetched, rerun=size == largest)


def grow(work: Path, size: int, add: int, seeds: list[str], fetched: Path, rerun: bool = True) -> None:
    """Add documents to a local build, in place (meta files record paths: a copy would redo all).

    O(N) means the split printed here is about the same whatever the size of the build added to."""
    if rerun:  # twice: the first re-run after a build also keeps the stage files' hashes (align/stages.py memo)
        for label in ("first", "again"):
            again = run_build(work, f"local-{size}", seeds[:size], fetched)
            print(f"re-run {size} docs, nothing new ({label}): {_split(again)}  {json.dumps(again)}", flush=True)
    grown = run_build(work, f"local-{size}", seeds[: size + add], fetched)
    print(f"add {add} to {size}: {_split(grown)}  peak RSS {grown['peak_rss_mb']:.0f} MB (build and export "
          f"{grown['build_peak_rss_mb']:.0f} MB)  {json.dumps(grown)}  "
          f"load {os.getloadavg()[0]:.2f}", flush=True)


def _split(figures: dict) -> str:
    checks = figures["export_s"] - figures["tmx_tsv_s"] - figures["review_pages_s"] - figures["workbook_s"] \
        - figures["store_s"]
    return (f"total {figures['total_s']:.1f} s = documents {figures['documents_s']:.1f} s + TMX/TSV merge "
            f"{figures['tmx_tsv_s']:.1f} s + review pages {figures['review_pages_s']:.1f} s + workbook "
            f"{figures['workbook_s']:.1f} s + TM store {figures['store_s']:.1f} s + build checks {checks:.1f} s "
            f"+ search index {figures['index_s']:.1f} s")


def _ray_run(work: Path, size: int, seeds: list[str], fetched: Path, temp_dir: str, port: int) -> None:
    peaks: dict[int, float] = {}
    cpu: dict[int, float] = {}
    stop = threading.Event()
    watcher = threading.Thread(target=_watch_workers, args=(temp_dir, port, peaks, stop, cpu), daemon=True)
    watcher.start()
    figures = run_build(work, f"ray-{size}", seeds[:size], fetched, ray=f"127.0.0.1:{port}")
    stop.set()
    watcher.join()
    figures["worker_peak_rss_mb"] = sorted(round(v) for v in peaks.values())
    figures["workers_cpu_s"] = round(sum(cpu.values()), 1)  # as last sampled (0.5 s before each worker ended)
    print(f"ray   {size:>5} docs: {figures['docs_per_minute']:.1f} docs/min  {json.dumps(figures)}  "
          f"load {os.getloadavg()[0]:.2f}", flush=True)
    local, remote = work / f"local-{size}" / "out", work / f"ray-{size}" / "out"
    same = all((local / f).read_bytes() == (remote / f).read_bytes()
               for f in ("tm/auto/untm.sentence.tmx", "tm/auto/untm.paragraph.tmx", "untm.sentence.tsv"))
    print(f"ray {size}: TMX/TSV identical to the local build: {same}", flush=True)


if __name__ == "__main__":
    main()
