"""pytest fixtures for the native Spotify client (native/spotify) against the emulator.

- ``client_for(emulator, **settings)``: writes a fresh login (token file, mode 0600) into a
  tmp state_dir and returns ``(client, config, log_lines)``; ``settings`` go onto the
  native ``SpotifyConfig`` (e.g. ``base_backoff=0.01``, ``ca_file=...``).
- ``write_token_file(state_dir, token)``: a login as the client stores it (also used by
  fixtures_pipeline and benchmarks).
- ``fetch_into_store(emulator, **settings)``: the extraction pipeline's fetch of the
  whole library (against an empty beets library, nothing mirrored) into a fresh state
  database; returns ``(store, result, config, log_lines)``.
- ``minimum_requests(library, mode)``: the fewest API requests that can fetch a whole
  library of that shape (what the client must hit exactly).
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from spotify_extract import _native

from tests.emulator import Emulator, Library


def write_token_file(state_dir: Path, token: dict[str, Any]) -> Path:
    """A login as the client part stores it (mode 0600); the one helper every test uses."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "spotify_extract_token.json"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(
            {
                "access_token": token["access_token"],
                "refresh_token": token["refresh_token"],
                "token_type": "Bearer",
                "scope": token.get("scope", ""),
                "expires_at": int(time.time()) + int(token.get("expires_in", 3600)),
            },
            out,
        )
    return path


def beets_home(tmp_path: Path, emu: Emulator, extra: str = "") -> tuple[Path, Path]:
    """A BEETSDIR whose config points the plugin at `emu` (login on a free loopback port),
    with `extra` appended to the plugin's section; returns (home, state_dir)."""
    home = tmp_path / "beets"
    state = tmp_path / "state"
    home.mkdir(parents=True)
    (home / "config.yaml").write_text(
        "plugins: spotifyextract\n"
        f"library: {tmp_path / 'library.db'}\n"
        f"directory: {tmp_path / 'music'}\n"
        "spotifyextract:\n"
        f"  client_id: {emu.client_id}\n"
        f"  api_url: {emu.api_url}\n"
        f"  auth_url: {emu.auth_url}\n"
        f"  state_dir: {state}\n"
        "  redirect_port: 0\n" + extra
    )
    return home, state


def native_config(emu: Emulator, state_dir: Path, **settings: Any) -> _native.SpotifyConfig:
    config = _native.SpotifyConfig()
    config.client_id = emu.client_id
    config.api_url = emu.api_url
    config.auth_url = emu.auth_url
    config.state_dir = str(state_dir)
    config.base_backoff = 0.01  # fast retries in tests
    for key, value in settings.items():
        setattr(config, key, value)
    return config


@pytest.fixture
def client_for(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[..., tuple[Any, _native.SpotifyConfig, list[str]]]:
    def make(emu: Emulator, token: dict[str, Any] | None = None, **settings: Any):
        state_dir = tmp_path_factory.mktemp("state")
        write_token_file(state_dir, token or emu.issue_token())
        config = native_config(emu, state_dir, **settings)
        lines: list[str] = []
        client = _native.SpotifyClient(config, lambda level, message: lines.append(message))
        return client, config, lines

    return make


@pytest.fixture
def fetch_into_store(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[..., tuple[Any, Any, _native.SpotifyConfig, list[str]]]:
    from beets.library import Library as BeetsLibrary

    def fetch(
        emu: Emulator,
        token: dict[str, Any] | None = None,
        audio_features: bool = True,
        **settings: Any,
    ):
        state_dir = tmp_path_factory.mktemp("state")
        write_token_file(state_dir, token or emu.issue_token())
        config = native_config(emu, state_dir, **settings)
        library_db = state_dir / "library.db"
        BeetsLibrary(str(library_db), directory=str(state_dir / "music"))._close()
        options = _native.PipelineOptions()
        options.library_db = library_db
        options.music_dir = state_dir / "music"
        options.audio_features = audio_features
        options.mirror = False
        options.accept_library_size = True  # the fetch alone: an empty beets library
        store = _native.StateStore(state_dir / "spotify_extract.db")
        lines: list[str] = []
        pipeline = _native.Pipeline(store, config, options, lambda level, text: lines.append(text))
        result = pipeline.run()
        assert result.status == "complete", result.error
        return store, result, config, lines

    return fetch


def pages(count: int, size: int = 50) -> int:
    return max(1, math.ceil(count / size))


def minimum_requests(library: Library, mode: str, audio_features: bool = True) -> int:
    """/me + playlist list + each playlist's pages (one 403/404 for those that cannot be
    read, none for empty ones) + Liked Songs + saved albums + followed artists + audio
    features (one refused request in development mode, batches of 100 otherwise)."""
    me = library.me.id
    total = 1 + pages(len(library.playlists))
    track_ids: set[str] = set()
    for playlist in library.playlists:
        if not playlist.entries:
            continue
        readable = mode == "extended" or playlist.owner_id == me or playlist.collaborative
        if readable:
            total += pages(len(playlist.entries))
            track_ids.update(e.id for e in playlist.entries if e.kind == "track" and e.id)
        else:
            total += 1
    total += pages(len(library.liked)) + pages(len(library.saved_albums))
    total += pages(len(library.followed_artists))
    track_ids.update(track_id for _, track_id in library.liked)
    if audio_features:
        total += 1 if mode == "development" else pages(len(track_ids), 100)
    return total
