"""Benchmark TMX export: units/s and peak memory at 10k and 1M units (streamed writing).

Usage: python scripts/bench_export.py [COUNT ...]   (default: 10000 1000000)
Each count runs in a fresh process so that peak RSS is that run's own.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def run_one(count: int) -> None:
    from lxml import etree

    from tm.tmx import TmUnit, read_tmx, write_tmx

    def units():
        for i in range(count):
            yield TmUnit(f"S-RES-{i // 200}-2020/s{i}-{i}_{i}-{i}", f"第 {i} 段：安全理事会决定继续积极处理此案。",
                         f"Paragraph {i}: the Security Council decides to remain actively seized of the matter.",
                         f"S/RES/{i // 200}(2020)", "operative 1", "1-1", 0.9)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.tmx"
        start = time.perf_counter()
        report = write_tmx(units(), path, segtype="sentence")
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        size = path.stat().st_size
        if count <= 20_000:  # translate-toolkit holds a whole file in memory: check the small one with it
            back = sum(1 for _ in read_tmx(path))
            how = "read back through translate-toolkit"
        else:
            back = sum(1 for _ in etree.iterparse(str(path), tag="tu"))
            how = "counted with lxml iterparse"
        print(f"{count:>9,} units: {seconds:7.2f} s, {report.units / seconds:8,.0f} units/s, "
              f"{size / 1e6:7.1f} MB, peak RSS {peak:6.0f} MB; {back:,} units {how}")


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        run_one(int(sys.argv[2]))
        return
    for count in [int(a) for a in sys.argv[1:]] or [10_000, 1_000_000]:
        subprocess.run([sys.executable, __file__, "--one", str(count)], check=True)


if __name__ == "__main__":
    main()
