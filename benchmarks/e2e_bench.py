"""End to end at 500k items: the real `beet spotify-extract` as a person runs it (issue 13).

Builds (once, cached in benchmarks/data/) a 500,000-item beets library and, from it, a
50,000-entry Spotify library of 100 playlists (about 70 % of the tracks in the beets
library, the rest missing, a few Spotify-only live versions that must not match). That
library is written three ways and each is run twice (a first run, then a rerun with
nothing changed), each time as a `beet` subprocess with a fresh state folder:

- `exportify`: 100 Exportify CSV files, `beet spotify-extract --from-export DIR`;
- `account_data`: Spotify's "Download your data" `Playlist1.json`, the same way;
- `api`: the emulator (extended mode, no latency, no rate limit), logged in.

Reported per run: wall time, CPU time (user + system) of the process, its peak RSS, the
bytes it wrote (`/proc/<pid>/io`: `wchar` is what write(2)/pwrite(2) were handed,
`write_bytes` what reached the block layer) and the state database's size at the end.

    .venv/bin/python benchmarks/e2e_bench.py [--items 500000] [--entries 50000]
        [--inputs exportify,account_data,api] [--json FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from multiprocessing.pool import Pool
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.emulator import Emulator, Library  # noqa: E402
from tests.fixtures.samplelib import cached_library  # noqa: E402
from tests.python.fixtures_client import write_token_file  # noqa: E402

BEET = Path(sys.executable).with_name("beet")
INPUTS = ("exportify", "account_data", "api")
STATE_DATABASE = "spotify_extract.db"


@dataclass
class Measurement:
    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    wchar_mb: float
    write_bytes_mb: float
    state_db_mb: float
    exit_status: int


def _proc_io(pid: int) -> dict[str, int]:
    with open(f"/proc/{pid}/io") as io:
        return {key: int(value) for key, value in (line.split(": ") for line in io)}


def run_beet(home: Path, args: list[str], state: Path) -> tuple[Measurement, str]:
    """One `beet` run: its numbers and its output (stdout + stderr)."""
    with tempfile.TemporaryFile("w+") as out:
        started = time.perf_counter()
        process = subprocess.Popen(
            [str(BEET), *args],
            env={**os.environ, "BEETSDIR": str(home)},
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        # Wait without reaping, so that the exited process's I/O counters can still be read.
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
        wall = time.perf_counter() - started
        io = _proc_io(process.pid)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        output = out.read()
    state_bytes = sum(
        path.stat().st_size for path in state.glob(f"{STATE_DATABASE}*") if path.is_file()
    )
    measurement = Measurement(
        wall_s=round(wall, 2),
        cpu_s=round(usage.ru_utime + usage.ru_stime, 2),
        peak_rss_mb=round(usage.ru_maxrss / 1024.0, 1),
        wchar_mb=round(io["wchar"] / 1e6, 1),
        write_bytes_mb=round(io["write_bytes"] / 1e6, 1),
        state_db_mb=round(state_bytes / 1e6, 1),
        exit_status=process.returncode,
    )
    return measurement, output


def spotify_library(items: list[dict], entries: int, playlists: int) -> Library:
    return Library.from_items(
        items, seed=13, playlists=playlists, entries=entries, liked=0, albums=0, artists=0
    )


def _artists(spotify: Library, track) -> list[str]:
    return [spotify.artists[artist_id].name for artist_id in track.artist_ids]


def readable_playlists(spotify: Library) -> list:
    """The playlists whose entries a logged-in person could export (their own)."""
    return [p for p in spotify.playlists if p.entries]


def write_exportify(spotify: Library, folder: Path) -> int:
    """One Exportify CSV per playlist; returns the number of track entries written."""
    folder.mkdir(parents=True)
    header = [
        "Track URI",
        "Track Name",
        "Artist Name(s)",
        "Album Name",
        "Album Artist Name(s)",
        "ISRC",
        "Track Duration (ms)",
        "Added At",
    ]
    written = 0
    for index, playlist in enumerate(readable_playlists(spotify)):
        with (folder / f"playlist_{index:03d}.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(header)
            for entry in playlist.entries:
                if entry.kind != "track":
                    continue
                track = spotify.tracks[entry.id]
                album = spotify.albums[track.album_id]
                writer.writerow(
                    [
                        f"spotify:track:{track.id}",
                        track.name,
                        ", ".join(name.replace(",", "\\,") for name in _artists(spotify, track)),
                        album.name,
                        ", ".join(spotify.artists[a].name for a in album.artist_ids),
                        track.isrc or "",
                        track.duration_ms,
                        entry.added_at or "",
                    ]
                )
                written += 1
        # Exportify names the file after the playlist; the reader takes the name from it.
        (folder / f"playlist_{index:03d}.csv").rename(folder / f"{_file_stem(playlist)}.csv")
    return written


def _file_stem(playlist) -> str:
    return "".join(c if c.isalnum() or c in " -_" else "_" for c in playlist.name)[:80] + (
        f"_{playlist.id[:6]}"
    )


def write_account_data(spotify: Library, folder: Path) -> int:
    """Spotify's account-data `Playlist1.json`; returns the number of track entries."""
    folder.mkdir(parents=True)
    document: dict[str, list] = {"playlists": []}
    written = 0
    for playlist in readable_playlists(spotify):
        items = []
        for entry in playlist.entries:
            if entry.kind != "track":
                continue
            track = spotify.tracks[entry.id]
            items.append(
                {
                    "track": {
                        "trackName": track.name,
                        "artistName": (_artists(spotify, track) or [""])[0],
                        "albumName": spotify.albums[track.album_id].name,
                        "trackUri": f"spotify:track:{track.id}",
                    },
                    "episode": None,
                    "audiobook": None,
                    "localTrack": None,
                    "addedDate": (entry.added_at or "2025-01-01")[:10],
                }
            )
            written += 1
        document["playlists"].append(
            {"name": playlist.name, "lastModifiedDate": "2025-07-31", "items": items}
        )
    (folder / "Playlist1.json").write_text(json.dumps(document), encoding="utf-8")
    return written


def write_config(home: Path, sample, state: Path, playlists: Path, emulator=None) -> None:
    home.mkdir(parents=True)
    lines = [
        "plugins: spotifyextract",
        f"library: {sample.db_path}",
        f"directory: {sample.music_dir}",
        "spotifyextract:",
        f"  state_dir: {state}",
        f"  playlist_dir: {playlists}",
    ]
    if emulator is not None:
        lines += [
            f"  client_id: {emulator.client_id}",
            f"  api_url: {emulator.api_url}",
            f"  auth_url: {emulator.auth_url}",
        ]
    (home / "config.yaml").write_text("\n".join(lines) + "\n")


def bench_input(name: str, spotify: Library, sample, work: Path, runner: Pool) -> dict[str, object]:
    home, state, playlists = work / "beets", work / "state", work / "playlists"
    state.mkdir(parents=True)
    args = ["spotify-extract", "--no-progress"]
    result: dict[str, object] = {}
    emulator = None
    if name == "api":
        emulator = Emulator(spotify, mode="extended", latency_ms=0, rate_limit=0).start()
        write_token_file(state, emulator.issue_token())
    else:
        folder = work / "export"
        writer = write_exportify if name == "exportify" else write_account_data
        result["entries"] = writer(spotify, folder)
        args += ["--from-export", str(folder)]
    write_config(home, sample, state, playlists, emulator)
    try:
        for run in ("first_run", "no_change_rerun"):
            if emulator is not None:
                emulator.reset_log()
            measurement, output = runner.apply(run_beet, (home, args, state))
            if measurement.exit_status != 0:
                raise SystemExit(f"{name} {run} failed:\n{output}")
            numbers = asdict(measurement)
            if emulator is not None:
                numbers["requests"] = emulator.count()
            result[run] = numbers
            print(f"{name} {run}: {numbers}", flush=True)
            if run == "first_run":
                print("  " + "\n  ".join(output.strip().splitlines()[-8:]), flush=True)
    finally:
        if emulator is not None:
            emulator.stop()
    return result


def print_table(results: dict[str, dict]) -> None:
    print()
    print("| input | run | wall | CPU | peak RSS | wchar | write_bytes | state db |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, result in results.items():
        for run in ("first_run", "no_change_rerun"):
            m = result[run]
            print(
                f"| {name} | {run.replace('_', ' ')} | {m['wall_s']:.2f} s | {m['cpu_s']:.2f} s "
                f"| {m['peak_rss_mb']:.0f} MB | {m['wchar_mb']:.1f} MB "
                f"| {m['write_bytes_mb']:.1f} MB | {m['state_db_mb']:.1f} MB |"
            )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=500_000)
    parser.add_argument("--entries", type=int, default=50_000)
    parser.add_argument("--playlists", type=int, default=100)
    parser.add_argument("--inputs", default=",".join(INPUTS))
    parser.add_argument("--json", help="also write the numbers here")
    args = parser.parse_args()
    inputs = [name for name in args.inputs.split(",") if name]
    unknown = set(inputs) - set(INPUTS)
    if unknown:
        parser.error(f"unknown input(s): {', '.join(sorted(unknown))}")

    # `beet` is started from a small process forked before the large data below is built:
    # a child forked from this process would carry its size in ru_maxrss until exec.
    runner = multiprocessing.get_context("forkserver").Pool(1)
    started = time.perf_counter()
    sample = cached_library(items=args.items, progress=True)
    items = Library.read_items(sample.directory)
    spotify = spotify_library(items, args.entries, args.playlists)
    del items
    entries = sum(len(p.entries) for p in readable_playlists(spotify))
    print(
        f"beets library: {args.items} items; Spotify: {len(readable_playlists(spotify))} "
        f"playlists, {entries} entries (set-up {time.perf_counter() - started:.0f} s)",
        flush=True,
    )
    results: dict[str, dict] = {}
    for name in inputs:
        with tempfile.TemporaryDirectory(prefix=f"e2e-{name}-") as tmp:
            results[name] = bench_input(name, spotify, sample, Path(tmp), runner)
    runner.close()
    print_table(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
