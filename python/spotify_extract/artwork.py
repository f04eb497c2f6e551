"""Cover images (`artwork:`): playlists, saved albums and followed artists as WebP files
under state_dir/artwork/{playlists,albums,artists}/{spotify id}.webp.

The engine (native/extract/artwork) decides what to fetch (only images whose URL changed
or whose file is gone) and fetches them through the client's pacing; this module converts
them with Pillow (centre-cropped squares: playlists and artists 300x300, albums 500x500)
and writes them atomically.

Players that show a cover placed next to a playlist file get one: Navidrome reads an image
with the playlist file's name (any image extension, case-insensitive:
core/artwork/reader_playlist.go, findPlaylistSidecarPath). For the `navidrome` target each
mirrored playlist gets `<playlist file name>.jpg` beside it, a JPEG whose comment names the
playlist; a file of that name without our comment is never overwritten or removed.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beets import logging
from PIL import Image, ImageOps, UnidentifiedImageError

from spotify_extract import _native
from spotify_extract.settings import ARTWORK_KINDS, Settings

log = logging.getLogger("beets.spotifyextract")

SIZES = {"playlists": 300, "albums": 500, "artists": 300}
SIDECAR_TARGETS = ("navidrome",)
SIDECAR_SUFFIX = ".jpg"
MARKER = b"spotify-extract playlist "


def artwork_dir(settings: Settings) -> Path:
    return settings.state_dir / "artwork"


def save_image(kind: str, path: bytes, data: bytes) -> None:
    """The engine's save callback: `data` (as fetched) as a square WebP at `path`. An image
    Pillow cannot read is left out (logged); the engine then records nothing for it."""
    try:
        with Image.open(io.BytesIO(data)) as fetched:
            square = ImageOps.fit(fetched.convert("RGB"), (SIZES[kind],) * 2, Image.LANCZOS)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        log.warning("artwork: an image of {} {} is unreadable ({}); skipped", kind, path, error)
        return
    target = os.fsdecode(path)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    temporary = target + ".tmp"
    square.save(temporary, "WEBP", quality=80, method=4)
    os.replace(temporary, target)


def pipeline_options(settings: Settings) -> _native.ArtworkOptions:
    options = _native.ArtworkOptions()
    options.kinds = [kind for kind in ARTWORK_KINDS if kind in settings.artwork]
    options.dir = os.fsencode(str(artwork_dir(settings)))
    options.save = save_image
    return options


@dataclass
class Usage:
    files: dict[str, int] = field(default_factory=dict)
    bytes: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        total = sum(self.bytes.values())
        parts = ", ".join(
            f"{kind} {self.files.get(kind, 0)} ({_size(self.bytes.get(kind, 0))})"
            for kind in ARTWORK_KINDS
        )
        return f"Artwork: {_size(total)} on disk — {parts}"


def disk_usage(settings: Settings) -> Usage:
    """Files and bytes under state_dir/artwork, by kind."""
    usage = Usage()
    for kind in ARTWORK_KINDS:
        folder = artwork_dir(settings) / kind
        sizes = [p.stat().st_size for p in folder.glob("*.webp")] if folder.is_dir() else []
        usage.files[kind] = len(sizes)
        usage.bytes[kind] = sum(sizes)
    return usage


def _size(count: int) -> str:
    for unit in ("B", "kB", "MB"):
        if count < 1024 or unit == "MB":
            return f"{count} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} GB"


def _is_ours(path: Path) -> str | None:
    """The playlist id in a sidecar's JPEG comment, or None (not ours, or unreadable)."""
    try:
        with Image.open(path) as image:
            comment = image.info.get("comment", b"")
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    if isinstance(comment, bytes) and comment.startswith(MARKER):
        return comment[len(MARKER) :].decode("ascii", "replace")
    return None


@dataclass
class SidecarReport:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    foreign: list[str] = field(default_factory=list)  # names we left alone


def place_sidecars(settings: Settings, owned: Iterable[Any]) -> SidecarReport | None:
    """Playlist covers beside the mirrored playlist files, for players that read them;
    None when the target has no such player or playlist artwork is off."""
    report = SidecarReport()
    if settings.target not in SIDECAR_TARGETS or "playlists" not in settings.artwork:
        return None
    wanted: dict[Path, str] = {}
    for file in owned:
        m3u = Path(os.fsdecode(file.path))
        wanted[m3u.with_suffix(SIDECAR_SUFFIX)] = file.spotify_id
    covers = artwork_dir(settings) / "playlists"
    for sidecar, playlist_id in wanted.items():
        cover = covers / f"{playlist_id}.webp"
        if not cover.is_file():
            continue
        if sidecar.exists() and _is_ours(sidecar) is None:
            report.foreign.append(sidecar.name)
            continue
        marker = MARKER + playlist_id.encode("ascii", "replace")
        with Image.open(cover) as image:
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, "JPEG", quality=88, comment=marker)
        data = buffer.getvalue()
        if sidecar.exists() and sidecar.read_bytes() == data:
            report.unchanged += 1
            continue
        temporary = sidecar.with_name(sidecar.name + ".tmp")
        temporary.write_bytes(data)
        os.replace(temporary, sidecar)
        report.written += 1
    # Our sidecars whose playlist file is gone.
    folders = {path.parent for path in wanted} | (
        {settings.playlist_dir and Path(settings.playlist_dir)} - {None}
    )
    for folder in folders:
        if not folder.is_dir():
            continue
        for candidate in folder.glob("*" + SIDECAR_SUFFIX):
            if candidate not in wanted and _is_ours(candidate) is not None:
                candidate.unlink(missing_ok=True)
                report.removed += 1
    return report
