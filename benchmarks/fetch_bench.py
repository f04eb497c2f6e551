"""Fetch benchmark: the native client vs spotipy on the same emulated library.

The emulator (tests/emulator) runs as a separate process serving the 18,000-entry
library (60 playlists, 5,000 Liked Songs, 250 saved albums, 120 followed artists) with
100 ms added to every request. Both clients fetch the whole library — profile, playlists,
every readable playlist's items, Liked Songs, saved albums, followed artists, audio
features — from the same emulator in the same run:

- ours: the extraction pipeline's fetch phases (`_native.Pipeline` into a fresh state
  database, against an empty beets library, nothing mirrored), the client parallel within
  its in-flight bound, paced by its token bucket + rolling-window cap, default settings
  unless noted;
- spotipy: the obvious sequential loop with spotipy's own paging calls at limit=50.

Two scenarios: the emulator's default rate limit (180 requests per rolling 30 s, like
Spotify's unpublished window) and no server limit (pure latency). Run:

    .venv/bin/python benchmarks/fetch_bench.py [--quick] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from spotify_extract import _native  # noqa: E402


class EmulatorProcess:
    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.emulator", "--port", "0", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        self.base = self.proc.stdout.readline().split()[0]
        self.info = json.loads(self.proc.stdout.readline())

    def admin(self, action: str, **args: Any) -> Any:
        request = urllib.request.Request(
            f"{self.base}/_admin/{action}",
            data=json.dumps(args).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request) as answer:
            return json.load(answer)["result"]

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def run_ours(emu: EmulatorProcess, **settings: Any) -> dict[str, Any]:
    from beets.library import Library as BeetsLibrary

    token = emu.admin("token")
    with tempfile.TemporaryDirectory() as state:
        path = Path(state) / "spotify_extract_token.json"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(
                {
                    "access_token": token["access_token"],
                    "refresh_token": token["refresh_token"],
                    "expires_at": int(time.time()) + 3600,
                },
                out,
            )
        config = _native.SpotifyConfig()
        config.client_id = emu.info["client_id"]
        config.api_url = emu.info["api_url"]
        config.auth_url = emu.info["auth_url"]
        config.state_dir = state
        for key, value in settings.items():
            setattr(config, key, value)
        library_db = Path(state) / "library.db"
        BeetsLibrary(str(library_db), directory=str(Path(state) / "music"))._close()
        options = _native.PipelineOptions()
        options.library_db = library_db
        options.music_dir = Path(state) / "music"
        options.mirror = False
        store = _native.StateStore(Path(state) / "spotify_extract.db")
        pipeline = _native.Pipeline(store, config, options)
        emu.admin("reset")
        started = time.perf_counter()
        result = pipeline.run()
        elapsed = time.perf_counter() - started
        del pipeline, store
    if result.status != "complete":
        raise SystemExit(f"the pipeline failed: {result.error}")
    return {
        "seconds": elapsed,
        "entries": result.summary.playlist_entries,
        "liked": result.summary.liked,
    }


def run_spotipy(emu: EmulatorProcess) -> dict[str, Any]:
    import spotipy

    logging.getLogger("spotipy").setLevel(logging.CRITICAL)  # it logs every 403/404
    token = emu.admin("token")["access_token"]
    sp = spotipy.Spotify(auth=token, requests_timeout=30)
    sp.prefix = emu.info["api_url"] + "/"
    emu.admin("reset")
    started = time.perf_counter()
    error = None
    entries = liked = 0
    try:
        sp.current_user()
        playlists = []
        page = sp.current_user_playlists(limit=50)
        while page:
            playlists += page["items"]
            page = sp.next(page) if page.get("next") else None
        track_ids: list[str] = []
        for playlist in playlists:
            try:
                page = sp.playlist_items(
                    playlist["id"], limit=50, additional_types=("track", "episode")
                )
            except spotipy.SpotifyException as failure:
                if failure.http_status in (403, 404):
                    continue
                raise
            while page:
                for item in page["items"]:
                    entries += 1
                    track = (item or {}).get("item") or (item or {}).get("track")
                    if track and track.get("id") and track.get("type") == "track":
                        track_ids.append(track["id"])
                page = sp.next(page) if page.get("next") else None
        page = sp.current_user_saved_tracks(limit=50)
        while page:
            liked += len(page["items"])
            track_ids += [i["track"]["id"] for i in page["items"] if i.get("track")]
            page = sp.next(page) if page.get("next") else None
        page = sp.current_user_saved_albums(limit=50)
        while page:
            page = sp.next(page) if page.get("next") else None
        after = None
        while True:
            artists = sp.current_user_followed_artists(limit=50, after=after)["artists"]
            after = (artists.get("cursors") or {}).get("after")
            if not artists.get("next") or not after:
                break
        unique = list(dict.fromkeys(track_ids))
        for start in range(0, len(unique), 100):
            try:
                sp.audio_features(unique[start : start + 100])
            except spotipy.SpotifyException as failure:
                if failure.http_status == 403:
                    break
                raise
    except Exception as failure:  # report, do not hide: spotipy gives up on 429 storms
        error = f"{type(failure).__name__}: {str(failure).splitlines()[0][:160]}"
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "entries": entries, "liked": liked, "error": error}


def scenario(name: str, emulator_args: list[str], ours_settings: dict[str, Any]) -> dict[str, Any]:
    emu = EmulatorProcess(*emulator_args)
    try:
        ours = run_ours(emu, **ours_settings)
        ours_counters = emu.admin("counters")
        theirs = run_spotipy(emu)
        theirs_counters = emu.admin("counters")
    finally:
        emu.stop()
    result = {
        "scenario": name,
        "emulator": " ".join(emulator_args),
        "ours": {
            **ours,
            "requests": ours_counters["api_requests"],
            "rate_limited": ours_counters["rate_limited"],
            "max_inflight": ours_counters["max_inflight"],
            "settings": ours_settings,
        },
        "spotipy": {
            **theirs,
            "requests": theirs_counters["api_requests"],
            "rate_limited": theirs_counters["rate_limited"],
        },
    }
    result["speedup"] = theirs["seconds"] / ours["seconds"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smaller library (smoke run)")
    parser.add_argument("--json", help="write the results here too")
    args = parser.parse_args()
    library = ["--seed", "1", "--mode", "development", "--latency-ms", "100"]
    if args.quick:
        library += ["--playlists", "10", "--entries", "1500", "--liked", "400"]
    results = [
        scenario("no server rate limit", [*library, "--rate-limit", "0"], {"window_requests": 0}),
        scenario("emulator default limit (180 / 30 s)", library, {}),
    ]
    for r in results:
        o, s = r["ours"], r["spotipy"]
        print(f"\n== {r['scenario']} ({r['emulator']})")
        print(
            f"ours:    {o['seconds']:7.1f} s  {o['requests']:5d} requests  "
            f"{o['rate_limited']:3d} x 429  ({o['entries']} entries, {o['liked']} liked, "
            f"max {o['max_inflight']} in flight, settings {o['settings'] or 'default'})"
        )
        print(
            f"spotipy: {s['seconds']:7.1f} s  {s['requests']:5d} requests  "
            f"{s['rate_limited']:3d} x 429  ({s['entries']} entries, {s['liked']} liked)"
            + (f"  FAILED: {s['error']}" if s["error"] else "")
        )
        print(f"speed-up: {r['speedup']:.1f}x")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
