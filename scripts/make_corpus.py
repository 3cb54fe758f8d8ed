"""Make a synthetic UN corpus of any size from UN sentence pairs, to measure scale without the network.

    python scripts/make_corpus.py 2000 -o /tmp/corpus --seed 1
    untm build /tmp/corpus/seeds --fetched /tmp/corpus/fetched --offline -o /tmp/corpus/out

Writes OUT/seeds/<slug>.zh.txt (Chinese as in seeds/*.zh.txt: title, adoption line, preamble,
numbered operative paragraphs, page furniture) and OUT/fetched/<slug>/{en.txt,source.json} (the
English as pdftotext lays it out, in the fetch cache's format). The text comes from the 8,000
UNv1.0 sentence pairs (tests/data/unpc, a copy of shared/corpus/sentence-aligned; see SOURCES.md):
each paragraph is one or two pairs behind a preamble opener or an operative verb. Symbols are
S/RES/<9000+n>(2040+), numbers no real resolution has. Deterministic for a given --seed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "tests" / "data" / "unpc" / "UNv1.0.devset+testset.zh-en.jsonl"

PREAMBLE = [("回顾", "Recalling"), ("注意到", "Noting"), ("重申", "Reaffirming"), ("认识到", "Recognizing"),
            ("强调", "Emphasizing"), ("着重指出", "Stressing"), ("欢迎", "Welcoming"), ("强调指出", "Underlining")]
OPERATIVE = [("决定", "Decides"), ("强调", "Stresses"), ("着重指出", "Emphasizes"), ("注意到", "Notes"),
             ("申明", "Affirms"), ("重申", "Reiterates"), ("强调指出", "Underlines"), ("确认", "Acknowledges")]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
LINES_PER_PAGE = 42


def load_pairs(path: Path) -> list[tuple[str, str]]:
    pairs = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            zh, en = row["zh"].strip(), row["en"].strip()
            # whole sentences only: a paragraph is built from them, and its opener needs a clause
            if zh.endswith("。") and en.endswith(".") and 20 <= len(en) <= 400 and en[0].isupper():
                pairs.append((zh.removesuffix("。"), en.removesuffix(".")))
    return pairs


def _clause(en: str) -> str:
    """"The Council met" → "the Council met" (a clause after "Recalling that"); acronyms kept."""
    first = en.split(" ", 1)[0]
    return en if first.isupper() or first[1:2].isupper() else en[0].lower() + en[1:]


def make_document(number: int, rng: random.Random, pairs: list[tuple[str, str]]) -> tuple[str, str, str]:
    """(symbol, Chinese text, English text) of one synthetic resolution."""
    year = 2040 + number // 1000
    symbol = f"S/RES/{9000 + number}({year})"
    month, day = rng.randrange(12), rng.randrange(1, 29)
    zh_paragraphs, en_paragraphs = [], []
    preamble = rng.randint(3, 9)
    operative = rng.randint(4, 20)
    for i in range(preamble + operative):
        chosen = rng.sample(pairs, rng.choice((1, 1, 2)))
        zh_body = "，".join(zh for zh, _ in chosen)
        en_body = ", and that ".join(_clause(en) for _, en in chosen)
        if i < preamble:
            zh_verb, en_verb = rng.choice(PREAMBLE)
            zh_paragraphs.append(f"{zh_verb}{zh_body}，")
            en_paragraphs.append(f"{en_verb} that {en_body},")
        else:
            n = i - preamble + 1
            zh_verb, en_verb = rng.choice(OPERATIVE)
            zh_paragraphs.append(f"{n}. {zh_verb}{zh_body}；")
            en_paragraphs.append(f"{n}. {en_verb} that {en_body};")
    n = operative + 1
    zh_paragraphs.append(f"{n}. 决定继续处理此案。")
    en_paragraphs.append(f"{n}. Decides to remain seized of the matter.")
    job = f"{year % 100}-{rng.randrange(10000, 99999)}"
    header = symbol.replace("(", " (")
    zh = _zh_text(symbol, year, month, day, zh_paragraphs, header, job)
    en = _en_text(symbol, year, month, day, en_paragraphs, header, job)
    return symbol, zh, en


def _zh_text(symbol: str, year: int, month: int, day: int, paragraphs: list[str], header: str, job: str) -> str:
    number = symbol.split("/")[-1]
    lines = ["", "", f"## 第 {number}号决议", "", f"安全理事会于 {year} 年 {month + 1} 月 {day} 日通过", "", "安全理事会，", ""]
    page, used = 1, 8
    for paragraph in paragraphs:
        height = len(paragraph) // 38 + 2
        if used + height > LINES_PER_PAGE:  # page furniture where a page of the PDF ended
            lines += [f"{job} {page}/9", "", "", header, "", ""]
            page, used = page + 1, 6
        lines += [paragraph, ""]
        used += height
    lines += [f"{job} {page}/9", ""]
    return "\n".join(lines)


def _en_text(symbol: str, year: int, month: int, day: int, paragraphs: list[str], header: str, job: str) -> str:
    date = f"{day} {MONTHS[month]} {year}"
    lines = [header, "", "United Nations", "", "Security Council", "", "Distr.: General", date, "",
             f"Resolution {symbol.split('/')[-1].replace('(', ' (')}", f"Adopted by the Security Council on {date}",
             "The Security Council,"]
    page, used = 1, len(lines)
    for paragraph in paragraphs:
        wrapped = textwrap.wrap(paragraph, width=86)
        for line in wrapped:
            if used >= LINES_PER_PAGE:  # pdftotext: job number, form feed, page number, running header
                lines += ["", f"{job}", "", f"\f{page + 1}/9", "", header, ""]
                page, used = page + 1, 0
            lines.append(line)
            used += 1
    lines += ["", job, ""]
    return "\n".join(lines)


def write_corpus(count: int, out: Path, seed: int, pairs_file: Path = PAIRS) -> list[str]:
    """Write `count` documents under `out`; returns their symbols."""
    sys.path.insert(0, str(ROOT))
    from align.symbols import slug
    from align.types import write_atomic

    pairs = load_pairs(pairs_file)
    rng = random.Random(seed)
    symbols = []
    for number in range(count):
        symbol, zh, en = make_document(number, rng, pairs)
        name = slug(symbol)
        write_atomic(out / "seeds" / f"{name}.zh.txt", zh)
        folder = out / "fetched" / name
        text = en.encode("utf-8")
        write_atomic(folder / "en.txt", text)
        source = {"symbol": symbol, "lang": "en", "status": "complete", "origin": "generated",
                  "source": f"scripts/make_corpus.py --seed {seed} from {pairs_file.name}", "pdf": None,
                  "text": {"file": "en.txt", "bytes": len(text), "sha256": hashlib.sha256(text).hexdigest()}}
        write_atomic(folder / "source.json", json.dumps(source, ensure_ascii=False, indent=2) + "\n")
        symbols.append(symbol)
    return symbols


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, help="number of documents")
    parser.add_argument("-o", "--out", type=Path, required=True, help="folder for seeds/ and fetched/")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same corpus)")
    parser.add_argument("--pairs", type=Path, default=PAIRS, help="JSONL of {zh, en} sentence pairs")
    arguments = parser.parse_args()
    symbols = write_corpus(arguments.count, arguments.out, arguments.seed, arguments.pairs)
    print(f"{len(symbols)} documents in {arguments.out}/seeds and {arguments.out}/fetched")


if __name__ == "__main__":
    main()
