"""Load a 500k-item beets library: the native reader against beets' own lib.items().

Every contender runs in its own fresh process (each reports its own peak RSS, VmHWM:
getrusage's ru_maxrss of a child would include this parent's RSS at fork) on the same
cached library (tests/fixtures/samplelib.py, built once under
benchmarks/data/), touching the same fields of every item:

- native C++ (build/bench/benchmarks/library_reader_bench): ReadLibrary into a vector, and
  the streaming ForEachLibraryItem;
- native via Python: spotify_extract._native.read_library, then every field read in Python;
- beets: Library(...).items(), every field read (flexible attributes with item.get).

    python benchmarks/library_bench.py [--items 500000] [--json results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.fixtures import samplelib  # noqa: E402

NATIVE_BENCH = REPO / "build" / "bench" / "benchmarks" / "library_reader_bench"
# The reader's fields (the two flexible attributes are read separately).
FIELDS = "id path title artist artists album albumartist length track disc year isrc"
FIELDS += " mb_trackid bpm initial_key mtime"

# Each child prints one JSON line: its own timings and peak RSS.
PEAK_RSS = """
def peak_rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
"""
NATIVE_PY = (
    PEAK_RSS
    + """
import json, sys, time
from spotify_extract import _native
db, music_dir, fields = sys.argv[1], sys.argv[2].encode(), sys.argv[3].split()
started = time.perf_counter()
items = _native.read_library(db, music_dir)
loaded = time.perf_counter()
touched = 0
for item in items:
    for name in fields:
        getattr(item, name)
    item.spotify_track_id, item.data_source
    touched += 1
done = time.perf_counter()
print(json.dumps({"items": touched, "load_s": loaded - started, "total_s": done - started,
                  "rss_mb": peak_rss_mb()}))
"""
)

BEETS_PY = (
    PEAK_RSS
    + """
import json, sys, time
import beets
beets.config.clear()
beets.config.read(user=False, defaults=True)
from beets.library import Library
db, music_dir, fields = sys.argv[1], sys.argv[2], sys.argv[3].split()
started = time.perf_counter()
lib = Library(db, music_dir)
touched = 0
for item in lib.items():
    for name in fields:
        item[name]
    item.get("spotify_track_id"), item.get("data_source")
    touched += 1
done = time.perf_counter()
print(json.dumps({"items": touched, "load_s": done - started, "total_s": done - started,
                  "rss_mb": peak_rss_mb()}))
"""
)


def run_child(command: list[str], env: dict[str, str] | None = None) -> str:
    """Runs one process to the end; returns its stdout."""
    result = subprocess.run(command, stdout=subprocess.PIPE, env=env, text=True, check=True)
    return result.stdout


def native_cpp(lib: samplelib.SampleLibrary, which: str) -> dict | None:
    if not NATIVE_BENCH.exists():
        return None
    env = {
        **os.environ,
        "SPOTIFY_EXTRACT_LIBRARY_DB": str(lib.db_path),
        "SPOTIFY_EXTRACT_MUSIC_DIR": str(lib.music_dir),
    }
    output = run_child(
        [str(NATIVE_BENCH), f"--benchmark_filter={which}", "--benchmark_format=json"], env
    )
    run = json.loads(output)["benchmarks"][0]
    seconds = run["real_time"] / 1000.0  # ms, mean of the iterations
    cpu = run["cpu_time"] / 1000.0
    rss = run["peak_rss_mb"]
    return {"items": int(run["items"]), "load_s": seconds, "cpu_s": cpu, "rss_mb": rss}


def python_child(script: str, lib: samplelib.SampleLibrary) -> dict:
    command = [sys.executable, "-c", script, str(lib.db_path), str(lib.music_dir)]
    return json.loads(run_child([*command, FIELDS]))


def idle_rss(module: str) -> float:
    """The interpreter plus one import, loading nothing (what each Python row starts from)."""
    script = f"{PEAK_RSS}\nimport {module}\nprint(peak_rss_mb())"
    return float(run_child([sys.executable, "-c", script]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()

    started = time.perf_counter()
    lib = samplelib.cached_library(args.items, seed=args.seed, progress=True)
    print(
        f"library: {lib.db_path} ({args.items} items, ready in "
        f"{time.perf_counter() - started:.1f} s)"
    )
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

    results: dict[str, dict | None] = {}
    results["native C++ ReadLibrary (vector)"] = native_cpp(lib, "BM_ReadLibrary")
    results["native C++ ForEachLibraryItem (stream)"] = native_cpp(lib, "BM_StreamLibrary")
    results["native via Python read_library + fields"] = python_child(NATIVE_PY, lib)
    results["beets lib.items() + fields"] = python_child(BEETS_PY, lib)
    idle = {
        "python + spotify_extract._native": idle_rss("spotify_extract._native"),
        "python + beets.library": idle_rss("beets.library"),
    }

    beets = results["beets lib.items() + fields"]
    assert beets is not None
    print()
    print("| reader | items | wall time | peak RSS | speed-up vs beets |")
    print("| --- | --- | --- | --- | --- |")
    for name, result in results.items():
        if result is None:
            print(f"| {name} | (not built: make bench builds it) | | | |")
            continue
        if result["items"] != beets["items"]:
            raise SystemExit(f"{name} read {result['items']} items, beets {beets['items']}")
        seconds = result.get("total_s", result["load_s"])
        speedup = beets["total_s"] / seconds
        print(
            f"| {name} | {result['items']} | {seconds:.2f} s | {result['rss_mb']:.0f} MB "
            f"| {speedup:.1f}x |"
        )
    print()
    for name, rss in idle.items():
        print(f"idle process ({name}): {rss:.0f} MB")
    native_py = results["native via Python read_library + fields"]
    assert native_py is not None
    print(
        f"native via Python: read_library itself {native_py['load_s']:.2f} s, reading the "
        f"fields in Python {native_py['total_s'] - native_py['load_s']:.2f} s"
    )
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "idle_rss_mb": idle}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
