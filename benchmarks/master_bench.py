"""`beet spotify-master` dry run on a sizeable account (issue 14).

Builds (the beets library cached in benchmarks/data/) a beets library of --items items
and, from it, a Spotify account of --playlists playlists / --entries entries / --liked
Liked Songs in the emulator; fetches it once with the real `beet spotify-extract`, then
times the real `beet spotify-master --liked` (the dry run: statistics, JSON report, CSV
preview; no request to Spotify) --runs times, each as a subprocess, with /usr/bin/time -v
style figures from the OS (wall, user + system CPU, peak RSS).

    .venv/bin/python benchmarks/master_bench.py [--items 20000] [--entries 50000]
        [--playlists 100] [--liked 8000] [--runs 5] [--keep DIR]

With --keep the world stays in DIR (config in DIR/beets) for timing it with other tools:
`BEETSDIR=DIR/beets .venv/bin/beet spotify-master --liked`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from beets_home import BEET, logged_in_home

from tests.emulator import Emulator, Library
from tests.fixtures.samplelib import cached_library


def build(root: Path, args: argparse.Namespace) -> tuple[Emulator, dict[str, str]]:
    sample = cached_library(args.items)
    items = Library.read_items(sample.directory)
    library = Library.from_items(
        items,
        seed=3,
        playlists=args.playlists,
        entries=args.entries,
        liked=args.liked,
        albums=20,
        artists=20,
    )
    emulator = Emulator(library, mode="extended", rate_limit=0).start()
    home = logged_in_home(
        root, emulator, sample, [f"playlist_dir: {root / 'playlists'}", "audio_features: no"]
    )
    env = {**os.environ, "BEETSDIR": str(home)}
    fetched = subprocess.run(
        [str(BEET), "spotify-extract", "--no-progress"], env=env, capture_output=True, text=True
    )
    if fetched.returncode != 0:
        raise SystemExit(f"spotify-extract failed: {fetched.stderr.strip()}")
    return emulator, env


def timed(env: dict[str, str]) -> tuple[float, float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    done = subprocess.run(
        [str(BEET), "spotify-master", "--liked"], env=env, capture_output=True, text=True
    )
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"spotify-master failed: {done.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--playlists", type=int, default=100)
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--liked", type=int, default=8_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="build the world here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="master-bench-") as tmp:
        root = args.keep or Path(tmp)
        emulator, env = build(root, args)
        try:
            emulator.reset_log()
            runs = [timed(env) for _ in range(args.runs)]
            requests = emulator.counters()["api_requests"]
        finally:
            if args.keep is None:
                emulator.stop()
        walls = [r[0] for r in runs]
        cpus = [r[1] for r in runs]
        print(
            f"spotify-master --liked dry run, {args.entries:,} entries in {args.playlists} "
            f"playlists + {args.liked:,} liked, {args.runs} runs: wall median "
            f"{statistics.median(walls):.2f} s (min {min(walls):.2f}, max {max(walls):.2f}), "
            f"CPU median {statistics.median(cpus):.2f} s, "
            f"peak RSS {max(r[2] for r in runs):.0f} MB, requests to Spotify {requests}"
        )
        if args.keep is not None:
            print(f"kept in {root} (the dry run asks Spotify nothing: no emulator needed)")


if __name__ == "__main__":
    main()
