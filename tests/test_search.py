"""Cross-language paragraph search over a build folder."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from align.embed import USEEmbedder
from align.errors import AlignError, StaleIndex
from tm.cli import cli
from tm.search import build_index, parse_query, passages, search

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def embedder() -> USEEmbedder:
    return USEEmbedder()


def test_english_query_finds_chinese_only_paragraph(built: Path, embedder: USEEmbedder) -> None:
    hits = search(built, "the Mission's withdrawal from South Kivu by April 2024", embedder, k=3)
    found = [(h.paragraph.symbol, h.paragraph.label, h.paragraph.lang) for h in hits]
    assert ("S/RES/2717(2023)", "operative 23", "zh") in found


def test_hits_show_the_aligned_other_language(built: Path, embedder: USEEmbedder) -> None:
    hits = search(built, "Decides to remain actively seized of the matter.", embedder, k=5)
    top = hits[0].paragraph
    assert top.symbol == "S/RES/2423(2018)" and top.label == "operative 72"
    assert {top.text, top.aligned} == {"72. Decides to remain actively seized of the matter.", "72. 决定继续积极处理此案。"}
    groups = [h.paragraph.group for h in hits]
    assert len(groups) == len(set(groups))  # an aligned pair is one hit, not two


def test_chinese_query_finds_english_only_material(built: Path, tmp_path: Path, embedder: USEEmbedder) -> None:
    english_only = tmp_path / "out" / "docs" / "S-RES-2518-2020"
    english_only.mkdir(parents=True)
    shutil.copy(built / "docs" / "S-RES-2518-2020" / "en.paragraphs.jsonl", english_only)
    assert build_index(tmp_path / "out", embedder) == 33
    hits = search(tmp_path / "out", "请东道国为联合国维和人员及其装备提供出入便利和行动自由", embedder, k=3)
    assert hits[0].paragraph.lang == "en" and hits[0].paragraph.label == "operative 2"
    assert hits[0].paragraph.aligned == ""


def test_index_of_another_model_is_refused(built: Path, embedder: USEEmbedder) -> None:
    class Other:
        model_id = "another-model"

        def encode(self, texts):
            return np.zeros((len(texts), 8), dtype=np.float32)

    with pytest.raises(StaleIndex, match="another-model"):
        search(built, "anything", Other())


def test_missing_index_is_a_clear_error(tmp_path: Path, embedder: USEEmbedder) -> None:
    with pytest.raises(StaleIndex, match="no search index") as info:
        search(tmp_path, "anything", embedder)
    assert "untm build" in info.value.hint


@pytest.mark.parametrize("query, plain, phrases", [
    ('"protection of civilians" Mali', "protection of civilians Mali", ["protection of civilians"]),
    ("“部队派遣国”", "部队派遣国", ["部队派遣国"]),
    ('"protection of', "protection of", []),  # an unpaired quote was searched for verbatim: no literal hit
    ('Mali "" civilians', "Mali civilians", []),
])
def test_parse_query(query: str, plain: str, phrases: list[str]) -> None:
    assert parse_query(query) == (plain, phrases)


@pytest.mark.parametrize("query", ['""', "“”", ' " '])
def test_a_query_of_quotes_alone_is_empty(query: str) -> None:
    """It used to search by meaning for the quote characters and list ten unrelated paragraphs."""
    with pytest.raises(AlignError, match="query is empty"):
        parse_query(query)


def test_symbol_filter_takes_the_symbol_as_english_text_writes_it(built: Path, embedder: USEEmbedder) -> None:
    hits = search(built, "维持和平", embedder, k=3, symbol="S/RES/2518 (2020)")
    assert hits and {h.paragraph.symbol for h in hits} == {"S/RES/2518(2020)"}


@pytest.mark.parametrize("symbol", ["S/RES/9999(2020)", "S-RES-2518-2020"])
def test_symbol_filter_naming_no_document_is_an_error(built: Path, embedder: USEEmbedder, symbol: str) -> None:
    """It used to find nothing and exit 0, so a mistyped symbol looked like a term with no occurrence."""
    with pytest.raises(AlignError, match=f"no document {re.escape(symbol)} in ") as info:
        search(built, "维持和平", embedder, symbol=symbol)
    assert "S/RES/2518(2020)" in info.value.hint


def test_passages_cover_long_paragraphs() -> None:
    text = "23. 决定稳定团将至迟于 2024 年 4 月底从南基伍撤出其部队，从 2024 年 5月起将仅限在北基伍省和伊图里省执行任务，直至当前任务结束，授权联刚稳定团在南基伍维持足够的余留文职人员；"
    parts = passages(text, "zh")
    assert parts[0] == text and len(parts) > 2 and "".join(parts[1:]) == text
    assert passages("Short.", "en") == ["Short."]


def test_search_command_json(built: Path, monkeypatch) -> None:
    monkeypatch.setenv("UNTM_CACHE", str(built.parent / "cache"))
    result = CliRunner().invoke(cli, ["search", "部队派遣国", "--index", str(built), "-k", "2", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert len(rows) == 2 and {"score", "symbol", "label", "lang", "text", "aligned"} <= set(rows[0])


def test_verbatim_occurrences_come_first(built: Path, embedder: USEEmbedder) -> None:
    """Issue #11: 保护平民 occurs in many paragraphs; the top hits must be those that contain it."""
    hits = search(built, "保护平民", embedder, k=10)
    assert len(hits) == 10 and all("保护平民" in h.paragraph.text and h.literal for h in hits)
    english = search(built, "women, peace and security", embedder, k=3)
    assert all("women, peace and security" in h.paragraph.text.lower() for h in english)


def test_quoted_phrase_and_filters(built: Path, embedder: USEEmbedder) -> None:
    hits = search(built, '"remain seized of the matter"', embedder, k=10, lang="en", label="operative")
    assert hits and all("remain seized of the matter" in h.paragraph.text and h.paragraph.lang == "en"
                        and h.paragraph.label.startswith("operative") for h in hits)
    only = search(built, "维持和平", embedder, k=5, symbol="S/RES/2518(2020)")
    assert only and {h.paragraph.symbol for h in only} == {"S/RES/2518(2020)"}


def test_a_wholly_quoted_phrase_found_nowhere_gives_no_hits(built: Path, embedder: USEEmbedder) -> None:
    """Quotes require the phrase verbatim (--help): absent, nothing is found rather than meaning-based
    hits; a longer query that only quotes a part still falls back to meaning (a pasted sentence)."""
    assert search(built, '"zzzqqq xylophone"', embedder, k=5) == []
    assert search(built, 'Decides to remain "zzzqqq xylophone" seized of the matter', embedder, k=5)


def test_index_grows_without_re_embedding(built: Path, tmp_path: Path, embedder: USEEmbedder) -> None:
    """Adding a document embeds only its passages; re-building a changed document replaces its vectors."""
    out = tmp_path / "out"
    for name in ("S-RES-2518-2020", "S-RES-2589-2021"):
        shutil.copytree(built / "docs" / name, out / "docs" / name)
    first = build_index(out, embedder)
    info = json.loads((out / "index" / "index.json").read_text())
    shutil.copytree(built / "docs" / "S-RES-2594-2021", out / "docs" / "S-RES-2594-2021")
    second = build_index(out, embedder)
    grown = json.loads((out / "index" / "index.json").read_text())
    assert second > first and 0 < grown["embedded_now"] < grown["vectors"] and grown["vectors"] > info["vectors"]
    changed = out / "docs" / "S-RES-2518-2020" / "en.paragraphs.jsonl"
    changed.write_text(changed.read_text(encoding="utf-8").replace("remain seized", "remain actively seized"),
                       encoding="utf-8")
    assert build_index(out, embedder) == second
    after = json.loads((out / "index" / "index.json").read_text())
    assert after["embedded_now"] < grown["vectors"] / 3  # only the changed document's passages
    hits = search(out, "Decides to remain seized of the matter.", embedder, k=3)
    assert len({h.paragraph.group for h in hits}) == len(hits)


def _hits(out: Path, embedder: USEEmbedder, query: str) -> set[tuple[str, str, int]]:
    """The paragraphs found (a set: the same paragraph in three resolutions ties, and ties come in any order)."""
    return {(h.paragraph.symbol, h.paragraph.lang, h.paragraph.index) for h in search(out, query, embedder, k=8)}


def test_added_documents_go_to_the_delta_and_search_as_one_index(built: Path, tmp_path: Path, embedder: USEEmbedder,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Adding a document leaves the main index file as it was (its vectors go to the delta beside it), and
    search over main + delta finds what one index over every document finds; a changed document that the
    main file holds folds the delta back in."""
    import tm.search

    monkeypatch.setattr(tm.search, "DELTA_SHARE", 0)  # every addition fits the delta, however small the build
    names = ("S-RES-2518-2020", "S-RES-2589-2021", "S-RES-2594-2021")
    grown, reference = tmp_path / "grown", tmp_path / "reference"
    for name in names:
        shutil.copytree(built / "docs" / name, reference / "docs" / name)
    shutil.copytree(built / "docs" / names[0], grown / "docs" / names[0])
    build_index(grown, embedder)
    main = (grown / "index" / "paragraphs.faiss").read_bytes()
    for name in names[1:]:
        shutil.copytree(built / "docs" / name, grown / "docs" / name)
        build_index(grown, embedder)
    info = json.loads((grown / "index" / "index.json").read_text())
    assert (grown / "index" / "paragraphs.faiss").read_bytes() == main
    assert 0 < info["delta"] < info["vectors"] and (grown / "index" / "paragraphs.delta.faiss").exists()
    assert build_index(grown, embedder) == build_index(reference, embedder)
    for query in ("Decides to remain seized of the matter.", "维持和平", "protection of civilians"):
        assert _hits(grown, embedder, query) == _hits(reference, embedder, query)

    changed = grown / "docs" / names[0] / "en.paragraphs.jsonl"  # a document of the main file: one rewrite
    changed.write_text(changed.read_text(encoding="utf-8").replace("remain seized", "remain actively seized"),
                       encoding="utf-8")
    build_index(grown, embedder)
    after = json.loads((grown / "index" / "index.json").read_text())
    assert after["delta"] == 0 and not (grown / "index" / "paragraphs.delta.faiss").exists()
    assert after["vectors"] == info["vectors"] and (grown / "index" / "paragraphs.faiss").read_bytes() != main
    hits = search(grown, "Decides to remain actively seized of the matter.", embedder, k=3)
    assert hits[0].paragraph.symbol == "S/RES/2518(2020)"


@pytest.mark.parametrize("approximate_from", [10**9, 1])  # exact, and IVF trained on a sample
def test_index_trained_on_a_sample_and_filled_in_chunks_equals_one_built_at_once(approximate_from: int) -> None:
    """The full rebuild streams its vectors (train on the `training_rows` sample, then add chunk by
    chunk, so its memory is the index plus one chunk): the file it writes is the one `build` writes."""
    from align.index import VectorIndex

    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((900, 16)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    ids = np.arange(100, 1000, dtype=np.int64)
    whole = VectorIndex.build(vectors, approximate_from=approximate_from, ids=ids)
    rows = VectorIndex.training_rows(len(vectors), approximate_from)
    assert (len(rows) > 0) == (whole.kind == "ivf")
    streamed = VectorIndex.empty(vectors[rows] if len(rows) else vectors[:1], len(vectors), approximate_from)
    for start in range(0, len(vectors), 128):
        streamed.add(vectors[start : start + 128], ids[start : start + 128])
    assert streamed.kind == whole.kind and len(streamed) == len(whole) == 900
    import faiss

    assert faiss.serialize_index(streamed._index).tobytes() == faiss.serialize_index(whole._index).tobytes()


def test_full_rebuild_in_small_chunks_finds_what_one_pass_finds(built: Path, tmp_path: Path, embedder: USEEmbedder,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """build_index embeds and adds a corpus chunk by chunk; the chunk size changes nothing a search finds."""
    import tm.search

    one_pass, chunked = tmp_path / "one", tmp_path / "chunked"
    for target in (one_pass, chunked):
        shutil.copytree(built / "docs", target / "docs")
    monkeypatch.setattr(tm.search, "APPROXIMATE_FROM", 50)  # the seeds' few thousand passages: an IVF index
    build_index(one_pass, embedder)
    monkeypatch.setattr(tm.search, "_ENCODE_CHUNK", 37)
    build_index(chunked, embedder)
    for out in (one_pass, chunked):
        assert json.loads((out / "index" / "index.json").read_text())["kind"] == "ivf"
    for query in ("Decides to remain seized of the matter.", "维持和平", "protection of civilians"):
        assert _hits(chunked, embedder, query) == _hits(one_pass, embedder, query)


def test_a_cluster_worker_leaves_its_search_passages_in_the_cache(tmp_path: Path) -> None:
    """On Ray workers (warm_search) a document's search passages are embedded with the document, into
    the shared cache, so the driver's index only reads them; the local path leaves them to the index."""
    from align.embed import normalise_for_embedding
    from align.embed_cache import EmbeddingCache
    from conftest import FETCHED, SEEDS
    from tm.build import BuildOptions, _document_or_failure, collect_seeds
    from tm.search import folder_paragraphs

    seed = collect_seeds([str(SEEDS / "S-RES-2518-2020.zh.txt")])[0]
    options = BuildOptions(fetched=FETCHED, offline=True)

    def not_embedded(name: str, warm: bool) -> int:
        cache = EmbeddingCache(tmp_path / name / "embeddings.sqlite")
        embedder = USEEmbedder(cache)
        work = tmp_path / name / "out"
        assert _document_or_failure(seed, embedder, out=work, options=options, warm_search=warm).status == "aligned"
        texts = [normalise_for_embedding(p) for row in folder_paragraphs(work / "docs" / seed.name)[0]
                 for p in passages(row[4], row[1])]
        assert len(texts) > 100
        missing: list[int] = []
        cache.get_or_compute(embedder.model_id, texts, lambda todo: (missing.append(len(todo)),
                                                                     embedder._pool(todo))[1])
        return sum(missing)

    assert not_embedded("worker", warm=True) == 0
    assert not_embedded("local", warm=False) > 100
