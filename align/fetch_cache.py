"""The fetch cache `fetched/<slug>/`: `<lang>.pdf`, `<lang>.txt` and `source.json`, all-or-nothing.

An entry counts only when `source.json` records it as complete and the files' sha256 match, so a
crash mid-write (or a hand-edited file) reads as missing, never as a document.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

from align.symbols import slug
from align.types import remove_stale_temporaries, write_atomic


def entry_dir(fetched: Path, symbol: str) -> Path:
    """`fetched/<slug>`; the slug has no '/', '..' or spaces, so nothing lands outside `fetched`."""
    folder = Path(fetched) / slug(symbol)
    if Path(fetched).resolve() not in folder.resolve().parents:
        raise ValueError(f"cache path escapes {fetched}: {folder}")
    return folder


def read_source(fetched: Path, symbol: str) -> dict:
    path = entry_dir(fetched, symbol) / "source.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _records(source: dict, lang: str) -> dict:
    """Per-language record; the committed imports keep one flat record for their single language."""
    if "languages" in source:
        return source["languages"].get(lang, {})
    return source if source.get("lang") == lang else {}


def cached_text(fetched: Path, symbol: str, lang: str) -> Path | None:
    """The verified text file of `symbol` in `lang`, or None when absent, incomplete or altered."""
    folder = entry_dir(fetched, symbol)
    record = _records(read_source(fetched, symbol), lang)
    text = record.get("text") or {}
    if record.get("status") != "complete" or not text.get("sha256"):
        return None
    path = folder / text.get("file", f"{lang}.txt")
    if _sha256(path) != text["sha256"]:
        return None
    pdf = record.get("pdf")
    if pdf and _sha256(folder / pdf.get("file", f"{lang}.pdf")) != pdf.get("sha256"):
        return None
    return path


# Two languages of one symbol may finish at once in the crawler's threads: one writer at a time.
_SOURCE_LOCK = threading.Lock()


def record_language(fetched: Path, symbol: str, lang: str, record: dict) -> None:
    """Merge one language's record into `source.json` (atomically)."""
    with _SOURCE_LOCK:
        remove_stale_temporaries(entry_dir(fetched, symbol), ("source.json",))
        _merge_record(fetched, symbol, lang, record)


def _merge_record(fetched: Path, symbol: str, lang: str, record: dict) -> None:
    source = read_source(fetched, symbol)
    if "languages" not in source:
        legacy = {source["lang"]: {k: v for k, v in source.items() if k not in ("symbol", "lang")}} \
            if source.get("lang") else {}
        source = {"symbol": symbol, "languages": legacy}
    source["languages"][lang] = record
    write_atomic(entry_dir(fetched, symbol) / "source.json", json.dumps(source, ensure_ascii=False, indent=2) + "\n")
