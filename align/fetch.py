"""undocs.org client: symbol → Word file or PDF → verified text, politely, into the `fetched/` cache.

The chain, as measured on the live service (shared NOTES.md, Sept 2026):
    https://undocs.org/<lang>/<symbol>  --301-->  docs.un.org viewer page (HTML, ~4 KB)
    viewer page embeds  documents.un.org/api/symbol/access?s=<symbol>&l=<lang>&t=pdf
    that API answers 302 to a file path in UPPER case, served only in lower case.
The same API answers `t=doc` with the Word original when there is one (issue #15): it is asked
first and its body sniffed (align/wordtext.py); anything but a readable Word file falls back to the
PDF. A 200 with an empty body means "not published". Redirects are followed by hand, each hop
checked by the URL policy (align/fetch_http.py). Nothing is cached unless its text names the
symbol asked for, in the script of the language asked for (align/verify.py).
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
import tempfile
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from align import __version__
from align.errors import AlignError, ExtractError, FetchError
from align.fetch_cache import (
    NOT_CACHED,
    CacheError,
    clean_temporaries,
    entry_dir,
    entry_lock,
    inspect_cached,
    record_language,
)
from align.fetch_http import (UN_HOSTS, BROWSER_USER_AGENT, Client, ExternalLimiter, FetchConfig, checked_url,
                              set_external_limiter, shown_url)
from align.pdftext import extractor_name, pdf_to_text
from align.symbols import language_code, normalise_symbol
from align.types import write_atomic
from align.verify import mismatch
from align.wordtext import WORD_FORMATS, sniff, word_to_text
from align.wordtext import extractor_name as word_extractor_name

__all__ = ["UN_HOSTS", "BROWSER_USER_AGENT", "Client", "ExternalLimiter", "FetchConfig", "NotPublished", "FetchResult",
           "crawl", "download", "download_pdf", "fetch_document", "set_external_limiter"]

log = logging.getLogger(__name__)

_PDF_LINK_RE = re.compile(r"""(?:https?:)?//?[^"'\s<>]*api/symbol/access\?[^"'\s<>]*t=pdf[^"'\s<>]*""", re.IGNORECASE)
_ORIGINAL_SUFFIXES = ("pdf", "docx", "doc")


class NotPublished(FetchError):
    """The service answered, with nothing: the document exists in no such language (yet)."""


@dataclass(slots=True)
class FetchResult:
    symbol: str
    lang: str
    status: str  # "fetched", "cached", "not published", "failed", or offline "not cached"
    path: Path | None = None
    message: str = ""


@dataclass(frozen=True, slots=True)
class Download:
    body: bytes
    format: str  # "docx", "doc" or "pdf"
    chain: list[str]
    status: int


def _lowercase_path(url: str) -> str:
    """The file host serves only the lower-cased path of the URL its API redirects to."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path.lower(), parts.query, parts.fragment))


def _follow(client: Client, url: str, symbol: str, lang: str, headers: dict[str, str] | None,
            lowercase_paths: bool = False):
    """Follow redirects by hand, every hop through the URL policy; (last response, URL chain)."""
    url = checked_url(url, symbol, lang, client.config)
    chain = [url]
    for _ in range(8):
        response = client.get(url, symbol, lang, headers)
        location = response.headers.get("Location")
        if response.status_code in (301, 302, 303, 307, 308) and location:
            try:
                target = urljoin(url, location)
                if lowercase_paths:
                    target = _lowercase_path(target)
            except ValueError as exc:  # urllib.parse refuses e.g. "http://[::1/x"
                raise FetchError(symbol, lang, shown_url(location), f"refused to follow a malformed URL ({exc})",
                                 hint="the service may be compromised or misconfigured; nothing was saved") from exc
            url = checked_url(target, symbol, lang, client.config, previous=url)
            chain.append(url)
            continue
        return response, chain
    raise FetchError(symbol, lang, shown_url(url), "too many redirects", hint="the service may be misbehaving; try later")


def _api_headers(kind: str, referer: str) -> dict[str, str]:
    accept = ("application/msword,application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
              "application/pdf;q=0.5,*/*;q=0.1") if kind == "doc" else "application/pdf"
    return {"Accept": accept, "Sec-Fetch-Site": "same-site", "Referer": referer}


def download(client: Client, symbol: str, lang: str, prefer_word: bool | None = None) -> Download:
    """The document's Word original if the API has a readable one, else its PDF; FetchError otherwise."""
    prefer_word = client.config.prefer_word if prefer_word is None else prefer_word
    start = f"{client.config.base_url.rstrip('/')}/{lang}/{quote(symbol, safe='/()')}"
    response, chain = _follow(client, start, symbol, lang, None)
    _raise_for_status(response, symbol, lang, chain[-1])
    body = response.content
    if sniff(body) in ("pdf", *WORD_FORMATS):
        return Download(body, sniff(body), chain, response.status_code)
    if not body.strip():
        raise NotPublished(symbol, lang, chain[-1], "not published (the service answered with an empty page)")
    page = html.unescape(body.decode("utf-8", "replace")).replace("\\/", "/")  # HTML or JSON-escaped
    match = _PDF_LINK_RE.search(page)
    # a viewer page that no longer embeds the link: the document API has a fixed form
    try:
        pdf_api = urljoin(chain[-1], match.group(0) if match else
                          f"/api/symbol/access?s={quote(symbol, safe='/()')}&l={lang}&t=pdf")
    except ValueError as exc:  # a malformed link in the viewer page
        raise FetchError(symbol, lang, chain[-1], f"refused to follow a malformed link in the viewer page ({exc})",
                         hint="the service may be compromised or misconfigured; nothing was saved") from exc
    if prefer_word:
        word_api = re.sub(r"([?&])t=pdf", r"\1t=doc", pdf_api, flags=re.IGNORECASE)
        try:
            response, word_chain = _follow(client, word_api, symbol, lang, _api_headers("doc", chain[-1]),
                                           lowercase_paths=True)
        except NotPublished:
            raise
        except FetchError as exc:
            if exc.reason.startswith("refused"):
                raise  # the URL policy is never a reason to try elsewhere
            log.info("%s [%s]: no Word version (%s); trying the PDF", symbol, lang, exc.reason)
        else:
            kind = sniff(response.content) if response.status_code == 200 else f"HTTP {response.status_code}"
            if kind in WORD_FORMATS or kind == "pdf":
                if kind == "pdf":  # the API's answer when there is no Word version
                    _verify_pdf(response.content, symbol, lang, word_chain[-1], client.config)
                return Download(response.content, kind, chain + word_chain, response.status_code)
            log.info("%s [%s]: the Word request gave %s; trying the PDF", symbol, lang, kind)
    response, pdf_chain = _follow(client, pdf_api, symbol, lang, _api_headers("pdf", chain[-1]), lowercase_paths=True)
    chain += pdf_chain
    if not match and response.status_code >= 400:
        raise FetchError(symbol, lang, chain[-1], f"the viewer page has no PDF link, and the document API "
                         f"answered HTTP {response.status_code}", hint="the symbol may not exist; check it on undocs.org")
    _raise_for_status(response, symbol, lang, chain[-1])
    _verify_pdf(response.content, symbol, lang, chain[-1], client.config)
    return Download(response.content, "pdf", chain, response.status_code)


def download_pdf(client: Client, symbol: str, lang: str) -> tuple[bytes, list[str], int]:
    """(PDF bytes, URL chain, final HTTP status) for one symbol and service language code."""
    got = download(client, symbol, lang, prefer_word=False)
    return got.body, got.chain, got.status


def _raise_for_status(response, symbol: str, lang: str, url: str) -> None:
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


def _extract(got: Download, symbol: str, lang: str) -> tuple[str, str]:
    """(text, extractor) of a downloaded original, read from a private temp file (nothing in the cache yet)."""
    with tempfile.TemporaryDirectory(prefix="untm-fetch-") as folder:
        path = Path(folder) / f"{lang}.{got.format}"
        path.write_bytes(got.body)
        try:
            if got.format == "pdf":
                return pdf_to_text(path), extractor_name()
            return word_to_text(path), word_extractor_name(got.format)
        except ExtractError as exc:
            raise FetchError(symbol, lang, got.chain[-1], exc.message.replace(str(path), f"the {got.format} file"),
                             hint=exc.hint) from exc


def _download_text(client: Client, symbol: str, lang: str) -> tuple[Download, str, str]:
    """Download and extract, falling back to the PDF when the Word file cannot be read."""
    got = download(client, symbol, lang)
    try:
        text, extractor = _extract(got, symbol, lang)
    except FetchError as exc:
        if got.format not in WORD_FORMATS:
            raise
        log.warning("%s [%s]: %s; using the PDF", symbol, lang, exc.reason)
        got = download(client, symbol, lang, prefer_word=False)
        text, extractor = _extract(got, symbol, lang)
    if problem := mismatch(text, symbol, lang):
        raise FetchError(symbol, lang, got.chain[-1], problem + " (nothing was cached)",
                         hint="the service served another document; try later, or report it to the UN")
    return got, text, extractor


def fetch_document(symbol: str, lang: str, fetched: Path, client: Client | None = None,
                   force: bool = False) -> FetchResult:
    """Fetch `symbol` in `lang` into the cache unless a verified entry exists; never leaves a partial entry."""
    code = language_code(lang)
    symbol = normalise_symbol(symbol)
    if not force and (path := inspect_cached(fetched, symbol, code)[0]) is not None:
        return FetchResult(symbol, code, "cached", path)
    client = client or Client()
    try:
        with entry_lock(fetched, symbol, code):
            if not force and (path := inspect_cached(fetched, symbol, code)[0]) is not None:
                return FetchResult(symbol, code, "cached", path)  # another process fetched it meanwhile
            got, text, extractor = _download_text(client, symbol, code)
            return _store(fetched, symbol, code, got, text, extractor)
    except OSError as exc:
        raise CacheError(f"{symbol} [{code}]: cannot write the cache entry in {fetched}: {exc.strerror or exc}",
                         hint="check the cache folder (permissions, free space, path length)") from exc


def _store(fetched: Path, symbol: str, code: str, got: Download, text: str, extractor: str) -> FetchResult:
    """Write the original and its text, then the record (under the entry's lock)."""
    folder = entry_dir(fetched, symbol)
    names = tuple(f"{code}.{suffix}" for suffix in (*_ORIGINAL_SUFFIXES, "txt"))
    clean_temporaries(fetched, symbol, names)
    original = write_atomic(folder / f"{code}.{got.format}", got.body)
    for suffix in _ORIGINAL_SUFFIXES:  # an earlier fetch may have kept another format
        if suffix != got.format:
            (folder / f"{code}.{suffix}").unlink(missing_ok=True)
    text_path = write_atomic(folder / f"{code}.txt", text)
    described = {"file": original.name, "bytes": len(got.body), "sha256": hashlib.sha256(got.body).hexdigest()}
    record_language(fetched, symbol, code, {
        "status": "complete", "origin": "fetched", "url_chain": got.chain, "http_status": got.status,
        "format": got.format, "original": described, "pdf": described if got.format == "pdf" else None,
        "text": {"file": text_path.name, "bytes": text_path.stat().st_size,
                 "sha256": hashlib.sha256(text_path.read_bytes()).hexdigest()},
        "verified": {"symbol": symbol, "lang": code},
        "extractor": extractor, "fetched_at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "tool": f"untm {__version__}",
    })
    return FetchResult(symbol, code, "fetched", text_path)


@dataclass(slots=True)
class CrawlReport:
    results: list[FetchResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)


def crawl(jobs: Iterable[tuple[str, str]], fetched: Path, *, client: Client | None = None, offline: bool = False,
          on_result: Callable[[FetchResult], None] | None = None, force: bool = False) -> CrawlReport:
    """Fetch (symbol, language) jobs, deduplicated, at most `max_in_flight` at once; failures are recorded."""
    client = client or Client()
    unique = list(dict.fromkeys((s, language_code(lang)) for s, lang in jobs))
    report = CrawlReport()
    lock = threading.Lock()

    def one(job: tuple[str, str]) -> None:
        symbol, code = job
        try:
            if offline:
                path, why = inspect_cached(fetched, symbol, code)
                # absent is what --offline reports; a damaged or wrong entry is a failure
                status = "cached" if path else "not cached" if why == NOT_CACHED else "failed"
                result = FetchResult(symbol, code, status, path, "" if path else f"{why} (offline)")
            else:
                result = fetch_document(symbol, code, fetched, client, force=force)
        except NotPublished as exc:
            result = FetchResult(symbol, code, "not published", None, exc.message)
        except AlignError as exc:  # fetch, cache and symbol errors: this document fails, the crawl goes on
            result = FetchResult(symbol, code, "failed", None, exc.message)
        result.symbol = symbol  # as the job spelled it, the key of the report's order
        with lock:
            report.results.append(result)
            if on_result:
                on_result(result)

    with ThreadPoolExecutor(max_workers=client.config.max_in_flight) as pool:
        list(pool.map(one, unique))
    order = {job: i for i, job in enumerate(unique)}
    report.results.sort(key=lambda r: order[(r.symbol, r.lang)])
    return report
