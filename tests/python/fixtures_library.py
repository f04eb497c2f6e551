"""Shared fixtures of the library part: real beets libraries from tests/fixtures/samplelib.

``sample_library``          300 varied items (multi-artist, CJK/Cyrillic, versions, Spotify
                            ids, files outside the music dir, non-UTF-8 paths), once a session
``sample_library_factory``  ``factory(items=..., seed=..., audio=..., odd_paths=...)``: any
                            other size, built once per session per parameter set
``beets_defaults``          beets' global config reset to its defaults (no user config)
``spotify_track(plain)``    a short track dict as the Spotify track object the matcher reads

The libraries are built by running the generator in a subprocess (so beets' global state in
the test process is untouched). Read their manifest with ``lib.load_items()``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.samplelib import SampleLibrary

GENERATOR = Path(__file__).resolve().parents[1] / "fixtures" / "samplelib.py"

SampleLibraryFactory = Callable[..., SampleLibrary]


def build_sample_library(
    out: Path, items: int, seed: int = 1, audio: bool = False, odd_paths: bool = False
) -> SampleLibrary:
    """Runs the generator CLI (with this interpreter) into ``out``."""
    command = [sys.executable, str(GENERATOR), "--items", str(items), "--seed", str(seed)]
    command += ["--out", str(out), "--quiet"]
    if audio:
        command.append("--audio")
    if odd_paths:
        command.append("--odd-paths")
    subprocess.run(command, check=True, timeout=600)
    return SampleLibrary(out, items, seed, audio)


@pytest.fixture(scope="session")
def sample_library_factory(
    tmp_path_factory: pytest.TempPathFactory,
) -> SampleLibraryFactory:
    built: dict[tuple[int, int, bool, bool], SampleLibrary] = {}

    def factory(
        items: int = 300, seed: int = 1, audio: bool = False, odd_paths: bool = False
    ) -> SampleLibrary:
        key = (items, seed, audio, odd_paths)
        if key not in built:
            out = tmp_path_factory.mktemp(f"samplelib-{items}-{seed}")
            built[key] = build_sample_library(out / "lib", items, seed, audio, odd_paths)
        return built[key]

    return factory


@pytest.fixture(scope="session")
def sample_library(sample_library_factory: SampleLibraryFactory) -> SampleLibrary:
    return sample_library_factory(items=300, seed=3, odd_paths=True)


@pytest.fixture
def beets_defaults() -> Iterator[None]:
    import beets

    beets.config.clear()
    beets.config.read(user=False, defaults=True)
    yield
    beets.config.clear()
    beets.config.read(user=False, defaults=True)


def spotify_track(plain: dict[str, Any]) -> dict[str, Any]:
    """A track written the short way ({id, name, artists: [str], album or album_name, isrc,
    duration_ms}) as the Spotify Web API track object the matcher reads."""
    track: dict[str, Any] = {
        "id": plain.get("id", ""),
        "name": plain.get("name", ""),
        "artists": [{"name": name} for name in plain.get("artists", [])],
        "album": {"name": plain.get("album") or plain.get("album_name", "")},
        "external_ids": {"isrc": plain.get("isrc", "")},
    }
    if "duration_ms" in plain:
        track["duration_ms"] = plain["duration_ms"]
    return track
