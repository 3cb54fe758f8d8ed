"""Translation units ⇄ TMX 1.4b, the one module that touches translate-toolkit.

Units are built with translate-toolkit's `tmxunit` (so seg escaping, xml:lang and note order are
the toolkit's), but written one at a time through lxml's incremental writer: translate-toolkit
keeps a whole file in memory (its issue #3950), which for a million units is several GB. The
header is ours, with all seven required attributes filled truthfully (the toolkit writes
o-tmf="UTF-8" and no creation date).
"""

from __future__ import annotations

import gzip
import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from lxml import etree

from align import __version__
from align.types import create_temporary

# Characters XML 1.0 forbids: C0 controls but tab, LF and CR; surrogates; U+FFFE/U+FFFF.
_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class TmUnit:
    tuid: str
    zh: str
    en: str
    symbol: str
    label: str
    shape: str
    score: float


@dataclass(frozen=True, slots=True)
class Profile:
    """What one CAT tool needs: language codes and limits."""

    name: str
    zh_code: str = "zh-CN"
    en_code: str = "en-US"
    max_segment_chars: int | None = None  # longer units go to review instead
    max_file_bytes: int | None = None  # larger files are split into numbered parts
    label_units: bool = True  # "1." ↔ "1." units for tools whose segmentation splits the number off


PROFILES = {
    "generic": Profile("generic"),
    # OmegaT matches tuv by language+country, then language; script subtags (zh-Hans) are ignored.
    # Its default English rules segment "1." off "1. Decides…" (a label unit fills it), Chinese not.
    "omegat": Profile("omegat"),
    # Trados Cloud rejects segments over 2,000 characters and files over 1 GB. Trados, memoQ and
    # Phrase keep a leading "1." in the segment and handle numbers as placeables (their documented
    # default; not run here), so "1." ↔ "1." units would only be noise there: the labelled and
    # label-free pairs serve them.
    "trados": Profile("trados", max_segment_chars=2000, max_file_bytes=1_000_000_000, label_units=False),
    "memoq": Profile("memoq", label_units=False),
    "phrase": Profile("phrase", max_file_bytes=1_000_000_000, label_units=False),
}


@dataclass(frozen=True, slots=True)
class WriteReport:
    paths: tuple[Path, ...]
    units: int
    removed_characters: int  # XML-forbidden characters dropped from segments


def clean_segment(text: str) -> tuple[str, int]:
    """Segment text without XML-forbidden characters or surrounding white space; (text, removed count)."""
    cleaned, removed = _FORBIDDEN_RE.subn("", text)
    return cleaned.strip(), removed


def _timestamp(moment: datetime | None) -> str:
    return (moment or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")


def _unit_element(unit: TmUnit, profile: Profile) -> tuple[etree._Element, int]:
    from translate.storage.tmx import tmxunit

    zh, removed_zh = clean_segment(unit.zh)
    en, removed_en = clean_segment(unit.en)
    tu = tmxunit(None)
    tu.setsource(zh, profile.zh_code)
    tu.settarget(en, profile.en_code, append=True)
    tu.addnote(f"{unit.symbol} {unit.label}; bead {unit.shape}; score {unit.score:.4f}")
    element = tu.xmlelement
    element.set("tuid", unit.tuid)
    first_tuv = element.find("tuv")
    for name, value in (("x-symbol", unit.symbol), ("x-label", unit.label), ("x-shape", unit.shape),
                        ("x-score", f"{unit.score:.4f}")):
        prop = etree.Element("prop", type=name)
        prop.text = value
        first_tuv.addprevious(prop)
    return element, removed_zh + removed_en


def _header(segtype: str, profile: Profile, notes: dict[str, str], created: datetime | None) -> etree._Element:
    header = etree.Element("header", {
        "creationtool": "untm", "creationtoolversion": __version__, "segtype": segtype,
        "o-tmf": "untm", "adminlang": "en-US", "srclang": profile.zh_code, "datatype": "plaintext",
        "creationdate": _timestamp(created),
    })
    for name, value in notes.items():
        prop = etree.SubElement(header, "prop", type=f"x-{name}")
        prop.text = value
    return header


def unit_bytes(unit: TmUnit, profile: Profile) -> tuple[bytes, int]:
    """One unit's `<tu>` as written inside `<body>`, and the XML-forbidden characters dropped from it."""
    element, removed = _unit_element(unit, profile)
    return etree.tostring(element, pretty_print=True, encoding="utf-8"), removed


def _frame(segtype: str, profile: Profile, notes: dict[str, str], created: datetime | None) -> tuple[bytes, bytes]:
    """The bytes before the first `<tu>` and after the last, as lxml's incremental writer makes them."""
    buffer = io.BytesIO()
    with etree.xmlfile(buffer, encoding="utf-8") as xf:
        xf.write_declaration()
        xf.write_doctype('<!DOCTYPE tmx SYSTEM "tmx14.dtd">')
        with xf.element("tmx", version="1.4"):
            xf.write("\n")
            xf.write(_header(segtype, profile, notes, created), pretty_print=True)
            with xf.element("body"):
                xf.write("\n")
                xf.flush()
                cut = buffer.tell()
            xf.write("\n")
    buffer.write(b"\n")
    return buffer.getvalue()[:cut], buffer.getvalue()[cut:]


def _open_part(path: Path):
    handle = open(create_temporary(path), "wb")  # named after this process; umask permissions
    stream = gzip.GzipFile(fileobj=handle, mode="wb", mtime=0) if path.name.endswith(".gz") else handle
    return handle, stream


def write_tmx(units: Iterable[TmUnit], path: Path, *, segtype: str, profile: Profile = PROFILES["generic"],
              notes: dict[str, str] | None = None, created: datetime | None = None) -> WriteReport:
    """Stream units into TMX 1.4b at `path` (gzip if it ends in .gz), atomically; split past the profile's size cap."""
    return write_tmx_bytes((unit_bytes(unit, profile) for unit in units), path, segtype=segtype, profile=profile,
                           notes=notes, created=created)


def write_tmx_bytes(units: Iterable[tuple[bytes, int]], path: Path, *, segtype: str,
                    profile: Profile = PROFILES["generic"], notes: dict[str, str] | None = None,
                    created: datetime | None = None) -> WriteReport:
    """write_tmx for units already serialised by unit_bytes ((bytes, removed characters) each): an export
    that merges per-document fragments writes the same file without rebuilding a single element."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    prefix, suffix = _frame(segtype, profile, notes or {}, created)
    finished: list[tuple[str, Path]] = []
    count = removed_total = 0
    units = iter(units)
    pending: tuple[bytes, int] | None = next(units, None)
    part = largest_unit = 0
    while True:
        part += 1
        target = path if part == 1 else path.with_name(_part_name(path.name, part))
        handle, stream = _open_part(target)
        try:
            stream.write(prefix)
            position, written_here = len(prefix), 0
            while pending is not None:
                # the cap is on the XML itself (uncompressed); 100 bytes close the file
                if profile.max_file_bytes and written_here and position + largest_unit + 100 > profile.max_file_bytes:
                    break
                data, removed = pending
                stream.write(data)
                position += len(data)
                largest_unit = max(largest_unit, len(data))
                removed_total += removed
                count += 1
                written_here += 1
                pending = next(units, None)
            stream.write(suffix)
            if stream is not handle:
                stream.close()
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
            finished.append((handle.name, target))
        except BaseException:
            handle.close()
            Path(handle.name).unlink(missing_ok=True)
            for temporary, _ in finished:
                Path(temporary).unlink(missing_ok=True)
            raise
        if pending is None:
            break
    for temporary, target in finished:
        os.replace(temporary, target)
    return WriteReport(tuple(target for _, target in finished), count, removed_total)


def _part_name(name: str, part: int) -> str:
    stem, dot, rest = name.partition(".")
    return f"{stem}.part{part}{dot}{rest}"


def read_tmx(path: Path) -> Iterator[TmUnit]:
    """Units back from a TMX file through translate-toolkit (the proof that tools read what we write)."""
    from translate.storage.tmx import tmxfile

    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as handle:
        store = tmxfile(handle)
    for tu in store.units:
        props = {p.get("type"): p.text or "" for p in tu.xmlelement.iter("prop")}
        languages = tu.getlanguageNodes()
        zh = tu.getNodeText(languages[0], "preserve") or ""
        en = tu.getNodeText(languages[1], "preserve") if len(languages) > 1 else ""
        yield TmUnit(tu.getid(), zh, en or "", props.get("x-symbol", ""), props.get("x-label", ""),
                     props.get("x-shape", ""), float(props.get("x-score", "nan")))
