"""Real OmegaT 3.6, default sentence segmentation ON, on the four pairs' text as the UN's Word files have it.

tests/data/wordstyle holds that text (see its README.md); the TMX is the one `untm build` writes.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import DATA, PAIRS
from omegat_client import fill_rates, paragraphs_of, translate

from tm.omegat import SEGMENTATION

pytestmark = pytest.mark.integration
WORDSTYLE = DATA / "wordstyle"


def _auto_tmx(built: Path) -> list[Path]:
    assert shutil.which("omegat"), "Debian's omegat package is needed (apt-get install omegat; .ci/run does it)"
    return sorted((built / "tm" / "auto").glob("*.tmx"))


@pytest.mark.parametrize("source,target", [("zh", "en"), ("en", "zh")])
def test_omegat_pretranslates_word_style_paragraphs(built: Path, tmp_path: Path, source: str, target: str) -> None:
    result = fill_rates(WORDSTYLE, list(PAIRS), source, target, _auto_tmx(built), tmp_path / "project")
    assert result.paragraphs == 278
    assert result.exact >= 0.98 * result.paragraphs, "\n".join(result.misses)
    assert result.complete >= result.exact


def test_a_sentence_under_another_number_in_another_document_is_matched(built: Path, tmp_path: Path) -> None:
    """S/RES/2518's operative paragraphs 13–15, renumbered 97–99 as in a new document, translated en→zh."""
    english = paragraphs_of(WORDSTYLE / "S-RES-2518-2020.en.txt")[-2:]
    chinese = paragraphs_of(WORDSTYLE / "S-RES-2518-2020.zh.txt")[-2:]
    renumbered = [(f"{98 + i}." + e.split(".", 1)[1], f"{98 + i}." + z.split(".", 1)[1])
                  for i, (e, z) in enumerate(zip(english, chinese))]
    assert [e.split(".")[0] for e in english] == ["14", "15"]
    source = "\n\n".join(e for e, _ in renumbered) + "\n"
    out = translate({"new": source}, "en", "zh", _auto_tmx(built), tmp_path / "project")["new"]
    assert paragraphs_of_text(out) == [z for _, z in renumbered]


def test_zh_to_en_renumbered_sentence_matches_with_untm_segmentation_rules(built: Path, tmp_path: Path) -> None:
    """zh→en, S/RES/2518's last two paragraphs under new numbers: OmegaT's default Chinese rules keep "98." in
    the segment, so no unit matches; with the rules untm writes (OUT/omegat/segmentation.conf) both do."""
    english = paragraphs_of(WORDSTYLE / "S-RES-2518-2020.en.txt")[-2:]
    chinese = paragraphs_of(WORDSTYLE / "S-RES-2518-2020.zh.txt")[-2:]
    renumbered = [(f"{98 + i}." + z.split(".", 1)[1], f"{98 + i}." + e.split(".", 1)[1])
                  for i, (e, z) in enumerate(zip(english, chinese))]
    source = "\n\n".join(z for z, _ in renumbered) + "\n"
    rules = built / "omegat" / "segmentation.conf"
    assert rules.read_bytes() == SEGMENTATION.read_bytes()
    with_rules = translate({"new": source}, "zh", "en", _auto_tmx(built), tmp_path / "rules", segmentation=rules)["new"]
    assert paragraphs_of_text(with_rules) == [e for _, e in renumbered]
    default = translate({"new": source}, "zh", "en", _auto_tmx(built), tmp_path / "default")["new"]
    assert paragraphs_of_text(default) == [z for z, _ in renumbered]  # the gap the rules close


def paragraphs_of_text(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
