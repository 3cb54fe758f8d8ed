"""Is a fetched text the document asked for? Its symbol (masthead, running header) and script must match.

A valid PDF of the wrong document, or the English version served for a `zh` request, was cached
and aligned into the TM (issue #14). UN PDFs and Word files print the symbol in the masthead and
every page header ("S/RES/2518 (2020)"), so the text names its own document; the script tells
the language (align.extract.detect_language for zh/en, letter counts for the others).
"""

from __future__ import annotations

import re
from collections import Counter

_SYMBOL_IN_TEXT_RE = re.compile(r"(?<![A-Za-z0-9/])([A-Z]{1,10}(?:/[A-Z0-9][A-Za-z0-9.\-]{0,19})+)[ \t]?(\((?:19|20)\d\d\))?")
_SCRIPTS = {"ru": re.compile(r"[\u0400-\u04ff]"), "ar": re.compile(r"[\u0600-\u06ff]")}
_LATIN_RE = re.compile(r"[A-Za-z]")
_NAMES = {"zh": "Chinese", "en": "English", "fr": "French", "es": "Spanish", "ru": "Russian", "ar": "Arabic"}
_HEAD_CHARS = 3000  # the masthead sits at the top of the first page
# a resolution's title names it too ("Resolution 2518 (2020)", "第 2518(2020)号决议"); texts copied
# from the web, like the committed Chinese seeds, keep the title but not the masthead
_TITLE_RES = [re.compile(r"第\s*(\d+)\s*\((\d{4})\)\s*号决议"), re.compile(r"^#*\s*Resolution (\d+) \((\d{4})\)", re.M)]


def _key(symbol: str) -> str:
    return re.sub(r"\s+", "", symbol).rstrip(".").upper()


def symbols_named(text: str) -> list[str]:
    """Symbols the text names, the masthead's first, then by how often they occur (page headers)."""
    found = [m.group(1).rstrip(".") + (m.group(2) or "") for m in _SYMBOL_IN_TEXT_RE.finditer(text)]
    head = [m.group(1).rstrip(".") + (m.group(2) or "") for m in _SYMBOL_IN_TEXT_RE.finditer(text[:_HEAD_CHARS])]
    ranked = [symbol for symbol, _ in Counter(found).most_common()]
    return list(dict.fromkeys(head[:1] + ranked))


def resolution_titles(text: str) -> list[str]:
    """"RES/<number>(<year>)" of a resolution title at the top of the text (the organ is not in it)."""
    return [f"RES/{m.group(1)}({m.group(2)})" for pattern in _TITLE_RES for m in [pattern.search(text[:_HEAD_CHARS])] if m]


def text_language(text: str) -> str:
    """"zh", "ru", "ar", or "latin" (en/fr/es cannot be told apart by script)."""
    from align.extract import detect_language

    sample = text[:200_000]
    latin = len(_LATIN_RE.findall(sample))
    for code, pattern in _SCRIPTS.items():
        if len(pattern.findall(sample)) > latin:
            return code
    return "zh" if detect_language(sample) == "zh" else "latin"


def mismatch(text: str, symbol: str, lang: str) -> str | None:
    """Why `text` is not `symbol` in `lang` (naming what it is instead), or None when it matches."""
    detected = text_language(text)
    wanted = "latin" if lang in ("en", "fr", "es") else lang
    if detected != wanted:
        shown = "English or another Latin-script language" if detected == "latin" else _NAMES.get(detected, detected)
        return f"wrong language: asked for {_NAMES.get(lang, lang)}, the text is {shown}"
    named = symbols_named(text)
    if _key(symbol) in {_key(s) for s in named}:
        return None
    titles = resolution_titles(text)
    if any(_key(symbol).endswith("/" + title) for title in titles):
        return None
    if titles and not _SYMBOL_IN_TEXT_RE.search(text[:_HEAD_CHARS]):  # no masthead: the title names it best
        named = [f"resolution {titles[0].removeprefix('RES/')}"]
    if not named:
        return f"cannot confirm the document: the text names no document symbol (asked for {symbol})"
    return f"wrong document: asked for {symbol}, the text is {named[0]}"
