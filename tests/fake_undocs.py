"""A local HTTP server that behaves like undocs.org as measured (shared NOTES.md), with fault modes.

undocs.org/<lang>/<symbol> → 301 → viewer page → api/symbol/access?s=&l=&t=doc|pdf → 302 to an
UPPER-case path (which answers 200 with a small HTML page) whose lower-case twin is the file.
Each symbol has its own documents: `t=doc` answers a .docx made with python-docx from the committed
texts (seeds/, fetched/) or, for other symbols, from a short text that names the symbol; S/RES/2803(2025)
has no Word version, so both answer its real PDF (tests/data/pdf). `word_answers` overrides what
`t=doc` gives per symbol ("legacy doc": a real Word 97 file for S/RES/2518(2020), an unreadable one
otherwise; "wordperfect", "error page", "pdf"). A symbol's number picks
a fault: see FAULTS.
"""

from __future__ import annotations

import functools
import io
import re
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

ROOT = Path(__file__).resolve().parent.parent
PDF = (Path(__file__).parent / "data" / "pdf" / "S_RES_2803_2025.en.pdf").read_bytes()
PDF_SYMBOL = "S/RES/2803(2025)"

# resolution number → behaviour
FAULTS = {
    404: "not found", 1: "empty", 2: "html instead of pdf", 3: "502 then ok", 4: "503 retry-after then ok",
    5: "429 then ok", 6: "slow", 7: "cut off", 8: "foreign redirect", 9: "always 503",
    10: "wrong document", 11: "wrong language", 12: "backslash-at redirect", 13: "http redirect",
    14: "odd port redirect", 15: "port 99999 redirect", 16: "ftp redirect", 17: "broken ipv6 redirect",
    18: "drip", 19: "huge retry-after", 20: "bad gzip", 21: "huge content-length",
}
BAD_LOCATIONS = {
    "backslash-at redirect": "https://evil.example\\@documents.un.org/x.pdf",
    "http redirect": "http://documents.un.org/x.pdf",
    "odd port redirect": "https://documents.un.org:8443/x.pdf",
    "port 99999 redirect": "https://documents.un.org:99999/x.pdf",
    "ftp redirect": "ftp://documents.un.org/x.pdf",
    "broken ipv6 redirect": "http://[::1/x",
}
LEGACY_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"not a real Word 97 stream" * 40
# real Word 97 files (tests/data/SOURCES.md); other symbols' "legacy doc" is one no converter reads
REAL_DOC = {("S/RES/2518(2020)", lang): Path(__file__).parent / "data" / "word" / f"S-RES-2518-2020.{lang}.doc"
            for lang in ("zh", "en")}
WORDPERFECT = b"\xffWPC" + b"\x10\x00\x00\x00\x01\x0a" + b"\x00" * 500


class RawLocation(Response):
    """A redirect whose Location goes out byte for byte (werkzeug would re-quote it, or fail on port 99999)."""

    def get_wsgi_headers(self, environ):
        location = self.headers.pop("Location")
        headers = super().get_wsgi_headers(environ)
        headers["Location"] = location
        return headers


def make_docx(header: str, paragraphs: list[str]) -> bytes:
    """A .docx with `header` in the page header (the UN masthead symbol) and one paragraph per item."""
    import docx

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = header
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _committed_paragraphs(symbol: str, lang: str) -> list[str] | None:
    """The committed text's paragraphs as a Word file has them: masthead lines, then one per paragraph."""
    from align.extract import segment_file
    from align.symbols import slug

    path = (ROOT / "seeds" / f"{slug(symbol)}.zh.txt") if lang == "zh" else (ROOT / "fetched" / slug(symbol) / "en.txt")
    if not path.is_file():
        return None
    # the Chinese masthead ("联合国", "安全理事会") is not furniture to align/furniture.py, which knows
    # only the English one: the page header's symbol stands in for it
    masthead = [] if lang == "zh" else ["United Nations", "Security Council"]
    return masthead + [p.text for p in segment_file(path, lang).document.paragraphs]


@functools.lru_cache(maxsize=256)
def word_file(symbol: str, lang: str) -> bytes:
    """The .docx the fake service holds for `symbol` in `lang`."""
    number = re.match(r"^([A-Z]+)/RES/(\d+)\((\d{4})\)$", symbol)
    shown = re.sub(r"\((\d{4})\)$", r" (\1)", symbol)
    paragraphs = _committed_paragraphs(symbol, lang)
    if paragraphs is None and lang == "zh":
        title = f"第 {number.group(2)}({number.group(3)})号决议" if number else f"{shown}号文件"
        paragraphs = [title, "安全理事会，", "回顾其以往各项决议，", "1. 决定继续积极处理此案。"]
    elif paragraphs is None:
        title = f"Resolution {number.group(2)} ({number.group(3)})" if number else f"Document {shown}"
        paragraphs = ["United Nations", "Security Council", title, "The Security Council,",
                      "Recalling its previous resolutions,", "1. Decides to remain seized of the matter."]
    return make_docx(shown, paragraphs)


class FakeUndocs:
    def __init__(self, server: HTTPServer, pdf_delay: float = 0.0, drip_interval: float = 0.2) -> None:
        self.server = server
        self.pdf_delay = pdf_delay
        self.drip_interval = drip_interval
        self.word_answers: dict[str, str] = {PDF_SYMBOL: "pdf"}
        self.hits: Counter[str] = Counter()
        self.in_flight = 0
        self.max_in_flight = 0
        self.bad_headers = 0
        self._lock = threading.Lock()
        server.expect_request(re.compile(".*")).respond_with_handler(self.handle)

    @property
    def base_url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def handle(self, request: Request) -> Response:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return self._route(request)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _fault(self, symbol: str) -> str:
        match = re.search(r"/(\d+)\(", symbol)
        return FAULTS.get(int(match.group(1)), "ok") if match else "ok"

    def _route(self, request: Request) -> Response:
        path = unquote(request.path)
        with self._lock:
            self.hits[path] += 1
        if match := re.match(r"^/(zh|en|fr|es|ru|ar)/(.+)$", path):
            lang, symbol = match.groups()
            fault = self._fault(symbol)
            if fault == "not found":
                return Response("Not found", status=404)
            if fault == "foreign redirect":
                return Response(status=301, headers={"Location": "http://evil.example.com/phish.pdf"})
            return Response(status=301, headers={"Location": f"{self.base_url}/viewer/{lang}/{symbol}"})
        if match := re.match(r"^/viewer/(\w+)/(.+)$", path):
            lang, symbol = match.groups()
            link = f"{self.base_url}/api/symbol/access?s={symbol}&amp;l={lang}&amp;t=pdf"
            page = (f"<html><head><title>{symbol}</title></head><body><a href='/viewer/fr/{symbol}'>Français</a>"
                    f"<iframe src=\"{link}\"></iframe></body></html>")
            return Response(page, content_type="text/html; charset=utf-8")
        if path == "/api/symbol/access":
            return self._api(request)
        if path.startswith("/DOC/"):
            return Response("<html><body>Document not found</body></html>" + " " * 1200, content_type="text/html")
        if path.startswith("/doc/"):
            return self._file(path)
        if path == "/error.html":
            return Response("<html>error</html>", content_type="text/html")
        return Response("unknown", status=404)

    def _api(self, request: Request) -> Response:
        query = parse_qs(urlsplit(request.url).query)
        symbol, lang, kind = query["s"][0], query["l"][0], query.get("t", ["pdf"])[0]
        wanted = "application/pdf" if kind == "pdf" else "application/msword"
        if (wanted not in request.headers.get("Accept", "") or request.headers.get("Sec-Fetch-Site") != "same-site"
                or "Mozilla" not in request.headers.get("User-Agent", "")):
            self.bad_headers += 1
            return Response(status=302, headers={"Location": f"{self.base_url}/error.html"})
        fault = self._fault(symbol)
        with self._lock:
            count = self.hits[f"api:{symbol}:{lang}"] = self.hits[f"api:{symbol}:{lang}"] + 1
            self.hits[f"api:{symbol}:{lang}:{kind}"] += 1
        if fault == "empty":
            return Response(b"", status=200, content_type="application/pdf")
        if fault == "502 then ok" and count == 1:
            return Response("Bad gateway", status=502)
        if fault == "503 retry-after then ok" and count == 1:
            return Response("Busy", status=503, headers={"Retry-After": "1"})
        if fault == "429 then ok" and count == 1:
            return Response("Too many", status=429, headers={"Retry-After": "1"})
        if fault == "always 503":
            return Response("Busy", status=503, headers={"Retry-After": "0"})
        if fault == "huge retry-after":
            return Response("Busy", status=503, headers={"Retry-After": "86400"})
        if fault in BAD_LOCATIONS:
            return RawLocation(status=302, headers={"Location": BAD_LOCATIONS[fault]})
        name = re.sub(r"[^A-Z0-9]", "", symbol.upper())
        if kind == "doc":
            answer = self.word_answers.get(symbol, "docx")
            if answer == "error page":
                return Response(status=302, headers={"Location": f"{self.base_url}/error.html"})
            suffix = {"docx": "DOCX", "legacy doc": "DOC", "wordperfect": "WPD", "pdf": "PDF"}[answer]
            return Response(status=302, headers={"Location": f"{self.base_url}/DOC/GEN/{lang.upper()}/WORD/{name}.{suffix}"})
        return Response(status=302, headers={"Location": f"{self.base_url}/DOC/GEN/{lang.upper()}/PDF/{name}.PDF"})

    def _file(self, path: str) -> Response:
        name = path.rsplit("/", 1)[-1]
        lang = path.split("/")[3]
        number = re.match(r"^sres(\d+)(\d{4})\.(\w+)$", name)
        fault = FAULTS.get(int(number.group(1)), "ok") if number else "ok"
        symbol = f"S/RES/{number.group(1)}({number.group(2)})" if number else PDF_SYMBOL
        suffix = name.rsplit(".", 1)[-1]
        if fault == "html instead of pdf":
            return Response("<html><body>Service error</body></html>", content_type="application/pdf")
        if fault == "slow":
            time.sleep(3)
        if fault == "wrong document" or suffix == "pdf":
            body, content_type = PDF, "application/pdf"
        elif suffix == "doc":
            real = REAL_DOC.get((symbol, lang))
            body, content_type = (real.read_bytes() if real else LEGACY_DOC), "application/msword"
        elif suffix == "wpd":
            body, content_type = WORDPERFECT, "application/wordperfect"
        else:
            body = word_file(symbol, "en" if fault == "wrong language" else lang)
            content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if fault == "cut off":  # a generator, or werkzeug would correct the Content-Length
            return Response(iter([body[: len(body) // 2]]), headers={"Content-Length": str(len(body)),
                            "Connection": "close"}, content_type=content_type, direct_passthrough=True)
        if fault == "drip":
            return Response(self._drip(body), headers={"Content-Length": str(len(body))}, content_type=content_type,
                            direct_passthrough=True)
        if fault == "bad gzip":
            return Response(body, headers={"Content-Encoding": "gzip"}, content_type=content_type)
        if fault == "huge content-length":
            return Response(iter([body[:100]]), headers={"Content-Length": str(2 * 1024**3), "Connection": "close"},
                            content_type=content_type, direct_passthrough=True)
        if self.pdf_delay:
            time.sleep(self.pdf_delay)
        return Response(body, content_type=content_type)

    def _drip(self, body: bytes):
        for index in range(len(body)):
            time.sleep(self.drip_interval)
            yield body[index:index + 1]

