"""Search quality: literal precision of UN phrases and cross-language top-5 retrieval.

Usage: python scripts/eval_search.py BUILD_OUT [WORK_DIR] [--unpc]
(--unpc: also literal precision over all 8,000 UNv1.0 pairs indexed as one aligned document, both
languages: ~16,000 paragraphs to embed, a few minutes on 2 cores.)
Literal precision: for each phrase occurring (case-insensitively) in ≥ 3 indexed paragraphs, the share
of the top min(10, n) hits whose text contains it. Cross-language: the first 1,400 sentences of the
UNv1.0 pairs (tests/data/unpc) as one Chinese-only document; each English sentence must find its
Chinese among the top 5.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align.embed import USEEmbedder  # noqa: E402
from align.types import Paragraph, to_jsonl, write_atomic  # noqa: E402
from tm.search import build_index, search  # noqa: E402
from tm.store import Store  # noqa: E402

PHRASES = ["保护平民", "women, peace and security", "部队派遣国", "维持和平", "安全理事会", "马里稳定团", "human rights",
           "国际人道主义法", "peacekeeping operations", "Secretary-General", "sexual violence", "性暴力", "人权",
           "Security Council", "MINUSMA", "protection of civilians", "联合国", "秘书长", "peace and security",
           "international humanitarian law", "host country", "维和人员", "troop- and police-contributing countries",
           "马里政府", "political process", "和平进程", "人道主义", "General Assembly", "大会", "sustainable development",
           "可持续发展", "climate change", "气候变化", "Human Rights Council", "人权理事会", "United Nations", "Member States",
           "会员国", "international community", "国际社会", "Special Rapporteur", "特别报告员", "refugees", "难民"]
UNPC = ROOT / "tests" / "data" / "unpc" / "UNv1.0.devset+testset.zh-en.jsonl"


def literal_precision(out: Path, embedder) -> None:
    with Store(out, create=False) as store:
        texts = [r[0] for r in store.db.execute("SELECT text FROM paragraphs")]
    scores = []
    for phrase in PHRASES:
        n = sum(phrase.lower() in t.lower() for t in texts)
        if n < 3:
            continue
        hits = search(out, phrase, embedder, k=min(10, n))
        good = sum(phrase.lower() in h.paragraph.text.lower() for h in hits)
        scores.append(good / min(10, n))
        print(f"  {phrase}: {n} paragraphs, {good}/{min(10, n)} top hits contain it")
    print(f"literal precision over {len(scores)} phrases: {sum(scores) / len(scores):.3f}")


def cross_language(work: Path, embedder, count: int = 1400) -> None:
    with open(UNPC, encoding="utf-8") as handle:
        pairs = [json.loads(line) for line in handle][:count]
    folder = work / "docs" / "unpc-zh"
    paragraphs = [Paragraph("UNv1.0", "zh", i, pair["zh"], "body") for i, pair in enumerate(pairs)]
    write_atomic(folder / "zh.paragraphs.jsonl", to_jsonl(paragraphs))
    build_index(work, embedder)
    found = sum(any(h.paragraph.index == i for h in search(work, pair["en"], embedder, k=5))
                for i, pair in enumerate(pairs))
    print(f"cross-language top-5 (English sentence → its Chinese among {count}): {found / count:.3f}")


def unpc_build(work: Path, embedder) -> Path:
    """The 8,000 pairs as one aligned document (1:1 beads) under WORK/unpc-all, indexed."""
    with open(UNPC, encoding="utf-8") as handle:
        pairs = [json.loads(line) for line in handle]
    out = work / "unpc-all"
    folder = out / "docs" / "unpc"
    for lang in ("zh", "en"):
        write_atomic(folder / f"{lang}.paragraphs.jsonl",
                     to_jsonl([Paragraph("UNv1.0", lang, i, pair[lang], "body") for i, pair in enumerate(pairs)]))
    write_atomic(folder / "beads.jsonl", "".join(json.dumps({"level": "paragraph", "zh": [i], "en": [i], "score": 1.0}) + "\n"
                                                 for i in range(len(pairs))))
    build_index(out, embedder)
    return out


if __name__ == "__main__":
    model = USEEmbedder()
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    work = Path(arguments[1] if len(arguments) > 1 else "/tmp/untm-eval-search")
    print(f"seeds build {arguments[0]}:")
    literal_precision(Path(arguments[0]), model)
    cross_language(work, model)
    if "--unpc" in sys.argv:
        print("8,000 UNv1.0 pairs:")
        literal_precision(unpc_build(work, model), model)
