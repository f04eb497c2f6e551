"""What every player refresh gets and gives: one small interface, so that the sync runs
them all alike and a failing one never fails the run."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol


class RefreshError(Exception):
    """A player could not be refreshed; the message is one line naming the reason
    (never a password, API key or token)."""


@dataclass(frozen=True)
class MirroredPlaylist:
    """One m3u file this tool wrote, as the players see it."""

    playlist_id: str
    path: Path

    @property
    def name(self) -> str:
        """The playlist's name in a player that reads the file (MPD: the file's stem)."""
        return self.path.stem

    def entries(self, music_dir: Path) -> list[Entry]:
        """The file's tracks in order: absolute paths resolved the way players resolve
        them (absolute; relative to the playlist file; relative to the music folder),
        with the "Artist - Title" of their #EXTINF line."""
        entries: list[Entry] = []
        title = ""
        text = self.path.read_bytes().decode("utf-8", errors="surrogateescape")
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("#EXTINF:"):
                title = line.partition(",")[2]
                continue
            if not line or line.startswith("#"):
                continue
            entries.append(Entry(_resolve(line, self.path.parent, music_dir), title))
            title = ""
        return entries


@dataclass(frozen=True)
class Entry:
    path: Path
    label: str  # "Artist - Title" from #EXTINF, or ""


def _resolve(line: str, playlist_dir: Path, music_dir: Path) -> Path:
    path = Path(line)
    if path.is_absolute():
        return path
    beside = playlist_dir / path
    if beside.exists():
        return Path(os.path.normpath(beside))
    return Path(os.path.normpath(music_dir / path))


@dataclass
class RefreshContext:
    """What a refresh may look at: every mirrored playlist, the ids of those this sync
    rewrote, beets' music folder, and a place to keep small per-player state."""

    playlists: list[MirroredPlaylist]
    changed: set[str]
    music_dir: Path
    get_state: Callable[[str], str] = lambda key: ""
    set_state: Callable[[str, str], None] = lambda key, value: None
    notes: list[str] = field(default_factory=list)  # lines worth showing (not failures)


class Player(Protocol):
    """A media player or server to refresh after a sync."""

    @property
    def label(self) -> str:
        """ "mpd (localhost:6600)": names the player in every line about it."""
        ...

    def refresh(self, context: RefreshContext) -> str:
        """Refresh it; returns a short line of what was done. Raises RefreshError."""
        ...
