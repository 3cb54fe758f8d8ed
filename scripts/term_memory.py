"""A TM store for measurements: the seeds' build plus the 8,000 UNv1.0 sentence pairs as one document.

Usage: python scripts/term_memory.py BUILD_OUT STORE_DIR   (BUILD_OUT: an `untm build` of seeds/)
Never imported by the package; used by scripts/eval_terms.py and scripts/eval_search.py.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tm.record import segmented  # noqa: E402
from tm.store import STORE_NAME, Store  # noqa: E402

UNPC = ROOT / "tests" / "data" / "unpc" / "UNv1.0.devset+testset.zh-en.jsonl"


def unpc_pairs() -> list[tuple[str, str]]:
    with open(UNPC, encoding="utf-8") as handle:
        return [(r["zh"], r["en"]) for r in map(json.loads, handle)]


def make(build_out: Path, store_dir: Path) -> Path:
    store_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(build_out / STORE_NAME, store_dir / STORE_NAME)
    with Store(store_dir) as store:
        rows = [("sentence", f"unpc/{i}", "UNv1.0", "", "1-1", 1.0, "auto", zh, en)
                for i, (zh, en) in enumerate(unpc_pairs())]
        store.replace_units("unpc", "UNv1.0", "unpc-v1", rows, segmented)
    return store_dir


if __name__ == "__main__":
    print(make(Path(sys.argv[1]), Path(sys.argv[2])))
