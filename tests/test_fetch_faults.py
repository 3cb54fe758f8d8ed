"""Issue #14 fault servers and #15 Word-first fetching, against the local undocs.org-like server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from pytest_httpserver import HTTPServer

from align.errors import AlignError, ExtractError, FetchError, SymbolError
from align.fetch import Client, FetchConfig, crawl, fetch_document
from align.fetch_cache import CacheError, cached_text, inspect_cached, record_language
from align.fetch_http import checked_url
from align.symbols import legacy_slug, slug
from align.wordtext import doc_to_text, sniff, word_to_text
from fake_undocs import BAD_LOCATIONS, LEGACY_DOC, PDF, WORDPERFECT, FakeUndocs, make_docx, word_file

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def undocs():
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield FakeUndocs(server, drip_interval=0.05)
    server.clear()
    if server.is_running():
        server.stop()


def _client(undocs: FakeUndocs, **overrides) -> Client:
    settings = dict(base_url=undocs.base_url, allowed_hosts=frozenset({"127.0.0.1", "localhost", "documents.un.org"}),
                    delay=0.0, backoff=0.01, read_timeout=1.0, connect_timeout=1.0, deadline=1.0, retries=1)
    settings.update(overrides)
    return Client(FetchConfig(**settings))


def _cache_files(fetched: Path) -> list[str]:
    return sorted(str(p.relative_to(fetched)) for p in fetched.rglob("*") if p.is_file() and ".locks" not in p.parts)


def _record(fetched: Path, symbol: str, lang: str) -> dict:
    return json.loads((fetched / slug(symbol) / "source.json").read_text())["languages"][lang]


# --- every row of issue #14: a clear error, nothing cached ---------------------------------------------

@pytest.mark.parametrize("number,lang,reason", [
    (10, "en", r"wrong document: asked for S/RES/10\(2020\), the text is S/RES/2803\(2025\)"),
    (11, "zh", "wrong language: asked for Chinese, the text is English"),
    (12, "en", "user info or a backslash .*evil.example"),
    (13, "en", "plain http to documents.un.org"),
    (14, "en", "port 8443 of documents.un.org"),
    (15, "en", "malformed URL"),
    (16, "en", "a ftp URL"),
    (17, "en", "malformed URL"),
    (18, "en", "deadline"),
    (19, "en", "retry after 86,400 s, more than the 300-second ceiling"),
    (20, "en", "not valid gzip data"),
    (21, "en", "announces 2,147,483,648 bytes"),
])
def test_fault_rows_end_in_a_clear_error_and_cache_nothing(undocs, tmp_path, number, lang, reason) -> None:
    symbol = f"S/RES/{number}(2020)"
    started = time.monotonic()
    with pytest.raises(FetchError, match=reason) as info:
        fetch_document(symbol, lang, tmp_path, _client(undocs))
    assert time.monotonic() - started < 15  # the drip (a byte every 50 ms) fails at the 1 s deadline
    assert info.value.symbol == symbol and info.value.hint
    assert _cache_files(tmp_path) == []


def test_drip_fails_in_bounded_time(undocs, tmp_path) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="longer than the 0.5-second deadline"):
        fetch_document("S/RES/18(2020)", "en", tmp_path, _client(undocs, deadline=0.5, prefer_word=False))
    assert time.monotonic() - started < 3  # 0.5 s deadline + one read at most


def test_cut_off_names_what_arrived(undocs, tmp_path) -> None:
    with pytest.raises(FetchError, match=f"cut off after {len(PDF) // 2:,} of {len(PDF):,} bytes"):
        fetch_document("S/RES/7(2020)", "en", tmp_path, _client(undocs, prefer_word=False, retries=0))


def test_retry_after_within_the_ceiling_is_waited_for_with_a_log_line(undocs, tmp_path, caplog) -> None:
    with caplog.at_level("WARNING"):
        assert fetch_document("S/RES/4(2020)", "en", tmp_path, _client(undocs)).status == "fetched"
    assert any("waiting 1 s before retry 1" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("url,previous,allowed", [
    ("https://documents.un.org/doc/x.pdf", None, True),
    ("https://documents.un.org:443/doc/x.pdf", None, True),
    ("https://evil.example\\@documents.un.org/x.pdf", None, False),
    ("https://user@documents.un.org/x.pdf", None, False),
    ("http://documents.un.org/x.pdf", "https://undocs.org/en/S/RES/1(2020)", False),
    ("http://127.0.0.1:8000/x.pdf", "https://documents.un.org/", False),  # a downgrade, even to loopback
    ("https://documents.un.org:8443/x.pdf", None, False),
    ("https://documents.un.org:99999/x.pdf", None, False),
    ("ftp://documents.un.org/x.pdf", None, False),
    ("http://[::1/x", None, False),
    ("https://evil.example/x.pdf", None, False),
    ("http://127.0.0.1:8000/x.pdf", None, True),
])
def test_url_policy(url, previous, allowed) -> None:
    config = FetchConfig(allowed_hosts=frozenset({"documents.un.org", "undocs.org", "127.0.0.1"}))
    if allowed:
        assert checked_url(url, "S/RES/1(2020)", "en", config, previous)
    else:
        with pytest.raises(FetchError, match="refused"):
            checked_url(url, "S/RES/1(2020)", "en", config, previous)


def test_bad_locations_are_all_refused_by_the_crawl(undocs, tmp_path) -> None:
    jobs = [(f"S/RES/{n}(2020)", "en") for n in range(12, 18)] + [("S/RES/2518(2020)", "en")]
    report = crawl(jobs, tmp_path, client=_client(undocs))
    assert [r.status for r in report.results] == ["failed"] * 6 + ["fetched"]
    assert all("refused" in r.message for r in report.results[:6]) and len(BAD_LOCATIONS) == 6
    assert _cache_files(tmp_path) == ["S-RES-2518-2020/en.docx", "S-RES-2518-2020/en.txt", "S-RES-2518-2020/source.json"]


# --- #15: the Word original first, the PDF otherwise ---------------------------------------------------

@pytest.mark.parametrize("answer,expected_format", [
    ("docx", "docx"), ("pdf", "pdf"), ("legacy doc", "pdf"), ("wordperfect", "pdf"), ("error page", "pdf"),
])
def test_word_first_then_pdf(undocs, tmp_path, answer, expected_format) -> None:
    symbol = "S/RES/2803(2025)"
    undocs.word_answers[symbol] = answer
    if answer == "docx":
        symbol = "S/RES/2589(2021)"
    result = fetch_document(symbol, "en", tmp_path, _client(undocs))
    record = _record(tmp_path, symbol, "en")
    assert result.status == "fetched" and record["format"] == expected_format
    assert record["original"]["file"] == f"en.{expected_format}"
    assert record["verified"] == {"symbol": symbol, "lang": "en"}
    assert undocs.hits[f"api:{symbol}:en:doc"] == 1
    # the PDF is asked for only when the Word answer was not a readable document
    assert undocs.hits[f"api:{symbol}:en:pdf"] == (0 if answer in ("docx", "pdf") else 1)
    assert f"Resolution {symbol[6:10]} (20" in result.path.read_text()


def test_chinese_word_file_and_its_paragraphs(undocs, tmp_path) -> None:
    from align.extract import segment_file

    result = fetch_document("S/RES/2518(2020)", "zh", tmp_path, _client(undocs))
    fetched = segment_file(result.path, "zh").document
    seed = segment_file(ROOT / "seeds" / "S-RES-2518-2020.zh.txt", "zh").document
    assert [p.text for p in fetched.paragraphs] == [p.text for p in seed.paragraphs]
    assert fetched.symbol == "S/RES/2518(2020)"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_legacy_word_file_gives_the_paragraphs_of_the_docx(undocs, tmp_path, lang) -> None:
    """A real Word 97 .doc (tests/data/word) is read by antiword: the same paragraphs as its .docx, CJK included."""
    from align.extract import segment_file

    symbol = "S/RES/2518(2020)"
    from_docx = fetch_document(symbol, lang, tmp_path / "docx", _client(undocs))
    undocs.word_answers[symbol] = "legacy doc"
    from_doc = fetch_document(symbol, lang, tmp_path / "doc", _client(undocs))
    record = _record(tmp_path / "doc", symbol, lang)
    assert from_doc.status == "fetched" and record["format"] == "doc" and record["extractor"].startswith("antiword")
    assert undocs.hits[f"api:{symbol}:{lang}:pdf"] == 0
    paragraphs = [[p.text for p in segment_file(r.path, lang).document.paragraphs] for r in (from_docx, from_doc)]
    assert len(paragraphs[0]) > 25 and paragraphs[1] == paragraphs[0]


def test_sniffing() -> None:
    assert sniff(word_file("S/RES/1(2020)", "en")) == "docx"
    assert sniff(LEGACY_DOC) == "doc" and sniff(WORDPERFECT) == "wordperfect" and sniff(PDF) == "pdf"
    assert sniff(b"<html>error</html>") == "html" and sniff(b"  ") == "empty"
    assert sniff(b"PK\x03\x04 not a zip") == "unknown"


def test_legacy_doc_converter_error_is_clear(tmp_path) -> None:
    path = tmp_path / "broken.doc"
    path.write_bytes(LEGACY_DOC)
    with pytest.raises(ExtractError, match="broken.doc: cannot convert the legacy Word file .*antiword"):
        doc_to_text(path)
    (tmp_path / "w.wpd").write_bytes(WORDPERFECT)
    with pytest.raises(ExtractError, match="WordPerfect"):
        word_to_text(tmp_path / "w.wpd")


# --- cache: verification on read, distinct slugs, migration, symlinks, locks ------------------------

def test_a_cached_wrong_document_is_not_trusted_and_is_fetched_again(undocs, tmp_path) -> None:
    import hashlib

    folder = tmp_path / "S-RES-2518-2020"
    folder.mkdir()
    text = (ROOT / "tests" / "data" / "pdf" / "S_RES_2803_2025.en.pdftotext.txt").read_bytes()
    (folder / "en.txt").write_bytes(text)  # what an older untm cached when served the wrong PDF
    record_language(tmp_path, "S/RES/2518(2020)", "en", {
        "status": "complete", "text": {"file": "en.txt", "sha256": hashlib.sha256(text).hexdigest()}})
    path, why = inspect_cached(tmp_path, "S/RES/2518(2020)", "en")
    assert path is None and "the text is S/RES/2803(2025)" in why
    assert fetch_document("S/RES/2518(2020)", "en", tmp_path, _client(undocs)).status == "fetched"
    assert "S/RES/2518 (2020)" in cached_text(tmp_path, "S/RES/2518(2020)", "en").read_text()


def test_distinct_symbols_get_distinct_slugs_and_old_entries_migrate(tmp_path) -> None:
    import hashlib

    assert slug("S/RES/2518(2020)") == "S-RES-2518-2020"  # the committed folders keep their names
    assert slug("S/RES/2518/2020") != slug("S/RES/2518(2020)")
    assert legacy_slug("S/RES/2518/2020") == "S-RES-2518-2020"
    old = tmp_path / "S-RES-2518-2020"  # an older untm filed S/RES/2518/2020 here
    old.mkdir()
    text = b"S/RES/2518/2020\n\nThe Security Council, recalling its resolutions\n"
    (old / "en.txt").write_bytes(text)
    (old / "source.json").write_text(json.dumps({"symbol": "S/RES/2518/2020", "languages": {"en": {
        "status": "complete", "text": {"file": "en.txt", "sha256": hashlib.sha256(text).hexdigest()}}}}))
    assert cached_text(tmp_path, "S/RES/2518(2020)", "en") is None  # the recorded symbol is checked
    moved = cached_text(tmp_path, "S/RES/2518/2020", "en")
    assert moved == tmp_path / slug("S/RES/2518/2020") / "en.txt" and not old.exists()


def test_symlinked_entry_is_a_per_document_error(undocs, tmp_path) -> None:
    fetched, elsewhere = tmp_path / "fetched", tmp_path / "elsewhere"
    fetched.mkdir()
    elsewhere.mkdir()
    (fetched / "S-RES-2518-2020").symlink_to(elsewhere)
    with pytest.raises(CacheError, match="symbolic link"):
        fetch_document("S/RES/2518(2020)", "en", fetched, _client(undocs))
    report = crawl([("S/RES/2518(2020)", "en"), ("S/RES/2589(2021)", "en")], fetched, client=_client(undocs))
    assert [r.status for r in report.results] == ["failed", "fetched"] and list(elsewhere.iterdir()) == []


def test_absurd_symbols_and_links_are_errors_not_tracebacks(undocs, tmp_path) -> None:
    from tm.cli import cli

    with pytest.raises(SymbolError, match="5,000 characters"):
        fetch_document("S/RES/" + "1" * 4994, "en", tmp_path, _client(undocs))
    for command in ("fetch", "build"):  # as an argument it once gave ENAMETOOLONG tracebacks
        result = CliRunner().invoke(cli, [command, "S/RES/" + "1" * 4994, "--offline", "--fetched", str(tmp_path)])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
        assert "(5,000 characters)" in result.output
    seed = tmp_path / "seed.zh.txt"
    long_link = "https://undocs.org/ch/S/RES/" + "/".join(["ABCDEFGHIJ1234567890"] * 16) + "(2020)"
    assert len(long_link) > 331
    seed.write_text(f"第 2518(2020)号决议\n\n安全理事会，\n\n{long_link}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["fetch", str(seed), "--links", "--fetched", str(tmp_path / "f"),
                                      "--base-url", undocs.base_url, "--delay", "0"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "invalid link" in result.output


def test_fetch_force_fetches_again(undocs, tmp_path) -> None:
    from tm.cli import cli

    arguments = ["fetch", "S/RES/2589(2021)", "--fetched", str(tmp_path), "--base-url", undocs.base_url, "--delay", "0"]
    assert "2 fetched" in CliRunner().invoke(cli, arguments).output
    assert "0 fetched, 2 cached" in CliRunner().invoke(cli, arguments).output
    forced = CliRunner().invoke(cli, [*arguments, "--force"])
    assert forced.exit_code == 0 and "2 fetched, 0 cached" in forced.output


def test_every_align_error_of_the_crawl_is_a_result(undocs, tmp_path) -> None:
    report = crawl([("S/RES/10(2020)", "en"), ("S/RES/11(2020)", "zh"), ("S/RES/2589(2021)", "zh")], tmp_path,
                   client=_client(undocs))
    assert [r.status for r in report.results] == ["failed", "failed", "fetched"]
    assert isinstance(FetchError("s", "en", "u", "r"), AlignError)


@pytest.mark.integration
def test_eight_concurrent_fetch_processes_share_one_cache(undocs, tmp_path) -> None:
    symbols = [f"S/RES/{3100 + i}(2021)" for i in range(4)] + ["S/RES/2518(2020)", "S/RES/2589(2021)"]
    env = dict(os.environ, PYTHONPATH=str(ROOT))

    def command(fetched: Path) -> list[str]:
        return [sys.executable, "-m", "tm.cli", "fetch", *symbols, "--fetched", str(fetched), "--base-url",
                undocs.base_url, "--delay", "0"]

    shared, alone = tmp_path / "shared", tmp_path / "alone"
    processes = [subprocess.Popen(command(shared), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(8)]
    outputs = [p.communicate(timeout=300) for p in processes]
    for process, (out, err) in zip(processes, outputs):
        assert process.returncode == 0, err.decode()[-2000:]
        assert b"Traceback" not in err
    assert subprocess.run(command(alone), env=env, capture_output=True, timeout=300).returncode == 0

    def snapshot(fetched: Path) -> dict:
        state = {}
        for name in _cache_files(fetched):
            path = fetched / name
            if path.name == "source.json":
                data = json.loads(path.read_text())
                for record in data["languages"].values():
                    record.pop("fetched_at")
                state[name] = data
            else:
                state[name] = path.read_bytes()
        return state

    assert not [p for p in shared.rglob("*.tmp")]
    assert snapshot(shared) == snapshot(alone) and len(snapshot(alone)) == 6 * 5  # docx/pdf + txt ×2 + source


def test_make_docx_helper_roundtrip(tmp_path) -> None:
    path = tmp_path / "x.docx"
    path.write_bytes(make_docx("S/RES/1 (2020)", ["1.\tDecides", "second"]))
    assert word_to_text(path) == "S/RES/1 (2020)\n\n1. Decides\n\nsecond\n"


@pytest.mark.integration
def test_build_keeps_rejected_counterparts_out_and_writes_the_rest(undocs, tmp_path) -> None:
    from tm.cli import cli

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "S-RES-2518-2020.zh.txt").write_bytes((ROOT / "seeds" / "S-RES-2518-2020.zh.txt").read_bytes())
    # its English counterpart S/RES/10(2020) is served as S/RES/2803(2025): the wrong document
    (seeds / "S-RES-10-2020.zh.txt").write_text("第 10(2020)号决议\n\n安全理事会，\n\n1. 决定继续积极处理此案。\n",
                                                encoding="utf-8")
    (seeds / "S-RES-2594-2021.zh.docx").write_bytes(word_file("S/RES/2594(2021)", "zh"))  # a Word seed (#15)
    # a seed file named "...zh.txt" once wrote into OUT itself (OUT/docs/..)
    (seeds / "...zh.txt").write_bytes((ROOT / "seeds" / "S-RES-2589-2021.zh.txt").read_bytes())
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(seeds), "S/RES/1(2020)", "-o", str(out), "--fetched",
                                      str(tmp_path / "fetched"), "--base-url", undocs.base_url, "--timeout", "1",
                                      "--retries", "0"], env={"UNTM_CACHE": str(tmp_path / "cache")})
    assert result.exit_code == 1, result.output  # one document failed
    rows = {line.split()[0]: line for line in result.output.splitlines() if line.startswith(("S-RES", "___"))}
    assert "wrong document: asked for S/RES/10(2020), the text is S/RES/2803(2025)" in rows["S-RES-10-2020"]
    assert "failed" in rows["S-RES-10-2020"] and "aligned" in rows["S-RES-2518-2020"]
    assert "aligned" in rows["S-RES-2594-2021"]
    assert "missing counterpart (Chinese text not published)" in rows["S-RES-1-2020"]
    assert "aligned" in rows["___zh_txt"]
    assert not (out / "zh.paragraphs.jsonl").exists() and not (out / "beads.jsonl").exists()
    tmx = "".join(p.read_text(encoding="utf-8") for p in (out / "tm").rglob("*.tmx"))
    assert "S/RES/2518(2020)" in tmx and "S/RES/2594(2021)" in tmx and "S/RES/2803" not in tmx and "S/RES/10(2020)" not in tmx
    assert cached_text(tmp_path / "fetched", "S/RES/10(2020)", "en") is None


def test_url_policy_never_raises_anything_else_and_only_passes_un_https() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from urllib3.util import parse_url

    config = FetchConfig(allowed_hosts=frozenset({"documents.un.org"}))
    pieces = st.sampled_from(["https://", "http://", "ftp://", "documents.un.org", "evil.example", "\\", "@", ":",
                              "443", "8443", "99999", "[", "]", "::1", "/", "x.pdf", "%2F", "?", "#", " ", "é"])

    @settings(max_examples=400, deadline=None)
    @given(st.lists(pieces, max_size=8).map("".join))
    def check(url: str) -> None:
        try:
            allowed = checked_url(url, "S/RES/1(2020)", "en", config)
        except FetchError as exc:
            assert exc.reason.startswith("refused")
            return
        parts = parse_url(allowed)
        assert parts.scheme == "https" and parts.host == "documents.un.org" and parts.port in (None, 443)
        assert parts.auth is None

    check()


def test_dripping_headers_fail_at_the_deadline() -> None:
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]

    def serve() -> None:  # a raw server: werkzeug cannot drip its headers
        connection, _ = listener.accept()
        try:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\n")
            for _ in range(200):  # 10 s of header, a byte every 50 ms: each read is quick, the whole is not
                connection.sendall(b"X")
                time.sleep(0.05)
        except OSError:
            pass
        finally:
            connection.close()

    threading.Thread(target=serve, daemon=True).start()
    client = Client(FetchConfig(base_url=f"http://127.0.0.1:{port}", allowed_hosts=frozenset({"127.0.0.1"}),
                                delay=0, retries=0, deadline=0.5, read_timeout=1.0))
    started = time.monotonic()
    with pytest.raises(FetchError, match="0.5-second deadline"):
        client.get(f"http://127.0.0.1:{port}/x", "S/RES/1(2020)", "en")
    assert time.monotonic() - started < 3
    listener.close()
