"""Any pair in, a reviewed memory out: --pair and folders of pairs, --symbol, the review workbook round trip."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import DATA

from tm.cli import cli
from tm.tmx import read_tmx

pytestmark = pytest.mark.integration
PAIR = DATA / "pair"
ZH, EN = PAIR / "annual-report.zh.txt", PAIR / "annual-report.en.txt"


@pytest.fixture
def env(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("UNTM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _units(out: Path, level: str) -> dict[str, tuple[str, str, str]]:
    """tuid → (zh, en, which TM) over tm/auto and the review TM."""
    found = {}
    for where, path in (("auto", out / "tm" / "auto" / f"untm.{level}.tmx"),
                        ("review", out / "tm" / "penalty-30" / f"untm.{level}.review.tmx")):
        found.update({u.tuid: (u.zh, u.en, where) for u in read_tmx(path)})
    return found


def test_a_pair_without_symbol_gives_a_tmx(env: Path) -> None:
    result = CliRunner().invoke(cli, ["-q", "build", "--pair", str(ZH), str(EN), "-o", "out"])
    assert result.exit_code == 0, result.output
    units = list(read_tmx(env / "out" / "tm" / "auto" / "untm.paragraph.tmx"))
    by_zh = {u.zh: u.en for u in units}
    assert by_zh["秘书处还发布了一份关于城市供水的新手册。"] == "The secretariat also published a new handbook on urban water supply."
    # a label unit ("一、" ↔ "I.") belongs to no one document (tm/export.with_label_variants)
    assert len(units) >= 10 and all(u.tuid.startswith("annual-report/") for u in units if u.shape != "label")
    assert (env / "out" / "review" / "annual-report.html").exists()
    assert (env / "out" / "review" / "untm.review.xlsx").exists()
    assert "annual-report" in (env / "out" / "review" / "index.html").read_text(encoding="utf-8")
    assert "search index:" in result.output


def test_a_folder_of_pairs_and_symbol_override(env: Path) -> None:
    folder = env / "pairs"
    folder.mkdir()
    for path in (ZH, EN):
        shutil.copy(path, folder / path.name)
    shutil.copy(ZH, folder / "report-two.zh.txt")
    shutil.copy(EN, folder / "report-two.en.txt")
    result = CliRunner().invoke(cli, ["-q", "build", str(folder), "-o", "out"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (env / "out" / "docs").iterdir()) == ["annual-report", "report-two"]
    named = CliRunner().invoke(cli, ["-q", "build", "--pair", str(ZH), str(EN), "--symbol", "A/78/100", "-o", "named"])
    assert named.exit_code == 0, named.output
    assert {u.symbol for u in read_tmx(env / "named" / "tm" / "auto" / "untm.sentence.tmx")} == {"A/78/100"}
    assert (env / "named" / "review" / "A-78-100.html").exists()


def test_chinese_text_without_symbol_asks_for_symbol(env: Path) -> None:
    result = CliRunner().invoke(cli, ["-q", "build", str(ZH), "-o", "out", "--offline"])
    assert result.exit_code == 1
    assert "cannot tell which UN document this is" in result.output and "--symbol" in result.output
    assert not (env / "out").exists()


def test_symbol_names_only_one_document(env: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "--pair", str(ZH), str(EN), "S/RES/2518(2020)", "--symbol", "A/78/100",
                                      "-o", "out"])
    assert result.exit_code == 1 and "--symbol A/78/100 names one document, but 2 were given" in result.output
    assert not (env / "out").exists()


def test_omegat_imports_the_tmx_of_a_plain_pair(env: Path) -> None:
    from test_tmx import OMEGAT_PROJECT

    assert shutil.which("omegat"), "Debian's omegat package is needed (apt-get install omegat; .ci/run does it)"
    result = CliRunner().invoke(cli, ["-q", "build", "--pair", str(ZH), str(EN), "-o", "out"])
    assert result.exit_code == 0, result.output
    project = env / "project"
    for folder in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (project / folder).mkdir(parents=True)
    (project / "omegat.project").write_text(OMEGAT_PROJECT, encoding="utf-8")
    shutil.copy(env / "out" / "tm" / "auto" / "untm.paragraph.tmx", project / "tm" / "auto")
    units = {u.zh: u.en for u in read_tmx(env / "out" / "tm" / "auto" / "untm.paragraph.tmx")}
    sources = ["秘书处继续支持各会员国开展可持续发展方面的合作。", "秘书长感谢各捐助方的慷慨支持。", "这一段不在翻译记忆里。"]
    (project / "source" / "doc.txt").write_text("\n\n".join(sources) + "\n", encoding="utf-8")
    run = subprocess.run(["omegat", str(project), "--mode=console-translate"], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    translated = [t.strip() for t in (project / "target" / "doc.txt").read_text(encoding="utf-8").split("\n\n")]
    assert translated == [units[sources[0]], units[sources[1]], sources[2]]
    assert units[sources[1]] == "The Secretary-General thanks the donors for their generous support."


def test_review_round_trip(env: Path) -> None:
    """Accept a low score, reject one, correct one: exactly those sentence units change, and stay changed."""
    from openpyxl import load_workbook

    build = ["-q", "build", "--pair", str(ZH), str(EN), "-o", "out", "--min-score", "0.95"]
    first = CliRunner().invoke(cli, build)
    assert first.exit_code == 0, first.output
    before = _units(env / "out", "sentence")
    paragraphs_before = _units(env / "out", "paragraph")
    # links without a label, so no label variant ("背景" ↔ "Background", "一、" ↔ "I.") goes with them
    plain = [u for tuid, u in before.items() if not tuid.startswith("label/") and "/unlabelled" not in tuid
             and f"{tuid}/unlabelled" not in before]
    review = sorted((u for u in plain if u[2] == "review"), key=lambda u: u[0])
    auto = sorted((u for u in plain if u[2] == "auto"), key=lambda u: u[0])
    assert review and len(auto) >= 2, before
    to_accept, to_reject, to_correct = review[0], auto[0], auto[1]

    workbook_path = env / "out" / "review" / "untm.review.xlsx"
    workbook = load_workbook(workbook_path)
    sheet = workbook["sentences"]
    header = [c.value for c in sheet[1]]
    column = {name: header.index(name) for name in header}
    edited = 0
    for row in sheet.iter_rows(min_row=2):
        zh = row[column["zh"]].value
        if zh == to_accept[0]:
            row[column["decision"]].value = "accept"
        elif zh == to_reject[0]:
            row[column["decision"]].value = "Reject"  # what a hurried reviewer types
        elif zh == to_correct[0]:
            row[column["corrected en"]].value = "A corrected English sentence."
        else:
            continue
        edited += 1
    assert edited == 3
    workbook.save(workbook_path)

    applied = CliRunner().invoke(cli, ["review", "apply", str(workbook_path), "--out", "out"])
    assert applied.exit_code == 0, applied.output
    assert "1 accepted, 1 rejected, 1 corrected" in applied.output
    assert (env / "out" / "docs" / "annual-report" / "decisions.json").exists()

    rebuilt = CliRunner().invoke(cli, build)
    assert rebuilt.exit_code == 0, rebuilt.output
    after = _units(env / "out", "sentence")
    expected = {}
    for tuid, (zh, en, where) in before.items():
        if zh == to_reject[0]:
            continue
        if zh == to_accept[0]:
            where = "auto"
        if zh == to_correct[0]:
            en = "A corrected English sentence."
        expected[tuid] = (zh, en, where)
    assert after == expected
    assert _units(env / "out", "paragraph") == paragraphs_before
    page = (env / "out" / "review" / "annual-report.html").read_text(encoding="utf-8")
    assert "decided-reject" in page and "A corrected English sentence." in page and "1 accept" in page
    reexported = load_workbook(env / "out" / "review" / "untm.review.xlsx")["sentences"]
    decisions = sorted(str(r[column["decision"]].value or "") for r in reexported.iter_rows(min_row=2))
    assert decisions.count("accept") == 1 and decisions.count("reject") == 1

    again = CliRunner().invoke(cli, build)  # the decisions survive another build
    assert again.exit_code == 0, again.output
    assert _units(env / "out", "sentence") == expected
    import sqlite3  # the TM store that lookup reads has them too

    with sqlite3.connect(env / "out" / "tm.sqlite") as db:
        stored = {(zh, en, status) for zh, en, status in db.execute(
            "SELECT zh, en, status FROM units WHERE level = 'sentence'")}
    assert stored == {u for tuid, u in expected.items() if not tuid.startswith("label/") and "/unlabelled" not in tuid}

    changed = env / "changed.en.txt"  # the corrected sentence's English changes: its decision no longer applies
    changed.write_text(EN.read_text(encoding="utf-8").replace(to_correct[1], "Something else entirely, and longer."),
                       encoding="utf-8")
    stale = CliRunner().invoke(cli, ["-q", "build", "--pair", str(ZH), str(changed), "-o", "out", "--min-score", "0.95"])
    assert stale.exit_code == 0, stale.output
    assert "1 review decision no longer applies" in stale.output
    assert "A corrected English sentence." not in {u[1] for u in _units(env / "out", "sentence").values()}


def test_an_edited_workbook_is_kept_when_the_build_runs_again(env: Path) -> None:
    from openpyxl import load_workbook

    build = ["-q", "build", "--pair", str(ZH), str(EN), "-o", "out"]
    assert CliRunner().invoke(cli, build).exit_code == 0
    workbook = env / "out" / "review" / "untm.review.xlsx"
    book = load_workbook(workbook)
    book["sentences"]["J2"] = "reject"
    book.save(workbook)
    again = CliRunner().invoke(cli, build)  # forgot `untm review apply`: the edits must not be lost
    assert again.exit_code == 0, again.output
    kept = env / "out" / "review" / "untm.review.edited-1.xlsx"
    assert load_workbook(kept)["sentences"]["J2"].value == "reject"
    assert load_workbook(workbook)["sentences"]["J2"].value is None
    assert "untm review apply" in again.output


def test_a_workbook_only_exported_again_is_not_taken_for_a_reviewers(env: Path) -> None:
    """`untm review export` rewrites the workbook (new timestamps, same reviewer columns): no edited copy, no notice.
    A workbook whose decisions were applied says nothing new either; one with a decision cleared does."""
    from openpyxl import load_workbook

    build = ["-q", "build", "--pair", str(ZH), str(EN), "-o", "out"]
    assert CliRunner().invoke(cli, build).exit_code == 0
    workbook = env / "out" / "review" / "untm.review.xlsx"
    exported = CliRunner().invoke(cli, ["review", "export", "--out", "out"])
    assert exported.exit_code == 0, exported.output
    again = CliRunner().invoke(cli, build)
    assert again.exit_code == 0, again.output
    assert "edited" not in again.output
    assert sorted(p.name for p in workbook.parent.glob("*.xlsx")) == ["untm.review.xlsx"]

    book = load_workbook(workbook)
    book["sentences"]["J2"] = "reject"
    book.save(workbook)
    applied = CliRunner().invoke(cli, ["review", "apply", str(workbook), "--out", "out"])
    assert applied.exit_code == 0, applied.output
    assert CliRunner().invoke(cli, ["review", "export", "--out", "out"]).exit_code == 0
    rebuilt = CliRunner().invoke(cli, build)
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "edited" not in rebuilt.output and load_workbook(workbook)["sentences"]["J2"].value == "reject"

    book = load_workbook(workbook)
    book["sentences"]["J2"] = None  # the reviewer takes the rejection back: that is work too
    book.save(workbook)
    last = CliRunner().invoke(cli, build)
    assert last.exit_code == 0, last.output
    assert "untm.review.edited-1.xlsx" in last.output
    assert load_workbook(workbook.with_name("untm.review.edited-1.xlsx"))["sentences"]["J2"].value is None


def test_a_chapter_heading_keeps_its_number_at_sentence_level(env: Path) -> None:
    """"I. Background" ↔ "一、 背景": the number is the heading's label (x-label), never a sentence of its own."""
    result = CliRunner().invoke(cli, ["-q", "build", "--pair", str(ZH), str(EN), "-o", "out"])
    assert result.exit_code == 0, result.output
    assert (env / "out" / "unmatched.tsv").read_text(encoding="utf-8").splitlines()[1:] == []
    units = {(u.zh, u.en): u.label for u in read_tmx(env / "out" / "tm" / "auto" / "untm.sentence.tmx")}
    assert units[("背景", "Background")] == "heading I"
    assert units[("一、 背景", "I. Background")] == "heading I"
    assert units[("三、 今后的工作", "III. Future work")] == "heading III"
