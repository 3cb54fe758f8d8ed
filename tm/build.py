"""`untm build`: seeds → segment → counterpart (cache or fetch) → align → export, one document at a time.

Each stage writes one file beside its meta file (align/stages.py), so a re-run redoes only what
changed and a killed run resumes. A document that fails is recorded and the others go on.
"""

from __future__ import annotations

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


@dataclass(frozen=True, slots=True)
class Seed:
    name: str  # folder name under OUT/docs
    zh_text: Path | None  # None: a bare symbol, its Chinese comes from the cache or the fetcher
    symbol: str = ""


def collect_seeds(arguments: Sequence[str]) -> list[Seed]:
    """Seed files, folders of *.zh.txt files, or document symbols; in a stable order."""
    seeds: list[Seed] = []
    for argument in arguments:
        path = Path(argument)
        if path.is_dir():
            seeds.extend(Seed(p.name.removesuffix(".zh.txt").removesuffix(".txt"), p)
                         for p in sorted(path.glob("*.txt")) if not p.name.endswith(".en.txt"))
        elif path.is_file():
            seeds.append(Seed(path.name.removesuffix(".zh.txt").removesuffix(".txt"), path))
        elif is_symbol(argument):
            symbol = normalise_symbol(argument)
            seeds.append(Seed(slug(symbol), None, symbol))
        else:
            raise AlignError(f"seed not found: {argument}",
                             hint="give seed files, a folder of *.zh.txt files, or symbols like S/RES/2518(2020)")
    return seeds


def _counterpart(symbol: str, lang: str, options: BuildOptions) -> Path | None:
    """The cached text of `symbol` in `lang`, fetching it first unless offline."""
    from align.fetch_cache import cached_text

    cached = cached_text(options.fetched, symbol, lang)
    if cached is not None or options.offline:
        return cached
    from align.fetch import NotPublished, fetch_document

    try:
        return fetch_document(symbol, lang, options.fetched).path
    except NotPublished:
        return None


def _build_document(seed: Seed, out: Path, embedder: Embedder, options: BuildOptions) -> DocumentResult:
    result = DocumentResult(seed.name, seed.symbol)
    work = out / "docs" / seed.name
    zh_text = seed.zh_text or _counterpart(seed.symbol, "zh", options)
    if zh_text is None:
        result.status, result.message = MISSING, "Chinese text not in the cache (offline)"
        return result
    zh_paragraphs = segment_stage(zh_text, work / "zh.paragraphs.jsonl", lang="zh",
                                  symbol=seed.symbol or None, force=options.force)
    zh_doc = read_document(zh_paragraphs)
    result.symbol = zh_doc.symbol
    result.zh_paragraphs = len(zh_doc.paragraphs)
    if not zh_doc.symbol:
        raise AlignError(f"{zh_text}: cannot tell which UN document this is",
                         hint="the text carries no resolution number or running header; name the symbol as a seed")
    en_text = _counterpart(zh_doc.symbol, "en", options)
    if en_text is None:
        result.status = MISSING
        result.message = "English not in the cache" + (" (offline)" if options.offline else "")
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
    from tm.record import record_build

    record_build(out, [d.name for d in aligned], options.min_score)  # the TM store (tm/store.py), incrementally
    return report
