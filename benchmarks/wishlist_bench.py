"""Wishlist benchmarks: download overhead per track, beets import per file, hook matching.

Run from the repo with the venv: `.venv/bin/python benchmarks/wishlist_bench.py`.
Uses the stand-in spotDL (tests/spotdl_standin), a real beets library in a temp dir
and the real state database. Prints one line per measurement.
"""

from __future__ import annotations

import os
import shlex
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))

import beets  # noqa: E402
import beets.plugins  # noqa: E402
from beets.library import Item, Library  # noqa: E402
from spotify_extract import importer  # noqa: E402
from spotify_extract.download_runner import DownloadRunner  # noqa: E402
from spotify_extract.downloaders import DownloadJob, SpotDL  # noqa: E402

STANDIN = ROOT / "tests" / "spotdl_standin" / "spotdl"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def track_id(n: int) -> str:
    digits = []
    for _ in range(22):
        n, r = divmod(n, 62)
        digits.append(BASE62[r])
    return "".join(reversed(digits))


def setup_beets(root: Path) -> Library:
    root.mkdir(parents=True, exist_ok=True)
    os.environ["BEETSDIR"] = str(root)
    beets.config.clear()
    beets.config.read(user=False, defaults=True)
    beets.config["directory"] = str(root / "music")
    beets.config["plugins"] = ["spotifyextract"]
    beets.config["threaded"] = False
    beets.plugins.load_plugins()
    return Library(str(root / "library.db"), str(root / "music"))


def bench_download_and_import(root: Path, count: int, parallel: int) -> None:
    import json

    tracks = {
        track_id(i + 1): {"title": f"Title {i}", "artist": f"Artist {i % 40}", "album": f"A{i}"}
        for i in range(count)
    }
    meta = root / "tracks.json"
    meta.write_text(json.dumps(tracks))
    env = {**os.environ, "SPOTDL_STANDIN_TRACKS": str(meta)}
    command = f"{shlex.quote(sys.executable)} {shlex.quote(str(STANDIN))}"
    runner = DownloadRunner(SpotDL(command), root / "dl", parallel=parallel, env=env)
    started = time.perf_counter()
    results = runner.run([DownloadJob(t, t) for t in tracks])
    elapsed = time.perf_counter() - started
    assert all(r.ok for r in results)
    print(
        f"download: {count} tracks, parallel {parallel}: {elapsed:.2f} s "
        f"({elapsed / count * 1000:.0f} ms per track, stand-in spotDL incl. ffmpeg)"
    )
    lib = setup_beets(root / "beets")
    requests = [importer.ImportRequest(r.file, r.job.track_id) for r in results if r.file]
    started = time.perf_counter()
    report = importer.import_downloads(lib, requests, importer.ImportOptions(singletons=True))
    elapsed = time.perf_counter() - started
    assert len(report.imported) == count, report.not_imported
    print(
        f"import: {count} files, quiet singletons, copy: {elapsed:.2f} s "
        f"({elapsed / count * 1000:.0f} ms per file incl. the check of every file)"
    )


SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "ze", "da", "fu", "gi", "ho"]


def word(n: int) -> str:
    """A made-up word per number: names share no words by accident (as real ones rarely
    do), so the benchmark measures matching, not one giant candidate list."""
    letters = []
    for _ in range(4):
        n, r = divmod(n, len(SYLLABLES))
        letters.append(SYLLABLES[r])
    return "".join(letters).capitalize()


def bench_matching(entries: int, items: int) -> None:
    """The import hook's one native call: `items` new beets items against `entries` open
    wishlist entries (a real library.db and state database)."""
    import sqlite3

    from fixtures_wishlist import BeetsEnv, seed_wishlist
    from spotify_extract import _native

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        lib = setup_beets(root / "beets")
        env = BeetsEnv(root / "beets", lib)
        wanted = [
            {
                "id": track_id(i),
                "artist": f"{word(i % 997 + 50_000)} {word(i % 991 + 9_000)}",
                "title": f"{word(i)} {word(i * 7 + 3)}",
                "album": word(i % 5000 + 20_000),
                "isrc": f"USRC1{i:07d}" if i % 2 else "",
                "duration_ms": 180_000 + (i % 60) * 1000,
            }
            for i in range(entries)
        ]
        seed_wishlist(env, {"Bench": wanted})
        # Every tenth entry arrives; half of those with a remaster tag in the title, which
        # an exact pass on names cannot pair; the other new items are strangers.
        ids = []
        expected = 0
        with lib.transaction():
            for n in range(items):
                i = n * 10
                title = f"{word(i)} {word(i * 7 + 3)}"
                if n % 2:
                    title += " - Remastered 2011"
                if n % 3 == 2:
                    title = f"{word(i + 1_000_000)} {word(i + 2_000_000)}"  # not on the wishlist
                else:
                    expected += 1
                item = Item(
                    artist=f"{word(i % 997 + 50_000)} {word(i % 991 + 9_000)}",
                    title=title,
                    album=word(i % 5000 + 20_000),
                    length=180.0 + (i % 60),
                    isrc="",
                    path=f"/bench/{n}.mp3".encode(),
                )
                ids.append(lib.add(item))
        state = env.state_dir / "spotify_extract.db"
        samples = []
        closed = 0
        for run in range(5):
            copy = root / f"state-{run}.db"  # each run closes entries: start from a copy
            with sqlite3.connect(state) as source, sqlite3.connect(copy) as target:
                source.backup(target)
            store = _native.StateStore(str(copy))
            started = time.perf_counter()
            result = _native.resolve_imported_items(
                store, lib.path, lib.directory, _native.MatchOptions(), ids
            )
            samples.append(time.perf_counter() - started)
            closed = len(result.closed)
        lib._close()
    print(
        f"hook (resolve_imported_items): {items} new items vs {entries} entries: "
        f"{statistics.median(samples) * 1000:.1f} ms median of 5, {closed} of {expected} found"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        bench_download_and_import(Path(tmp), 24, 3)
    bench_matching(10_000, 12)  # an album arrives
    bench_matching(10_000, 1_000)
    bench_matching(50_000, 5_000)


if __name__ == "__main__":
    main()
