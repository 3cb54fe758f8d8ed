"""Terminology: concordance, counterparts found from the memory itself, TBX and glossary output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from align.embed import USEEmbedder
from tm.cli import cli
from tm.record import segmented
from tm.store import Store
from tm.tbx import tbx_bytes, write_glossary
from tm.termhood import extract_terms
from tm.terms import (
    Candidate,
    _drop_coordinations,
    _normalise_en,
    _surface,
    concordance,
    term_pattern,
    wilson_lower,
    word_ngrams,
)
from tm.words import en_words

DATA = Path(__file__).parent / "data"
GOLD = DATA / "terms_gold.tsv"


@pytest.mark.parametrize("term,text,found", [
    ("peacekeeper", "Peacekeepers deployed", "Peacekeepers"),
    ("host state", "the host States of missions", "host States"),
    ("troop-contributing country", "troop contributing countries", "troop contributing countries"),
    ("party", "all parties to the conflict", "parties"),
    ("peace", "peacekeeping", None),
    ("维持和平", "联合国维持和平行动", "维持和平"),
])
def test_term_pattern(term: str, text: str, found: str | None) -> None:
    match = term_pattern(term).search(text)
    assert (match.group() if match else None) == found


def _store(folder: Path) -> Store:
    rows = [("维持和平行动很重要。", "Peacekeeping operations matter."), ("支持维持和平。", "Supports peacekeeping."),
            ("马里稳定团的任务。", "The mandate of MINUSMA."), ("请马里稳定团报告。", "Requests MINUSMA to report."),
            ("安全理事会，", "The Security Council,"), ("维持和平人员", "peacekeeping personnel")]
    store = Store(folder)
    store.replace_units("d", "S/1", "k1", [("sentence", f"d/s{i}", "S/1", "preamble", "1-1", 0.9, "auto", zh, en)
                                           for i, (zh, en) in enumerate(rows)], segmented)
    return store


def test_concordance_finds_counterparts_without_a_dictionary(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        result = concordance("维持和平", store)
        assert len(result.units) == 3 and result.total == 3
        text, units, confidence = result.counterparts[0]
        assert text.lower() == "peacekeeping" and units == 3 and 0.3 < confidence < 1.0  # 3 of 3 is not 100 %
        assert [a.lower() for a in result.assigned] == ["peacekeeping"] * 3
        assert concordance("MINUSMA", store).counterparts[0][0] == "马里稳定团"


def test_store_replaces_a_rerecorded_document(tmp_path: Path) -> None:
    with _store(tmp_path) as store:
        store.replace_units("d", "S/1", "k2", [("sentence", "d/s0", "S/1", "preamble", "1-1", 0.9, "auto",
                                                "维持和平。", "Peacekeeping.")], segmented)
        assert store.unit_count() == 1 and concordance("维持和平", store).total == 1
        assert concordance("马里稳定团", store).total == 0


def test_confidence_is_never_certain_from_one_unit() -> None:
    assert wilson_lower(1, 1) < 0.25 and wilson_lower(30, 30) > 0.85 and wilson_lower(0, 5) == 0.0


def test_lookup_command_highlights_both_sides(built: Path, monkeypatch) -> None:
    monkeypatch.setenv("UNTM_CACHE", str(built.parent / "cache"))
    result = CliRunner().invoke(cli, ["lookup", "马里稳定团", "--tm", str(built), "--limit", "3"], color=True)
    assert result.exit_code == 0, result.output
    assert "→ MINUSMA" in result.output
    assert "\x1b[33m\x1b[1m马里稳定团\x1b[0m" in result.output and "\x1b[36m\x1b[1mMINUSMA\x1b[0m" in result.output
    plain = CliRunner().invoke(cli, ["lookup", "马里稳定团", "--tm", str(built), "--limit", "1"])
    assert "\x1b[" not in plain.output and "S/RES/2423(2018)" in plain.output


def test_lookup_json(built: Path, monkeypatch) -> None:
    monkeypatch.setenv("UNTM_CACHE", str(built.parent / "cache"))
    result = CliRunner().invoke(cli, ["lookup", "peacekeeping", "--tm", str(built), "--json", "--limit", "2"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert lines[0]["counterparts"][0]["text"] == "维持和平"
    unit = lines[1]
    start, end = unit["term_span"]
    assert unit["en"][start:end].lower() == "peacekeeping"
    start, end = unit["counterpart_span"]
    assert unit["zh"][start:end] == unit["counterpart"]


def test_missing_tm_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["lookup", "维持和平", "--tm", str(tmp_path)])
    assert result.exit_code == 1 and "no translation memory" in result.output and "untm build" in result.output


@pytest.mark.integration
def test_counterpart_precision_on_50_hand_checked_pairs(built: Path) -> None:
    """Seeds only; measured (scripts/eval_terms.py) zh→en 0.92, en→zh 0.90; the assertion guards regressions."""
    embedder = USEEmbedder()
    gold = [line.rstrip("\n").split("\t") for line in GOLD.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    assert len(gold) == 50

    def norm(text: str) -> str:
        return _normalise_en(text.replace("-", " "))

    with Store(built, create=False) as store:
        def top(term: str) -> str:
            found = concordance(term, store, embedder).counterparts
            return found[0][0] if found else ""

        zh_to_en = sum(norm(top(zh)) in {norm(e) for e in ens.split("|")} for zh, ens in gold) / len(gold)
        en_to_zh = sum(top(ens.split("|")[0]).strip("《》") == zh.strip("《》") for zh, ens in gold) / len(gold)
    print(f"counterpart precision: zh→en {zh_to_en:.2f}, en→zh {en_to_zh:.2f}")
    assert zh_to_en >= 0.88 and en_to_zh >= 0.85


@pytest.mark.integration
@pytest.mark.parametrize("gold_name,least_zh_en,least_en_zh", [
    ("terms_gold_150.tsv", 0.95, 0.95),  # measured zh→en 0.995, en→zh 0.964 (scripts/eval_terms.py)
    ("terms_gold_heldout.tsv", 0.86, 0.91),  # written apart from the tuning; measured 0.875, 0.932 (0.858, 0.881 before)
])
def test_counterpart_precision_on_un_term_pairs(built: Path, tmp_path: Path, gold_name: str, least_zh_en: float,
                                                 least_en_zh: float) -> None:
    """The seeds' store plus the 8,000 UNv1.0 pairs; the assertions guard regressions."""
    import shutil

    shutil.copy(built / "tm.sqlite", tmp_path / "tm.sqlite")
    pairs = [json.loads(line) for line in (DATA / "unpc" / "UNv1.0.devset+testset.zh-en.jsonl").open(encoding="utf-8")]
    gold = [line.split("\t") for line in (DATA / gold_name).read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    assert len(gold) >= 150
    embedder = USEEmbedder()

    def norm(text: str) -> str:
        return _normalise_en(text.replace("-", " "))

    with Store(tmp_path) as store:
        store.replace_units("unpc", "UNv1.0", "k", [("sentence", f"unpc/{i}", "UNv1.0", "", "1-1", 1.0, "auto", p["zh"],
                                                     p["en"]) for i, p in enumerate(pairs)], segmented)

        def top(term: str) -> str:
            found = concordance(term, store, embedder).counterparts
            return found[0][0] if found else ""

        zh_to_en = sum(norm(top(zh.split("|")[0])) in {norm(e) for e in en.split("|")} for zh, en in gold) / len(gold)
        en_to_zh = sum(top(en.split("|")[0]) in zh.split("|") for zh, en in gold) / len(gold)
    print(f"counterpart precision on {len(gold)} pairs: zh→en {zh_to_en:.3f}, en→zh {en_to_zh:.3f}")
    assert zh_to_en >= least_zh_en and en_to_zh >= least_en_zh


def test_extract_and_export_tbx_and_glossary(built: Path, tmp_path: Path) -> None:
    with Store(built, create=False) as store:
        pairs = extract_terms(store, limit=30)
    by_zh = {p.zh: p.en for p in pairs}
    assert by_zh.get("马里稳定团") == "MINUSMA" and by_zh.get("联合国") == "United Nations"
    assert not {"安全", "行动", "采取", "他们"} & set(by_zh)  # general vocabulary is not terminology
    root = etree.fromstring(tbx_bytes(pairs))
    assert root.tag == "martif" and root.get("type") == "TBX-Basic"
    entries = root.findall(".//termEntry")
    assert len(entries) == len(pairs)
    first = [t.text for t in entries[0].iter("term")]
    assert first == [pairs[0].zh, pairs[0].en]
    write_glossary(pairs, tmp_path / "glossary.txt")
    rows = [line.split("\t") for line in (tmp_path / "glossary.txt").read_text(encoding="utf-8").splitlines()]
    assert rows[0][:2] == [pairs[0].zh, pairs[0].en] and len(rows) == len(pairs)


def test_terms_extract_command_writes_files(built: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("UNTM_CACHE", str(built.parent / "cache"))
    result = CliRunner().invoke(cli, ["terms", "extract", "--tm", str(built), "--limit", "5", "--no-model",
                                      "--tbx", str(tmp_path / "t.tbx"), "--glossary", str(tmp_path / "g.txt")])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split("\t")[:2] == ["zh", "en"] and len(lines) == 6  # a header row, then the pairs
    assert etree.parse(str(tmp_path / "t.tbx")).getroot().tag == "martif"


@pytest.mark.parametrize("command", [["lookup", ""], ["lookup", "  \t"], ["search", ""], ["search", "   "]])
def test_empty_term_or_query_is_a_usage_error(command: list[str], tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, [*command, "--tm" if command[0] == "lookup" else "--index", str(tmp_path / "out")])
    assert result.exit_code == 2 and "is empty" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.integration
def test_lookup_into_a_closed_pipe_exits_quietly(built: Path) -> None:
    """`untm lookup X | head -1`: the reader leaves early; no BrokenPipe traceback, exit 0."""
    import os
    import subprocess
    import sys

    env = os.environ | {"PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    process = subprocess.Popen([sys.executable, "-c", "from tm.cli import main; main()", "lookup", "the", "--tm",
                                str(built), "--no-model", "--limit", "1000"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert process.stdout.readline()
    process.stdout.close()
    stderr = process.stderr.read().decode()
    assert process.wait() == 0 and "Traceback" not in stderr, stderr


@pytest.mark.integration
def test_tbx_validates_against_the_schema_omegat_reads(built: Path, tmp_path: Path) -> None:
    """OmegaT (Debian package, see .ci/run) reads TBX glossaries through schemas/tbx.xsd in its jar: validate there."""
    import zipfile

    with zipfile.ZipFile("/usr/share/omegat/OmegaT.jar") as jar:
        for name in ("schemas/tbx.xsd", "schemas/xml.xsd"):
            (tmp_path / Path(name).name).write_bytes(jar.read(name))
    schema = etree.XMLSchema(etree.parse(str(tmp_path / "tbx.xsd")))
    with Store(built, create=False) as store:
        pairs = extract_terms(store, limit=20)
    document = etree.fromstring(tbx_bytes(pairs))
    assert schema.validate(document), schema.error_log


# Causes of misses on the held-out gold (terms_gold_heldout.tsv), each fixed in general, not per term.
@pytest.mark.parametrize("words,lang,kept,dropped", [
    # jieba cuts 有/不/非/被 off terms; they may start a longer n-gram, never stand alone
    ("有 组织 犯罪", "zh", "有 组织 犯罪", "有"),
    ("不 扩散 核武器 条约", "zh", "不 扩散 核武器 条约", "不"),
    ("被 拘留 者", "zh", "被 拘留 者", "被"),
    # "without" is a preposition like "within": no counterpart starts with it
    ("without diplomatic permit", "en", "diplomatic permit", "without diplomatic permit"),
])
def test_word_ngrams_term_edges(words: str, lang: str, kept: str, dropped: str) -> None:
    grams = word_ngrams(words.split(), lang)
    assert kept in grams and dropped not in grams


def _candidate(text: str, together: int, frequency: int) -> Candidate:
    return Candidate(text, together, frequency, 2 * together / (9 + frequency))


def test_a_coordination_gives_way_to_its_conjunct_unless_the_term_is_one() -> None:
    candidates = [_candidate("国家元首 和 政府首脑", 7, 7), _candidate("国家元首", 8, 11)]
    assert [c.text for c in _drop_coordinations(candidates, "Heads of State", "zh")] == ["国家元首"]
    # a coordinated term, or an acronym standing for a name with "and" in it, keeps the whole
    assert len(_drop_coordinations(candidates, "Heads of State and Government", "zh")) == 2
    name = [_candidate("马里 国防 和 安全 部队", 9, 9), _candidate("马里 国防", 9, 9)]
    assert len(_drop_coordinations(name, "MDSF", "zh")) == 2


@pytest.mark.parametrize("candidate,text", [
    ("boy and girl", "The assumption that boys and girls under 18"),  # boy → boys, not boies
    ("survey", "two surveys were made"),
])
def test_surface_of_vowel_y_plurals(candidate: str, text: str) -> None:
    assert _surface(candidate, text, "en") is not None
    assert term_pattern(candidate).search(text)


def test_oes_plurals_fold_to_the_singular() -> None:
    assert en_words("arms embargoes, vetoes") == en_words("arm embargo, veto") == ["arm", "embargo", "veto"]
