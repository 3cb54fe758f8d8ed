"""Write align/data/un_hyphenated.tsv: compounds the UN's Word files write with a hyphen.

Evidence for align/normalise.py when a PDF lost a hyphen (`costeffective`, `decisionmaking`) and the
document itself never writes the hyphenated form. Learned from the 8,000 UN sentence pairs made from
Word files (tests/data/unpc, UNv1.0 dev+test): a two-part hyphenated word that occurs at least twice,
whose closed form never occurs there, whose closed form is rare in general English (wordfreq
zipf < 2.5, so "email", "antisemitism", "setup" or "counterterrorism", closed spellings the UN also
uses, are never changed), and whose first part is not a prefix UN style closes inconsistently
(align.normalise.PREFIXES: "non", "counter", "multi"…).
Held out (learned on 4,000 sentences, applied to the other 4,000, five splits): 3.4 sentences per
4,000 change (0.085 %), every one a lost hyphen in the corpus itself (`capacitybuilding`,
`crosscutting`, `dualuse`, `gendersensitive`, `highlevel`, `socalled`, `vicepresidents`); none of the
278 English paragraphs of tests/data/wordstyle changes.

    python scripts/make_hyphen_list.py   # rewrites align/data/un_hyphenated.tsv
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from align.normalise import PREFIXES  # noqa: E402
from align.types import write_atomic  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "unpc" / "UNv1.0.devset+testset.zh-en.jsonl"
OUT = ROOT / "align" / "data" / "un_hyphenated.tsv"
MIN_COUNT = 2
RARE_CLOSED = 2.5  # zipf of the closed form: below this it is not an English spelling of its own
# (at 3.0 "counterterrorism", which S/RES/2423's Word file writes closed, was "repaired")


def learn(sentences: list[str]) -> dict[str, str]:
    """closed form → hyphenated form, lower-cased."""
    from wordfreq import zipf_frequency

    hyphenated, words = Counter(), Counter()
    for sentence in sentences:
        hyphenated.update(w.lower() for w in re.findall(r"(?<![\w-])[A-Za-z]+-[A-Za-z]+(?![\w-])", sentence))
        words.update(w.lower() for w in re.findall(r"[A-Za-z]+", sentence))
    return {form.replace("-", ""): form for form, count in sorted(hyphenated.items())
            if count >= MIN_COUNT and not words[form.replace("-", "")]
            and zipf_frequency(form.replace("-", ""), "en") < RARE_CLOSED
            and form.split("-")[0] not in PREFIXES}  # UN style closes these inconsistently ("nonproliferation")


def main() -> None:
    sentences = [json.loads(line)["en"] for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    table = learn(sentences)
    header = ("# closed form\thyphenated form (the UN's Word-file spelling); made by scripts/make_hyphen_list.py\n"
              f"# from {CORPUS.relative_to(ROOT)} (UNv1.0 dev+test, see tests/data/SOURCES.md)\n")
    write_atomic(OUT, header + "".join(f"{closed}\t{form}\n" for closed, form in table.items()))
    print(f"{len(table)} compounds → {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
