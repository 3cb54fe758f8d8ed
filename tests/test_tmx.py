"""TMX: golden output, read-back through translate-toolkit, the TMX 1.4b DTD, and real OmegaT."""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
import zipfile
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import pytest
from lxml import etree
from omegat_client import PARAGRAPH_PROJECT

from align.extract import segment_text
from align.types import Bead, Document, Paragraph
from tm.export import AlignedDocument, export, merge_duplicates, with_label_variants
from tm.tmx import PROFILES, Profile, TmUnit, read_tmx, write_tmx

GOLDEN = Path(__file__).parent / "golden"
OMEGAT_JAR = Path("/usr/share/omegat/OmegaT.jar")
CREATED = datetime(2026, 11, 22, 0, 0, tzinfo=timezone.utc)

ZH_TEXT = """第 2518(2020)号决议
安全理事会于 2020 年 3 月 30 日通过
安全理事会，
回顾《联合国宪章》的宗旨和原则，
1. 强调指出支持联合国维和行动的重要性；请秘书长继续努力。
2. 这一段只在中文里。
3. 决定继续处理此案。
"""
EN_TEXT = """Resolution 2518 (2020)
Adopted by the Security Council on 30 March 2020
The Security Council,
Recalling the purposes and principles of the Charter of the United Nations,
1. Stresses the importance of supporting United Nations peacekeeping operations; requests the Secretary-General to continue.
3. Decides to remain seized of the matter.
"""


def _tiny_document() -> AlignedDocument:
    zh = segment_text(ZH_TEXT, "zh").document
    en = segment_text(EN_TEXT, "en").document
    paragraph_beads = (Bead((0,), (0,), 0.94), Bead((1,), (1,), 0.93), Bead((2,), (2,), 0.96),
                       Bead((3,), (3,), 0.41), Bead((4,), (4,), 0.9), Bead((5,), (), 0.97), Bead((6,), (5,), 0.95))
    sentence_beads = (Bead((0,), (0,), 0.94), Bead((1,), (1,), 0.93), Bead((2,), (2,), 0.96),
                      Bead((3,), (3,), 0.41), Bead((4,), (4,), 0.9), Bead((5,), (5,), 0.8), Bead((6,), (), 0.97),
                      Bead((7,), (6,), 0.95))
    return AlignedDocument(zh, en, {"paragraph": paragraph_beads, "sentence": sentence_beads})


def _normalise_version(data: bytes) -> bytes:
    return re.sub(rb'creationtoolversion="[^"]*"', b'creationtoolversion="X"', data)


def test_golden_tmx(tmp_path: Path, update_golden: bool, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(CREATED.timestamp())))
    report = export([_tiny_document()], tmp_path, min_score=0.5, model_id="usem3-test")
    assert report.auto == {"sentence": 6, "paragraph": 5} and report.review == {"sentence": 1, "paragraph": 1}
    assert report.unmatched == 1
    for name in ("tm/auto/untm.sentence.tmx", "tm/penalty-30/untm.sentence.review.tmx", "tm/auto/untm.paragraph.tmx",
                 "untm.sentence.tsv", "unmatched.tsv"):
        produced = _normalise_version((tmp_path / name).read_bytes())
        golden = GOLDEN / name.replace("/", "__")
        if update_golden:
            golden.parent.mkdir(exist_ok=True)
            golden.write_bytes(produced)
        assert produced == golden.read_bytes(), f"{name} differs from {golden}; run pytest --update-golden and review"


def test_header_is_complete_and_true(tmp_path: Path) -> None:
    write_tmx([TmUnit("a/s0-0_0-0", "安全理事会，", "The Security Council,", "S/RES/1(2000)", "title", "1-1", 0.9)],
              tmp_path / "x.tmx", segtype="paragraph", created=CREATED)
    data = (tmp_path / "x.tmx").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    header = etree.fromstring(data).find("header")
    assert header.attrib == {"creationtool": "untm", "creationtoolversion": header.get("creationtoolversion"),
                             "segtype": "paragraph", "o-tmf": "untm", "adminlang": "en-US", "srclang": "zh-CN",
                             "datatype": "plaintext", "creationdate": "20261122T000000Z"}


def test_read_back_through_translate_toolkit(tmp_path: Path) -> None:
    units = [TmUnit(f"d/s{i}-{i}_{i}-{i}", zh, en, "S/RES/1(2000)", "operative 1", "1-2", 0.5 + i / 100)
             for i, (zh, en) in enumerate([("决定 & <继续>", "Decides & <continues> \"quoted\""),
                                            ("表情 😀 与 ’引号‘", "emoji 😀 and ’quotes‘"),
                                            ("控制\x0b字符\x01", "control\x0c chars")])]
    report = write_tmx(units, tmp_path / "x.tmx", segtype="sentence")
    assert report.removed_characters == 3
    back = list(read_tmx(tmp_path / "x.tmx"))
    assert [(u.tuid, u.zh, u.en, u.symbol, u.label, u.shape, u.score) for u in back] == [
        (u.tuid, u.zh.replace("\x0b", "").replace("\x01", ""), u.en.replace("\x0c", ""), u.symbol, u.label,
         u.shape, round(u.score, 4)) for u in units]


def test_gzip_and_split_files(tmp_path: Path) -> None:
    units = [TmUnit(f"d/s{i}-{i}_{i}-{i}", f"第 {i} 段。" * 50, f"Paragraph {i}. " * 50, "S/1", "sub", "1-1", 0.9)
             for i in range(300)]
    report = write_tmx(units, tmp_path / "big.tmx.gz", segtype="sentence",
                       profile=Profile("tiny", max_file_bytes=200_000))
    assert len(report.paths) > 1 and report.units == 300
    back = [u for path in report.paths for u in read_tmx(path)]
    assert [u.tuid for u in back] == [u.tuid for u in units]
    assert gzip.open(report.paths[1]).read(5) == b"<?xml"


def test_duplicates_merged_keeping_the_best() -> None:
    units = [TmUnit("a", "安全理事会，", "The Security Council,", "S/1", "title", "1-1", 0.8),
             TmUnit("b", "安全理事会，", "The Security Council,", "S/2", "title", "1-1", 0.9),
             TmUnit("c", "安全理事会，", "The Council,", "S/3", "title", "1-1", 0.7)]
    merged, count = merge_duplicates(units)
    assert count == 1 and [u.tuid for u in merged] == ["b", "c"]


def test_trados_profile_sends_long_segments_to_review(tmp_path: Path) -> None:
    doc = _tiny_document()
    long_zh = Document("S/1", "zh", (Paragraph("S/1", "zh", 0, "安全理事会，", "title"),
                                     Paragraph("S/1", "zh", 1, "很长。" * 800, "preamble")))
    long_en = Document("S/1", "en", (Paragraph("S/1", "en", 0, "The Security Council,", "title"),
                                     Paragraph("S/1", "en", 1, "Long. " * 800, "preamble")))
    beads = (Bead((0,), (0,), 0.9), Bead((1,), (1,), 0.9))
    long_doc = AlignedDocument(long_zh, long_en, {"paragraph": beads, "sentence": ()})
    report = export([doc, long_doc], tmp_path, min_score=0.5, profile="trados")
    auto = list(read_tmx(tmp_path / "tm" / "auto" / "untm.paragraph.tmx"))
    assert all(len(u.zh) <= 2000 and len(u.en) <= 2000 for u in auto)
    assert any(len(u.zh) > 2000 for u in read_tmx(tmp_path / "tm" / "penalty-30" / "untm.paragraph.review.tmx"))
    assert report.auto["paragraph"] == 5 and PROFILES["trados"].max_segment_chars == 2000


def test_excel_tsv(tmp_path: Path) -> None:
    export([_tiny_document()], tmp_path, min_score=0.5, excel=True)
    data = (tmp_path / "untm.sentence.tsv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    assert "安全理事会，" in data.decode("utf-8-sig")


def _omegat_dtd() -> etree.DTD:
    assert OMEGAT_JAR.exists(), "Debian's omegat package is needed (apt-get install omegat; .ci/run does it)"
    with zipfile.ZipFile(OMEGAT_JAR) as jar:
        return etree.DTD(jar.open("schemas/tmx14.dtd"))


@pytest.mark.integration
def test_every_tmx_validates_against_the_tmx14_dtd(tmp_path: Path) -> None:
    dtd = _omegat_dtd()
    export([_tiny_document()], tmp_path, min_score=0.5)
    files = sorted(tmp_path.rglob("*.tmx"))
    assert len(files) == 4
    for path in files:
        tree = etree.parse(str(path))
        assert dtd.validate(tree), (path, dtd.error_log.filter_from_errors())


@pytest.mark.integration
def test_omegat_uses_our_tmx(tmp_path: Path) -> None:
    assert shutil.which("omegat"), "Debian's omegat package is needed (apt-get install omegat; .ci/run does it)"
    out = tmp_path / "out"
    export([_tiny_document()], out, min_score=0.5)
    project = tmp_path / "project"
    for folder in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (project / folder).mkdir(parents=True)
    (project / "omegat.project").write_text(OMEGAT_PROJECT, encoding="utf-8")
    shutil.copy(out / "tm" / "auto" / "untm.paragraph.tmx", project / "tm" / "auto")
    units = {u.zh: u.en for u in read_tmx(out / "tm" / "auto" / "untm.paragraph.tmx")}
    sources = ["安全理事会，", "1. 强调指出支持联合国维和行动的重要性；请秘书长继续努力。", "3. 决定继续处理此案。",
               "回顾《联合国宪章》的宗旨和原则，"]  # the last is only in the review TM
    (project / "source" / "doc.txt").write_text("\n\n".join(sources) + "\n", encoding="utf-8")
    result = subprocess.run(["omegat", str(project), "--mode=console-translate"], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    translated = (project / "target" / "doc.txt").read_text(encoding="utf-8").split("\n\n")
    assert [t.strip() for t in translated] == [
        "The Security Council,", units[sources[1]], "3. Decides to remain seized of the matter.",
        "回顾《联合国宪章》的宗旨和原则，"]


OMEGAT_PROJECT = PARAGRAPH_PROJECT  # tests/omegat_client.py


def test_export_gzip(tmp_path: Path) -> None:
    export([_tiny_document()], tmp_path, min_score=0.5, gzip=True)
    units = list(read_tmx(tmp_path / "tm" / "auto" / "untm.sentence.tmx.gz"))
    beads = [u for u in units if u.shape != "label" and not u.tuid.endswith("/unlabelled")]  # not the label variants
    assert len(beads) == 6 and not (tmp_path / "tm" / "auto" / "untm.sentence.tmx").exists()


def test_numbered_units_get_a_label_free_variant_and_a_label_unit() -> None:
    unit = TmUnit("d/p5-5_5-5", "15. 决定继续处理此案。", "15. Decides to remain seized of the matter.", "S/RES/1(2000)",
                  "operative 15", "1-1", 0.9)
    sub = TmUnit("d/p6-6_6-6", "㈠ 支持执行《协议》；", "(i) To support the implementation of the Agreement;", "S/1",
                 "sub (i)", "1-1", 0.8)
    plain = TmUnit("d/p1-1_1-1", "安全理事会，", "The Security Council,", "S/1", "title", "1-1", 0.9)
    units = with_label_variants([unit, sub, plain], label_units=True)
    assert [(u.zh, u.en, u.label) for u in units] == [
        (unit.zh, unit.en, "operative 15"),
        ("决定继续处理此案。", "Decides to remain seized of the matter.", "operative 15"),
        ("15.", "15.", "operative 15"),
        (sub.zh, sub.en, "sub (i)"),
        ("支持执行《协议》；", "To support the implementation of the Agreement;", "sub (i)"),
        ("㈠", "(i)", "sub (i)"),
        (plain.zh, plain.en, "title")]
    assert len(with_label_variants([unit], label_units=PROFILES["trados"].label_units)) == 2
    heading = TmUnit("d/s0-0_0-0", "一、 背景", "I. Background", "", "heading I", "1-1", 0.9)
    assert [(u.zh, u.en, u.label) for u in with_label_variants([heading], label_units=True)] == [
        ("一、 背景", "I. Background", "heading I"), ("背景", "Background", "heading I"), ("一、", "I.", "heading I")]
    # labels that do not agree are left alone
    assert with_label_variants([replace(unit, en="14. Decides.")], label_units=True) == [replace(unit, en="14. Decides.")]
