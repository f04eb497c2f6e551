"""Runs spotDL as a subprocess: one process per track, no shell, timeouts, a rate cap.

Spotify data never reaches spotDL's command line except as a track URL checked against
a strict pattern (`https://open.spotify.com/track/<22 base62 characters>`), so nothing
from the API or the wishlist can ever be read as an option. Each track downloads into
its own folder, so the file that appears there belongs to that wishlist entry and no
other: `<download_dir>/spotify-extract/<track id>.part-<pid>` while spotDL runs,
renamed to `<download_dir>/spotify-extract/<track id>/` once an audio file is there.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

TRACK_ID_RE = re.compile(r"[0-9A-Za-z]{22}")
TRACK_URL_RE = re.compile(r"https://open\.spotify\.com/track/([0-9A-Za-z]{22})")
# What spotDL writes (its --format choices), plus what other downloaders commonly write.
AUDIO_EXTENSIONS = frozenset({".mp3", ".m4a", ".flac", ".ogg", ".opus", ".wav", ".aac"})
DOWNLOADS_FOLDER = "spotify-extract"
# spotDL's output template: the folder is ours, the file name is spotDL's choice.
OUTPUT_TEMPLATE = "{artists} - {title}.{output-ext}"
ERROR_WORDS = re.compile(
    r"error|exception|failed|could not|couldn't|unable|not found|no results|traceback",
    re.IGNORECASE,
)
# "ConnectionError: ...", "spotdl.x.AudioProviderError: ..." (rich prints the message of
# the exception that ended spotDL on the line that starts with its type).
EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception)\b[^:]*:")
ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")
MAX_ERROR_CHARS = 300


class SpotdlError(Exception):
    """A configuration problem of the downloader (one line, for ui.UserError)."""


def track_url(track_id: str) -> str:
    """The open.spotify.com URL of a track id; refuses anything but 22 base62 chars."""
    if not TRACK_ID_RE.fullmatch(track_id or ""):
        raise ValueError(f"not a Spotify track id: {track_id!r}")
    url = f"https://open.spotify.com/track/{track_id}"
    assert TRACK_URL_RE.fullmatch(url)
    return url


def split_command(command: str | Sequence[str]) -> list[str]:
    """`spotdl_command` from the config: a string split like a shell would, or a list."""
    if isinstance(command, str):
        try:
            parts = shlex.split(command)
        except ValueError as error:
            raise SpotdlError(f"spotifyextract.spotdl_command cannot be parsed: {error}") from None
    else:
        parts = [str(part) for part in command]
    if not parts:
        raise SpotdlError("spotifyextract.spotdl_command is empty; set it to e.g. `spotdl`")
    return parts


def find_executable(command: Sequence[str]) -> str | None:
    """The full path of the command's program, or None when it is not installed."""
    program = command[0]
    if os.sep in program:
        return program if os.access(program, os.X_OK) else None
    return shutil.which(program)


def build_arguments(command: Sequence[str], track_id: str, out_dir: Path) -> list[str]:
    """spotDL's argument list for one track (`spotdl download URL --output TEMPLATE`)."""
    return [
        *command,
        "download",
        track_url(track_id),
        "--output",
        str(out_dir.absolute() / OUTPUT_TEMPLATE),
    ]


@dataclass(frozen=True)
class DownloadJob:
    """One wishlist entry to download."""

    key: int | str  # the wishlist entry's id
    track_id: str
    label: str = ""  # "Artist - Title", for progress and messages


@dataclass
class DownloadResult:
    job: DownloadJob
    ok: bool
    file: Path | None = None  # the audio file, inside its own folder
    error: str = ""  # one line: spotDL's error line or what went wrong
    seconds: float = 0.0
    output: str = field(default="", repr=False)  # everything spotDL printed


def downloads_root(download_dir: Path) -> Path:
    return download_dir / DOWNLOADS_FOLDER


def track_folder(download_dir: Path, track_id: str) -> Path:
    """Where a finished download of this track lives until it is imported."""
    return downloads_root(download_dir) / track_id


def downloaded_file(download_dir: Path, track_id: str) -> Path | None:
    """The audio file a finished download left for this track, if it is still there."""
    folder = track_folder(download_dir, track_id)
    return _pick_audio(folder)


def _pick_audio(folder: Path) -> Path | None:
    if not folder.is_dir():
        return None
    files = [
        path
        for path in folder.iterdir()
        if path.is_file() and path.suffix.lower() in AUDIO_EXTENSIONS and path.stat().st_size
    ]
    if not files:
        return None
    return max(files, key=lambda path: path.stat().st_size)


def error_line(output: str, returncode: int | None) -> str:
    """The line of spotDL's output that says what went wrong, as one short line."""
    raw = [ANSI_RE.sub("", line).strip() for line in output.splitlines()]
    lines = [line for line in raw if line]
    chosen = ""
    for index in range(len(raw) - 1, -1, -1):
        if EXCEPTION_LINE.match(raw[index]):
            # A message wrapped at the terminal width continues on the next lines.
            parts = [raw[index]]
            for following in raw[index + 1 :]:
                if len(parts[-1]) < 60 or not following or following[0] in "│╭╰┃":
                    break
                if EXCEPTION_LINE.match(following):
                    break
                parts.append(following)
            chosen = " ".join(parts)
            break
    if not chosen:
        for line in reversed(lines):
            if ERROR_WORDS.search(line):
                chosen = line
                break
    if not chosen and lines:
        chosen = lines[-1]
    if not chosen:
        chosen = f"spotDL exited with status {returncode} and wrote no audio file"
    if len(chosen) > MAX_ERROR_CHARS:
        chosen = chosen[: MAX_ERROR_CHARS - 1] + "…"
    return chosen


def is_audio(path: Path) -> bool:
    """Whether mutagen recognises the file as audio (spotDL may leave junk behind)."""
    import mutagen

    try:
        return mutagen.File(path) is not None
    except Exception:
        return False


class RateCap:
    """At most `per_hour` download starts in any rolling hour (0: no cap)."""

    def __init__(self, per_hour: int, recent_starts: Iterable[float] = (), clock=time.time):
        self.per_hour = per_hour
        self._clock = clock
        self._starts: deque[float] = deque(sorted(recent_starts))

    def _trim(self) -> None:
        horizon = self._clock() - 3600
        while self._starts and self._starts[0] <= horizon:
            self._starts.popleft()

    def remaining(self) -> int | None:
        if self.per_hour <= 0:
            return None
        self._trim()
        return max(0, self.per_hour - len(self._starts))

    def take(self) -> bool:
        remaining = self.remaining()
        if remaining is not None and remaining <= 0:
            return False
        self._starts.append(self._clock())
        return True


class SpotdlRunner:
    """Downloads tracks with spotDL, a few processes at once, each with a timeout."""

    def __init__(
        self,
        command: str | Sequence[str],
        download_dir: Path,
        *,
        parallel: int = 3,
        timeout: float = 600.0,
        rate_cap: RateCap | None = None,
        env: dict[str, str] | None = None,
        kill_grace: float = 5.0,
    ) -> None:
        self.command = split_command(command)
        if os.sep in self.command[0]:  # spotDL runs in its own folder: no relative paths
            self.command[0] = os.path.abspath(os.path.expanduser(self.command[0]))
        self.download_dir = Path(download_dir).expanduser().absolute()
        self.parallel = max(1, int(parallel))
        self.timeout = float(timeout)
        self.rate_cap = rate_cap or RateCap(0)
        # Wide "terminal" so spotDL's (rich's) messages are not wrapped mid-line.
        self.env = {**(os.environ if env is None else env), "COLUMNS": "1000"}
        self.kill_grace = kill_grace
        self._lock = threading.Lock()
        self._running: dict[int, subprocess.Popen[bytes]] = {}
        self._cancelled = threading.Event()
        self.rate_capped = False  # set when the cap stopped the run early

    def check(self) -> None:
        """Raise SpotdlError (one line) when the spotDL program cannot be found."""
        if find_executable(self.command) is None:
            raise SpotdlError(
                f"spotDL not found: `{self.command[0]}` is not installed or not on PATH "
                "(pip install 'beets-spotify-extract[download]', or set "
                "spotifyextract.spotdl_command)"
            )

    def run(
        self,
        jobs: Iterable[DownloadJob],
        on_start: Callable[[DownloadJob], None] | None = None,
        on_done: Callable[[DownloadResult], None] | None = None,
    ) -> list[DownloadResult]:
        """Download every job; callbacks run on the calling thread.

        `on_start` runs just before a job's process starts (mark it `downloading`),
        `on_done` once it finished. Jobs left when the hourly cap is reached are not
        started (`rate_capped` is then True). Ctrl-C kills every spotDL process group
        and re-raises.
        """
        self.check()
        downloads_root(self.download_dir).mkdir(parents=True, exist_ok=True)
        pending = deque(jobs)
        results: list[DownloadResult] = []
        futures: dict[Future[DownloadResult], DownloadJob] = {}
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            try:
                while pending or futures:
                    while pending and len(futures) < self.parallel:
                        if not self.rate_cap.take():
                            self.rate_capped = True
                            pending.clear()
                            break
                        job = pending.popleft()
                        if on_start:
                            on_start(job)
                        futures[pool.submit(self.download_one, job)] = job
                    if not futures:
                        break
                    done, _ = wait(futures, return_when=FIRST_COMPLETED)
                    for future in done:
                        futures.pop(future)
                        result = future.result()
                        results.append(result)
                        if on_done:
                            on_done(result)
            except BaseException:
                self.cancel()
                raise
        return results

    def cancel(self) -> None:
        """Stop: kill every running spotDL process group."""
        self._cancelled.set()
        with self._lock:
            processes = list(self._running.values())
        for process in processes:
            _kill_group(process, signal.SIGKILL)

    def download_one(self, job: DownloadJob) -> DownloadResult:
        started = time.monotonic()
        root = downloads_root(self.download_dir)
        work = root / f"{job.track_id}.part-{os.getpid()}-{threading.get_ident()}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)

        def failed(error: str, seconds: float = 0.0, output: str = "") -> DownloadResult:
            # A failed download leaves nothing behind: a retry starts from an empty folder.
            shutil.rmtree(work, ignore_errors=True)
            return DownloadResult(job, False, error=error, seconds=seconds, output=output)

        try:
            args = build_arguments(self.command, job.track_id, work)
        except ValueError as error:
            return failed(str(error))
        output, returncode, timed_out, start_error = self._spawn(args, work)
        seconds = time.monotonic() - started
        if start_error:
            return failed(start_error, seconds=seconds)
        if timed_out:
            return failed(
                f"timed out after {self.timeout:g} s (download_timeout); spotDL was stopped",
                seconds=seconds,
                output=output,
            )
        audio = _pick_audio(work)
        if audio is None:
            return failed(error_line(output, returncode), seconds=seconds, output=output)
        if not is_audio(audio):
            return failed(
                f"spotDL wrote a file that is not readable audio: {audio.name}",
                seconds=seconds,
                output=output,
            )
        final = track_folder(self.download_dir, job.track_id)
        shutil.rmtree(final, ignore_errors=True)
        for leftover in work.iterdir():
            if leftover != audio:
                with contextlib.suppress(OSError):
                    if leftover.is_dir():
                        shutil.rmtree(leftover)
                    else:
                        leftover.unlink()
        work.rename(final)
        return DownloadResult(job, True, file=final / audio.name, seconds=seconds, output=output)

    def _spawn(self, args: list[str], cwd: Path) -> tuple[str, int | None, bool, str]:
        """Run one spotDL process; returns (output, returncode, timed out, start error)."""
        if self._cancelled.is_set():
            return "", None, False, "cancelled"
        try:
            process = subprocess.Popen(
                args,
                cwd=cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, killed as a whole
            )
        except OSError as error:
            return "", None, False, f"cannot start spotDL ({args[0]}): {error.strerror or error}"
        with self._lock:
            self._running[process.pid] = process
        timed_out = False
        try:
            try:
                raw, _ = process.communicate(timeout=self.timeout)
            except subprocess.TimeoutExpired:
                timed_out = True
                _kill_group(process, signal.SIGTERM)
                try:
                    raw, _ = process.communicate(timeout=self.kill_grace)
                except subprocess.TimeoutExpired:
                    _kill_group(process, signal.SIGKILL)
                    raw, _ = process.communicate()
            # Children that outlived spotDL itself (ffmpeg, yt-dlp) go too.
            _kill_group(process, signal.SIGKILL)
        finally:
            with self._lock:
                self._running.pop(process.pid, None)
        return raw.decode("utf-8", "replace"), process.returncode, timed_out, ""


def _kill_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def remove_download(path: Path, download_dir: Path) -> None:
    """Delete a downloaded file's own folder (after it was imported by copying)."""
    root = downloads_root(Path(download_dir).expanduser().absolute())
    folder = path.parent
    if folder.parent == root:
        shutil.rmtree(folder, ignore_errors=True)
