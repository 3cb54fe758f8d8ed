"""Review pages in a real headless Chromium: rows, the review filter, Chinese text, load time."""

from __future__ import annotations

import html
import shutil
import time
from pathlib import Path

import pytest

from align.types import Bead, Document, Paragraph
from tm.export import AlignedDocument, load_aligned
from tm.review import document_page, source_of, write_review

pytestmark = pytest.mark.integration
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    assert shutil.which("chromium") and Path("/usr/bin/chromedriver").exists(), \
        "Debian's chromium and chromium-driver are needed (.ci/run installs them)"
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1000"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    yield driver
    driver.quit()


def _document(built: Path, name: str) -> AlignedDocument:
    folder = built / "docs" / name
    return load_aligned(folder / "zh.paragraphs.jsonl", folder / "en.paragraphs.jsonl", folder / "beads.jsonl")


def test_report_rows_filter_and_screenshot(built: Path, tmp_path: Path, browser) -> None:
    from selenium.webdriver.common.by import By

    doc = _document(built, "S-RES-2518-2020")
    page = tmp_path / "S-RES-2518-2020.html"
    page.write_text(document_page(doc, min_score=0.9), encoding="utf-8")
    browser.get(page.as_uri())
    rows = browser.find_elements(By.CSS_SELECTOR, "#beads tr.bead")
    assert len(rows) == len(doc.beads["sentence"])
    expected_review = sum(1 for b in doc.beads["sentence"] if b.score < 0.9 or not b.zh or not b.en)
    assert 0 < expected_review < len(rows)
    assert "安全理事会" in browser.find_element(By.ID, "beads").text
    browser.find_element(By.ID, "only-review").click()
    visible = [r for r in rows if r.is_displayed()]
    assert len(visible) == expected_review
    assert all(float(r.get_attribute("data-score")) < 0.9 for r in visible)
    assert browser.find_element(By.ID, "shown").text == str(expected_review)
    ARTIFACTS.mkdir(exist_ok=True)
    browser.find_element(By.ID, "only-review").click()
    assert browser.save_screenshot(str(ARTIFACTS / "review-S-RES-2518-2020.png"))


def test_built_review_pages_exist(built: Path) -> None:
    pages = sorted(p.name for p in (built / "review").glob("*.html"))
    assert pages == ["S-RES-2423-2018.html", "S-RES-2518-2020.html", "S-RES-2589-2021.html",
                     "S-RES-2594-2021.html", "index.html"]


def test_chinese_renders_with_a_cjk_font(built: Path, browser) -> None:
    """A CJK glyph must be wider than a Latin one: with no CJK font, Chinese shows as tofu or not at all."""
    browser.get((built / "review" / "S-RES-2589-2021.html").as_uri())
    width = browser.execute_script(
        "const s=document.createElement('span');s.textContent='安全理事会';document.body.appendChild(s);"
        "const w=s.getBoundingClientRect().width;s.remove();return w;")
    fonts = browser.execute_script("return document.fonts.check('16px \"Noto Sans CJK SC\"', '安')")
    assert width > 40 and fonts


def test_large_report_loads_fast(tmp_path: Path, browser) -> None:
    from selenium.webdriver.common.by import By

    count = 3000
    zh = Document("S/RES/9999(2030)", "zh", tuple(Paragraph("S/RES/9999(2030)", "zh", i, f"第 {i} 段。维持和平行动的安全和安保。", "preamble")
                                                  for i in range(count)))
    en = Document("S/RES/9999(2030)", "en", tuple(Paragraph("S/RES/9999(2030)", "en", i, f"Paragraph {i}. Safety and security of peacekeeping.", "preamble")
                                                  for i in range(count)))
    beads = tuple(Bead((i,), (i,), (i % 100) / 100) for i in range(count))
    page = write_review([AlignedDocument(zh, en, {"sentence": beads, "paragraph": ()})], tmp_path, 0.5)[0]
    started = time.monotonic()
    browser.get(page.as_uri())
    seconds = time.monotonic() - started
    load_ms = browser.execute_script("const t=performance.getEntriesByType('navigation')[0];return t.loadEventEnd-t.startTime;")
    print(f"3,000-bead page: loaded in {load_ms:.0f} ms (driver round trip {seconds:.2f} s)")
    assert len(browser.find_elements(By.CSS_SELECTOR, "#beads tr.bead")) == count
    assert load_ms < 2000


def _quoted_document() -> AlignedDocument:
    zh = Document("S/RES/2518(2020)", "zh", (Paragraph("S/RES/2518(2020)", "zh", 0, "请秘书长继续努力。", "preamble"),))
    en = Document("S/RES/2518(2020)", "en", (Paragraph("S/RES/2518(2020)", "en", 0,
                                                      "Requests the Secretary-General’s report on the “mandate”.", "preamble"),))
    beads = (Bead((0,), (0,), 0.9),)
    return AlignedDocument(zh, en, {"sentence": beads, "paragraph": beads})


_QUOTE_WIDTH = """
const cell = document.querySelector(arguments[0]);
const span = document.createElement('span'); span.textContent = '’'; cell.appendChild(span);
const width = span.getBoundingClientRect().width; span.remove();
const reference = document.createElement('span'); reference.textContent = '’';
reference.style.fontFamily = '"DejaVu Sans"'; reference.style.fontSize = getComputedStyle(cell).fontSize;
document.body.appendChild(reference); const latin = reference.getBoundingClientRect().width; reference.remove();
return [width, latin, parseFloat(getComputedStyle(cell).fontSize), getComputedStyle(cell).fontFamily];
"""


def test_english_quotes_have_no_cjk_gaps(tmp_path: Path, browser) -> None:
    """’ in an English cell is as narrow as in a Latin font; in a Chinese cell (the CJK font) it is full width."""
    page = write_review([_quoted_document()], tmp_path, 0.5)[0]
    browser.get(page.as_uri())
    en_width, latin_width, size, family = browser.execute_script(_QUOTE_WIDTH, '#beads td[lang="en"]')
    zh_width, _, _, _ = browser.execute_script(_QUOTE_WIDTH, '#beads td[lang="zh-Hans"]')
    print(f"’ width: English cell {en_width:.1f}px, DejaVu Sans {latin_width:.1f}px, Chinese cell {zh_width:.1f}px "
          f"(font size {size:.0f}px; English font-family {family})")
    assert abs(en_width - latin_width) < 0.5 and en_width < 0.5 * size
    assert zh_width > 0.8 * size  # the control: the CJK font's quote is full width, which made the gaps
    ARTIFACTS.mkdir(exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "review-english-quotes.png"))


def test_colours_follow_min_score_and_the_document() -> None:
    from tm.review import borderline

    steady = [0.72, 0.74, 0.75, 0.76, 0.77, 0.73]  # correct pairs of a document that scores lower overall
    assert all(score >= borderline(steady, 0.5) for score in steady)
    odd = [0.95, 0.96, 0.94, 0.97, 0.95, 0.55]  # one link just above --min-score among high ones
    assert 0.55 < borderline(odd, 0.5) <= 0.6
    assert all(borderline(scores, 0.9) >= 0.9 for scores in (steady, odd))  # red is exactly the review TM
    page = document_page(AlignedDocument(_quoted_document().zh, _quoted_document().en,
                                         {"sentence": (Bead((0,), (0,), 0.74),), "paragraph": ()}), 0.5)
    assert 'class="bead high' in page


def test_index_flags_documents_missing_their_english(built: Path) -> None:
    index = (built / "review" / "index.html").read_text(encoding="utf-8")
    assert '<li class="missing">S/RES/2717(2023): <strong>not aligned</strong>' in index
    assert "English not in the cache" in index
    assert (built / "review" / "untm.review.xlsx").exists()


def test_pages_name_their_sources_and_show_text_as_extracted(built: Path) -> None:
    page = (built / "review" / "S-RES-2423-2018.html").read_text(encoding="utf-8")
    assert "Chinese: text file " in page and "S-RES-2423-2018.zh.txt" in page
    assert "English: fetched PDF, read by pdftotext" in page
    doc = _document(built, "S-RES-2423-2018")
    changed = [p for p in doc.zh.paragraphs if p.raw and p.raw != p.text]
    assert changed and all(f'<div lang="zh-Hans">{html.escape(p.raw)}</div>' in page for p in changed)
    assert f"Chinese {len(changed)}, English " in page
    unchanged = next(p for p in doc.zh.paragraphs if p.raw == p.text and len(p.text) > 20)
    assert f'<div lang="zh-Hans">{html.escape(unchanged.raw)}</div>' not in page


def test_source_of_a_word_file_in_the_fetch_cache(tmp_path: Path) -> None:
    import json

    entry, folder = tmp_path / "fetched" / "S-RES-1-2020", tmp_path / "docs" / "S-RES-1-2020"
    entry.mkdir(parents=True)
    folder.mkdir(parents=True)
    (entry / "source.json").write_text(json.dumps({"symbol": "S/RES/1(2020)", "languages": {
        "en": {"format": "docx", "extractor": "python-docx 1.2.0"}, "zh": {"format": "pdf", "extractor": "pypdfium2"}}}))
    for lang in ("en", "zh"):
        (folder / f"{lang}.paragraphs.jsonl.meta.json").write_text(json.dumps({"inputs": {str(entry / f"{lang}.txt"): "x"}}))
    assert source_of(folder, "en").startswith("fetched Word file (.docx), read by python-docx 1.2.0")
    assert source_of(folder, "zh").startswith("fetched PDF, read by pypdfium2")
    assert source_of(tmp_path / "nowhere", "en") == ""
