"""The beets library as the native reader sees it: loading and a short summary."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from spotify_extract import _native


@dataclass(frozen=True)
class LibrarySummary:
    """What `beet spotify-extract --library-info` reports."""

    path: str
    items: int
    seconds: float
    outside_music_dir: int
    with_isrc: int
    with_spotify_id: int
    multi_artist: int
    non_utf8_paths: int

    def lines(self) -> list[str]:
        return [
            f"{self.items} items read from {self.path} in {self.seconds:.3f} s",
            f"  {self.with_isrc} with an ISRC, {self.with_spotify_id} with a Spotify id, "
            f"{self.multi_artist} with several artists",
            f"  {self.outside_music_dir} outside the music directory, "
            f"{self.non_utf8_paths} with a non-UTF-8 path",
        ]


def read_library(lib: Any, busy_timeout: float = 5.0) -> Sequence[Any]:
    """Every item of a beets ``Library`` (read-only, native): relative paths are joined
    to ``lib.directory`` exactly as beets does."""
    return _native.read_library(os.fsdecode(lib.path), lib.directory, busy_timeout)


def summarize(lib: Any) -> LibrarySummary:
    started = time.perf_counter()
    items = read_library(lib)
    seconds = time.perf_counter() - started
    music_dir = os.path.join(lib.directory, b"")
    outside = with_isrc = with_spotify = multi = odd = 0
    for item in items:
        path = item.path
        outside += not path.startswith(music_dir)
        with_isrc += bool(item.isrc)
        with_spotify += bool(item.spotify_track_id) or item.data_source.lower() == "spotify"
        multi += len(item.artists) > 1
        try:
            path.decode("utf-8")
        except UnicodeDecodeError:
            odd += 1
    return LibrarySummary(
        path=os.fsdecode(lib.path),
        items=len(items),
        seconds=seconds,
        outside_music_dir=outside,
        with_isrc=with_isrc,
        with_spotify_id=with_spotify,
        multi_artist=multi,
        non_utf8_paths=odd,
    )
