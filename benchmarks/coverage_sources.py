"""Sources for timing `beet spotify-coverage` on a sample library (benchmarks/README.md).

From a samplelib library (tests/fixtures/samplelib.py) it writes into OUT: an Exportify
CSV and an `Artist - Title` list of N tracks each (half taken from the library, half that
no library item is), an m3u of N/2 entries (half library paths, half files elsewhere), and
a beets config.yaml on a copy of the library (so nothing of the cached one is touched):

    python benchmarks/coverage_sources.py --library benchmarks/data/samplelib-n500000-s1-* \\
        --out /tmp/coverage-bench --tracks 2000
    cd /tmp/coverage-bench && BEETSDIR=$PWD farm-bench -- beet spotify-coverage "Big Playlist.csv"
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import string
from pathlib import Path

ID_CHARACTERS = string.ascii_letters + string.digits


def sample_items(items_file: Path, count: int, every: int = 97) -> list[dict]:
    """Every `every`-th item of the manifest until `count` (spread over the library)."""
    picked: list[dict] = []
    with items_file.open(encoding="utf-8") as lines:
        for index, line in enumerate(lines):
            if index % every == 0:
                picked.append(json.loads(line))
                if len(picked) >= count:
                    break
    return picked


def write_sources(library: Path, out: Path, tracks: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    items = sample_items(library / "items.jsonl", tracks)
    half = len(items) // 2
    wanted = []
    for index, item in enumerate(items):
        if index < half:
            wanted.append((item["artist"], item["title"], item["album"], item["length"]))
        else:  # a song no library item is
            wanted.append((f"Nobody {index}", f"Nothing {index}", "", item["length"]))
    with (out / "Big Playlist.csv").open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["Track URI", "Track Name", "Artist Name(s)", "Album Name",
                         "Track Duration (ms)"])  # fmt: skip
        for artist, title, album, length in wanted:
            track_id = "".join(rng.choice(ID_CHARACTERS) for _ in range(22))
            artist = artist.replace(",", "\\,")
            writer.writerow([f"spotify:track:{track_id}", title, artist, album, int(length * 1000)])
    with (out / "wanted.txt").open("w", encoding="utf-8") as file:
        for artist, title, _album, _length in wanted:
            file.write(f"{artist} - {title}\n")
    with (out / "mix.m3u").open("w", encoding="utf-8") as file:
        file.write("#EXTM3U\n")
        for item in items[: half // 2]:
            file.write(f"{item['path']}\n")
        for index in range(half // 2):
            file.write(f"#EXTINF:200,Nobody {index} - Nothing {index}\n/elsewhere/{index}.mp3\n")
    shutil.copyfile(library / "library.db", out / "library.db")
    (out / "config.yaml").write_text(
        f"library: {out / 'library.db'}\n"
        f"directory: {library / 'music'}\n"
        "plugins: spotifyextract\n"
        f"spotifyextract:\n  state_dir: {out / 'state'}\n",
        encoding="utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--library", type=Path, required=True, help="a samplelib folder")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tracks", type=int, default=2000)
    args = parser.parse_args()
    write_sources(args.library, args.out, args.tracks)


if __name__ == "__main__":
    main()
