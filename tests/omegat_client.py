"""Real OmegaT 3.6 as a test client: a headless project, console-translate, paragraphs counted as filled.

Used by tests/test_omegat.py and scripts/bench_omegat.py. Sentence segmentation is ON with
OmegaT's default rules (no segmentation.conf in the project), as a translator would have it, unless
a test gives the rules untm writes (OUT/omegat/segmentation.conf).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

CODES = {"zh": "zh-CN", "en": "en-US"}
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_ENGLISH_PROSE_RE = re.compile(r"\b[a-z]{2,} [a-z]{2,}\b")

PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat>
    <project version="1.0">
        <source_dir>__DEFAULT__</source_dir>
        <target_dir>__DEFAULT__</target_dir>
        <tm_dir>__DEFAULT__</tm_dir>
        <glossary_dir>__DEFAULT__</glossary_dir>
        <glossary_file>__DEFAULT__</glossary_file>
        <dictionary_dir>__DEFAULT__</dictionary_dir>
        <source_lang>{source}</source_lang>
        <target_lang>{target}</target_lang>
        <sentence_seg>{sentence_seg}</sentence_seg>
    </project>
</omegat>
"""
# a project without sentence segmentation, zh → en: paragraph units matched whole
PARAGRAPH_PROJECT = PROJECT.format(source=CODES["zh"], target=CODES["en"], sentence_seg="false")


@dataclass(slots=True)
class FillResult:
    paragraphs: int = 0
    complete: int = 0  # no part left in the source language
    exact: int = 0  # the reference paragraph, character for character (white space aside)
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)


def paragraphs_of(path: Path) -> list[str]:
    """Paragraphs of a text file whose paragraphs are separated by blank lines."""
    return [p.strip() for p in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")) if p.strip()]


def translate(sources: dict[str, str], source: str, target: str, tmx_files: Sequence[Path], project: Path,
              timeout: float = 600, segmentation: Path | None = None) -> dict[str, str]:
    """OmegaT's console-translate of each named source text, with the TMX files in tm/auto
    (and `segmentation` as the project's own segmentation rules, omegat/segmentation.conf)."""
    for folder in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (project / folder).mkdir(parents=True, exist_ok=True)
    (project / "omegat.project").write_text(PROJECT.format(source=CODES[source], target=CODES[target], sentence_seg="true"),
                                            encoding="utf-8")
    for tmx in tmx_files:
        shutil.copy(tmx, project / "tm" / "auto" / tmx.name)
    if segmentation is not None:
        shutil.copy(segmentation, project / "omegat" / "segmentation.conf")
    for name, text in sources.items():
        (project / "source" / f"{name}.txt").write_text(text, encoding="utf-8")
    result = subprocess.run(["omegat", str(project), "--mode=console-translate"], capture_output=True, text=True,
                            check=False, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"OmegaT failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return {name: (project / "target" / f"{name}.txt").read_text(encoding="utf-8") for name in sources}


def _same(a: str, b: str, lang: str) -> bool:
    if lang == "zh":
        return re.sub(r"\s+", "", a) == re.sub(r"\s+", "", b)
    return " ".join(a.split()) == " ".join(b.split())


def fill_rates(folder: Path, names: Sequence[str], source: str, target: str, tmx_files: Sequence[Path],
               project: Path, segmentation: Path | None = None) -> FillResult:
    """Translate folder/<name>.<source>.txt with OmegaT and compare with folder/<name>.<target>.txt."""
    texts = {name: (folder / f"{name}.{source}.txt").read_text(encoding="utf-8") for name in names}
    started = time.perf_counter()
    translated = translate(texts, source, target, tmx_files, project, segmentation=segmentation)
    result = FillResult(seconds=time.perf_counter() - started)
    for name in names:
        references = paragraphs_of(folder / f"{name}.{target}.txt")
        outputs = [p.strip() for p in re.split(r"\n\s*\n", translated[name]) if p.strip()]
        assert len(outputs) == len(references), f"{name}: OmegaT wrote {len(outputs)} paragraphs, expected {len(references)}"
        for output, reference in zip(outputs, references):
            result.paragraphs += 1
            residue = _CJK_RE.search(output) if target == "en" else (
                _ENGLISH_PROSE_RE.search(output) and not _ENGLISH_PROSE_RE.search(reference))
            result.complete += not residue
            if _same(output, reference, target):
                result.exact += 1
            else:
                result.misses.append(f"{name}: {output}")
    return result
