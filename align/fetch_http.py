"""HTTP for the fetcher (the only module importing requests): one URL policy, deadlines, retries, a size cap.

Every URL, the first and each redirect target, is parsed with urllib3's `parse_url`, the parser
requests itself connects with, so the host we check is the host we contact: a redirect to
`https://evil.example\\@documents.un.org/x.pdf` is evil.example to both (issue #14). Only https
to a UN host on the default port passes; loopback hosts (the local test server) and the origin of
a `--base-url` the user chose are trusted as given. Each request has a deadline for connect and
whole body, read one network read at a time, so a server dripping a byte a second fails in time.
"""

from __future__ import annotations

import contextlib
import email.utils
import logging
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

import requests
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.util import parse_url

from align import __version__
from align.errors import FetchError

log = logging.getLogger(__name__)

UN_HOSTS = frozenset({"undocs.org", "www.undocs.org", "docs.un.org", "documents.un.org",
                      "documents-dds-ny.un.org", "daccess-ods.un.org", "digitallibrary.un.org"})
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
BROWSER_USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                      f"Chrome/131.0 Safari/537.36 untm/{__version__}")
_RETRY_STATUSES = {429, 502, 503, 504}
_REFUSED_HINT = "the service may be compromised or misconfigured; nothing was saved"


@dataclass(frozen=True, slots=True)
class FetchConfig:
    base_url: str = "https://undocs.org"
    allowed_hosts: frozenset[str] = UN_HOSTS
    max_in_flight: int = 4  # 10 at once drew thousands of 503s from the service
    delay: float = 0.5  # seconds between request starts, across all threads
    retries: int = 4
    backoff: float = 1.0  # first retry wait; doubles each time
    max_retry_after: float = 300.0  # a longer Retry-After is a failure now, not a silent wait
    connect_timeout: float = 10.0
    read_timeout: float = 60.0  # symbol lookups were seen to take 31 s
    deadline: float = 300.0  # one request, connect + whole body
    max_bytes: int = 100_000_000
    min_pdf_bytes: int = 1024
    prefer_word: bool = True  # ask the document API for the Word original first (issue #15)


def shown_url(url: str) -> str:
    """A URL as it may appear in a message: printable and not absurdly long."""
    text = url.encode("ascii", "backslashreplace").decode("ascii")
    return text if len(text) <= 300 else text[:300] + "…"


def checked_url(url: str, symbol: str, lang: str, config: FetchConfig, previous: str | None = None) -> str:
    """`url` as the HTTP library will read it, if the URL policy allows it; FetchError saying why not."""
    def refuse(why: str) -> FetchError:
        return FetchError(symbol, lang, shown_url(url), f"refused to follow {why}", hint=_REFUSED_HINT)

    try:
        parts = parse_url(url)
    except (urllib3.exceptions.LocationParseError, ValueError) as exc:
        raise refuse(f"a malformed URL ({exc.__class__.__name__})") from exc
    scheme, host = (parts.scheme or "").lower(), (parts.host or "").lower().strip("[]")
    if parts.auth is not None or "\\" in url:
        raise refuse(f"a URL with user info or a backslash (it leads to {host or 'nowhere'})")
    if scheme not in ("https", "http"):
        raise refuse(f"a {scheme or 'scheme-less'} URL; only https is allowed")
    if previous is not None and previous.lower().startswith("https:") and scheme == "http":
        raise refuse("a downgrade from https to plain http")
    base = parse_url(config.base_url)
    if (scheme, host, parts.port) == ((base.scheme or "").lower(), (base.host or "").lower().strip("[]"), base.port):
        return parts.url  # the origin the user named with --base-url
    if host not in config.allowed_hosts:
        raise refuse(f"a redirect to {host or 'nowhere'}, not a UN host")
    if host not in LOOPBACK_HOSTS:
        if scheme != "https":
            raise refuse(f"plain http to {host}; only https is allowed")
        if parts.port not in (None, 443):
            raise refuse(f"port {parts.port} of {host}; only the default https port is allowed")
    return parts.url


# The deadline watchdog needs the socket of the request under way: connections register themselves
# with the requesting thread's list when a request starts (the timer runs in another thread).
_watched = threading.local()


class _Watched:
    def request(self, *args, **kwargs):
        holder = getattr(_watched, "holder", None)
        if holder is not None:
            holder.append(self)
        return super().request(*args, **kwargs)


class _WatchedHTTPConnection(_Watched, urllib3.connection.HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, urllib3.connection.HTTPSConnection):
    pass


class _WatchedHTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _WatchedHTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class _WatchedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}


def _cut(holder: list, expired: threading.Event) -> None:
    """At the deadline: shut the request's socket, which wakes a read blocked on a dripping server."""
    expired.set()
    for connection in holder:
        sock = getattr(connection, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class _Session(requests.Session):
    """A session that never looks at redirects: they are followed by hand, through the URL policy.

    requests parses a Location even with allow_redirects=False (to offer `response.next`), and
    raises on one like "http://[::1/x" before we could refuse it with a clear message."""

    def resolve_redirects(self, *args, **kwargs):
        return iter(())


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
    """A requests session with the politeness rules: in-flight cap, spacing, retries, deadlines, size cap."""

    def __init__(self, config: FetchConfig = FetchConfig(), limiter: ExternalLimiter | None = None) -> None:
        self.config = config
        self.limiter = limiter or _external_limiter
        self.session = _Session()
        for prefix in ("http://", "https://"):
            self.session.mount(prefix, _WatchedAdapter())
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

    def get(self, url: str, symbol: str, lang: str, headers: dict[str, str] | None = None) -> requests.Response:
        """One GET (no redirects followed), retried on 429/502/503/504 and broken connections; body read in full."""
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
                        response = self._get_once(url, symbol, lang, headers)
                    finally:
                        with self._count_lock:
                            self.in_flight -= 1
            except _Transient as exc:
                if attempt >= config.retries:
                    raise FetchError(symbol, lang, shown_url(url), f"{exc} (after {attempt + 1} {'try' if attempt == 0 else 'tries'})",
                                     hint="check the network, or use --offline with what is cached") from exc
                self._sleep_before_retry(attempt, None, url, symbol, lang)
                attempt += 1
                continue
            if response.status_code in _RETRY_STATUSES and attempt < config.retries:
                self._sleep_before_retry(attempt, response.headers.get("Retry-After"), url, symbol, lang)
                attempt += 1
                continue
            return response

    def _get_once(self, url: str, symbol: str, lang: str, headers: dict[str, str] | None) -> requests.Response:
        """One request within the deadline: a watchdog shuts the socket when time is up (headers dripping too)."""
        config = self.config
        deadline = time.monotonic() + config.deadline
        holder: list = []
        expired = threading.Event()
        watchdog = threading.Timer(config.deadline, _cut, (holder, expired))
        watchdog.daemon = True
        _watched.holder = holder
        watchdog.start()
        try:
            return self._request(url, symbol, lang, headers, deadline)
        except Exception as exc:
            if expired.is_set():
                raise FetchError(symbol, lang, shown_url(url),
                                 f"timed out: the answer took longer than the {config.deadline:g}-second deadline",
                                 hint="the service is too slow right now; try later (or raise --timeout)") from exc
            raise
        finally:
            watchdog.cancel()
            _watched.holder = None

    def _request(self, url: str, symbol: str, lang: str, headers: dict[str, str] | None,
                 deadline: float) -> requests.Response:
        config = self.config
        try:
            response = self.session.get(url, headers=headers, allow_redirects=False, stream=True,
                                        timeout=(min(config.connect_timeout, config.deadline),
                                                 min(config.read_timeout, config.deadline)))
        except requests.Timeout as exc:
            raise _Transient("timed out") from exc
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            raise _Transient(f"connection failed ({exc.__class__.__name__})") from exc
        except (requests.RequestException, urllib3.exceptions.HTTPError, ValueError, UnicodeError) as exc:
            raise FetchError(symbol, lang, shown_url(url), f"the request failed ({exc.__class__.__name__}: {exc})",
                             hint="the URL or the answer is malformed; nothing was saved") from exc
        with response:
            response._content = self._read_body(response, url, symbol, lang, deadline)  # noqa: SLF001
        return response

    def _read_body(self, response: requests.Response, url: str, symbol: str, lang: str, deadline: float) -> bytes:
        """The whole body, decoded, within the deadline and the size cap; Content-Length checked first."""
        cap = self.config.max_bytes
        declared = response.headers.get("Content-Length", "").strip()
        expected = int(declared) if declared.isdigit() else None
        if expected is not None and expected > cap:
            raise FetchError(symbol, lang, shown_url(url), f"announces {expected:,} bytes, more than the {cap:,}-byte cap",
                             hint="a UN document is rarely that large; nothing was saved")
        raw = response.raw
        chunks, size = [], 0
        try:
            while True:
                if time.monotonic() > deadline:
                    raise FetchError(symbol, lang, shown_url(url),
                                     f"timed out: the answer took longer than the {self.config.deadline:g}-second deadline "
                                     f"({raw.tell():,} bytes arrived)",
                                     hint="the service is too slow right now; try later (or raise --timeout)")
                chunk = raw.read1(64 * 1024, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > cap:
                    raise FetchError(symbol, lang, shown_url(url), f"larger than the {cap:,}-byte cap",
                                     hint="a UN document is rarely that large; nothing was saved")
                chunks.append(chunk)
        except urllib3.exceptions.DecodeError as exc:
            encoding = response.headers.get("Content-Encoding", "")
            raise FetchError(symbol, lang, shown_url(url), f"the body is not valid {encoding or 'encoded'} data",
                             hint="the service sent a broken answer; try later. Nothing was saved") from exc
        except (urllib3.exceptions.ReadTimeoutError, TimeoutError) as exc:
            arrived = raw.tell()
            raise _Transient(f"timed out after {arrived:,} of {expected:,} bytes" if expected else "timed out") from exc
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as exc:
            arrived = raw.tell()
            if expected is not None and arrived < expected:
                raise _Transient(f"body cut off after {arrived:,} of {expected:,} bytes") from exc
            raise _Transient(f"connection broke mid-body ({exc.__class__.__name__})") from exc
        if expected is not None and raw.tell() < expected:
            raise _Transient(f"body cut off after {raw.tell():,} of {expected:,} bytes")
        return b"".join(chunks)

    def _sleep_before_retry(self, attempt: int, retry_after: str | None, url: str, symbol: str, lang: str) -> None:
        wait = self.config.backoff * (2 ** attempt)
        if retry_after:
            asked = parse_retry_after(retry_after)
            if asked > self.config.max_retry_after:
                raise FetchError(symbol, lang, shown_url(url),
                                 f"the service asks to retry after {asked:,.0f} s, more than the "
                                 f"{self.config.max_retry_after:g}-second ceiling",
                                 hint="try later, or raise --max-retry-after")
            wait = max(wait, asked)
        if wait >= 1:
            log.warning("%s [%s]: waiting %.0f s before retry %d of %s", symbol, lang, wait, attempt + 1, shown_url(url))
        time.sleep(wait)


class _Transient(Exception):
    """A failure worth retrying (timeout, broken connection, cut-off body); becomes a FetchError at the end."""


def parse_retry_after(value: str) -> float:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return max(0.0, (moment - datetime.now(timezone.utc)).total_seconds())
