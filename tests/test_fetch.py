"""The fetcher against a real local HTTP server that behaves like undocs.org (no mocks of requests)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from align.errors import FetchError, SymbolError
from align.fetch import Client, FetchConfig, NotPublished, crawl, download_pdf, fetch_document
from align.fetch_cache import cached_text
from align.symbols import language_code, normalise_symbol, slug, symbol_from_undocs_url
from fake_undocs import PDF, FakeUndocs


@pytest.fixture
def threaded_server():
    """A multi-threaded local server: like the real service, it answers requests in parallel."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture
def undocs(threaded_server) -> FakeUndocs:
    return FakeUndocs(threaded_server)


def _client(undocs: FakeUndocs, **overrides) -> Client:
    settings = dict(base_url=undocs.base_url, allowed_hosts=frozenset({"127.0.0.1", "localhost"}), delay=0.0,
                    backoff=0.05, read_timeout=1.0, connect_timeout=1.0)
    settings.update(overrides)
    return Client(FetchConfig(**settings))


def _cache_files(fetched: Path) -> list[str]:
    """Cached files; the entry locks in `.locks/` (empty, see align/fetch_cache.py) are not content."""
    return sorted(str(p.relative_to(fetched)) for p in fetched.rglob("*") if p.is_file() and ".locks" not in p.parts)


@pytest.mark.parametrize("raw,expected", [
    ("S/RES/2518(2020)", "S/RES/2518(2020)"), ("S/RES/2594 (2021)", "S/RES/2594(2021)"),
    ("S/PRST/2023/5", "S/PRST/2023/5"), ("S/2013/44", "S/2013/44"), ("A/RES/70/1", "A/RES/70/1"),
    ("S/2001/521/ADD.1", "S/2001/521/ADD.1"), ("A/C.3/70/L.1", "A/C.3/70/L.1"),
])
def test_symbols_normalise(raw: str, expected: str) -> None:
    assert normalise_symbol(raw) == expected
    assert "/" not in slug(raw) and " " not in slug(raw) and ".." not in slug(raw)


@pytest.mark.parametrize("raw", ["1267/19", "", "S", "S/RES/../../etc", "../S/RES/1", "S/RES/1(2020)/../x",
                                 "s/res/1", "S/RES/1 OR 1=1", "https://evil.example.com/S/RES/1"])
def test_invalid_symbols_are_refused(raw: str) -> None:
    with pytest.raises(SymbolError):
        normalise_symbol(raw)


def test_links_and_languages() -> None:
    assert symbol_from_undocs_url("https://undocs.org/ch/S/RES/2378(2017)") == ("ch", "S/RES/2378(2017)")
    with pytest.raises(SymbolError):
        symbol_from_undocs_url("https://undocs.org/ch/1267/19")
    assert language_code("ch") == "zh" and language_code("Chinese") == "zh" and language_code("E") == "en"
    with pytest.raises(SymbolError, match="unknown language"):
        language_code("xx")


def test_full_redirect_chain_and_uppercase_path(undocs: FakeUndocs, tmp_path: Path) -> None:
    result = fetch_document("S/RES/2803(2025)", "en", tmp_path, _client(undocs, prefer_word=False))
    assert result.status == "fetched"
    source = json.loads((tmp_path / "S-RES-2803-2025" / "source.json").read_text())
    record = source["languages"]["en"]
    chain = record["url_chain"]
    assert chain[0].endswith("/en/S/RES/2803(2025)") and "/viewer/en/" in chain[1]
    assert "api/symbol/access" in chain[2] and chain[-1].endswith("/doc/gen/en/pdf/sres28032025.pdf")
    assert record["pdf"]["bytes"] == len(PDF) and record["extractor"].startswith("pypdfium2")
    assert record["format"] == "pdf" and undocs.bad_headers == 0
    text = cached_text(tmp_path, "S/RES/2803(2025)", "en").read_text()
    assert "Resolution 2803 (2025)" in text
    assert fetch_document("S/RES/2803(2025)", "en", tmp_path, _client(undocs)).status == "cached"


def test_word_original_is_preferred(undocs: FakeUndocs, tmp_path: Path) -> None:
    result = fetch_document("S/RES/2518(2020)", "en", tmp_path, _client(undocs))
    record = json.loads((tmp_path / "S-RES-2518-2020" / "source.json").read_text())["languages"]["en"]
    assert result.status == "fetched" and record["format"] == "docx"
    assert record["url_chain"][-1].endswith("/doc/gen/en/word/sres25182020.docx")
    assert record["extractor"].startswith("python-docx") and (tmp_path / "S-RES-2518-2020" / "en.docx").is_file()
    text = result.path.read_text()
    assert text.startswith("S/RES/2518 (2020)\n") and "Resolution 2518 (2020)" in text
    assert undocs.hits["api:S/RES/2518(2020):en:pdf"] == 0 and undocs.bad_headers == 0


def test_chinese_seed_code_is_mapped(undocs: FakeUndocs, tmp_path: Path) -> None:
    fetch_document("S/RES/2518(2020)", "ch", tmp_path, _client(undocs))
    assert any(path.startswith("/zh/") for path in undocs.hits) and not any(p.startswith("/ch/") for p in undocs.hits)


@pytest.mark.parametrize("symbol,error,reason", [
    ("S/RES/404(2020)", FetchError, "HTTP 404"),
    ("S/RES/1(2020)", NotPublished, "not published"),
    ("S/RES/2(2020)", FetchError, "got an HTML page"),
    ("S/RES/6(2020)", FetchError, "timed out"),
    ("S/RES/7(2020)", FetchError, "incomplete|cut off"),
    ("S/RES/8(2020)", FetchError, "not a UN host"),
    ("S/RES/9(2020)", FetchError, "HTTP 503"),
])
def test_faults_become_fetch_errors_and_leave_no_file(undocs: FakeUndocs, tmp_path: Path, symbol, error, reason) -> None:
    with pytest.raises(error, match=reason) as info:
        fetch_document(symbol, "en", tmp_path, _client(undocs, retries=1))
    assert info.value.symbol == symbol and info.value.lang == "en" and info.value.url.startswith("http")
    assert symbol in str(info.value.message)
    assert _cache_files(tmp_path) == []


@pytest.mark.parametrize("symbol", ["S/RES/3(2020)", "S/RES/4(2020)", "S/RES/5(2020)"])
def test_transient_errors_are_retried(undocs: FakeUndocs, tmp_path: Path, symbol: str) -> None:
    started = time.monotonic()
    assert fetch_document(symbol, "en", tmp_path, _client(undocs)).status == "fetched"
    waited = time.monotonic() - started
    if symbol != "S/RES/3(2020)":
        assert waited >= 1.0  # Retry-After: 1 honoured
    assert undocs.hits[f"api:{symbol}:en"] == 2


def test_size_cap(undocs: FakeUndocs, tmp_path: Path) -> None:
    with pytest.raises(FetchError, match="cap"):
        fetch_document("S/RES/2518(2020)", "en", tmp_path, _client(undocs, max_bytes=10_000))
    assert _cache_files(tmp_path) == []


def test_tampered_cache_entry_is_not_trusted(undocs: FakeUndocs, tmp_path: Path) -> None:
    fetch_document("S/RES/2518(2020)", "en", tmp_path, _client(undocs))
    (tmp_path / "S-RES-2518-2020" / "en.txt").write_text("half a file")
    assert cached_text(tmp_path, "S/RES/2518(2020)", "en") is None
    assert fetch_document("S/RES/2518(2020)", "en", tmp_path, _client(undocs)).status == "fetched"


def test_traversal_symbols_write_nothing(undocs: FakeUndocs, tmp_path: Path) -> None:
    fetched = tmp_path / "fetched"
    for symbol in ("S/RES/../../../x", "../../etc/passwd", "S/RES/2518(2020)/../../.."):
        with pytest.raises(SymbolError):
            fetch_document(symbol, "en", fetched, _client(undocs))
    assert not fetched.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["fetched"] or not fetched.exists()


def test_crawl_respects_the_in_flight_limit(threaded_server, tmp_path: Path) -> None:
    undocs = FakeUndocs(threaded_server, pdf_delay=0.2)
    client = _client(undocs, max_in_flight=4)
    jobs = [(f"S/RES/{2000 + i}(2020)", "en") for i in range(12)] + [("S/RES/2000(2020)", "en")]
    report = crawl(jobs, tmp_path, client=client)
    assert report.count("fetched") == 12 and len(report.results) == 12
    assert client.max_seen_in_flight <= 4 and undocs.max_in_flight <= 4
    assert undocs.max_in_flight >= 2  # it did run in parallel


def test_offline_crawl_reports_what_is_missing(tmp_path: Path) -> None:
    report = crawl([("S/RES/2518(2020)", "en")], tmp_path, offline=True)
    assert report.results[0].status == "not cached" and "offline" in report.results[0].message


def test_offline_fetch_reports_not_cached_and_exits_0_but_a_damaged_entry_fails(tmp_path: Path) -> None:
    """`untm fetch "S/RES/2518(2020)" --offline` (its --help's example): a text the cache lacks is no failure."""
    import shutil

    from click.testing import CliRunner
    from conftest import FETCHED

    from tm.cli import cli

    shutil.copytree(FETCHED / "S-RES-2518-2020", tmp_path / "S-RES-2518-2020")
    arguments = ["fetch", "S/RES/2518(2020)", "--offline", "--fetched", str(tmp_path)]
    result = CliRunner().invoke(cli, arguments)
    assert result.exit_code == 0, result.output
    assert result.stdout == "0 fetched, 1 cached, 1 not cached, 0 not published, 0 failed, 0 invalid links skipped\n"
    assert "not cached: S/RES/2518(2020) [zh]" in result.stderr and "run without --offline" in result.stderr
    english = tmp_path / "S-RES-2518-2020" / "en.txt"
    english.write_text(english.read_text(encoding="utf-8") + "tampered\n", encoding="utf-8")
    damaged = CliRunner().invoke(cli, arguments)
    assert damaged.exit_code == 1 and "failed: S/RES/2518(2020) [en]" in damaged.stderr, damaged.output


def test_viewer_page_without_pdf_link(httpserver, tmp_path: Path) -> None:
    httpserver.expect_request("/en/S/RES/77(2020)").respond_with_data("<html>no link</html>", content_type="text/html")
    client = Client(FetchConfig(base_url=httpserver.url_for("").rstrip("/"), allowed_hosts=frozenset({"localhost", "127.0.0.1"}),
                                delay=0))
    with pytest.raises(FetchError, match="no PDF link"):
        download_pdf(client, "S/RES/77(2020)", "en")


@pytest.mark.integration
def test_killed_crawl_resumes_to_the_same_cache(threaded_server, tmp_path: Path) -> None:
    undocs = FakeUndocs(threaded_server, pdf_delay=0.15)
    symbols = [f"S/RES/{3000 + i}(2021)" for i in range(20)]
    command = [sys.executable, "-m", "tm.cli", "fetch", *symbols, "--base-url", undocs.base_url, "--delay", "0"]

    def run(fetched: Path, kill_after: int | None = None) -> None:
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
        process = subprocess.Popen([*command, "--fetched", str(fetched)], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if kill_after is not None:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and len(list(fetched.glob("*/*.docx"))) < kill_after:
                time.sleep(0.02)
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=120)

    interrupted, clean = tmp_path / "interrupted", tmp_path / "clean"
    run(interrupted, kill_after=6)
    assert len(list(interrupted.glob("*/source.json"))) < 40
    run(interrupted)
    run(clean)

    def snapshot(fetched: Path) -> dict:
        state = {}
        for path in sorted(fetched.rglob("*")):
            if path.is_file():
                if path.name == "source.json":
                    data = json.loads(path.read_text())
                    for record in data["languages"].values():
                        record.pop("fetched_at")
                        record["url_chain"] = [u.split("/", 3)[-1] for u in record["url_chain"]]
                    state[str(path.relative_to(fetched))] = data
                else:
                    state[str(path.relative_to(fetched))] = path.read_bytes()
        return state

    assert not list(interrupted.rglob("*.tmp"))
    assert snapshot(interrupted) == snapshot(clean)
    assert len([k for k in snapshot(clean) if k.endswith(".docx")]) == 40  # the Word originals (issue #15)


def test_fetch_command_with_links_skips_invalid_ones(undocs: FakeUndocs, tmp_path: Path) -> None:
    from click.testing import CliRunner
    from conftest import zh_seed

    from tm.cli import cli

    result = CliRunner().invoke(cli, ["fetch", str(zh_seed("S-RES-2589-2021")), "--links", "--fetched",
                                      str(tmp_path), "--base-url", undocs.base_url, "--delay", "0"])
    assert result.exit_code == 0, result.output
    assert "3 fetched, 0 cached, 0 not published, 0 failed, 0 invalid links skipped" in result.output
    assert cached_text(tmp_path, "S/RES/2378(2017)", "zh") is not None
    garbled = CliRunner().invoke(cli, ["fetch", str(zh_seed("S-RES-2423-2018")), "--links", "--offline",
                                       "--fetched", str(tmp_path)])
    # offline, the linked documents are "not cached", which is no failure: exit 0 (`untm fetch --help`)
    assert "invalid link https://undocs.org/ch/1267/19" in garbled.output and garbled.exit_code == 0


def test_fetch_command_failure_exit_status(undocs: FakeUndocs, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tm.cli import cli

    result = CliRunner().invoke(cli, ["fetch", "S/RES/404(2020)", "--fetched", str(tmp_path), "--base-url",
                                      undocs.base_url, "--delay", "0"])
    assert result.exit_code == 1 and "failed: S/RES/404(2020) [en]" in result.output
    assert "[en] S/RES/404(2020) [en]" not in result.output, "symbol and language said twice"


def test_fetch_command_connection_failure_names_the_document_once(tmp_path: Path) -> None:
    import socket

    from click.testing import CliRunner

    from tm.cli import cli

    with socket.socket() as probe:  # a port nothing listens on: the connection is refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = CliRunner().invoke(cli, ["fetch", "S/RES/404(2020)", "--fetched", str(tmp_path), "--base-url",
                                      f"http://127.0.0.1:{port}", "--delay", "0", "--retries", "0"])
    assert result.exit_code == 1, result.output
    assert "failed: S/RES/404(2020) [en] connection failed" in result.stderr, result.stderr
    assert "(after 1 try)" in result.stderr


def test_viewer_page_without_link_falls_back_to_the_document_api(undocs: FakeUndocs, threaded_server, tmp_path) -> None:
    from werkzeug import Response

    def handle(request):
        if request.path.startswith("/viewer/"):
            return Response("<html><body>viewer without a link</body></html>", content_type="text/html")
        return undocs.handle(request)

    threaded_server.clear()  # the fake service, but with a viewer page that embeds no link
    threaded_server.expect_request(re.compile(".*")).respond_with_handler(handle)
    result = fetch_document("S/RES/2518(2020)", "en", tmp_path, _client(undocs))
    assert result.status == "fetched"
    assert any("api/symbol/access" in url for url in json.loads(
        (tmp_path / "S-RES-2518-2020" / "source.json").read_text())["languages"]["en"]["url_chain"])
