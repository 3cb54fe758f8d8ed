"""How many paragraphs OmegaT 3.6 pre-translates from untm's TMX, both directions, default segmentation on.

Builds the TM of the four committed pairs (`untm build`), then gives OmegaT the pairs' text as it
reads in the UN's Word files (tests/data/wordstyle) and counts paragraphs whose translation is
complete (no segment left in the source language) and exactly the reference paragraph.

    python scripts/bench_omegat.py [--tm OUT] [--rules]
    OUT: an existing `untm build` output to reuse; --rules: also with the segmentation rules untm
    writes (OUT/omegat/segmentation.conf) as the project's own
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from omegat_client import fill_rates  # noqa: E402

PAIRS = ["S-RES-2423-2018", "S-RES-2518-2020", "S-RES-2589-2021", "S-RES-2594-2021"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tm", type=Path, help="an existing untm build output folder")
    parser.add_argument("--rules", action="store_true", help="also run with OUT/omegat/segmentation.conf")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        out = args.tm
        if out is None:
            seeds = work / "seeds"
            seeds.mkdir()
            for pair in PAIRS:
                shutil.copy(ROOT / "seeds" / f"{pair}.zh.txt", seeds)
            out = work / "out"
            subprocess.run([sys.executable, "-c", "from tm.cli import main; main()", "build", str(seeds), "-o", str(out), "--offline",
                            "--fetched", str(ROOT / "fetched")], check=True, cwd=ROOT)
        tmx = sorted((out / "tm" / "auto").glob("*.tmx"))
        runs = [(s, t, None) for s, t in (("zh", "en"), ("en", "zh"))]
        if args.rules:
            runs += [(s, t, out / "omegat" / "segmentation.conf") for s, t in (("zh", "en"), ("en", "zh"))]
        for source, target, rules in runs:
            result = fill_rates(ROOT / "tests" / "data" / "wordstyle", PAIRS, source, target, tmx,
                                work / f"{source}{target}{'-rules' if rules else ''}", segmentation=rules)
            print(f"{source}→{target}{' (untm rules)' if rules else ''}: {result.complete}/{result.paragraphs} paragraphs complete "
                  f"({result.complete / result.paragraphs:.1%}), {result.exact}/{result.paragraphs} exactly the "
                  f"reference ({result.exact / result.paragraphs:.1%}); OmegaT {result.seconds:.1f} s")
            for miss in result.misses[:15]:
                print("   miss:", miss[:200])


if __name__ == "__main__":
    main()
