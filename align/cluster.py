"""Run a per-document function over a Ray cluster (the only module importing ray).

The caller hands in the same picklable function the local loop calls, `process(item, state)`, and
the state it needs (an embedder): each worker actor receives the state once, so the model loads
once per worker, not per document. Results come back in input order, so everything written after
the map (the export) is byte-identical to a local run. A worker that dies is restarted by Ray and
its document retried; the stages are idempotent with atomic writes, so a retry is harmless.
Ray (Apache-2.0) because it is the widely used engine for Python task parallelism across
machines, with fault tolerance built in; no home-made scheduler.

Fetching stays polite for the whole cluster: one `FetchLimiter` actor holds the in-flight cap and
the spacing between request starts, and every worker's fetch Client asks it around each request.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from align.errors import AlignError

log = logging.getLogger(__name__)

LEASE_SECONDS = 300.0  # a lease held longer than any request may take belonged to a dead worker


def _ray():
    try:
        import ray
    except ImportError as exc:
        raise AlignError("--ray needs Ray, which is not installed",
                         hint="pip install 'untm[ray]' on every machine of the cluster") from exc
    return ray


class FetchLimiter:
    """Cluster-wide politeness: at most `max_in_flight` requests at once, starts `delay` seconds apart.

    An async Ray actor: `acquire` waits for a free slot and its turn, then returns a lease id that
    `release` gives back. Leases of a worker that died mid-request expire after LEASE_SECONDS.
    """

    def __init__(self, max_in_flight: int = 4, delay: float = 0.5, lease_seconds: float = LEASE_SECONDS) -> None:
        self.max_in_flight, self.delay, self.lease_seconds = max_in_flight, delay, lease_seconds
        self._leases: dict[int, float] = {}  # lease id → expiry (monotonic)
        self._next_lease = 0
        self._next_start = 0.0
        self._freed: asyncio.Event | None = None
        self.max_seen = self.max_asking = self._asking = 0  # figures for tests and benchmarks
        self.starts: list[float] = []

    async def acquire(self) -> int:
        if self._freed is None:
            self._freed = asyncio.Event()  # made here: it must belong to the actor's event loop
        self._asking += 1
        self.max_asking = max(self.max_asking, self._asking + len(self._leases))
        while True:
            now = time.monotonic()
            self._leases = {lease: expiry for lease, expiry in self._leases.items() if expiry > now}
            if len(self._leases) < self.max_in_flight:
                break
            self._freed.clear()
            try:
                await asyncio.wait_for(self._freed.wait(), timeout=1.0)
            except asyncio.TimeoutError:
                pass
        self._asking -= 1
        lease, self._next_lease = self._next_lease, self._next_lease + 1
        self._leases[lease] = now + self.lease_seconds
        self.max_seen = max(self.max_seen, len(self._leases))
        start = max(now, self._next_start)
        self._next_start = start + self.delay
        self.starts.append(start)  # the schedule; the real start is this plus the event loop's jitter
        if start > now:
            await asyncio.sleep(start - now)
        return lease

    async def release(self, lease: int) -> None:
        self._leases.pop(lease, None)
        if self._freed is not None:
            self._freed.set()

    async def stats(self) -> dict[str, Any]:
        return {"max_in_flight": self.max_seen, "max_asking": self.max_asking, "starts": list(self.starts)}


class RemoteLimiter:
    """What a worker's fetch Client holds: blocking acquire/release calls on the FetchLimiter actor."""

    def __init__(self, actor) -> None:
        self.actor = actor

    def acquire(self) -> int:
        return _ray().get(self.actor.acquire.remote())

    def release(self, lease: int) -> None:
        _ray().get(self.actor.release.remote(lease))


class DocumentWorker:
    """Holds the state (an embedder: its model loads on first use, once per worker) and runs `process`."""

    def __init__(self, state: Any, limiter: RemoteLimiter | None, folder: str) -> None:
        from align import embed
        from align.fetch import set_external_limiter

        # Ray gives this worker one CPU; the embedder's second forked process would take another
        embed._PARALLEL_FROM = 1 << 62  # noqa: SLF001
        self.state = state
        # the driver's working folder: relative paths, and so the meta files, match a local run
        os.chdir(folder)
        if limiter is not None:
            set_external_limiter(limiter)

    def run(self, process: Callable[[Any, Any], Any], item: Any) -> Any:
        return process(item, self.state)

    def pid(self) -> int:
        return os.getpid()


def connect(address: str) -> None:
    """Join the Ray cluster at `address` ("auto": the one started on this machine with `ray start`)."""
    ray = _ray()
    if ray.is_initialized():
        return
    try:
        ray.init(address=address, logging_level=logging.WARNING, log_to_driver=True)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        raise AlignError(f"cannot join the Ray cluster at {address}: {exc}",
                         hint="start one with `ray start --head` (then --ray auto), or give its ADDRESS as host:port") from exc


def node_count(address: str) -> int:
    """How many live nodes the cluster at `address` has (connects first)."""
    connect(address)
    return sum(1 for node in _ray().nodes() if node.get("Alive"))


def make_limiter(max_in_flight: int = 4, delay: float = 0.5) -> RemoteLimiter:
    """Start the cluster's one FetchLimiter actor (connect first)."""
    ray = _ray()
    actor = ray.remote(FetchLimiter).options(num_cpus=0, max_concurrency=1000).remote(max_in_flight, delay)
    return RemoteLimiter(actor)


def map_documents(process: Callable[[Any, Any], Any], items: Iterable[Any], state: Any, *, address: str = "auto",
                  workers: int | None = None, worker_cpus: float = 1.0, limiter: RemoteLimiter | None = None,
                  max_retries: int = 3) -> Iterator[Any]:
    """`process(item, state)` for every item on the cluster's worker actors; results in input order.

    Workers run in the driver's working folder: on several machines, that folder (the build and
    fetch folders) and the embedding cache must be on a shared filesystem at the same path. `workers` defaults to the
    cluster's CPUs / `worker_cpus`. Without `limiter` a fresh FetchLimiter
    (cap 4, 0.5 s spacing, as align.fetch.FetchConfig) serves this map.
    """
    connect(address)
    ray = _ray()
    from ray.util import ActorPool

    if workers is None:
        workers = max(1, int(ray.cluster_resources().get("CPU", 1) / worker_cpus))
    limiter = limiter or make_limiter()
    remote_worker = ray.remote(DocumentWorker).options(num_cpus=worker_cpus, max_restarts=max_retries,
                                                       max_task_retries=max_retries)
    state_ref = ray.put(state)
    process_ref = ray.put(process)
    actors = [remote_worker.remote(state_ref, limiter, os.getcwd()) for _ in range(workers)]
    pool = ActorPool(actors)
    try:
        yield from pool.map(lambda actor, item: actor.run.remote(process_ref, item), items)
    except ray.exceptions.RayActorError as exc:
        raise AlignError(f"a Ray worker died {max_retries + 1} times: {exc}",
                         hint="run the same command again: finished documents are kept and skipped") from exc
    finally:
        for actor in actors:
            ray.kill(actor)


# -- a local cluster started with `ray start --temp-dir=… --port=…` (tests, benchmarks) --
def cluster_processes(temp_dir: str, port: int) -> list:
    """That cluster's processes only: those naming its temp folder or its port, and their descendants."""
    _ray()  # Ray carries its own psutil and puts it on the path
    import psutil

    found = {}
    for process in psutil.process_iter(["pid", "cmdline"]):
        try:
            command = " ".join(process.info["cmdline"] or ())
            # the client server names only the cluster's port, every other process its temp folder
            if temp_dir in command or re.search(rf"--address=\S+:{port}(?!\d)", command):
                found[process.pid] = process
                found.update({child.pid: child for child in process.children(recursive=True)})
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return list(found.values())


def stop_local_cluster(temp_dir: str, port: int) -> None:
    """Stop that cluster by pid: `ray stop` would stop every Ray cluster of this user, other people's too."""
    import psutil

    processes = cluster_processes(temp_dir, port)
    for process in processes:
        try:
            process.terminate()
        except psutil.NoSuchProcess:
            pass
    for process in psutil.wait_procs(processes, timeout=10)[1]:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
