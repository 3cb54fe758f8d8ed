"""The fetch cache `fetched/<slug>/`: `<lang>.{docx,doc,pdf}`, `<lang>.txt` and `source.json`, all-or-nothing.

An entry counts only when `source.json` records it as complete for this very symbol, the files'
sha256 match, and the text still names the symbol in the right script (align/verify.py), so a
crash mid-write, a hand-edited file or a slug shared with another symbol reads as missing, never as
a document. Writers take a lock per entry and language (filelock, `fetched/.locks/`), so several
`untm fetch` processes can share one cache: temp files are only cleaned by the lock's holder.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path

from align.errors import AlignError
from align.symbols import legacy_slug, normalise_symbol, slug
from align.types import remove_stale_temporaries, write_atomic

LOCK_TIMEOUT = 900.0  # seconds; a holder is bounded by its request deadlines and retries
NOT_CACHED = "not in the cache"  # inspect_cached's answer for an absent entry (any other is a damaged one)


class CacheError(AlignError):
    """A cache entry that cannot be used or written (a symbolic link, an unwritable folder)."""


def entry_dir(fetched: Path, symbol: str) -> Path:
    """`fetched/<slug>`; the slug has no '/', '..' or spaces, and a symlinked entry is refused."""
    fetched = Path(fetched)
    folder = fetched / slug(symbol)
    if folder.is_symlink() or (folder.exists() and fetched.resolve() not in folder.resolve().parents):
        raise CacheError(f"cache entry {folder} is a symbolic link (or leads outside {fetched})",
                         hint=f"remove {folder} and fetch again; the cache never follows links")
    return folder


def entry_lock(fetched: Path, symbol: str, part: str):
    """An inter-process lock for one part ("en", "zh", "source") of one entry."""
    from filelock import FileLock

    locks = Path(fetched) / ".locks"
    try:
        locks.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CacheError(f"cannot write to the cache {fetched}: {exc.strerror}", hint="check the folder") from exc
    return FileLock(str(locks / f"{slug(symbol)}.{part}.lock"), timeout=LOCK_TIMEOUT)


def migrate_entry(fetched: Path, symbol: str) -> None:
    """Move an entry that an older untm filed under the shared readable slug to this symbol's own slug."""
    new, old = Path(fetched) / slug(symbol), Path(fetched) / legacy_slug(symbol)
    if new == old or new.exists() or not old.is_dir() or old.is_symlink():
        return
    if _recorded_symbol(_read_json(old / "source.json")) == normalise_symbol(symbol):
        try:
            os.rename(old, new)
        except OSError:
            pass  # another process moved it first, or it cannot be moved: read as missing


def _read_json(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _recorded_symbol(source: dict) -> str:
    try:
        return normalise_symbol(str(source.get("symbol", "")))
    except AlignError:
        return ""


def read_source(fetched: Path, symbol: str) -> dict:
    return _read_json(entry_dir(fetched, symbol) / "source.json")


def _sha256(path: Path) -> str | None:
    try:
        if path.is_symlink():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _records(source: dict, lang: str) -> dict:
    """Per-language record; the committed imports keep one flat record for their single language."""
    if isinstance(source.get("languages"), dict):
        record = source["languages"].get(lang, {})
        return record if isinstance(record, dict) else {}
    return source if source.get("lang") == lang else {}


def inspect_cached(fetched: Path, symbol: str, lang: str) -> tuple[Path | None, str]:
    """(verified text file, "") or (None, why the cache has no usable entry)."""
    from align.verify import mismatch

    migrate_entry(fetched, symbol)
    folder = entry_dir(fetched, symbol)
    source = read_source(fetched, symbol)
    if not source:
        return None, NOT_CACHED
    if _recorded_symbol(source) != normalise_symbol(symbol):
        return None, f"the cache entry {folder.name} holds {source.get('symbol')!r}, not {symbol}"
    record = _records(source, lang)
    text = record.get("text") or {}
    if record.get("status") != "complete" or not isinstance(text, dict) or not text.get("sha256"):
        return None, NOT_CACHED
    path = folder / str(text.get("file", f"{lang}.txt"))
    if path.parent != folder or _sha256(path) != text["sha256"]:
        return None, f"{path} was altered or is incomplete"
    for key in ("pdf", "original"):
        original = record.get(key)
        if isinstance(original, dict) and _sha256(folder / str(original.get("file", ""))) != original.get("sha256"):
            return None, f"{folder / str(original.get('file'))} was altered or is incomplete"
    try:
        problem = mismatch(path.read_text(encoding="utf-8"), symbol, lang)
    except (OSError, UnicodeDecodeError):
        return None, f"{path} is unreadable"
    if problem:
        return None, f"the cached text fails verification ({problem})"
    return path, ""


def cached_text(fetched: Path, symbol: str, lang: str) -> Path | None:
    """The verified text file of `symbol` in `lang`, or None when absent, incomplete, altered or wrong."""
    return inspect_cached(fetched, symbol, lang)[0]


def clean_temporaries(fetched: Path, symbol: str, names: tuple[str, ...]) -> None:
    """Remove temp files a killed writer left; call only while holding the entry's lock for `names`."""
    folder = entry_dir(fetched, symbol)
    if folder.is_dir():
        remove_stale_temporaries(folder, names)


# Two languages of one symbol may finish at once in the crawler's threads: one writer at a time.
_SOURCE_LOCK = threading.Lock()


def record_language(fetched: Path, symbol: str, lang: str, record: dict) -> None:
    """Merge one language's record into `source.json` (atomically, one writer across processes)."""
    with _SOURCE_LOCK, entry_lock(fetched, symbol, "source"):
        clean_temporaries(fetched, symbol, ("source.json",))
        _merge_record(fetched, symbol, lang, record)


def _merge_record(fetched: Path, symbol: str, lang: str, record: dict) -> None:
    source = read_source(fetched, symbol)
    if _recorded_symbol(source) != normalise_symbol(symbol):
        source = {}  # another symbol's leftovers under a shared legacy slug: start afresh
    if not isinstance(source.get("languages"), dict):
        legacy = {source["lang"]: {k: v for k, v in source.items() if k not in ("symbol", "lang")}} \
            if source.get("lang") else {}
        source = {"symbol": symbol, "languages": legacy}
    source["languages"][lang] = record
    write_atomic(entry_dir(fetched, symbol) / "source.json", json.dumps(source, ensure_ascii=False, indent=2) + "\n")
