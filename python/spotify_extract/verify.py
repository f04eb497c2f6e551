"""What a download must be before it is imported: the wanted recording, not a live take, a
karaoke cover or an hour-long mix that happened to be the first search result.

The file is read with mutagen: its length must be within `verify_tolerance` seconds of
Spotify's duration, and its title (its title tag, else its file name) must not carry a
version the wanted track lacks (the matcher's own version guards, in the engine).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from spotify_extract.downloaders import DownloadJob


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def file_title(audio: Path, file) -> str:
    """The title the file says it is (`file`: mutagen's easy view): its title tag, else
    its file name's stem (yt-dlp names the file after the video)."""
    try:
        titles = file.get("title") if file.tags is not None else None
    except (AttributeError, KeyError, ValueError):
        titles = None
    return str(titles[0]) if titles else audio.stem


def check_download(job: DownloadJob, audio: Path, tolerance: float) -> str | None:
    """None when the file may be imported, else why not (one line)."""
    import mutagen

    from spotify_extract import _native

    try:
        file = mutagen.File(audio, easy=True)
    except Exception as error:
        return f"{audio.name} cannot be read ({error})"
    if file is None:
        return f"{audio.name} is not audio mutagen can read"
    length = float(getattr(file.info, "length", 0.0) or 0.0)
    wanted = job.duration_ms / 1000.0
    if wanted > 0 and length > 0 and abs(length - wanted) > tolerance:
        return (
            f"it lasts {_clock(length)}, Spotify's track {_clock(wanted)} "
            f"(more than verify_tolerance {tolerance:g} s apart)"
        )
    if job.title:
        found = file_title(audio, file)
        unwanted = _native.unwanted_versions(job.title, job.album, found)
        if unwanted:
            return f"its title {found!r} is a {unwanted.replace(',', '/')} version, not wanted"
    return None


def verifier(tolerance: float) -> Callable[[DownloadJob, Path], str | None]:
    """The check download_runner applies to every file, with the configured tolerance."""

    def verify(job: DownloadJob, audio: Path) -> str | None:
        return check_download(job, audio, tolerance)

    return verify
