"""Core records passed between stages, and their JSONL form (HOUSE_STYLE §3)."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import BinaryIO

# Paragraph kinds, in the vocabulary of UN resolutions.
TITLE, PREAMBLE, HEADING, OPERATIVE, SUB = "title", "preamble", "heading", "operative", "sub"


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of a document; `number` is "12", "(a)", "(i)" or "•" where the text carries one."""

    symbol: str
    lang: str
    index: int
    text: str
    kind: str
    number: str = ""
    raw: str = ""  # the text before align.normalise (as extracted); "" in files written before it

    @property
    def label(self) -> str:
        """Readable label, e.g. "operative 12", "sub (a)", "preamble"."""
        return f"{self.kind} {self.number}" if self.number else self.kind


@dataclass(frozen=True, slots=True)
class Link:
    """A https://undocs.org link found in a document, with where it stood."""

    url: str
    line: int  # 1-based line of the source text
    paragraph: int  # index of the paragraph being read when the link appeared


@dataclass(frozen=True, slots=True)
class Document:
    """A segmented document: its paragraphs and the links removed from its text."""

    symbol: str
    lang: str
    paragraphs: tuple[Paragraph, ...]
    links: tuple[Link, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class Bead:
    """An n:m link between zh and en segments; one side may be empty (insertion/deletion)."""

    zh: tuple[int, ...]
    en: tuple[int, ...]
    score: float

    @property
    def shape(self) -> str:
        return f"{len(self.zh)}-{len(self.en)}"


def create_temporary(path: Path) -> Path:
    """A new empty file `.NAME.PID.RANDOM.tmp` beside `path`, with the permissions the umask gives.

    The pid says whose it is, so a cleaner removes only a dead writer's leftovers (two builds on one
    folder removed each other's); os.open with 0o666 lets the kernel apply the umask, where mkstemp
    made every output owner-only (-rw-------).
    """
    path = Path(path)
    for _ in range(100):
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        try:
            os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return temporary
    raise FileExistsError(f"no free temporary name beside {path}")


@contextmanager
def atomic_file(path: Path) -> Iterator[BinaryIO]:
    """A binary handle on a temp file beside `path`: on a clean exit synced and renamed to `path`, on an
    error removed, so a crash or a failed writer leaves the old file or none, never half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = create_temporary(path)
    try:
        with open(tmp, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Write `data` to `path` through a temp file in the same folder, so a crash leaves old or nothing."""
    with atomic_file(path) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)
    return Path(path)


def _writer_alive(temporary: Path) -> bool:
    """Whether the process named in a create_temporary name still runs (names without a pid: no)."""
    parts = temporary.name.removesuffix(".tmp").rsplit(".", 2)
    if len(parts) < 3 or not parts[1].isdigit() or not 0 < int(parts[1]) < 2**31:
        return False
    try:
        os.kill(int(parts[1]), 0)  # signal 0: nothing is sent, only the pid is checked (POSIX)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, and another user's
        return True
    return True


def remove_stale_temporaries(folder: Path, names: Iterable[str]) -> None:
    """Temp files that a killed writer left for these file names; a live writer's are left alone."""
    for name in names:
        for stale in Path(folder).glob(f".{name}.*.tmp"):
            if not _writer_alive(stale):
                stale.unlink(missing_ok=True)


def to_jsonl(records: Iterable[object]) -> str:
    """Dataclass records as JSON lines, UTF-8 text, one object per line."""
    return "".join(json.dumps(asdict(r), ensure_ascii=False) + "\n" for r in records)  # type: ignore[call-overload]


def read_paragraphs(path: Path) -> Iterator[Paragraph]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield Paragraph(**json.loads(line))


def read_beads(path: Path) -> dict[str, tuple[Bead, ...]]:
    """Beads of a beads JSONL file (align/stages.py), grouped by their "level" field."""
    levels: dict[str, list[Bead]] = {"paragraph": [], "sentence": []}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                raw = json.loads(line)
                levels.setdefault(raw["level"], []).append(Bead(tuple(raw["zh"]), tuple(raw["en"]), float(raw["score"])))
    return {level: tuple(beads) for level, beads in levels.items()}
