"""`untm build`: seeds → segment → counterpart (cache or fetch) → align → export, one document at a time.

Each stage writes one file beside its meta file (align/stages.py), so a re-run redoes only what
changed and a killed run resumes. A document that fails is recorded and the others go on.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from align.aligner import AlignParams
from align.embed import Embedder
from align.errors import AlignError
from align.extract import compare_structure
from align.stages import align_stage, outputs_intact, read_document, run_stage, segment_stage, sha256_file
from align.symbols import is_symbol, normalise_symbol, slug
from tm.export import ExportReport, export, load_aligned

log = logging.getLogger(__name__)

ALIGNED, MISSING, FAILED = "aligned", "missing counterpart", "failed"


@dataclass(slots=True)
class DocumentResult:
    name: str
    symbol: str = ""
    status: str = ALIGNED
    message: str = ""
    zh_paragraphs: int = 0
    en_paragraphs: int = 0
    paragraph_pairs: int = 0
    sentence_pairs: int = 0


@dataclass(slots=True)
class BuildReport:
    out: Path
    documents: list[DocumentResult] = field(default_factory=list)
    export: ExportReport | None = None
    export_skipped: bool = False

    @property
    def failed(self) -> list[DocumentResult]:
        return [d for d in self.documents if d.status == FAILED]


@dataclass(frozen=True, slots=True)
class BuildOptions:
    fetched: Path = Path("fetched")
    offline: bool = False
    min_score: float = 0.5
    profile: str = "generic"
    excel: bool = False
    gzip: bool = False
    force: bool = False
    params: AlignParams = AlignParams()
    fetch_config: object | None = None  # align.fetch.FetchConfig for counterparts (None: the live service)


@dataclass(frozen=True, slots=True)
class Seed:
    name: str  # folder name under OUT/docs
    zh_text: Path | None  # None: a bare symbol, its Chinese comes from the cache or the fetcher
    symbol: str = ""


_SEED_SUFFIXES = (".txt", ".pdf", ".docx", ".doc")


def _seed_name(path: Path) -> str:
    """Folder name under OUT/docs: the file name without `.zh.txt` (or .pdf/.docx/.doc); never "", "." or ".."."""
    name = path.name
    for suffix in _SEED_SUFFIXES:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)].removesuffix(".zh")
            break
    if not name.strip(". "):  # "...zh.txt" would name OUT/docs/.. = OUT itself
        name = "seed-" + hashlib.sha256(path.name.encode("utf-8", "surrogateescape")).hexdigest()[:10]
    return name


def path_kind(path: Path) -> str:
    """"dir", "file" or "" (absent, or a name the file system refuses, e.g. a 5,000-character argument)."""
    try:
        return "dir" if path.is_dir() else "file" if path.is_file() else ""
    except (OSError, ValueError):
        return ""


def collect_seeds(arguments: Sequence[str]) -> list[Seed]:
    """Seed files (text, .pdf, .docx, .doc), folders of them, or document symbols; in a stable order."""
    seeds: list[Seed] = []
    for argument in arguments:
        path = Path(argument)
        kind = path_kind(path)
        if kind == "dir":
            seeds.extend(Seed(_seed_name(p), p) for p in sorted(path.iterdir())
                         if p.is_file() and p.suffix.lower() in _SEED_SUFFIXES and ".en." not in p.name)
        elif kind == "file":
            seeds.append(Seed(_seed_name(path), path))
        elif is_symbol(argument):
            symbol = normalise_symbol(argument)
            seeds.append(Seed(slug(symbol), None, symbol))
        else:
            shown = argument if len(argument) <= 120 else f"{argument[:120]}… ({len(argument):,} characters)"
            raise AlignError(f"seed not found: {shown}",
                             hint="give seed files, a folder of *.zh.txt files, or symbols like S/RES/2518(2020)")
    return seeds


@functools.lru_cache(maxsize=4)
def _fetch_client(config):
    """One client per configuration for the whole build, so its politeness limits hold across documents."""
    from align.fetch import Client, FetchConfig

    return Client(config or FetchConfig())


def _counterpart(symbol: str, lang: str, options: BuildOptions) -> tuple[Path | None, str]:
    """(cached text of `symbol` in `lang`, "") fetching it first unless offline, or (None, why not).

    A fetched text that is another document or language raises FetchError: the document fails."""
    from align.fetch_cache import inspect_cached

    cached, why = inspect_cached(options.fetched, symbol, lang)
    if cached is not None or options.offline:
        return cached, why + (" (offline)" if options.offline else "")
    from align.fetch import NotPublished, fetch_document

    try:
        return fetch_document(symbol, lang, options.fetched, _fetch_client(options.fetch_config)).path, ""
    except NotPublished:
        return None, "not published"


def _build_document(seed: Seed, out: Path, embedder: Embedder, options: BuildOptions) -> DocumentResult:
    result = DocumentResult(seed.name, seed.symbol)
    work = out / "docs" / seed.name
    zh_text, why = (seed.zh_text, "") if seed.zh_text else _counterpart(seed.symbol, "zh", options)
    if zh_text is None:
        result.status, result.message = MISSING, f"Chinese text {why}"
        return result
    zh_paragraphs = segment_stage(zh_text, work / "zh.paragraphs.jsonl", lang="zh",
                                  symbol=seed.symbol or None, force=options.force)
    zh_doc = read_document(zh_paragraphs)
    result.symbol = zh_doc.symbol
    result.zh_paragraphs = len(zh_doc.paragraphs)
    if not zh_doc.symbol:
        raise AlignError(f"{zh_text}: cannot tell which UN document this is",
                         hint="the text carries no resolution number or running header; name the symbol as a seed")
    en_text, why = _counterpart(zh_doc.symbol, "en", options)
    if en_text is None:
        result.status, result.message = MISSING, f"English {why}"
        return result
    en_paragraphs = segment_stage(en_text, work / "en.paragraphs.jsonl", lang="en",
                                  symbol=zh_doc.symbol, force=options.force)
    differences = compare_structure(zh_doc, read_document(en_paragraphs))
    if differences:  # the aligner copes, but a translator should know the two texts differ in shape
        result.message = "structure differs: " + "; ".join(differences)
        log.warning("%s: %s", seed.name, result.message)
    beads = align_stage(zh_paragraphs, en_paragraphs, work / "beads.jsonl", embedder=embedder,
                        params=options.params, force=options.force)
    aligned = load_aligned(zh_paragraphs, en_paragraphs, beads)
    result.en_paragraphs = len(aligned.en.paragraphs)
    result.paragraph_pairs = sum(1 for b in aligned.beads["paragraph"] if b.zh and b.en)
    result.sentence_pairs = sum(1 for b in aligned.beads["sentence"] if b.zh and b.en)
    return result


def build(arguments: Sequence[str], out: Path, embedder: Embedder, options: BuildOptions = BuildOptions(),
          on_document: Callable[[DocumentResult], None] | None = None) -> BuildReport:
    """Run every stage for every seed, then export the TMs; a failing document does not stop the others."""
    report = BuildReport(out)
    for seed in collect_seeds(arguments):
        try:
            result = _build_document(seed, out, embedder, options)
        except AlignError as exc:
            log.warning("%s: %s", seed.name, exc.message)
            result = DocumentResult(seed.name, seed.symbol, FAILED, exc.message)
        report.documents.append(result)
        if on_document:
            on_document(result)
    aligned = [d for d in report.documents if d.status == ALIGNED]
    inputs = [out / "docs" / d.name / f for d in aligned for f in ("zh.paragraphs.jsonl", "en.paragraphs.jsonl", "beads.jsonl")]
    params = {"min_score": options.min_score, "profile": options.profile, "excel": options.excel,
              "gzip": options.gzip, "model": embedder.model_id}
    manifest_file = out / "manifest.json"

    def produce() -> str:
        docs = [load_aligned(*(out / "docs" / d.name / f for f in ("zh.paragraphs.jsonl", "en.paragraphs.jsonl",
                                                                     "beads.jsonl"))) for d in aligned]
        report.export = export(docs, out, min_score=options.min_score, profile=options.profile,
                               model_id=embedder.model_id, excel=options.excel, gzip=options.gzip)
        outputs = {str(p.relative_to(out)): sha256_file(p) for p in report.export.outputs}
        return json.dumps({"outputs": outputs, "documents": [d.name for d in aligned]}, indent=1) + "\n"

    intact = outputs_intact(manifest_file, out)
    ran = run_stage(manifest_file, "export", params, inputs, produce, force=options.force or not intact)
    report.export_skipped = not ran
    return report
