"""`make bench`: runs every benchmarks/*_bench.py, one after another, with this Python.

Add a benchmark by adding a file named *_bench.py here; it runs with no arguments and
prints its own table. The native Google Benchmark programs are built into build/bench
first by `make bench`; the drivers run them.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    wanted = set(argv)  # optional: names (without .py) to run only those
    drivers = sorted(p for p in HERE.glob("*_bench.py") if not wanted or p.stem in wanted)
    if not drivers:
        print("no benchmarks/*_bench.py to run", file=sys.stderr)
        return 1
    failed = []
    for driver in drivers:
        print(f"=== {driver.name}", flush=True)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(driver)], cwd=HERE.parent, check=False)
        print(f"=== {driver.name}: exit {result.returncode}, {time.perf_counter() - started:.0f} s")
        if result.returncode != 0:
            failed.append(driver.name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"{len(drivers)} benchmark(s) ran")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
