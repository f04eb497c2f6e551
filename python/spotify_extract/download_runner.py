"""Runs a downloader (downloaders.py) as subprocesses: one process per track, no shell,
timeouts, a rate cap, a few at once; then checks what arrived (verify.py) before it counts.

Each track downloads into its own folder, so the file that appears there belongs to that
wishlist entry and no other: `<download_dir>/spotify-extract/<track id>.part-<pid>` while
the program runs, renamed to `<download_dir>/spotify-extract/<track id>/` once a verified
audio file is there. A file that fails verification moves to
`<download_dir>/spotify-extract/rejected/<track id>/`: nothing is deleted silently.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from spotify_extract.downloaders import Downloader, DownloadJob

# What spotDL writes (its --format choices), plus what other downloaders commonly write.
AUDIO_EXTENSIONS = frozenset({".mp3", ".m4a", ".flac", ".ogg", ".opus", ".wav", ".aac"})
DOWNLOADS_FOLDER = "spotify-extract"
REJECTED_FOLDER = "rejected"

# Checks a downloaded file against the job: None when it may be imported, else the reason.
Verifier = Callable[[DownloadJob, Path], "str | None"]


@dataclass
class DownloadResult:
    job: DownloadJob
    ok: bool
    file: Path | None = None  # the audio file, inside its own folder
    error: str = ""  # one line: the downloader's error line or what went wrong
    seconds: float = 0.0
    output: str = field(default="", repr=False)  # everything the downloader printed
    rejected: Path | None = None  # where a file that failed verification was moved


def downloads_root(download_dir: Path) -> Path:
    return download_dir / DOWNLOADS_FOLDER


def track_folder(download_dir: Path, track_id: str) -> Path:
    """Where a finished download of this track lives until it is imported."""
    return downloads_root(download_dir) / track_id


def rejected_folder(download_dir: Path, track_id: str) -> Path:
    """Where this track's downloads that failed verification are kept."""
    return downloads_root(download_dir) / REJECTED_FOLDER / track_id


def downloaded_file(download_dir: Path, track_id: str) -> Path | None:
    """The audio file a finished download left for this track, if it is still there."""
    folder = track_folder(download_dir, track_id)
    return _pick_audio(folder)


def _pick_audio(folder: Path) -> Path | None:
    """The largest audio file in the folder or below it (some tools make sub-folders)."""
    if not folder.is_dir():
        return None
    files = [
        path
        for path in folder.rglob("*")
        if path.is_file() and path.suffix.lower() in AUDIO_EXTENSIONS and path.stat().st_size
    ]
    if not files:
        return None
    return max(files, key=lambda path: path.stat().st_size)


def is_audio(path: Path) -> bool:
    """Whether mutagen recognises the file as audio (a downloader may leave junk behind)."""
    import mutagen

    try:
        return mutagen.File(path) is not None
    except Exception:
        return False


def move_aside(audio: Path, folder: Path) -> Path:
    """Move a file into `folder` under a name no earlier file there has."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / audio.name
    counter = 1
    while target.exists():
        counter += 1
        target = folder / f"{audio.stem} ({counter}){audio.suffix}"
    shutil.move(audio, target)
    return target


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


class DownloadRunner:
    """Downloads tracks with one downloader, a few processes at once, each with a timeout."""

    def __init__(
        self,
        downloader: Downloader,
        download_dir: Path,
        *,
        parallel: int = 3,
        timeout: float = 600.0,
        rate_cap: RateCap | None = None,
        env: dict[str, str] | None = None,
        kill_grace: float = 5.0,
        verify: Verifier | None = None,
    ) -> None:
        self.downloader = downloader
        self.download_dir = Path(download_dir).expanduser().absolute()
        self.parallel = max(1, int(parallel))
        self.timeout = float(timeout)
        self.rate_cap = rate_cap or RateCap(0)
        # Wide "terminal" so spotDL's (rich's) messages are not wrapped mid-line.
        self.env = {**(os.environ if env is None else env), "COLUMNS": "1000"}
        self.kill_grace = kill_grace
        self.verify = verify
        self._lock = threading.Lock()
        self._running: dict[int, subprocess.Popen[bytes]] = {}
        self._cancelled = threading.Event()
        self._checked = False
        self.rate_capped = False  # set when the cap stopped the run early

    def check(self) -> None:
        """Raise DownloaderError (one line) when the downloader cannot run (not found, a
        spotDL version it does not know); once."""
        if not self._checked:
            self.downloader.check(self.env)
            self._checked = True

    def run(
        self,
        jobs: Iterable[DownloadJob],
        on_start: Callable[[DownloadJob], None] | None = None,
        on_done: Callable[[DownloadResult], None] | None = None,
    ) -> list[DownloadResult]:
        """Download every job; callbacks run on the calling thread.

        `on_start` runs just before a job's process starts (mark it `downloading`),
        `on_done` once it finished. Jobs left when the hourly cap is reached are not
        started (`rate_capped` is then True). Ctrl-C kills every downloader process group
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
        """Stop: kill every running downloader process group."""
        self._cancelled.set()
        with self._lock:
            processes = list(self._running.values())
        for process in processes:
            _kill_group(process, signal.SIGKILL)

    def download_one(self, job: DownloadJob) -> DownloadResult:
        started = time.monotonic()
        name = self.downloader.name
        root = downloads_root(self.download_dir)
        work = root / f"{job.track_id}.part-{os.getpid()}-{threading.get_ident()}"
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)

        def failed(error: str, output: str = "", rejected: Path | None = None) -> DownloadResult:
            # A failed download leaves nothing behind: a retry starts from an empty folder.
            shutil.rmtree(work, ignore_errors=True)
            seconds = time.monotonic() - started
            return DownloadResult(job, False, None, error, seconds, output, rejected)

        try:
            attempts = self.downloader.attempts(job, work)
        except ValueError as error:
            return failed(str(error))
        outputs: list[str] = []
        audio = None
        error = ""
        for args in attempts:
            output, returncode, timed_out, start_error = self._spawn(args, work)
            outputs.append(output)
            if start_error:
                return failed(start_error)
            if timed_out:
                return failed(
                    f"timed out after {self.timeout:g} s (download_timeout); {name} was stopped",
                    "\n".join(outputs),
                )
            audio = _pick_audio(work)
            if audio is not None:
                break
            error = error or self.downloader.error_line(output, returncode)
        output = "\n".join(outputs)
        if audio is None:
            return failed(error, output)
        if not is_audio(audio):
            return failed(f"{name} wrote a file that is not readable audio: {audio.name}", output)
        reason = self.verify(job, audio) if self.verify else None
        if reason:
            kept = move_aside(audio, rejected_folder(self.download_dir, job.track_id))
            where = kept.relative_to(self.download_dir)
            return failed(f"rejected: {reason}; the file is in {where}", output, kept)
        try:
            self.downloader.finish(job, audio)
        except ValueError as error:
            kept = move_aside(audio, rejected_folder(self.download_dir, job.track_id))
            return failed(str(error), output, kept)
        if audio.parent != work:
            audio = Path(shutil.move(audio, work / audio.name))
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
        seconds = time.monotonic() - started
        return DownloadResult(job, True, file=final / audio.name, seconds=seconds, output=output)

    def _spawn(self, args: list[str], cwd: Path) -> tuple[str, int | None, bool, str]:
        """Run one downloader process; returns (output, returncode, timed out, start error)."""
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
            return (
                "",
                None,
                False,
                f"cannot start {self.downloader.name} ({args[0]}): {error.strerror or error}",
            )
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
            # Children that outlived the downloader itself (ffmpeg, yt-dlp) go too.
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
