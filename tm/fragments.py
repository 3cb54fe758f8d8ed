"""A document's share of the merged TM files, serialised once: the `<tu>` of each of its units and of
their label variants, its TSV rows and unmatched rows, as bytes, with the keys and scores the merge
needs (tm/export.py). An export then merges fragments by their small index and copies bytes, so
adding N documents to a build of M serialises N documents, not M + N.

File layout (docs/<name>/export.fragment, a stage file: tm/units_cache.py): three lines of JSON, the
index of each level and the unmatched rows (so a merge parses only the part it is merging), then the
bytes they point into. Per level, one record per unit, in the document's order:
    [pair key, score, fits the profile, TSV offset, TSV head length, TSV tail length,
     [[variant pair key, TMX offset, TMX length, characters removed], ...]]
The TSV row of a unit is head + "\\t" + status + "\\t" + tail (the status depends on the whole build).
A pair key is a 128-bit hash of (zh, en): identical pairs merge across documents.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from tm.tmx import Profile, TmUnit, unit_bytes

FRAGMENT_FILE = "export.fragment"
FRAGMENT_VERSION = 1  # bump when the layout or what goes into it changes
PARTS = ("sentence", "paragraph", "unmatched")  # the index lines, in file order


def pair_key(zh: str, en: str) -> str:
    return hashlib.sha256(f"{zh}\x1f{en}".encode()).hexdigest()[:32]


def tsv_cell(text: str) -> str:
    return " ".join(text.replace("\t", " ").splitlines())


def tsv_line(cells: Sequence[object]) -> str:
    return "\t".join(tsv_cell(str(c)) for c in cells)


def make_fragment(units: Mapping[str, Sequence[TmUnit]], accepted: Mapping[str, set[tuple[str, str]]],
                  unmatched: Sequence[Sequence[str]], profile: Profile) -> bytes:
    """One document's fragment: `units` per level after its review decisions, the (zh, en) pairs a reviewer
    accepted per level, and its unmatched rows (symbol, language, label, text)."""
    from tm.export import with_label_variants

    limit = profile.max_segment_chars
    blob = bytearray()
    index: dict[str, object] = {}
    for level in PARTS[:-1]:
        level_units = units.get(level, ())
        records = []
        for unit in level_units:
            variants = []
            for variant in with_label_variants([unit], profile.label_units):
                data, removed = unit_bytes(variant, profile)
                variants.append([pair_key(variant.zh, variant.en), len(blob), len(data), removed])
                blob += data
            head = tsv_line((unit.tuid, unit.symbol, unit.label, unit.shape, f"{unit.score:.4f}")).encode()
            tail = tsv_line((unit.zh, unit.en)).encode()
            fits = limit is None or (len(unit.zh) <= limit and len(unit.en) <= limit)
            records.append([pair_key(unit.zh, unit.en), unit.score, fits, len(blob), len(head), len(tail), variants])
            blob += head + tail
        index[level] = {"units": records, "accepted": sorted(pair_key(*p) for p in accepted.get(level, ()))}
    index["unmatched"] = [tsv_line(row) for row in unmatched]
    lines = b"".join(json.dumps(index[part], ensure_ascii=False).encode() + b"\n" for part in PARTS)
    return lines + bytes(blob)


def _split(data: bytes) -> tuple[list[bytes], int]:
    """The index lines of a fragment's bytes and where its blob starts."""
    lines, start = [], 0
    for _ in PARTS:
        end = data.index(b"\n", start)
        lines.append(data[start:end])
        start = end + 1
    return lines, start


class Fragments:
    """The fragments of a build's documents, in seed order: their indexes, and byte ranges read on demand
    with at most two documents' bytes in memory (the merge goes through documents mostly in order)."""

    def __init__(self, sources: Sequence[Path | bytes]) -> None:
        self.sources = list(sources)  # a fragment file, or a fragment's bytes (documents exported from memory)
        self._cached: dict[int, bytes] = {}

    def __len__(self) -> int:
        return len(self.sources)

    def index(self, position: int, part: str):
        """One part of a fragment's index (a level's {"units", "accepted"}, or the unmatched rows)."""
        wanted = PARTS.index(part)
        source = self.sources[position]
        if isinstance(source, bytes):
            return json.loads(_split(source)[0][wanted])
        with open(source, "rb") as handle:
            for _ in range(wanted):
                handle.readline()
            return json.loads(handle.readline())

    def _blob(self, position: int) -> bytes:
        if position not in self._cached:
            if len(self._cached) >= 2:
                del self._cached[next(iter(self._cached))]
            source = self.sources[position]
            if isinstance(source, bytes):
                self._cached[position] = source[_split(source)[1]:]
            else:
                with open(source, "rb") as handle:
                    for _ in PARTS:
                        handle.readline()
                    self._cached[position] = handle.read()
        return self._cached[position]

    def read(self, position: int, offset: int, length: int) -> bytes:
        return self._blob(position)[offset:offset + length]
