"""`untm build`: seeds → segment → counterpart (cache or fetch) → align → export, one document at a time.

Each stage writes one file beside its meta file (align/stages.py), so a re-run redoes only what
changed and a killed run resumes. A document that fails is recorded and the others go on.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from align.aligner import AlignParams
from align.embed import Embedder
from align.errors import AlignError
from align.extract import compare_structure
from align.stages import align_stage, meta_path, outputs_intact, run_stage, segment_stage, sha256_file
from align.symbols import is_symbol, normalise_symbol, slug
from align.types import read_paragraphs
from tm.decisions import DECISIONS_FILE, holds_unapplied_work, read_decisions, stale_decisions
from tm.export import ExportReport, export, load_aligned
from tm.progress import ReportingEmbedder, Task, no_longer_apply

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
    hint: str = ""  # what to do, for a failed document


@dataclass(slots=True)
class BuildReport:
    out: Path
    documents: list[DocumentResult] = field(default_factory=list)
    export: ExportReport | None = None
    export_skipped: bool = False
    notices: list[str] = field(default_factory=list)  # for the summary, e.g. an edited workbook kept aside

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
    ray: str | None = None  # a Ray cluster address ("auto") runs the documents there (align/cluster.py)


@dataclass(frozen=True, slots=True)
class Seed:
    name: str  # folder name under OUT/docs
    zh_text: Path | None  # None: a bare symbol, its Chinese comes from the cache or the fetcher
    symbol: str = ""
    en_text: Path | None = None  # a pair's English file; None: the English comes from the cache or the fetcher


_SEED_SUFFIXES = (".txt", ".pdf", ".docx", ".doc")
_PAIR_RE = re.compile(r"^(?P<name>.+)\.(?P<lang>zh|en)\.[A-Za-z0-9]+$")


def _safe_name(name: str, path: Path) -> str:
    """A folder name under OUT/docs; never "", "." or ".." ("...zh.txt" would name OUT itself)."""
    return name if name.strip(". ") else path.name.replace(".", "_")


def _seed_name(path: Path) -> str:
    """Folder name under OUT/docs: the file name without `.zh.txt` (or .pdf/.docx/.doc)."""
    name = path.name
    for suffix in _SEED_SUFFIXES:
        if name.lower().endswith(suffix):
            name = name[: -len(suffix)].removesuffix(".zh")
            break
    return _safe_name(name, path)


def path_kind(path: Path) -> str:
    """"dir", "file" or "" (absent, or a name the file system refuses, e.g. a 5,000-character argument)."""
    try:
        return "dir" if path.is_dir() else "file" if path.is_file() else ""
    except (OSError, ValueError):
        return ""


def _folder_seeds(folder: Path) -> list[Seed]:
    """`name.zh.*` + `name.en.*` pairs; other Chinese seeds (text, .pdf, .docx, .doc) get their English from the cache."""
    # an unreadable entry with a seed's name (a folder, a dangling link) is tried, so it fails loudly
    files = sorted(p for p in folder.iterdir() if p.is_file() or p.suffix.lower() in _SEED_SUFFIXES)
    english = {}
    for path in files:
        if (match := _PAIR_RE.match(path.name)) and match["lang"] == "en":
            english.setdefault(match["name"], path)
    seeds, names = [], set()
    for path in files:
        match = _PAIR_RE.match(path.name)
        if match and match["lang"] == "zh" and match["name"] not in names:
            name = match["name"]
            if name in english:
                seeds.append(Seed(_safe_name(name, path), path, en_text=english[name]))
            elif path.suffix.lower() in _SEED_SUFFIXES:
                seeds.append(Seed(_seed_name(path), path))
            else:
                continue
            names.add(name)
        elif not match and path.suffix.lower() in _SEED_SUFFIXES and _seed_name(path) not in names:
            seeds.append(Seed(_seed_name(path), path))
            names.add(_seed_name(path))
    return seeds


def collect_seeds(arguments: Sequence[str], pairs: Sequence[tuple[str, str]] = (), symbol: str = "") -> list[Seed]:
    """Seed files (text, .pdf, .docx, .doc), folders of seeds or of pairs, symbols, and --pair files; stable order.

    `symbol` names the one document given (for a text that carries none); SymbolError if it is not a symbol.
    """
    seeds: list[Seed] = []
    for argument in arguments:
        path = Path(argument)
        kind = path_kind(path)
        if kind == "dir":
            if not (found := _folder_seeds(path)):  # an empty build would look like success (exit 0, empty TMX)
                raise AlignError(f"no seeds in {path}",
                                 hint="a seed folder holds Chinese texts (.txt, .pdf, .docx, .doc) or name.zh.* + "
                                      "name.en.* pairs; an English file name.en.* alone is not a seed")
            seeds.extend(found)
        elif kind == "file":
            seeds.append(Seed(_seed_name(path), path))
        elif is_symbol(argument):
            normalised = normalise_symbol(argument)
            seeds.append(Seed(slug(normalised), None, normalised))
        else:
            shown = argument if len(argument) <= 120 else f"{argument[:120]}… ({len(argument):,} characters)"
            raise AlignError(f"seed not found: {shown}",
                             hint="give seed files, a folder of *.zh.txt files (or name.zh.* + name.en.* pairs), "
                                  "or symbols like S/RES/2518(2020)")
    for zh, en in pairs:
        for file in (zh, en):
            if path_kind(Path(file)) != "file":
                raise AlignError(f"--pair: file not found: {file}", hint="give --pair CHINESE_FILE ENGLISH_FILE")
        seeds.append(Seed(_seed_name(Path(zh)), Path(zh), en_text=Path(en)))
    if symbol:
        if len(seeds) != 1:
            raise AlignError(f"--symbol {symbol} names one document, but {len(seeds)} were given",
                             hint="build that document on its own: one seed file or one --pair")
        normalised = normalise_symbol(symbol)
        seeds = [Seed(seeds[0].name if seeds[0].zh_text else slug(normalised), seeds[0].zh_text, normalised,
                      seeds[0].en_text)]
    seeds = list(dict.fromkeys(seeds))  # the same input named twice (a folder and a file in it) is built once
    names = [seed.name for seed in seeds]
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise AlignError(f"two inputs would share the work folder OUT/docs/{twice[0]}",
                         hint="rename one of the files (the part before .zh. / .en. names the document)")
    return seeds


@functools.lru_cache(maxsize=4)
def _fetch_client(config):
    """One client per configuration for the whole build, so its politeness limits hold across documents."""
    from align.fetch import Client, FetchConfig

    return Client(config or FetchConfig())


def _counterpart(symbol: str, lang: str, options: BuildOptions, paragraphs: Path) -> tuple[Path | None, str]:
    """(cached text of `symbol` in `lang`, "") fetching it first unless offline, or (None, why not).

    A fetched text that is another document or language raises FetchError: the document fails.
    `paragraphs`: the document's segment stage output for `lang`; when its meta file shows it was made
    from the cache's text for this symbol, still the same bytes, that text was verified then and is
    taken without verifying it again (an unchanged document's largest remaining cost in a re-run)."""
    from align.fetch_cache import inspect_cached

    try:
        recorded = list(json.loads(meta_path(paragraphs).read_text(encoding="utf-8"))["inputs"])
    except (OSError, ValueError, KeyError, TypeError):
        recorded = []
    # the entry's folder as fetch_cache.entry_dir names it, without its resolve() of every path (a symlinked
    # entry goes the long way, and is refused there)
    if len(recorded) == 1 and (text := Path(recorded[0])).parent == Path(options.fetched) / slug(symbol) \
            and not text.parent.is_symlink() and _checked_before(text, paragraphs, lang, symbol):
        return text, ""
    cached, why = inspect_cached(options.fetched, symbol, lang)
    if cached is not None or options.offline:
        return cached, why + (", offline" if options.offline else "")
    from align.fetch import NotPublished, fetch_document

    try:
        return fetch_document(symbol, lang, options.fetched, _fetch_client(options.fetch_config)).path, ""
    except NotPublished:
        return None, "not published"


def _stage(task: Task | None, name: str, detail: str) -> None:
    if task is not None:
        task.stage(f"{name}: {detail}")


def _check_inputs(seed: Seed, work: Path) -> str:
    """Refuse empty files and files in the wrong language before anything is written; the document's symbol.

    A seed whose segment stage already ran on these very bytes (its meta file says so) passed this check
    then and is not segmented again: that was most of an unchanged document's cost in a re-run."""
    from align.inputs import segment_checked, segment_pair

    if seed.zh_text is None:
        return seed.symbol
    zh_paragraphs, en_paragraphs = work / "zh.paragraphs.jsonl", work / "en.paragraphs.jsonl"
    recorded = _recorded_symbol(seed.zh_text, zh_paragraphs, "zh")
    if seed.en_text is not None:
        if recorded is not None and (not seed.symbol or recorded == seed.symbol) \
                and _recorded_symbol(seed.en_text, en_paragraphs, "en") is not None:
            return recorded  # the zh stage was given `seed.symbol or zh's or en's symbol`, as below
        zh, en = segment_pair(seed.zh_text, seed.en_text, seed.symbol or None)
        return seed.symbol or zh.document.symbol or en.document.symbol
    # a symbol the stage recorded is the one checked then: the text's own, or --symbol's (a one-document
    # build; given --symbol once and then not, the recorded symbol is kept rather than refused)
    if recorded and (not seed.symbol or recorded == seed.symbol):
        return recorded
    zh = segment_checked(seed.zh_text, "zh", seed.symbol or None)
    if not zh.document.symbol:
        raise AlignError(f"{seed.zh_text}: cannot tell which UN document this is",
                         hint="the text carries no resolution number or running header: name it with "
                              "--symbol S/RES/…, or give its English too with --pair CHINESE ENGLISH")
    return zh.document.symbol


def _recorded_symbol(text: Path, paragraphs: Path, lang: str) -> str | None:
    """The symbol the segment stage was given when it made `paragraphs` from this very text and language
    (its meta file says so, and neither file changed since), or None: then the text passed its input
    check on these bytes, so a re-run need not segment it twice to check it."""
    from align import __version__

    try:
        meta = json.loads(meta_path(paragraphs).read_text(encoding="utf-8"))
        if (meta["version"] == __version__ and meta["params"]["lang"] == lang
                and meta["inputs"] == {str(text): sha256_file(text)} and meta["output"] == sha256_file(paragraphs)):
            return str(meta["params"]["symbol"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    return None


def _checked_before(text: Path, paragraphs: Path, lang: str, symbol: str) -> bool:
    """The segment stage made `paragraphs` from this very text, language and symbol (its meta file says so):
    the text passed segment_checked then, so a re-run skips segmenting it twice (most of an unchanged
    document's cost, which made adding N documents to M cost O(M))."""
    return _recorded_symbol(text, paragraphs, lang) == (symbol or "")


def _build_document(seed: Seed, out: Path, embedder: Embedder, options: BuildOptions,
                    task: Task | None = None) -> DocumentResult:
    result = DocumentResult(seed.name, seed.symbol)
    work = out / "docs" / seed.name
    _stage(task, seed.name, "checking input")
    symbol = _check_inputs(seed, work)
    zh_text, why = (seed.zh_text, "") if seed.zh_text \
        else _counterpart(seed.symbol, "zh", options, work / "zh.paragraphs.jsonl")
    if zh_text is None:
        result.status, result.message = MISSING, f"Chinese text {why}"
        return result
    if seed.zh_text is None and not _checked_before(zh_text, work / "zh.paragraphs.jsonl", "zh", seed.symbol):
        from align.inputs import segment_checked  # a fetched Chinese text is checked like a given one

        segment_checked(zh_text, "zh", seed.symbol)
    _stage(task, seed.name, "segmenting")
    zh_paragraphs = segment_stage(zh_text, work / "zh.paragraphs.jsonl", lang="zh",
                                  symbol=symbol or None, force=options.force)
    doc_symbol = _document_symbol(zh_paragraphs)
    result.symbol = doc_symbol
    en_text, why = (seed.en_text, "") if seed.en_text \
        else _counterpart(doc_symbol, "en", options, work / "en.paragraphs.jsonl")
    if en_text is None:
        result.zh_paragraphs = sum(1 for _ in read_paragraphs(zh_paragraphs))
        result.status, result.message = MISSING, f"English {why}"
        return result
    if seed.en_text is None and not _checked_before(en_text, work / "en.paragraphs.jsonl", "en", doc_symbol):
        from align.inputs import segment_checked

        segment_checked(en_text, "en", doc_symbol)
    en_paragraphs = segment_stage(en_text, work / "en.paragraphs.jsonl", lang="en",
                                  symbol=doc_symbol or None, force=options.force)
    _stage(task, seed.name, "aligning")
    beads = align_stage(zh_paragraphs, en_paragraphs, work / "beads.jsonl",
                        embedder=ReportingEmbedder(embedder, task, f"{seed.name}: "),
                        params=options.params, force=options.force)
    summary = _summary(work, zh_paragraphs, en_paragraphs, beads, options.force)
    for name in ("zh_paragraphs", "en_paragraphs", "paragraph_pairs", "sentence_pairs"):
        setattr(result, name, summary[name])
    if summary["differences"]:  # the aligner copes, but a translator should know the two texts differ in shape
        result.message = "structure differs: " + "; ".join(summary["differences"])
        log.warning("%s: %s", seed.name, result.message)
    if (work / DECISIONS_FILE).exists():
        aligned = load_aligned(zh_paragraphs, en_paragraphs, beads)
        stale = stale_decisions(replace(aligned, decisions=read_decisions(work)))
        if stale:
            note = f"{no_longer_apply(len(stale), 'review decision')} (input changed): " \
                   + ", ".join(d.describe() for d in stale)
            result.message = "; ".join(filter(None, [result.message, note]))
            log.warning("%s: %s", seed.name, note)
    return result


SUMMARY_FILE = "summary.json"


def _document_symbol(paragraphs: Path) -> str:
    """The document's symbol, as read_document gives it (its first paragraph's), reading one line."""
    first = next(read_paragraphs(paragraphs), None)
    return first.symbol if first else ""


def _summary(work: Path, zh_paragraphs: Path, en_paragraphs: Path, beads: Path, force: bool) -> dict:
    """What the build report says of an aligned document (paragraph and pair counts, structure differences),
    as a stage file: an unchanged document's report then reads one small file, not its paragraphs and beads."""
    def produce() -> str:
        aligned = load_aligned(zh_paragraphs, en_paragraphs, beads)
        return json.dumps({
            "zh_paragraphs": len(aligned.zh.paragraphs), "en_paragraphs": len(aligned.en.paragraphs),
            "paragraph_pairs": sum(1 for b in aligned.beads["paragraph"] if b.zh and b.en),
            "sentence_pairs": sum(1 for b in aligned.beads["sentence"] if b.zh and b.en),
            "differences": compare_structure(aligned.zh, aligned.en)}, ensure_ascii=False) + "\n"

    out = work / SUMMARY_FILE
    run_stage(out, "summary", {"version": 1}, [zh_paragraphs, en_paragraphs, beads], produce, force)
    return json.loads(out.read_text(encoding="utf-8"))


def _keep_edited_workbook(out: Path, manifest_file: Path) -> str:
    """A review workbook whose reviewer columns say more than the stored decisions holds a reviewer's work: keep it
    beside the new one. Bytes alone do not decide: `untm review export` rewrites the workbook with new timestamps."""
    from tm.review import WORKBOOK

    workbook = out / "review" / WORKBOOK
    try:
        recorded = json.loads(manifest_file.read_text(encoding="utf-8"))["outputs"].get(f"review/{WORKBOOK}")
    except (OSError, ValueError, KeyError, AttributeError):
        recorded = None
    if not workbook.exists() or recorded is None or sha256_file(workbook) == recorded \
            or not holds_unapplied_work(workbook, out):
        return ""
    number = 1
    while (kept := workbook.with_name(f"untm.review.edited-{number}.xlsx")).exists():
        number += 1
    workbook.replace(kept)
    return f"the review workbook was edited since the last build: kept as {kept}; " \
           f"apply it with `untm review apply {kept} --out {out}`"


_CONTROLLER: list = [None, -1]  # threadpoolctl's controller, and how many modules were loaded when it was made


def _blas_threads():
    """A ThreadpoolController, made again only when modules were imported since: making one scans every
    loaded library (~0.4 ms), which was a tenth of an unchanged document's cost. A BLAS comes with the
    extension module that loads it, so a new library means a new module."""
    import sys

    from threadpoolctl import ThreadpoolController

    if _CONTROLLER[0] is None or _CONTROLLER[1] != len(sys.modules):
        _CONTROLLER[1] = len(sys.modules)
        _CONTROLLER[0] = ThreadpoolController()
    return _CONTROLLER[0]


def _document_or_failure(seed: Seed, embedder: Embedder, *, out: Path, options: BuildOptions,
                         task: Task | None = None, warm_search: bool = False) -> DocumentResult:
    """One document's stages; an AlignError or OSError becomes a FAILED result (picklable, for cluster workers).

    `warm_search` (on a cluster of several nodes): a document whose paragraphs or beads changed also
    embeds its search passages into the shared embedding cache, so the driver's search index, built
    after every document, only reads them (it had embedded 210,000 passages alone: at 2,000 documents
    its index step took 86 s, 40 s with them warmed)."""
    from align.stages import remember_hashes, save_hashes

    work = out / "docs" / seed.name
    remember_hashes(work)
    try:
        # one BLAS thread, as Ray gives its workers: two spin-waiting threads on 2 busy cores made a
        # document take 5x the CPU (scripts/bench_scale.py), and the same thread count on both paths
        # keeps the floating-point sums, so the bytes, the same
        with _blas_threads().limit(limits=1, user_api="blas"):
            result = _build_document(seed, out, embedder, options, task)
        if result.status == ALIGNED:  # per document, so the export only merges (tm/units_cache.py)
            from tm.units_cache import fragment_stage, review_stage, units_stage

            changed = units_stage(work, force=options.force)
            fragment_stage(work, options.profile, force=options.force)
            review_stage(work, options.min_score, force=options.force)
            if warm_search and changed:
                from tm.search import embed_passages

                with _blas_threads().limit(limits=1, user_api="blas"):
                    embed_passages(work, embedder)
        save_hashes(work)  # for the next run: its unchanged files need not be read again to be hashed
        return result
    except AlignError as exc:
        log.warning("%s: %s", seed.name, exc.message)
        return DocumentResult(seed.name, seed.symbol, FAILED, exc.message, hint=exc.hint)
    except OSError as exc:  # a file system error (unreadable seed, full disk) fails this document only
        message = f"{exc.filename}: {exc.strerror}" if exc.filename else str(exc)
        log.warning("%s: %s", seed.name, message)
        return DocumentResult(seed.name, seed.symbol, FAILED, message)


def _map_documents(seeds: list[Seed], out: Path, embedder: Embedder, options: BuildOptions,
                   task: Task | None) -> Iterator[DocumentResult]:
    """The one seam between the local loop and a Ray cluster (--ray): same stages, results in seed order."""
    process = functools.partial(_document_or_failure, out=out, options=options)
    if options.ray is None:
        return (process(seed, embedder, task=task) for seed in seeds)
    from align.cluster import map_documents, node_count

    # Workers embedding the search passages cost ~15 % more CPU in all (bench_scale: 455 against 401 CPU-s
    # at 2,000 documents) but halve the driver's serial part: a gain only when the workers have other
    # machines' cores, a loss when they share the driver's (one node: 475 → 427 documents/min)
    warm = node_count(options.ray) > 1
    return map_documents(functools.partial(process, warm_search=warm), seeds, embedder, address=options.ray)


def build(arguments: Sequence[str], out: Path, embedder: Embedder, options: BuildOptions = BuildOptions(),
          on_document: Callable[[DocumentResult], None] | None = None, *, pairs: Sequence[tuple[str, str]] = (),
          symbol: str = "", task: Task | None = None) -> BuildReport:
    """Run every stage for every seed and pair, then export the TMs; a failing document does not stop the others.

    When every document fails (bad input), nothing is exported: the folder is left as it was.
    """
    report = BuildReport(out)
    for result in _map_documents(collect_seeds(arguments, pairs, symbol), out, embedder, options, task):
        report.documents.append(result)
        if on_document:
            on_document(result)
        if task is not None:
            task.advance(1, f"{result.name}: {result.status}")
    if report.documents and len(report.failed) == len(report.documents):
        return report
    aligned = [d for d in report.documents if d.status == ALIGNED]
    from tm.fragments import FRAGMENT_FILE
    from tm.units_cache import REVIEW_FILE, UNITS_FILE

    # the documents' stage meta files carry their inputs' hashes (paragraphs, beads, decisions): hashing
    # these small files instead of every document's data keeps an unchanged build's check cheap
    inputs = [meta_path(out / "docs" / d.name / f) for d in aligned for f in (UNITS_FILE, FRAGMENT_FILE, REVIEW_FILE)]
    missing = [(d.name, d.symbol, d.status + (f": {d.message}" if d.message else ""))
               for d in report.documents if d.status != ALIGNED]
    params = {"min_score": options.min_score, "profile": options.profile, "excel": options.excel,
              "gzip": options.gzip, "model": embedder.model_id, "missing": [list(m) for m in missing]}  # JSON-shaped
    manifest_file = out / "manifest.json"

    def produce() -> str:
        from tm.units_cache import LazyDocuments

        if notice := _keep_edited_workbook(out, manifest_file):
            report.notices.append(notice)
        folders = [out / "docs" / d.name for d in aligned]
        if task is not None:
            task.stage("writing TMX, TSV, review pages and workbook")
        report.export = export(LazyDocuments(folders), out, min_score=options.min_score, profile=options.profile,
                               model_id=embedder.model_id, excel=options.excel, gzip=options.gzip, missing=missing,
                               fragments=[folder / FRAGMENT_FILE for folder in folders],
                               reviews=[folder / REVIEW_FILE for folder in folders])
        outputs = {str(p.relative_to(out)): sha256_file(p) for p in report.export.outputs}
        return json.dumps({"outputs": outputs, "documents": [d.name for d in aligned]}, indent=1) + "\n"

    intact = outputs_intact(manifest_file, out)
    ran = run_stage(manifest_file, "export", params, inputs, produce, force=options.force or not intact)
    report.export_skipped = not ran
    from tm.record import record_build

    record_build(out, [d.name for d in aligned], options.min_score)  # the TM store (tm/store.py), incrementally
    return report
