"""Benchmark of `beet spotify-extract`: a full first run and a no-change rerun.

The 18,000-entry Spotify library (60 playlists, 5,000 Liked Songs, 250 saved albums, 120
followed artists) built from a 20,000-item beets sample library (so ~70% of the tracks
match), served by the emulator with 100 ms latency per request, development mode.
Measures wall time, the requests the emulator saw and the peak RSS of the `beet`
process (getrusage of the child). The real CLI runs, as a person would run it.

    .venv/bin/python benchmarks/pipeline_bench.py [--items 20000] [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from beets_home import BEET, logged_in_home

from tests.emulator import Emulator, Library
from tests.fixtures.samplelib import cached_library


def run_beet(home: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB of that process, stdout) of one `beet spotify-extract`."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(
            [str(BEET), "spotify-extract", "--no-progress"],
            env={**os.environ, "BEETSDIR": str(home)},
            stdout=out,
            stderr=err,
            text=True,
        )
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode != 0:
        raise SystemExit(stdout + stderr)
    return wall, usage.ru_maxrss / 1024.0, stdout


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--entries", type=int, default=18000)
    parser.add_argument("--playlists", type=int, default=60)
    parser.add_argument("--liked", type=int, default=5000)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    parser.add_argument("--mode", default="development")
    parser.add_argument("--json", help="also write the numbers here")
    args = parser.parse_args()

    sample = cached_library(items=args.items)
    items = Library.read_items(sample.directory)
    library = Library.from_items(
        items,
        seed=5,
        playlists=args.playlists,
        entries=args.entries,
        liked=args.liked,
        albums=250,
        artists=120,
    )
    results: dict[str, object] = {
        "beets_items": args.items,
        "spotify": library.summary(),
        "latency_ms": args.latency_ms,
        "mode": args.mode,
    }
    with (
        tempfile.TemporaryDirectory() as tmp,
        Emulator(library, mode=args.mode, latency_ms=args.latency_ms) as emulator,
    ):
        home = logged_in_home(
            Path(tmp), emulator, sample, [f"playlist_dir: {Path(tmp) / 'playlists'}"]
        )
        for name in ("first_run", "no_change_rerun"):
            emulator.reset_log()
            wall, rss, out = run_beet(home)
            counters = emulator.counters()
            results[name] = {
                "wall_s": round(wall, 2),
                "requests": emulator.count(),
                "rate_limited": counters.get("rate_limited", 0),
                "peak_rss_mib": round(rss, 1),
            }
            print(f"{name}: {results[name]}", flush=True)
            if name == "first_run":
                print(out)
        results["minimum_requests"] = library.minimum_requests(args.mode)["total"]
    print(json.dumps(results, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
