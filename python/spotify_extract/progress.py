"""Progress of a `beet spotify-extract` run: rich bars on a terminal, plain lines otherwise.

Without a terminal (cron, systemd) only each phase's result is written, one line when the
phase ends ("Playlists: 6"); with beets' -v the intermediate counts go to the debug log
too. The engine calls `ProgressReporter.__call__(phase, done, total, detail)` from its
worker thread (with the GIL held); everything here is cheap and thread-safe.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from beets import logging

from spotify_extract.display import printable, safe_line

log = logging.getLogger("beets.spotifyextract")

PHASE_LABELS: dict[str, str] = {
    "profile": "Spotify account",
    "playlists": "Playlists",
    "playlist_items": "Playlist entries",
    "liked": "Liked Songs",
    "albums": "Saved albums",
    "artists": "Followed artists",
    "export": "Data export",
    "enrich": "Track details",
    "audio_features": "Audio features",
    "match": "Matching",
    "mirror": "Writing playlists",
    "wishlist": "Wishlist",
    "download": "Downloading",
}

# Phases whose count is steps, not things fetched or written: no result line.
STEP_PHASES = frozenset({"profile", "export", "wishlist"})

# Plain mode with -v: at most one debug line per phase every this many seconds.
PLAIN_INTERVAL = 10.0


def label(phase: str) -> str:
    return PHASE_LABELS.get(phase, phase)


class ProgressReporter:
    """Receives engine progress; draws bars (TTY) or writes throttled lines (no TTY)."""

    def __init__(
        self,
        *,
        tty: bool | None = None,
        stream: IO[str] | None = None,
        line: Callable[[str], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._stream = stream or sys.stderr
        self._tty = self._stream.isatty() if tty is None else tty
        self._line = line or self._write_line
        self._clock = clock
        self._lock = threading.Lock()
        self._last_line: dict[str, float] = {}
        self._last_state: dict[str, tuple[int, int]] = {}
        self._current: str | None = None  # plain mode: the phase whose result is due
        self._reported: set[str] = set()
        self._progress: Any = None
        self._tasks: dict[str, Any] = {}
        if self._tty:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description:<18}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[detail]}", style="dim"),
                TimeElapsedColumn(),
                console=Console(file=self._stream),
                transient=False,
            )

    def _write_line(self, text: str) -> None:
        print(safe_line(text), file=self._stream, flush=True)

    def __enter__(self) -> ProgressReporter:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if self._progress is not None:
                self._progress.stop()
                self._progress = None
            self._report_result()

    def discard(self) -> None:
        """Forget the phase in progress (a cancelled run reports no partial result)."""
        with self._lock:
            self._current = None

    def note(self, text: str) -> None:
        """One line that stays: above the bars on a terminal, a plain line otherwise."""
        with self._lock:
            if self._progress is not None:
                self._progress.console.print(safe_line(text), markup=False, highlight=False)
            else:
                self._line(text)

    def __call__(self, phase: str, done: int, total: int, detail: str) -> None:
        with self._lock:
            if self._progress is not None:
                self._update_bar(phase, done, total, detail)
            else:
                self._plain(phase, done, total, detail)

    def _update_bar(self, phase: str, done: int, total: int, detail: str) -> None:
        task = self._tasks.get(phase)
        short = printable(detail, 41)
        if task is None:
            task = self._progress.add_task(label(phase), total=total or None, detail=short)
            self._tasks[phase] = task
        self._progress.update(task, completed=done, total=total or None, detail=short)

    def _plain(self, phase: str, done: int, total: int, detail: str) -> None:
        if phase != self._current:
            self._report_result()
            self._current = phase
        previous = self._last_state.get(phase)
        self._last_state[phase] = (done, total)
        if total > 0 and done >= total:
            self._report_result()
            return
        now = self._clock()
        first = phase not in self._last_line
        if previous == (done, total) and not first:
            return
        if first or now - self._last_line[phase] >= PLAIN_INTERVAL:
            self._last_line[phase] = now
            text = f"{label(phase)}: {done}/{total}" if total else f"{label(phase)}: {done}"
            log.debug("{}", text + (f" ({printable(detail)})" if detail else ""))

    def _report_result(self) -> None:
        """The result line of the current phase, once; nothing for a phase that counted
        nothing (an empty Liked Songs, audio features Spotify refused: the summary says
        why) or only steps."""
        phase, self._current = self._current, None
        if phase is None or phase in self._reported or phase in STEP_PHASES:
            return
        done, total = self._last_state.get(phase, (0, 0))
        if not done:
            return
        self._reported.add(phase)
        count = str(done) if done == total or not total else f"{done}/{total}"
        self._line(f"{label(phase)}: {count}")
