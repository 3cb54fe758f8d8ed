"""UN document symbols: parse, validate, normalise, and make file-safe slugs."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import unquote

from align.errors import SymbolError

# First part names the organ or series (S, A, E, ST, UNEP, ...); later parts are
# numbers, session/committee codes (C.3, CN.4) or suffixes (ADD.1, Rev.2, L.10).
_FIRST = r"[A-Z]{1,10}"
_PART = r"[A-Z0-9][A-Za-z0-9.\-]{0,19}"
_YEAR = r"\((?:19|20)\d\d\)"
_SYMBOL_RE = re.compile(rf"^{_FIRST}(?:/{_PART})+(?:{_YEAR})?$")
_UNDOCS_RE = re.compile(r"https?://(?:www\.)?undocs\.org/(?:([a-z]{1,2})/)?(\S+)", re.IGNORECASE)


MAX_SYMBOL_CHARS = 80  # the longest real symbols are ~40 characters; a 5,000-character one broke file names


def normalise_symbol(raw: str) -> str:
    """Canonical spelling: "S/RES/2594 (2021)" → "S/RES/2594(2021)"; raises SymbolError when invalid."""
    if len(raw) > 4 * MAX_SYMBOL_CHARS:
        raise SymbolError(f"not a UN document symbol: {raw[:60]!r}… ({len(raw):,} characters)",
                          hint=f"a symbol has at most {MAX_SYMBOL_CHARS} characters, like S/RES/2518(2020)")
    text = unquote(raw).strip().strip("/")
    text = re.sub(r"\s+", "", text)
    if not text or len(text) > MAX_SYMBOL_CHARS or not _SYMBOL_RE.match(text) or ".." in text:
        raise SymbolError(
            f"not a UN document symbol: {raw!r}",
            hint="a symbol looks like S/RES/2518(2020), S/PRST/2023/5 or A/RES/70/1",
        )
    return text


def is_symbol(raw: str) -> bool:
    try:
        normalise_symbol(raw)
    except SymbolError:
        return False
    return True


def legacy_slug(symbol: str) -> str:
    """The readable slug of untm ≤ 0.1: "S/RES/2518(2020)" → "S-RES-2518-2020" (not one-to-one)."""
    normalised = normalise_symbol(symbol)
    return re.sub(r"[^A-Za-z0-9.]+", "-", normalised).strip("-.").replace("..", ".")


def _symbol_of_readable(readable: str) -> str:
    """The one symbol a hash-free slug stands for: dashes are slashes, a trailing year is "(YYYY)"."""
    return re.sub(r"/((?:19|20)\d\d)$", r"(\1)", readable.replace("-", "/"))


def slug(symbol: str) -> str:
    """File-safe, one-to-one name: "S/RES/2518(2020)" → "S-RES-2518-2020", "S/RES/2518/2020" → "S-RES-2518-2020~1f0c…".

    The readable slug is kept when it reads back as this very symbol (so existing cache folders keep
    their names); any other symbol that would share it gets a hash suffix of its exact spelling.
    Never contains '/', '..' or spaces.
    """
    normalised = normalise_symbol(symbol)
    readable = legacy_slug(normalised)
    if _symbol_of_readable(readable) == normalised:
        return readable
    return f"{readable}~{hashlib.sha256(normalised.encode()).hexdigest()[:10]}"


def symbol_from_undocs_url(url: str) -> tuple[str, str]:
    """(language code as written, normalised symbol) of an undocs.org link; SymbolError if garbled."""
    match = _UNDOCS_RE.match(url.strip())
    if not match:
        raise SymbolError(f"not an undocs.org link: {url!r}", hint="expected https://undocs.org/<lang>/<symbol>")
    return (match.group(1) or "").lower(), normalise_symbol(match.group(2))


# Languages the document service accepts, and the names seeds and users give them.
# An unknown code makes the service answer in English without saying so: never pass one through.
_LANGUAGE_ALIASES = {
    "zh": "zh", "ch": "zh", "c": "zh", "cn": "zh", "chinese": "zh", "zh-cn": "zh", "zh-hans": "zh",
    "en": "en", "e": "en", "english": "en", "en-us": "en", "en-gb": "en",
    "fr": "fr", "f": "fr", "french": "fr",
    "es": "es", "s": "es", "spanish": "es",
    "ru": "ru", "r": "ru", "russian": "ru",
    "ar": "ar", "a": "ar", "arabic": "ar",
}


def language_code(name: str) -> str:
    """Service language code for a name or code ("ch" → "zh"); SymbolError for an unknown language."""
    code = _LANGUAGE_ALIASES.get(name.strip().lower())
    if code is None:
        raise SymbolError(
            f"unknown language: {name!r}",
            hint="use one of ar, en, es, fr, ru, zh (the service silently answers English for others)",
        )
    return code
