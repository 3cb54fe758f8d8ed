"""A local HTTP server that behaves like undocs.org as measured (shared NOTES.md), with fault modes.

undocs.org/<lang>/<symbol> → 301 → viewer page → api/symbol/access?s=&l=&t=pdf → 302 to an
UPPER-case path (which answers 200 with a small HTML page) whose lower-case twin is the PDF.
A symbol's number picks a fault: see FAULTS.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

PDF = (Path(__file__).parent / "data" / "pdf" / "S_RES_2803_2025.en.pdf").read_bytes()

# resolution number → behaviour
FAULTS = {
    404: "not found", 1: "empty", 2: "html instead of pdf", 3: "502 then ok", 4: "503 retry-after then ok",
    5: "429 then ok", 6: "slow", 7: "cut off", 8: "foreign redirect", 9: "always 503",
}


class FakeUndocs:
    def __init__(self, server: HTTPServer, pdf_delay: float = 0.0) -> None:
        self.server = server
        self.pdf_delay = pdf_delay
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
            query = parse_qs(urlsplit(request.url).query)
            symbol, lang = query["s"][0], query["l"][0]
            if (request.headers.get("Accept") != "application/pdf" or request.headers.get("Sec-Fetch-Site") != "same-site"
                    or "Mozilla" not in request.headers.get("User-Agent", "")):
                self.bad_headers += 1
                return Response(status=302, headers={"Location": f"{self.base_url}/error.html"})
            fault = self._fault(symbol)
            count = self.hits[f"api:{symbol}:{lang}"] = self.hits[f"api:{symbol}:{lang}"] + 1
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
            name = re.sub(r"[^A-Z0-9]", "", symbol.upper())
            return Response(status=302, headers={"Location": f"{self.base_url}/DOC/GEN/{lang.upper()}/PDF/{name}.PDF"})
        if path.startswith("/DOC/"):
            return Response("<html><body>Document not found</body></html>" + " " * 1200, content_type="text/html")
        if path.startswith("/doc/"):
            name = path.rsplit("/", 1)[-1]
            number = re.match(r"^sres(\d+)\d{4}\.pdf$", name)
            fault = FAULTS.get(int(number.group(1)), "ok") if number else "ok"
            if fault == "html instead of pdf":
                return Response("<html><body>Service error</body></html>", content_type="application/pdf")
            if fault == "slow":
                time.sleep(3)
            if fault == "cut off":
                return Response(PDF[: len(PDF) // 2], headers={"Content-Length": str(len(PDF))},
                                content_type="application/pdf", direct_passthrough=True)
            if self.pdf_delay:
                time.sleep(self.pdf_delay)
            return Response(PDF, content_type="application/pdf")
        if path == "/error.html":
            return Response("<html>error</html>", content_type="text/html")
        return Response("unknown", status=404)
