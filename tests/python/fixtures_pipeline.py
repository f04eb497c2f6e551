"""pytest fixtures for the extraction pipeline (`beet spotify-extract`) end to end.

- ``pipeline_world(mode="development", items=300, **from_items)``: a real beets sample
  library (tests/fixtures/samplelib), an emulator serving the Spotify side of it
  (``Library.from_items``: some tracks in beets, some missing, some other versions), a
  login (token file) and a beets config pointing at all of it. Returns a ``World`` whose
  ``beet(...)`` runs the real CLI in a subprocess.
- ``state_dump(db)``: the state database's content without volatile parts (times,
  snapshot ids), to compare runs ("a kill -9 then a rerun equals an uninterrupted run").
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.emulator import Emulator, Library
from tests.python.fixtures_client import write_token_file

BEET = Path(sys.executable).with_name("beet")


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class World:
    home: Path  # BEETSDIR
    state_dir: Path
    playlist_dir: Path
    library_dir: Path
    emulator: Emulator
    library: Library
    extra_config: dict[str, Any] = field(default_factory=dict)

    @property
    def state_db(self) -> Path:
        return self.state_dir / "spotify_extract.db"

    def write_config(self, **extra: Any) -> None:
        self.extra_config.update(extra)
        lines = [
            "plugins: spotifyextract",
            f"library: {self.library_dir / 'library.db'}",
            f"directory: {self.library_dir / 'music'}",
            "spotifyextract:",
            f"  client_id: {self.emulator.client_id}",
            f"  api_url: {self.emulator.api_url}",
            f"  auth_url: {self.emulator.auth_url}",
            f"  state_dir: {self.state_dir}",
            f"  playlist_dir: {self.playlist_dir}",
            "  redirect_port: 0",
        ]
        lines += [f"  {key}: {json.dumps(value)}" for key, value in self.extra_config.items()]
        (self.home / "config.yaml").write_text("\n".join(lines) + "\n")

    def env(self) -> dict[str, str]:
        return {**os.environ, "BEETSDIR": str(self.home)}

    def beet(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(BEET), "spotify-extract", "--no-progress", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [str(BEET), "spotify-extract", "--no-progress", *args],
            env=self.env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # A background job inherits SIGINT ignored; the Ctrl-C tests need it delivered.
            preexec_fn=_default_sigint,
        )

    def m3u_files(self) -> dict[str, str]:
        if not self.playlist_dir.exists():
            return {}
        return {
            p.name: p.read_text(encoding="utf-8", errors="replace")
            for p in sorted(self.playlist_dir.iterdir())
            if p.is_file() and p.suffix in (".m3u", ".m3u8")
        }


@pytest.fixture
def pipeline_world(
    tmp_path: Path,
    sample_library_factory: Callable[..., Any],
    emulator_factory: Callable[..., Emulator],
) -> Callable[..., World]:
    def make(
        mode: str = "development", items: int = 300, seed: int = 11, **from_items: Any
    ) -> World:
        sample = sample_library_factory(items=items)
        library_dir = Path(sample.directory)
        beets_items = Library.read_items(library_dir)
        shape = {"playlists": 8, "entries": 400, "liked": 150, "albums": 10, "artists": 20}
        shape.update(from_items)
        library = Library.from_items(beets_items, seed=seed, **shape)
        emulator = emulator_factory(library=library, mode=mode)
        home = tmp_path / "beets"
        home.mkdir(exist_ok=True)
        world = World(
            home=home,
            state_dir=tmp_path / "state",
            playlist_dir=tmp_path / "playlists",
            library_dir=library_dir,
            emulator=emulator,
            library=library,
        )
        write_token_file(world.state_dir, emulator.issue_token())
        world.write_config()
        return world

    return make


VOLATILE = {"updated_at", "decided_at", "written_at", "fetched_at", "added_at_store"}


def state_dump(db: Path) -> dict[str, Any]:
    """What a run leaves in the state database, without times and snapshot numbers."""
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    queries = {
        "playlists": "SELECT id, name, snapshot_id, fetched_snapshot_id, access, removed, "
        "total, position, source FROM playlists ORDER BY id",
        "entries": "SELECT playlist_id, position, kind, track_id, local_name, added_at "
        "FROM playlist_entries ORDER BY playlist_id, position",
        "tracks": "SELECT id, name, artist, album, isrc, duration_ms, liked, liked_added_at, "
        "liked_position FROM tracks ORDER BY id",
        "albums": "SELECT id, name, added_at, position FROM saved_albums ORDER BY id",
        "artists": "SELECT id, name, position FROM followed_artists ORDER BY id",
        "features": "SELECT track_id, tempo FROM audio_features ORDER BY track_id",
        "matches": "SELECT spotify_track_id, item_id, method, status, round(confidence, 6) "
        "FROM matches ORDER BY spotify_track_id",
        "wishlist": "SELECT spotify_track_id, artist, title, status FROM wishlist "
        "ORDER BY spotify_track_id",
        "mirrored": "SELECT playlist_id, content_hash FROM mirrored_files ORDER BY playlist_id",
        "staged": "SELECT COUNT(*) FROM staged_entries",
    }
    dump = {
        name: [tuple(row) for row in connection.execute(query)] for name, query in queries.items()
    }
    connection.close()
    return dump
