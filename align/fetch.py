"""undocs.org client: symbol → PDF → text, politely, into the `fetched/` cache (the one requests user).

The chain, as measured on the live service (shared NOTES.md, Sept 2026):
    https://undocs.org/<lang>/<symbol>  --301-->  docs.un.org viewer page (HTML, ~4 KB)
    viewer page embeds  documents.un.org/api/symbol/access?s=<symbol>&l=<lang>&t=pdf
    that API answers 302 to a file path in UPPER case, served only in lower case.
The API wants a browser User-Agent, `Accept: application/pdf` and `Sec-Fetch-Site: same-site`.
A 200 with an empty body means "not published". Redirects are followed by hand so that every hop
is checked against the UN's hosts; nothing is cached unless it is verified to be a PDF with text.
"""

from __future__ import annotations

import contextlib
import email.utils
import hashlib
import html
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import requests

from align import __version__
from align.errors import ExtractError, FetchError
from align.fetch_cache import cached_text, entry_dir, record_language
from align.pdftext import extractor_name, pdf_to_text
from align.symbols import language_code
from align.types import remove_stale_temporaries, write_atomic

log = logging.getLogger(__name__)

UN_HOSTS = frozenset({"undocs.org", "www.undocs.org", "docs.un.org", "documents.un.org",
                      "documents-dds-ny.un.org", "daccess-ods.un.org", "digitallibrary.un.org"})
BROWSER_USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                      f"Chrome/131.0 Safari/537.36 untm/{__version__}")
_PDF_LINK_RE = re.compile(r"""(?:https?:)?//?[^"'\s<>]*api/symbol/access\?[^"'\s<>]*t=pdf[^"'\s<>]*""", re.IGNORECASE)
_RETRY_STATUSES = {429, 502, 503, 504}


class NotPublished(FetchError):
    """The service answered, with nothing: the document exists in no such language (yet)."""


@dataclass(frozen=True, slots=True)
class FetchConfig:
    base_url: str = "https://undocs.org"
    allowed_hosts: frozenset[str] = UN_HOSTS
    max_in_flight: int = 4  # 10 at once drew thousands of 503s from the service
    delay: float = 0.5  # seconds between request starts, across all threads
    retries: int = 4
    backoff: float = 1.0  # first retry wait; doubles each time
    max_retry_after: float = 120.0
    connect_timeout: float = 10.0
    read_timeout: float = 60.0  # symbol lookups were seen to take 31 s
    max_bytes: int = 100_000_000
    min_pdf_bytes: int = 1024


@dataclass(slots=True)
class FetchResult:
    symbol: str
    lang: str
    status: str  # "fetched", "cached", "not published", "failed"
    path: Path | None = None
    message: str = ""


# -- hook for an external limiter (align/cluster.py): one cap and spacing shared by many processes --
class ExternalLimiter(Protocol):
    def acquire(self) -> object:
        """Block until a request may start; return a lease for `release`."""
        ...

    def release(self, lease: object) -> None: ...


_external_limiter: ExternalLimiter | None = None


def set_external_limiter(limiter: ExternalLimiter | None) -> None:
    """Every Client made afterwards in this process also asks `limiter` around each request."""
    global _external_limiter
    _external_limiter = limiter


@contextlib.contextmanager
def _external_turn(limiter: ExternalLimiter | None) -> Iterator[None]:
    lease = limiter.acquire() if limiter is not None else None
    try:
        yield
    finally:
        if limiter is not None:
            limiter.release(lease)
# -- end of the hook --


class Client:
    """A requests session with the politeness rules: in-flight cap, spacing, retries, timeouts, size cap."""

    def __init__(self, config: FetchConfig = FetchConfig(), limiter: ExternalLimiter | None = None) -> None:
        self.config = config
        self.limiter = limiter or _external_limiter
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": BROWSER_USER_AGENT})
        self._slots = threading.BoundedSemaphore(config.max_in_flight)
        self._spacing = threading.Lock()
        self._next_start = 0.0
        self.in_flight = 0
        self.max_seen_in_flight = 0
        self._count_lock = threading.Lock()

    def _wait_turn(self) -> None:
        with self._spacing:
            now = time.monotonic()
            wait = self._next_start - now
            self._next_start = max(now, self._next_start) + self.config.delay
        if wait > 0:
            time.sleep(wait)

    def _check_host(self, url: str, symbol: str, lang: str) -> None:
        host = (urlsplit(url).hostname or "").lower()
        if host not in self.config.allowed_hosts:
            raise FetchError(symbol, lang, url, f"refused to follow a redirect to {host or 'nowhere'}, not a UN host",
                             hint="the service may be compromised or misconfigured; nothing was saved")

    def get(self, url: str, symbol: str, lang: str, headers: dict[str, str] | None = None) -> requests.Response:
        """One GET (no redirects followed), retried on 429/502/503/504 and connection errors; body read with a cap."""
        config = self.config
        attempt = 0
        while True:
            self._wait_turn()
            try:
                with self._slots, _external_turn(self.limiter):
                    with self._count_lock:
                        self.in_flight += 1
                        self.max_seen_in_flight = max(self.max_seen_in_flight, self.in_flight)
                    try:
                        response = self.session.get(url, headers=headers, allow_redirects=False, stream=True,
                                                    timeout=(config.connect_timeout, config.read_timeout))
                        body = self._read_capped(response, url, symbol, lang)
                    finally:
                        with self._count_lock:
                            self.in_flight -= 1
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as exc:
                reason = _describe(exc)
                if attempt >= config.retries:
                    raise FetchError(symbol, lang, url, f"{reason} (after {attempt + 1} tries)",
                                     hint="check the network, or use --offline with what is cached") from exc
                self._sleep_before_retry(attempt, None)
                attempt += 1
                continue
            response._content = body  # noqa: SLF001 - the capped body, read once
            if response.status_code in _RETRY_STATUSES and attempt < config.retries:
                self._sleep_before_retry(attempt, response.headers.get("Retry-After"))
                attempt += 1
                continue
            return response

    def _read_capped(self, response: requests.Response, url: str, symbol: str, lang: str) -> bytes:
        chunks, size = [], 0
        expected = response.headers.get("Content-Length")
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.config.max_bytes:
                    response.close()
                    raise FetchError(symbol, lang, url, f"larger than the {self.config.max_bytes:,}-byte cap",
                                     hint="a UN document is rarely that large; nothing was saved")
                chunks.append(chunk)
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            if expected and expected.isdigit() and size < int(expected):
                raise requests.exceptions.ChunkedEncodingError(
                    f"body cut off after {size} of {expected} bytes: {_describe(exc)}") from exc
            raise
        body = b"".join(chunks)
        if expected and expected.isdigit() and int(expected) != len(body) and "Content-Encoding" not in response.headers:
            raise requests.exceptions.ChunkedEncodingError(f"body cut off: {len(body)} of {expected} bytes")
        return body

    def _sleep_before_retry(self, attempt: int, retry_after: str | None) -> None:
        wait = self.config.backoff * (2 ** attempt)
        if retry_after:
            wait = max(wait, _parse_retry_after(retry_after))
        time.sleep(min(wait, self.config.max_retry_after))


def _describe(exc: Exception) -> str:
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return str(exc) if "cut off" in str(exc) else "connection broke mid-body"
    return f"connection failed ({exc.__class__.__name__})"


def _parse_retry_after(value: str) -> float:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 0.0
    return max(0.0, (moment - datetime.now(timezone.utc)).total_seconds())


def _lowercase_path(url: str) -> str:
    """The file host serves only the lower-cased path of the URL its API redirects to."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.lower(), parts.query, parts.fragment))


def _follow(client: Client, url: str, symbol: str, lang: str, headers: dict[str, str] | None,
            lowercase_paths: bool = False) -> tuple[requests.Response, list[str]]:
    chain = [url]
    for _ in range(8):
        client._check_host(url, symbol, lang)
        response = client.get(url, symbol, lang, headers)
        if response.status_code in (301, 302, 303, 307, 308) and response.headers.get("Location"):
            url = urljoin(url, response.headers["Location"])
            if lowercase_paths:
                url = _lowercase_path(url)
            chain.append(url)
            continue
        return response, chain
    raise FetchError(symbol, lang, url, "too many redirects", hint="the service may be misbehaving; try later")


def download_pdf(client: Client, symbol: str, lang: str) -> tuple[bytes, list[str], int]:
    """(PDF bytes, URL chain, final HTTP status) for one symbol and service language code."""
    start = f"{client.config.base_url.rstrip('/')}/{lang}/{quote(symbol, safe='/()')}"
    response, chain = _follow(client, start, symbol, lang, None)
    _raise_for_status(response, symbol, lang, chain[-1])
    body = response.content
    if not body.startswith(b"%PDF-"):
        if not body.strip():
            raise NotPublished(symbol, lang, chain[-1], "not published (the service answered with an empty page)")
        page = html.unescape(body.decode("utf-8", "replace")).replace("\\/", "/")  # HTML or JSON-escaped
        match = _PDF_LINK_RE.search(page)
        # a viewer page that no longer embeds the link: the document API has a fixed form
        api = urljoin(chain[-1], match.group(0) if match else
                      f"/api/symbol/access?s={quote(symbol, safe='/()')}&l={lang}&t=pdf")
        headers = {"Accept": "application/pdf", "Sec-Fetch-Site": "same-site", "Referer": chain[-1]}
        response, api_chain = _follow(client, api, symbol, lang, headers, lowercase_paths=True)
        chain += api_chain
        if not match and response.status_code >= 400:
            raise FetchError(symbol, lang, chain[-1], f"the viewer page has no PDF link, and the document API "
                             f"answered HTTP {response.status_code}", hint="the symbol may not exist; check it on undocs.org")
        _raise_for_status(response, symbol, lang, chain[-1])
        body = response.content
    _verify_pdf(body, symbol, lang, chain[-1], client.config)
    return body, chain, response.status_code


def _raise_for_status(response: requests.Response, symbol: str, lang: str, url: str) -> None:
    if response.status_code == 404:
        raise FetchError(symbol, lang, url, "no such document (HTTP 404)", hint="check the symbol's spelling")
    if response.status_code >= 400:
        raise FetchError(symbol, lang, url, f"HTTP {response.status_code}", hint="the service is failing; try later")


def _verify_pdf(body: bytes, symbol: str, lang: str, url: str, config: FetchConfig) -> None:
    if not body.strip():
        raise NotPublished(symbol, lang, url, "not published (HTTP 200 with an empty body)")
    if not body.startswith(b"%PDF-"):
        kind = "an HTML page" if body.lstrip()[:1] == b"<" else "something else"
        raise FetchError(symbol, lang, url, f"expected a PDF, got {kind} ({len(body)} bytes)",
                         hint="the service's error page; try later")
    if len(body) < config.min_pdf_bytes or b"%%EOF" not in body[-2048:]:
        raise FetchError(symbol, lang, url, f"the PDF is incomplete ({len(body)} bytes)", hint="try again later")


def fetch_document(symbol: str, lang: str, fetched: Path, client: Client | None = None,
                   force: bool = False) -> FetchResult:
    """Fetch `symbol` in `lang` into the cache unless a verified entry exists; never leaves a partial entry."""
    code = language_code(lang)
    if not force and (path := cached_text(fetched, symbol, code)) is not None:
        return FetchResult(symbol, code, "cached", path)
    client = client or Client()
    body, chain, status = download_pdf(client, symbol, code)
    folder = entry_dir(fetched, symbol)
    if folder.exists():
        remove_stale_temporaries(folder, (f"{code}.pdf", f"{code}.txt"))
    pdf_path = folder / f"{code}.pdf"
    write_atomic(pdf_path, body)
    try:
        text = pdf_to_text(pdf_path)
    except ExtractError as exc:
        pdf_path.unlink(missing_ok=True)
        raise FetchError(symbol, code, chain[-1], exc.message, hint=exc.hint) from exc
    text_path = write_atomic(folder / f"{code}.txt", text)
    record_language(fetched, symbol, code, {
        "status": "complete", "origin": "fetched", "url_chain": chain, "http_status": status,
        "pdf": {"file": pdf_path.name, "bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()},
        "text": {"file": text_path.name, "bytes": text_path.stat().st_size,
                 "sha256": hashlib.sha256(text_path.read_bytes()).hexdigest()},
        "extractor": extractor_name(), "fetched_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tool": f"untm {__version__}",
    })
    return FetchResult(symbol, code, "fetched", text_path)


@dataclass(slots=True)
class CrawlReport:
    results: list[FetchResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)


def crawl(jobs: Iterable[tuple[str, str]], fetched: Path, *, client: Client | None = None, offline: bool = False,
          on_result: Callable[[FetchResult], None] | None = None) -> CrawlReport:
    """Fetch (symbol, language) jobs, deduplicated, at most `max_in_flight` at once; failures are recorded."""
    client = client or Client()
    unique = list(dict.fromkeys((s, language_code(lang)) for s, lang in jobs))
    report = CrawlReport()
    lock = threading.Lock()

    def one(job: tuple[str, str]) -> None:
        symbol, code = job
        if offline:
            path = cached_text(fetched, symbol, code)
            result = FetchResult(symbol, code, "cached" if path else "failed", path,
                                 "" if path else "not in the cache (offline)")
        else:
            try:
                result = fetch_document(symbol, code, fetched, client)
            except NotPublished as exc:
                result = FetchResult(symbol, code, "not published", None, exc.message)
            except FetchError as exc:
                result = FetchResult(symbol, code, "failed", None, exc.message)
        with lock:
            report.results.append(result)
            if on_result:
                on_result(result)

    with ThreadPoolExecutor(max_workers=client.config.max_in_flight) as pool:
        list(pool.map(one, unique))
    order = {job: i for i, job in enumerate(unique)}
    report.results.sort(key=lambda r: order[(r.symbol, r.lang)])
    return report
