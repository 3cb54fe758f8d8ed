"""Normalisation for the TM: PDF damage repaired, Word-file text left alone (align/normalise.py)."""

from __future__ import annotations

import csv
import json
import re

import pytest
from conftest import DATA, PAIRS, en_counterpart, zh_seed

from align.extract import segment_file, segment_text
from align.normalise import document_vocabulary, normalise
from align.types import read_paragraphs

UNPC = DATA / "unpc" / "UNv1.0.devset+testset.zh-en.jsonl"
CJK_SPACE_RE = re.compile(r"[\u3400-\u9fff] +[A-Za-z0-9]|[A-Za-z0-9] +[\u3400-\u9fff]")


@pytest.mark.parametrize("damaged,clean", [
    ("安全理事会 2018 年 6 月 28 日第 8298 次会议通过", "安全理事会2018年6月28日第8298次会议通过"),
    ("2018 年1 月 24 日", "2018年1月24日"),
    ("COVID-19 疫苗", "COVID-19疫苗"),
    ("第 2378 (2017) 号决议", "第2378(2017)号决议"),
    ("任务执行情况¹进行审查", "任务执行情况进行审查"),
    ("中非共和国 Central African Republic 的局势", "中非共和国Central African Republic的局势"),
    ("专家小组 1 593.2 美元", "专家小组1 593.2美元"),  # the thousands separator stays
    ("3.2 提交人强调", "3.2 提交人强调"),  # a leading paragraph number keeps its space
    ("面积 948.2 km²。", "面积948.2 km²。"),  # a unit's exponent is no footnote mark
])
def test_chinese(damaged: str, clean: str) -> None:
    assert normalise(damaged, "zh") == clean


@pytest.mark.parametrize("damaged,clean", [
    ("trafficking, includin g drugs", "trafficking, including drugs"),
    ("to the custod y of the ICC", "to the custody of the ICC"),
    ("committed against wo men and children", "committed against women and children"),
    ("adequate r esources, policy", "adequate resources, policy"),
    ("arbitrary arrests and i lltreatment of prisoners", "arbitrary arrests and ill-treatment of prisoners"),
    ("in the seventysixth session", "in the seventy-sixth session"),
    ("by the Secretary -General", "by the Secretary-General"),
    ("in support of long -term peace", "in support of long-term peace"),
    ("Commending troop- and police- contributing countries", "Commending troop- and police-contributing countries"),
    ("and urges troopand police-contributing countries", "and urges troop- and police-contributing countries"),
    ("to strengthen MINUSMA ’s capabilities", "to strengthen MINUSMA’s capabilities"),
    ("the Council¹ decides", "the Council decides"),
    ("in the Centre and Nor th of Mali", "in the Centre and North of Mali"),
    ("reliable and costeffective new technologies", "reliable and cost-effective new technologies"),
    ("strengthen decisionmaking and confidencebuilding", "strengthen decision-making and confidence-building"),
])
def test_english_repairs(damaged: str, clean: str) -> None:
    assert normalise(damaged, "en") == clean


def test_english_repairs_with_document_evidence() -> None:
    vocabulary = document_vocabulary(["The Secretary-General and evidence-based analysis."])
    assert normalise("requests the SecretaryGeneral to provide evidencebased advice", "en", vocabulary) == \
        "requests the Secretary-General to provide evidence-based advice"
    # without the hyphenated form elsewhere or in UN style, a closed compound or a camel-case name stays
    assert normalise("requests the SecretaryGeneral to support YouthStart and workplans", "en") == \
        "requests the Secretary-General to support YouthStart and workplans"


@pytest.mark.parametrize("clean", [
    "The Council notes a reunified, powerful land.", "a note verbale dated 20 May", "polymetallic nodules",
    "the workplan and predeployment training", "regional and subregional organizations", "[i]t is of course",
    "troop- and police-contributing countries", "pre- and post-conflict", "Femmes solidaires notes",
    "Al Mourabitoune and Ansar Eddine", "Ménaka and Taoudénit", "into the apart part", "an area of 948.2 km².",
    "held in Dar es Salaam", "is not per se a crime", "as Smith et al. note", "I am ok on it",
    "counterterrorism operations", "the global stocktake", "peacebuilding and statebuilding", "by email",
])
def test_correct_english_stays(clean: str) -> None:
    assert normalise(clean, "en") == clean


def test_few_word_file_sentences_change() -> None:
    """Of the 8,000 UN sentences made from Word files, < 0.1 % of the English change; Chinese only at spaces."""
    rows = [json.loads(line) for line in UNPC.read_text(encoding="utf-8").splitlines()]
    english = [r["en"] for r in rows if normalise(r["en"], "en") != r["en"]]
    assert len(english) < 0.001 * len(rows), english
    for row in rows:
        changed = normalise(row["zh"], "zh")
        assert changed.replace(" ", "") == row["zh"].replace(" ", "")  # only spaces removed


def test_segment_text_keeps_raw_and_normalises() -> None:
    document = segment_text("第 2518(2020)号决议\n安全理事会于 2020 年 3 月 30 日通过\n", "zh").document
    assert [(p.raw, p.text) for p in document.paragraphs] == [
        ("第 2518(2020)号决议", "第2518(2020)号决议"), ("安全理事会于 2020 年 3 月 30 日通过", "安全理事会于2020年3月30日通过")]


def test_recall_on_the_defects_of_the_committed_english_texts() -> None:
    """tests/data/normalise/en_defects.tsv: the defects found by hand in fetched/*/en.txt (measured 66 of 66)."""
    rows = list(csv.DictReader((DATA / "normalise" / "en_defects.tsv").open(encoding="utf-8"), delimiter="\t"))
    documents = {slug: segment_file(en_counterpart(slug), "en").document for slug in {r["symbol_slug"] for r in rows}}
    repaired = 0
    for row in rows:
        text = documents[row["symbol_slug"]].paragraphs[int(row["paragraph"])].text
        damaged, clean = row["damaged (as extracted, with context)"], row["repaired (as the Word file writes it)"]
        assert damaged in documents[row["symbol_slug"]].paragraphs[int(row["paragraph"])].raw
        repaired += clean in text and damaged not in text
    assert len(rows) == 66 and repaired == 66


def test_no_chinese_seed_paragraph_keeps_a_cjk_digit_space() -> None:
    for slug in [*PAIRS, "S-RES-2717-2023"]:
        for paragraph in segment_file(zh_seed(slug), "zh").document.paragraphs:
            body = paragraph.text.split(" ", 1)[1] if paragraph.number else paragraph.text
            assert not CJK_SPACE_RE.search(body), paragraph.text


def test_footnote_text_stays_out_of_paragraphs() -> None:
    text = ("安全理事会，\n\n7. 请秘书长对任务执行情况¹进行审查；\n\n¹ 见 S/2021/123。\n\n8. 决定继续处理此案。\n")
    segmented = segment_text(text, "zh")
    assert [p.text for p in segmented.document.paragraphs] == ["安全理事会，", "7. 请秘书长对任务执行情况进行审查；",
                                                                "8. 决定继续处理此案。"]
    assert "¹ 见 S/2021/123。" in segmented.dropped


def test_paragraph_files_written_before_normalisation_still_load(tmp_path) -> None:
    old = tmp_path / "zh.paragraphs.jsonl"
    old.write_text('{"symbol": "S/1", "lang": "zh", "index": 0, "text": "安全理事会，", "kind": "title", "number": ""}\n',
                   encoding="utf-8")
    assert [(p.text, p.raw) for p in read_paragraphs(old)] == [("安全理事会，", "")]


def test_english_as_the_word_files_write_it_stays() -> None:
    """tests/data/wordstyle: the four pairs' English as the UN's Word files have it; nothing to repair."""
    for path in sorted((DATA / "wordstyle").glob("*.en.txt")):
        paragraphs = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        vocabulary = document_vocabulary(paragraphs)
        assert [p for p in paragraphs if normalise(p, "en", vocabulary) != p] == [], path.name
