"""Benchmark the fetcher against a local undocs.org-like server with realistic latency.

Each step of the chain (redirect, viewer page, API, Word file or PDF) answers after a delay scaled down from
the measured service (symbol look-up 6-31 s, PDF ~1 s) so the run takes seconds, not minutes; the
printed figures are documents/min at that latency and the most requests the server ever saw at
once, which must not pass the client's limit of 4.
Usage: python scripts/bench_fetch.py [DOCUMENTS]   (default 24)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import logging  # noqa: E402

from pytest_httpserver import HTTPServer  # noqa: E402

from align.fetch import Client, FetchConfig, crawl  # noqa: E402
from fake_undocs import FakeUndocs  # noqa: E402

LATENCY = 0.25  # seconds per request


class SlowUndocs(FakeUndocs):
    def _route(self, request):
        time.sleep(LATENCY)
        return super()._route(request)


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    documents = int(sys.argv[1]) if len(sys.argv) > 1 else 24
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    try:
        undocs = SlowUndocs(server)
        client = Client(FetchConfig(base_url=undocs.base_url, allowed_hosts=frozenset({"127.0.0.1"}), delay=0.05))
        jobs = [(f"S/RES/{4000 + i}(2022)", "en") for i in range(documents)]
        with tempfile.TemporaryDirectory() as folder:
            start = time.perf_counter()
            report = crawl(jobs, Path(folder), client=client)
            seconds = time.perf_counter() - start
        print(f"{report.count('fetched')} of {documents} documents in {seconds:.1f} s at {LATENCY * 1000:.0f} ms per "
              f"request (4 requests per document): {report.count('fetched') / seconds * 60:.0f} documents/min")
        print(f"most requests in flight: client {client.max_seen_in_flight}, server {undocs.max_in_flight} "
              f"(limit {client.config.max_in_flight})")
    finally:
        server.stop()


if __name__ == "__main__":
    main()
