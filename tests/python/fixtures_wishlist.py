"""Shared fixtures of the wishlist part: the stand-in spotDL and its track metadata."""

from __future__ import annotations

import json
import os
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

STANDIN = Path(__file__).resolve().parents[1] / "spotdl_standin" / "spotdl"


@dataclass
class Standin:
    """The stand-in spotDL: its command line, environment and the tracks it knows."""

    root: Path
    tracks: dict[str, dict] = field(default_factory=dict)

    @property
    def command(self) -> str:
        return f"{shlex.quote(sys.executable)} {shlex.quote(str(STANDIN))}"

    @property
    def tracks_file(self) -> Path:
        return self.root / "standin_tracks.json"

    @property
    def log_file(self) -> Path:
        return self.root / "standin_argv.jsonl"

    @property
    def pids_file(self) -> Path:
        return self.root / "standin_pids.txt"

    def add(self, track_id: str, title: str, artist: str, album: str = "", **extra) -> None:
        self.tracks[track_id] = {"title": title, "artist": artist, "album": album, **extra}
        self.save()

    def save(self) -> None:
        self.tracks_file.write_text(json.dumps(self.tracks))

    def env(self, mode: str = "ok") -> dict[str, str]:
        self.save()
        return {
            **os.environ,
            "SPOTDL_STANDIN_TRACKS": str(self.tracks_file),
            "SPOTDL_STANDIN_LOG": str(self.log_file),
            "SPOTDL_STANDIN_PIDS": str(self.pids_file),
            "SPOTDL_STANDIN_MODE": mode,
        }

    def install_env(self, monkeypatch: pytest.MonkeyPatch, mode: str = "ok") -> None:
        for key, value in self.env(mode).items():
            if key.startswith("SPOTDL_STANDIN_"):
                monkeypatch.setenv(key, value)

    def invocations(self) -> list[list[str]]:
        if not self.log_file.exists():
            return []
        return [json.loads(line) for line in self.log_file.read_text().splitlines()]


@pytest.fixture
def standin(tmp_path: Path) -> Standin:
    root = tmp_path / "standin"
    root.mkdir()
    return Standin(root)


@dataclass
class BeetsEnv:
    """A real beets set-up in a temp dir with the plugin loaded (in this process)."""

    root: Path
    lib: object  # beets.library.Library

    @property
    def music(self) -> Path:
        return self.root / "music"

    @property
    def state_dir(self) -> Path:
        return self.root / "state"

    @property
    def download_dir(self) -> Path:
        return self.root / "downloads"


@pytest.fixture
def beets_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import beets
    import beets.plugins
    from beets.library import Library

    root = tmp_path / "beets"
    root.mkdir()
    monkeypatch.setenv("BEETSDIR", str(root))
    monkeypatch.setenv("HOME", str(root))
    beets.config.clear()
    beets.config.read(user=False, defaults=True)
    beets.config["directory"] = str(root / "music")
    beets.config["library"] = str(root / "library.db")
    beets.config["plugins"] = ["spotifyextract"]
    beets.config["threaded"] = False
    beets.config["import"]["log"] = None
    beets.config["spotifyextract"]["state_dir"] = str(root / "state")
    beets.config["spotifyextract"]["download_dir"] = str(root / "downloads")
    beets.plugins._instances.clear()
    beets.plugins.load_plugins()
    lib = Library(str(root / "library.db"), str(root / "music"))
    try:
        yield BeetsEnv(root, lib)
    finally:
        lib._close()
        beets.plugins.BeetsPlugin.listeners.clear()
        beets.plugins.BeetsPlugin._raw_listeners.clear()
        beets.plugins._instances.clear()
        beets.config.clear()
        beets.config.read(user=False, defaults=True)


def open_state_store(env: BeetsEnv):
    from spotify_extract import _native

    env.state_dir.mkdir(parents=True, exist_ok=True)
    return _native.StateStore(str(env.state_dir / "spotify_extract.db"))


def seed_wishlist(env: BeetsEnv, playlists: dict[str, list[dict]]) -> None:
    """Store playlists and their tracks as an extract run would, then fill the wishlist.

    `playlists` maps a playlist name to its tracks: {"id", "title", "artist", "album",
    "isrc"?}. None of them is matched, so every track becomes a pending entry.
    """
    from spotify_extract import _native

    store = open_state_store(env)
    snapshot = store.begin_snapshot("api")
    page = []
    tracks: dict[str, object] = {}
    for position, (name, members) in enumerate(playlists.items()):
        playlist = _native.Playlist()
        playlist.id = f"pl{position:020d}"[:22]
        playlist.name = name
        playlist.snapshot_id = f"snap-{position}"
        playlist.owner_id = "me"
        playlist.total_entries = len(members)
        page.append(playlist)
        for member in members:
            track = _native.Track()
            track.id = member["id"]
            track.name = member["title"]
            track.artists = [_native.ArtistRef("", member["artist"])]
            track.album_name = member.get("album", "")
            track.isrc = member.get("isrc", "")
            track.duration_ms = member.get("duration_ms", 1000)
            tracks[track.id] = track
    store.upsert_tracks(list(tracks.values()))
    store.save_playlist_page(snapshot.id, page, 0, 0, len(page))
    store.finish_playlist_listing(snapshot.id)
    for playlist, members in zip(page, playlists.values(), strict=True):
        entries = []
        for member in members:
            entry = _native.PlaylistEntry()
            entry.track = tracks[member["id"]]
            entries.append(entry)
        store.replace_playlist_entries(snapshot.id, playlist.id, entries, playlist.snapshot_id)
    store.sync_wishlist(snapshot.id)
    store.finish_snapshot(snapshot.id, "complete")
