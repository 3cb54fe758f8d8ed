"""Segmentation of real UN text: both languages give the same labelled paragraphs, nothing is lost."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from align.errors import ExtractError
from align.extract import compare_structure, detect_language, read_text, segment_file, segment_text
from align.furniture import is_furniture
from conftest import DATA, PAIRS, en_counterpart, zh_seed

FURNITURE_INSIDE = re.compile(r"\d{2}-\d{5}|\*\d{7}\*|https?://|Distr\.:|\f")


def _non_space(text: str) -> Counter[str]:
    return Counter(ch for ch in text if not ch.isspace())


@pytest.mark.parametrize("slug,operative", sorted(PAIRS.items()))
def test_pairs_segment_identically(slug: str, operative: int) -> None:
    zh = segment_file(zh_seed(slug)).document
    en = segment_file(en_counterpart(slug)).document
    assert compare_structure(zh, en) == []
    assert [p.label for p in zh.paragraphs] == [p.label for p in en.paragraphs]
    for document in (zh, en):
        numbers = [int(p.number) for p in document.paragraphs if p.kind == "operative"]
        assert numbers == list(range(1, operative + 1))
        number, year = slug.removeprefix("S-RES-").split("-")
        assert document.symbol == f"S/RES/{number}({year})"
        for paragraph in document.paragraphs:
            assert not FURNITURE_INSIDE.search(paragraph.text), paragraph.text
            assert paragraph.text == paragraph.text.strip() and paragraph.text


def test_detected_symbols() -> None:
    assert segment_file(zh_seed("S-RES-2518-2020")).document.symbol == "S/RES/2518(2020)"
    assert segment_file(en_counterpart("S-RES-2594-2021")).document.symbol == "S/RES/2594(2021)"
    assert segment_file(zh_seed("S-RES-2717-2023")).document.symbol == "S/RES/2717(2023)"


def test_2717_chinese_only() -> None:
    document = segment_file(zh_seed("S-RES-2717-2023")).document
    operative = [p for p in document.paragraphs if p.kind == "operative"]
    assert len(operative) == 50
    text = "\n".join(p.text for p in document.paragraphs)
    assert "刚果发展合作社" in text
    assert "S/RES/2717 (2023)" not in text and "23-25640" not in text


def test_title_block_and_labels() -> None:
    zh = segment_file(zh_seed("S-RES-2423-2018")).document
    en = segment_file(en_counterpart("S-RES-2423-2018")).document
    assert [p.raw for p in zh.paragraphs[:3]] == [
        "第 2423(2018)号决议", "安全理事会 2018 年 6 月 28 日第 8298 次会议通过", "安全理事会，"]
    assert [p.text for p in zh.paragraphs[:3]] == [  # normalised as the UN's Word files write it
        "第2423(2018)号决议", "安全理事会2018年6月28日第8298次会议通过", "安全理事会，"]
    assert [p.text for p in en.paragraphs[:3]] == [
        "Resolution 2423 (2018)", "Adopted by the Security Council at its 8298th meeting, on 28 June 2018",
        "The Security Council,"]
    # pdftotext put "tasks:" before its head; the paragraph reads in order again
    p38 = next(p for p in en.paragraphs if p.label == "operative 38")
    assert p38.text == "38. Decides that MINUSMA’s mandate shall include the following priority tasks:"
    d = next(p for p in en.paragraphs if p.text.startswith("(d)"))
    assert d.text.endswith("including against asymmetric threats")
    # page break between "72." and its text; ㈠ and (i) carry the same label
    assert en.paragraphs[-1].text == "72. Decides to remain actively seized of the matter."
    assert {p.number for p in zh.paragraphs} >= {"(i)", "(iv)", "•", "(f)"}


def test_links_collected_with_position() -> None:
    segmented = segment_file(zh_seed("S-RES-2423-2018"))
    urls = [link.url for link in segmented.document.links]
    assert "https://undocs.org/ch/S/RES/2378(2017)" in urls and "https://undocs.org/ch/1267/19" in urls
    first = segmented.document.links[0]
    assert first.line == 256
    assert segmented.document.paragraphs[first.paragraph].label == "operative 1"


@pytest.mark.parametrize("path", [zh_seed(s) for s in [*PAIRS, "S-RES-2717-2023"]]
                         + [en_counterpart(s) for s in PAIRS], ids=lambda p: p.parent.name + "/" + p.name)
def test_no_character_lost_or_duplicated(path) -> None:
    text = read_text(path)
    segmented = segment_text(text)
    kept = _non_space("".join(p.raw for p in segmented.document.paragraphs))  # raw: before normalisation
    dropped = _non_space("".join(segmented.dropped))
    assert kept + dropped == _non_space(text)
    assert all(is_furniture(d) or d.startswith("http") or d in {"#", "##", "###", "**", "__"} or d
               for d in segmented.dropped)


def test_markdown_residue_removed() -> None:
    document = segment_file(zh_seed("S-RES-2594-2021")).document
    assert all("**" not in p.text and not p.text.startswith("#") for p in document.paragraphs)
    assert document.paragraphs[-1].text == "15. 决定继续处理此案。"
    # a paragraph broken by a page gap in one-paragraph-per-line text is joined again
    assert any("过渡期正义、包容的解除武装" in p.text for p in document.paragraphs)


@pytest.mark.parametrize("text,lang", [("安全理事会，回顾", "zh"), ("The Security Council,", "en"),
                                       ("S/RES/2518 (2020) 第 2518(2020)号决议", "zh"), ("", "en")])
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_empty_input_gives_empty_document(tmp_path) -> None:
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "blank.txt").write_text("\n\n   \n\f\n")
    for name in ("empty.txt", "blank.txt"):
        assert segment_file(tmp_path / name).document.paragraphs == ()


def test_binary_input_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "file.txt"
    path.write_bytes(b"\x7fELF\x00\x01\x02binary")
    with pytest.raises(ExtractError, match="file.txt is a binary file") as info:
        segment_file(path)
    assert "PDF" in info.value.hint and ".docx" in info.value.hint
    path.write_bytes(b"%PDF-1.7\n\x00\x01\x02binary")  # read as a PDF by its content, whatever its name
    with pytest.raises(ExtractError, match="file.txt is not a readable PDF"):
        segment_file(path)


def test_wrong_encoding_is_a_clear_error(tmp_path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("安全理事会，回顾其以往各项决议".encode("gb18030"))
    with pytest.raises(ExtractError, match="gbk.txt is not UTF-8") as info:
        segment_file(path)
    assert "iconv" in info.value.hint


def test_utf16_with_bom_is_read(tmp_path) -> None:
    path = tmp_path / "u16.txt"
    path.write_bytes("安全理事会，\n".encode("utf-16"))
    assert segment_file(path).document.paragraphs[0].text == "安全理事会，"


def test_huge_input_finishes(tmp_path) -> None:
    """50 MB: a real document repeated, and one 50 MB line with no break at all."""
    unit = read_text(en_counterpart("S-RES-2518-2020"))
    repeated = unit * (50_000_000 // len(unit.encode()))
    assert len(segment_text(repeated).document.paragraphs) > 1000
    one_line = segment_text("维持和平" * 4_000_000 + "。")
    assert len(one_line.document.paragraphs) == 1


def _operative_numbers(document) -> list[int]:
    return [int(p.number) for p in document.paragraphs if p.kind == "operative"]


def test_an_annex_numbers_its_paragraphs_again_from_1() -> None:
    """S/RES/2803(2025) (pdftotext): operative 1–11, then "ANNEX 1 - …" with its own points 1–20."""
    document = segment_file(DATA / "pdf" / "S_RES_2803_2025.en.pdftotext.txt", "en").document
    assert _operative_numbers(document) == list(range(1, 12)) + list(range(1, 21))
    annex = next(p for p in document.paragraphs if p.text.startswith("ANNEX 1"))
    assert annex.kind == "heading" and annex.text.endswith("End the Gaza Conflict")


def test_chinese_annex_restarts_numbering_but_a_wrapped_number_does_not() -> None:
    zh = ("第2803(2025)号决议\n安全理事会，\n1. 核可《全面计划》；\n2. 决定继续处理此案。\n附件一\n"
          "1. 加沙将成为一个无恐怖的区域。\n2. 加沙将为加沙人民的利益而重新开发。\n")
    assert _operative_numbers(segment_text(zh, "zh").document) == [1, 2, 1, 2]
    # a number that a line wrap put at a line start, after a long line without final punctuation
    wrapped = ("第1(2025)号决议\n安全理事会，\n1. 回顾其以往关于此事的所有决议和主席声明，特别是其第2518(2020)号决议以及其中的\n"
               "1. 段和所有相关文件，并重申其对该国主权的承诺；\n2. 决定继续处理此案。\n")
    assert _operative_numbers(segment_text(wrapped, "zh").document) == [1, 2]


def test_control_characters_never_reach_a_paragraph() -> None:
    text = "Resolution 1 (2000)\x01\n\nThe Security Council,\x7f\n\n1. Decides\x1b to remain\x85 seized of the matter.\n"
    document = segment_text(text, "en").document
    assert [p.text for p in document.paragraphs] == [
        "Resolution 1 (2000)", "The Security Council,", "1. Decides to remain seized of the matter."]
    assert not any(re.search(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]", p.raw) for p in document.paragraphs)


def test_invisible_characters_odd_spaces_and_ligatures_read_as_plain_text() -> None:
    """What a PDF or Word file can carry besides letters (soft hyphens, zero-width spaces, no-break and
    fixed-width spaces, ligatures) never reaches a unit: the sentence reads as the translator's file shows it."""
    en = ("1.\u00a0Decides that the \ufb01nal report of the Secretary-\u00adGeneral shall\u200b be sub\u00admitted "
          "in\u2002full by 30\u00a0June 2021;\n\n2. Requests a report on the e\ufb00ects of the \ufb02ow of arms;")
    texts = [p.text for p in segment_text(en, "en").document.paragraphs]
    assert texts == ["1. Decides that the final report of the Secretary-General shall be submitted in full by 30 June 2021;",
                     "2. Requests a report on the effects of the flow of arms;"]
    zh = "1.\u00a0决定安全理事会\u00a02018\u3000年6月28日第\u200b8298次会议\n\n第一章\u3000导言"
    texts = [p.text for p in segment_text(zh, "zh").document.paragraphs]
    # the ideographic space between two Chinese words is the heading's own
    assert texts == ["1. 决定安全理事会2018年6月28日第8298次会议", "第一章\u3000导言"]


@pytest.mark.parametrize("zh,en,number", [("一、 背景", "I. Background", "I"), ("二. 主要成果", "II. Main results", "II"),
                                          ("十四、今后的工作", "XIV. Future work", "XIV")])
def test_a_numbered_heading_has_the_same_label_in_both_languages(zh: str, en: str, number: str) -> None:
    zh_doc = segment_text(f"{zh}\n\n1. 决定继续处理此案。\n", "zh").document
    en_doc = segment_text(f"{en}\n\n1. Decides to remain seized of the matter.\n", "en").document
    assert (zh_doc.paragraphs[0].text, zh_doc.paragraphs[0].label) == (zh, f"heading {number}")
    assert (en_doc.paragraphs[0].text, en_doc.paragraphs[0].label) == (en, f"heading {number}")
    assert compare_structure(zh_doc, en_doc) == []
