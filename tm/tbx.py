"""Term pairs → TBX-Basic (ISO 30042 martif, TBX-Basic dialect) and an OmegaT glossary (UTF-8 TSV)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from align.types import write_atomic
from tm.termhood import TermPair

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def tbx_bytes(pairs: Sequence[TermPair], zh_code: str = "zh-CN", en_code: str = "en-US") -> bytes:
    martif = etree.Element("martif", {"type": "TBX-Basic", XML_LANG: "en"})
    header = etree.SubElement(martif, "martifHeader")
    file_desc = etree.SubElement(header, "fileDesc")
    etree.SubElement(etree.SubElement(file_desc, "sourceDesc"), "p").text = \
        "Extracted by untm from aligned UN documents (termhood against general language, C-value, Dice association)"
    etree.SubElement(etree.SubElement(header, "encodingDesc"), "p", type="XCSURI").text = "TBXBasicXCSV02.xcs"
    body = etree.SubElement(etree.SubElement(martif, "text"), "body")
    for number, pair in enumerate(pairs, start=1):
        entry = etree.SubElement(body, "termEntry", id=f"untm-{number}")
        etree.SubElement(entry, "note").text = (f"frequency {pair.frequency}; association {pair.dice:.3f}; "
                                                f"C-value {pair.cvalue:.1f}; termhood {pair.termhood:.0f}")
        for code, term in ((zh_code, pair.zh), (en_code, pair.en)):
            lang_set = etree.SubElement(entry, "langSet", {XML_LANG: code})
            etree.SubElement(etree.SubElement(lang_set, "tig"), "term").text = term
    return etree.tostring(martif, xml_declaration=True, encoding="UTF-8", pretty_print=True,
                          doctype='<!DOCTYPE martif SYSTEM "TBXBasiccoreStructV02.dtd">')


def write_tbx(pairs: Sequence[TermPair], path: Path) -> Path:
    return write_atomic(path, tbx_bytes(pairs))


def write_glossary(pairs: Sequence[TermPair], path: Path) -> Path:
    """OmegaT's glossary format: source<TAB>target<TAB>comment, UTF-8."""
    lines = [f"{p.zh}\t{p.en}\tuntm: frequency {p.frequency}, association {p.dice:.3f}" for p in pairs]
    return write_atomic(path, "\n".join(lines) + "\n")
