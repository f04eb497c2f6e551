"""Set-up for timing `beet spotify-releases` as a whole process (real `beet`).

Starts the emulator with followed artists whose discographies hold releases of the
samplelib library's own albums (which the listing must recognise and leave out: some
renamed "(Deluxe Edition)") and new ones, writes a beets config pointing at the
500,000-item samplelib library and a login, syncs every artist once, and prints the
commands to time; the emulator keeps serving until Ctrl-C.

    .venv/bin/python benchmarks/releases_bench.py --out /tmp/releases-bench
    BEETSDIR=/tmp/releases-bench/beets /usr/bin/time -v beet spotify-releases --no-sync --json
"""

from __future__ import annotations

import argparse
import random
import signal
import sqlite3
import subprocess
from pathlib import Path

from beets_home import BEET, write_config

from tests.emulator import Emulator, Library, releases
from tests.fixtures.samplelib import cached_library
from tests.python.fixtures_client import write_token_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--items", type=int, default=500_000)
    parser.add_argument("--artists", type=int, default=200)
    parser.add_argument("--per-artist", type=int, default=50, help="releases per artist")
    args = parser.parse_args()

    sample = cached_library(items=args.items)
    db = sqlite3.connect(f"file:{Path(sample.directory) / 'library.db'}?mode=ro", uri=True)
    albums: dict[str, list[str]] = {}
    for artist, album in db.execute(
        "SELECT albumartist, album FROM albums WHERE albumartist != '' ORDER BY id"
    ):
        albums.setdefault(artist, []).append(album)
    rng = random.Random(1)
    chosen = rng.sample(sorted(albums), min(args.artists, len(albums)))

    library = Library.generate(seed=1, playlists=10, entries=400, liked=100, albums=10, artists=5)
    library.followed_artists = []
    owned = 0
    for name in chosen:
        artist = releases.add_artist(library, name)
        for i, album in enumerate(albums[name][: args.per_artist // 2]):
            title = f"{album} (Deluxe Edition)" if i % 3 == 0 else album
            releases.add_release(library, artist, title, "album", f"20{i % 25:02d}-01-01", 1)
            owned += 1
        missing = args.per_artist - min(len(albums[name]), args.per_artist // 2)
        releases.add_discography(library, artist, missing, seed=7)

    emulator = Emulator(library, rate_limit=0).start()
    out: Path = args.out
    home, state = out / "beets", out / "state"
    home.mkdir(parents=True, exist_ok=True)
    write_token_file(state, emulator.issue_token())

    def configure(per_run: int) -> None:
        write_config(
            home,
            emulator,
            sample,
            state,
            [f"release_artists_per_run: {per_run}", 'release_check_interval: "0s"'],
        )

    env = {"BEETSDIR": str(home), "PATH": "/usr/bin:/bin"}
    configure(len(chosen))  # the first run syncs every artist
    subprocess.run(
        [str(BEET), "spotify-extract", "--no-progress"], env=env, check=True, capture_output=True
    )
    configure(10)  # then the default: 10 artists per run
    print(f"{len(chosen)} artists, {owned} releases of library albums; BEETSDIR={home}")
    print("ready", flush=True)
    signal.sigwait({signal.SIGINT, signal.SIGTERM})
    emulator.stop()


if __name__ == "__main__":
    main()
