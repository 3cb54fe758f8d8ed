"""Stages that read files and write one file each, atomically, beside a meta file of what made it.

`out.meta.json` holds the stage name, its parameters, the sha256 of every input and of the output,
and the package version. A stage is skipped when its output and meta exist and match, so a re-run
redoes only what changed and a killed run resumes (HOUSE_STYLE §4).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from align import __version__
from align.aligner import AlignParams
from align.embed import Embedder
from align.errors import ExtractError
from align.extract import segment_file
from align.pair import Alignment, align_documents
from align.types import Document, Paragraph, read_paragraphs, remove_stale_temporaries, to_jsonl, write_atomic


def sha256_file(path: Path) -> str:
    """The file's sha256, remembered for the rest of the process while its stat is unchanged: a build hashes
    each stage file several times (the stage's own check, the next stage's, the export's), and a re-run of
    M documents would otherwise pay for M documents' data more than once."""
    stat = os.stat(path)
    key = (os.fspath(path), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    if (known := _HASHED.get(key)) is not None:
        return known
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    # racy-git: a file changed within the clock's granularity of its last change keeps its stat, so only
    # files left alone for a while are remembered
    if time.time_ns() - max(stat.st_mtime_ns, stat.st_ctime_ns) > _SETTLED_NS:
        if len(_HASHED) >= _HASHED_MAX:
            _HASHED.clear()
            _BY_FOLDER.clear()
        _HASHED[key] = digest.hexdigest()
        folder, _, name = key[0].rpartition(os.sep)
        _BY_FOLDER.setdefault(folder, {})[name] = [*key[1:], digest.hexdigest()]
    return digest.hexdigest()


_HASHED: dict[tuple, str] = {}
_HASHED_MAX = 200_000
_SETTLED_NS = 2_000_000_000
HASHES_FILE = ".hashes.json"  # a folder's remembered hashes: a cache, not an output (no build compares it)
_REMEMBERED: dict[str, dict] = {}  # folder → what its HASHES_FILE held when read
_BY_FOLDER: dict[str, dict[str, list]] = {}  # folder → {file name: [dev, ino, size, mtime, ctime, sha256]}


def remember_hashes(folder: Path) -> None:
    """Take the hashes `save_hashes` kept for the files of `folder` into this process's memo, so a re-run
    does not read M documents' stage files again to hash them. An entry counts only while the file's
    device, inode, size, mtime and ctime are as recorded, and only files settled when hashed were kept."""
    folder_path = os.fspath(folder)
    try:
        kept = json.loads((Path(folder) / HASHES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        kept = {}
    kept = {name: entry for name, entry in kept.items() if isinstance(entry, list) and len(entry) == 6} \
        if isinstance(kept, dict) else {}
    _REMEMBERED[folder_path] = kept
    entries = _BY_FOLDER.setdefault(folder_path, {})
    for name, entry in kept.items():
        _HASHED[(os.fspath(Path(folder) / name), *entry[:5])] = str(entry[5])
        entries.setdefault(name, entry)


def save_hashes(folder: Path) -> None:
    """Keep the memo's hashes of the files directly in `folder` in its HASHES_FILE (atomically), when they changed."""
    folder_path = os.fspath(folder)
    kept = {name: entry for name, entry in _BY_FOLDER.get(folder_path, {}).items()
            if name != HASHES_FILE and os.path.exists(os.path.join(folder_path, name))}
    if kept and kept != _REMEMBERED.get(folder_path) and os.path.isdir(folder_path):
        write_atomic(Path(folder) / HASHES_FILE, json.dumps(kept, sort_keys=True) + "\n")
        _REMEMBERED[folder_path] = kept


def meta_path(out: Path) -> Path:
    return out.with_name(out.name + ".meta.json")


def _input_hash(path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError as exc:  # a seed that is a folder, a dangling link, unreadable: this document fails
        raise ExtractError(f"cannot read {path}: {exc.strerror or exc}", hint="check the path") from exc


def _meta(stage: str, params: Mapping[str, object], inputs: list[Path]) -> dict:
    return {"stage": stage, "params": dict(params), "version": __version__,
            "inputs": {str(p): _input_hash(p) for p in inputs}}


def is_up_to_date(out: Path, stage: str, params: Mapping[str, object], inputs: list[Path]) -> bool:
    meta = meta_path(out)
    if not out.exists() or not meta.exists():
        return False
    try:
        recorded = json.loads(meta.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    output_hash = recorded.pop("output", None)
    return recorded == _meta(stage, params, inputs) and output_hash == sha256_file(out)


def outputs_intact(manifest: Path, folder: Path) -> bool:
    """The files a stage's manifest lists ({"outputs": {name: sha256}}) exist, unchanged, under `folder`."""
    try:
        outputs = json.loads(manifest.read_text(encoding="utf-8"))["outputs"]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    folders = sorted({(folder / name).parent for name in outputs})
    for parent in folders:  # the hash memo of the output folders: an unchanged build reads none of its outputs
        remember_hashes(parent)
    intact = all((folder / name).exists() and sha256_file(folder / name) == digest for name, digest in outputs.items())
    for parent in folders:
        save_hashes(parent)
    return intact


def run_stage(out: Path, stage: str, params: Mapping[str, object], inputs: list[Path],
              produce: Callable[[], bytes | str], force: bool = False) -> bool:
    """Write `produce()` to `out` unless up to date; True when it ran. Output first, then its meta."""
    if not force and is_up_to_date(out, stage, params, inputs):
        return False
    if out.parent.exists():
        remove_stale_temporaries(out.parent, (out.name, meta_path(out).name))
    write_atomic(out, produce())
    meta = _meta(stage, params, inputs) | {"output": sha256_file(out)}
    write_atomic(meta_path(out), json.dumps(meta, ensure_ascii=False, indent=1) + "\n")
    return True


def segment_stage(source: Path, out: Path, *, lang: str, symbol: str | None = None, force: bool = False) -> Path:
    """Extracted text → paragraphs JSONL."""
    def produce() -> str:
        return to_jsonl(segment_file(source, lang, symbol).document.paragraphs)

    from align.normalise import NORMALISATION

    run_stage(out, "segment", {"lang": lang, "symbol": symbol or "", "normalisation": NORMALISATION}, [source],
              produce, force)
    return out


def read_document(path: Path) -> Document:
    paragraphs = tuple(read_paragraphs(path))
    first: Paragraph | None = paragraphs[0] if paragraphs else None
    return Document(first.symbol if first else "", first.lang if first else "", paragraphs)


def align_stage(zh_paragraphs: Path, en_paragraphs: Path, out: Path, *, embedder: Embedder,
                params: AlignParams = AlignParams(), force: bool = False) -> Path:
    """Two paragraphs JSONL files → beads JSONL: paragraph beads, then sentence beads (field "level")."""
    def produce() -> str:
        alignment = align_documents(read_document(zh_paragraphs), read_document(en_paragraphs), embedder, params)
        return beads_jsonl(alignment)

    settings = {"model": embedder.model_id} | {name: getattr(params, name) for name in params.__slots__}
    run_stage(out, "align", settings, [zh_paragraphs, en_paragraphs], produce, force)
    return out


def beads_jsonl(alignment: Alignment) -> str:
    lines = []
    for level, beads in (("paragraph", alignment.paragraph_beads), ("sentence", alignment.sentence_beads)):
        for bead in beads:
            lines.append(json.dumps({"level": level, "zh": list(bead.zh), "en": list(bead.en), "score": bead.score}))
    return "\n".join(lines) + "\n"
