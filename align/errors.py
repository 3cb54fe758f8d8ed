"""Typed errors with a hint; tm/cli.py turns them into `error:` / `hint:` lines (HOUSE_STYLE §5)."""

from __future__ import annotations


class AlignError(Exception):
    """Base of every error a user can fix; carries a message and a hint saying what to do."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ExtractError(AlignError):
    """Input text that cannot be read or segmented (binary, wrong encoding, unreadable file)."""


class SymbolError(AlignError):
    """A string that is not a valid UN document symbol."""


class FetchError(AlignError):
    """A document that could not be fetched; names symbol, language, URL and reason."""

    def __init__(self, symbol: str, lang: str, url: str, reason: str, hint: str = "") -> None:
        super().__init__(f"{symbol} [{lang}]: {reason} ({url})", hint)
        self.symbol = symbol
        self.lang = lang
        self.url = url
        self.reason = reason


class EmbeddingMismatch(AlignError):
    """Vectors that do not fit the texts or the model they are said to come from."""


class StaleIndex(AlignError):
    """A search index built from other data or another model than the one asked for."""
