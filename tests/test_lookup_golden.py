"""Look-ups over the 8,000 UNv1.0 pairs give what they gave when tests/golden/lookup_unpc.json was written:
any change of candidates, ranking, counts, confidence or per-unit counterparts shows here.

Rewrite with `pytest tests/test_lookup_golden.py --update-golden` after a deliberate change (and say why in
the commit). Written on branch search11 after candidate ties were broken by their text: equal to the code before
the speed-ups for every term but one whose top candidate was a tie broken by hash order, i.e. by chance.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tm.record import segmented
from tm.store import Store
from tm.terms import concordance

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden" / "lookup_unpc.json"


def _terms() -> list[str]:
    gold = [line.split("\t") for line in (DATA / "terms_gold_150.tsv").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return [zh.split("|")[0] for zh, _ in gold[::4]] + [en.split("|")[0] for _, en in gold[::4]] + ["裁军", "制裁", "the"]


def _digest(values: list) -> str:
    return hashlib.sha1(json.dumps(values, ensure_ascii=False).encode()).hexdigest()[:12]


def lookups(store: Store, terms: list[str], embedder) -> dict[str, dict]:
    found = {}
    for term in terms:
        result = concordance(term, store, embedder)
        found[term] = {"total": result.total, "units": len(result.units), "units_sha1": _digest([u.tuid for u in result.units]),
                       "counterparts": [[text, count, round(confidence, 6)] for text, count, confidence in result.counterparts],
                       "assigned_sha1": _digest(result.assigned)}
    return found


@pytest.fixture(scope="module")
def unpc_store(tmp_path_factory) -> Store:
    pairs = [json.loads(line) for line in (DATA / "unpc" / "UNv1.0.devset+testset.zh-en.jsonl").open(encoding="utf-8")]
    with Store(tmp_path_factory.mktemp("unpc")) as store:
        store.replace_units("unpc", "UNv1.0", "k", [("sentence", f"unpc/{i}", "UNv1.0", "", "1-1", 1.0, "auto", p["zh"], p["en"])
                                                    for i, p in enumerate(pairs)], segmented)
        yield store


def _check(key: str, found: dict, update_golden: bool) -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.exists() else {}
    if update_golden:
        golden[key] = found
        GOLDEN.write_text(json.dumps(golden, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    changed = {term: (golden[key].get(term), now) for term, now in found.items() if golden[key].get(term) != now}
    assert not changed, json.dumps(changed, ensure_ascii=False, indent=1)[:3000]


def test_lookups_without_the_model_are_unchanged(unpc_store: Store, update_golden: bool) -> None:
    _check("no model", lookups(unpc_store, _terms(), None), update_golden)


@pytest.mark.integration
def test_lookups_with_the_model_are_unchanged(unpc_store: Store, update_golden: bool) -> None:
    from align.embed import USEEmbedder

    _check("with model", lookups(unpc_store, _terms()[::3], USEEmbedder()), update_golden)
