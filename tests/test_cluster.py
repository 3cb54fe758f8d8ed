"""`untm build --ray` on a real two-node Ray cluster on this machine: same bytes as a local build,
after a killed worker and after a killed driver; and one polite fetcher for the whole cluster."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import ray  # the test extra installs it
import psutil  # noqa: I001  (after ray: Ray puts its own copy on the path)

from align.cluster import cluster_processes, stop_local_cluster
from align.stages import HASHES_FILE
from build_outputs import differences
from conftest import FETCHED, ROOT, SEEDS

pytestmark = pytest.mark.integration

RAY = Path(sys.executable).with_name("ray")
EPOCH = "1795000000"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def cluster():
    """A head node and a second node, one CPU each, in their own temp folder; stopped afterwards."""
    temp_dir = tempfile.mkdtemp(prefix="untmray")  # short: Ray's socket paths must fit in 107 bytes
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'tests'}", RAY_USAGE_STATS_ENABLED="0")
    common = ["--num-cpus=1", f"--dashboard-agent-listen-port={_free_port()}", "--disable-usage-stats"]
    try:
        subprocess.run([str(RAY), "start", "--head", f"--port={port}", f"--temp-dir={temp_dir}",
                        "--include-dashboard=false", f"--ray-client-server-port={_free_port()}", *common],
                       env=env, check=True, capture_output=True, timeout=180)
        common[1] = f"--dashboard-agent-listen-port={_free_port()}"
        subprocess.run([str(RAY), "start", f"--address=127.0.0.1:{port}", *common],
                       env=env, check=True, capture_output=True, timeout=180)
        yield {"address": f"127.0.0.1:{port}", "port": port, "temp_dir": temp_dir, "env": env}
    finally:
        stop_local_cluster(temp_dir, port)
        shutil.rmtree(temp_dir, ignore_errors=True)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cluster")


def _build(workspace: Path, name: str, *extra: str, env: dict | None = None, wait: bool = True):
    """`untm build seeds -o out` in workspace/name (its own copy of seeds/ and fetched/, its own cache)."""
    folder = workspace / name
    if not folder.exists():
        shutil.copytree(SEEDS, folder / "seeds")
        shutil.copytree(FETCHED, folder / "fetched")
    env = dict(env or os.environ, PYTHONPATH=str(ROOT), UNTM_CACHE=str(folder / "cache"), SOURCE_DATE_EPOCH=EPOCH)
    command = [sys.executable, "-m", "tm.cli", "build", "seeds", "--offline", "-o", "out", *extra]
    if wait:
        return subprocess.run(command, env=env, cwd=folder, capture_output=True, text=True, timeout=600)
    return subprocess.Popen(command, env=env, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _outputs(folder: Path) -> dict[str, bytes]:
    """Every file a build wrote, meta files and search index included (not the hash memo: a cache of file stats)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != HASHES_FILE}


@pytest.fixture(scope="module")
def local_build(workspace: Path) -> dict[str, bytes]:
    result = _build(workspace, "local")
    assert result.returncode == 0, result.stderr
    return _outputs(workspace / "local" / "out")


def test_cluster_build_equals_the_local_build(cluster, workspace: Path, local_build) -> None:
    result = _build(workspace, "on-ray", "--ray", cluster["address"])
    assert result.returncode == 0, result.stderr
    assert "S/RES/2717(2023)  missing counterpart" in result.stdout
    built = _outputs(workspace / "on-ray" / "out")
    assert sorted(built) == sorted(local_build)
    assert differences(built, local_build) == []


def _worker_pids(cluster) -> list[int]:
    return [p.pid for p in cluster_processes(cluster["temp_dir"], cluster["port"])
            if "DocumentWorker" in " ".join(_cmdline(p))]


def _cmdline(process) -> list[str]:
    try:
        return process.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return []


def _wait_for(predicate, seconds: float = 300):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (value := predicate()):
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")


def test_a_killed_worker_is_replaced_and_the_output_is_identical(cluster, workspace: Path, local_build) -> None:
    out = workspace / "worker-killed" / "out"
    driver = _build(workspace, "worker-killed", "--ray", cluster["address"], env=cluster["env"], wait=False)
    _wait_for(lambda: list((out / "docs").glob("*/zh.paragraphs.jsonl")))  # workers are mid-document
    victim = _wait_for(lambda: _worker_pids(cluster))[0]
    os.kill(victim, signal.SIGKILL)
    assert driver.wait(timeout=600) == 0  # Ray restarted the worker and retried its document
    assert victim not in _worker_pids(cluster)
    built = _outputs(out)
    assert sorted(built) == sorted(local_build)
    assert differences(built, local_build) == []


def test_a_killed_cluster_build_resumes_to_identical_output(cluster, workspace: Path, local_build) -> None:
    out = workspace / "driver-killed" / "out"
    driver = _build(workspace, "driver-killed", "--ray", cluster["address"], env=cluster["env"], wait=False)
    _wait_for(lambda: (out / "docs" / "S-RES-2423-2018" / "beads.jsonl").exists())
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    assert not (out / "manifest.json").exists(), "the build finished before it could be killed"
    result = _build(workspace, "driver-killed", "--ray", cluster["address"])
    assert result.returncode == 0, result.stderr
    built = _outputs(out)
    assert sorted(built) == sorted(local_build)
    assert differences(built, local_build) == []
    assert not list(out.rglob("*.tmp"))


def test_a_local_build_never_imports_ray(tmp_path: Path) -> None:
    script = ("import sys; from tm.cli import main; sys.argv = ['untm', 'build', sys.argv[1], '--fetched', sys.argv[2],"
              " '--offline', '-o', sys.argv[3]]\ntry:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code\n"
              "assert 'ray' not in sys.modules, 'ray was imported'")
    env = dict(os.environ, PYTHONPATH=str(ROOT), UNTM_CACHE=str(tmp_path / "cache"))
    result = subprocess.run([sys.executable, "-c", script, str(SEEDS / "S-RES-2589-2021.zh.txt"), str(FETCHED),
                             str(tmp_path / "out")], env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "tm" / "auto" / "untm.paragraph.tmx").exists()


def _fetch_one(symbol: str, state: tuple[str, Path]) -> str:
    from align.fetch import Client, FetchConfig, fetch_document

    base_url, fetched = state
    client = Client(FetchConfig(base_url=base_url, allowed_hosts=frozenset({"localhost", "127.0.0.1"}), delay=0.05,
                                retries=0))
    return fetch_document(symbol, "en", fetched, client).status


def test_the_whole_cluster_keeps_the_fetch_cap(cluster, httpserver, tmp_path: Path) -> None:
    from fake_undocs import FakeUndocs

    from align.cluster import connect, make_limiter, map_documents, node_count

    server = FakeUndocs(httpserver, pdf_delay=0.4)
    symbols = [f"S/RES/{2000 + n}(2020)" for n in range(24)]
    os.environ["PYTHONPATH"] = cluster["env"]["PYTHONPATH"]
    connect(cluster["address"])
    try:
        # two nodes: a build here has its workers embed the search passages (tm/build.py), and the
        # byte-for-byte tests above cover that path
        assert node_count(cluster["address"]) == 2
        limiter = make_limiter(max_in_flight=4, delay=0.05)
        statuses = list(map_documents(_fetch_one, symbols, (server.base_url, tmp_path / "fetched"),
                                      address=cluster["address"], workers=8, worker_cpus=0.25, limiter=limiter))
        stats = ray.get(limiter.actor.stats.remote())
    finally:
        ray.shutdown()
    assert statuses == ["fetched"] * len(symbols)
    assert server.max_in_flight <= 4
    assert stats["max_asking"] > 4, stats  # the eight workers really did want more than four at once
    assert stats["max_in_flight"] <= 4
    starts = sorted(stats["starts"])
    requests_served = sum(n for path, n in server.hits.items() if path.startswith("/"))  # not the api: tallies
    assert len(starts) == requests_served  # every request asked the limiter
    assert min(b - a for a, b in zip(starts, starts[1:])) >= 0.05 - 1e-9  # the spacing, cluster-wide
