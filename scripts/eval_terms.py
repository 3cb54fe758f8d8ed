"""Counterpart precision: top-1 of `untm lookup` against hand-checked gold term pairs, both directions.

Usage: python scripts/eval_terms.py STORE_DIR GOLD.tsv [--no-model] [--show]
GOLD: zh<TAB>en, "|" separating accepted forms on either side; "#" lines are comments.
zh→en counts a hit when the top English counterpart equals an accepted form after case and plural
folding; en→zh when the top Chinese equals an accepted Chinese form (first English form is the query).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tm.store import Store  # noqa: E402
from tm.terms import concordance  # noqa: E402
from tm.words import en_words  # noqa: E402


def norm(text: str) -> str:
    return " ".join(en_words(text.replace("-", " ")))


def main() -> None:
    store_dir, gold_file = Path(sys.argv[1]), Path(sys.argv[2])
    embedder = None
    if "--no-model" not in sys.argv:
        from align.embed import USEEmbedder

        embedder = USEEmbedder()
    gold = [line.split("\t") for line in gold_file.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    right = {"zh→en": 0, "en→zh": 0}
    with Store(store_dir, create=False) as store:
        for zh_forms, en_forms in gold:
            zhs, ens = zh_forms.split("|"), en_forms.split("|")
            found = concordance(zhs[0], store, embedder).counterparts
            top = found[0][0] if found else ""
            ok = norm(top) in {norm(e) for e in ens}
            right["zh→en"] += ok
            if "--show" in sys.argv and not ok:
                print(f"  zh→en miss: {zhs[0]} → {top!r} (gold {ens[0]})")
            found = concordance(ens[0], store, embedder).counterparts
            top = found[0][0] if found else ""
            ok = top.strip("《》") in {z.strip("《》") for z in zhs}  # book-title marks are punctuation, not the term
            right["en→zh"] += ok
            if "--show" in sys.argv and not ok:
                print(f"  en→zh miss: {ens[0]} → {top!r} (gold {zhs[0]})")
    print(f"{gold_file.name}: {len(gold)} pairs, top-1 zh→en {right['zh→en'] / len(gold):.3f}, "
          f"en→zh {right['en→zh'] / len(gold):.3f}" + (" (no model)" if embedder is None else ""))


if __name__ == "__main__":
    main()
