"""Review pages in a real headless Chromium: rows, the review filter, Chinese text, load time."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from align.types import Bead, Document, Paragraph
from tm.export import AlignedDocument, load_aligned
from tm.review import document_page, write_review

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
