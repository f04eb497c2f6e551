"""`beet wishlist download`: pending entries handed to the downloader, verified, imported."""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass

from beets import ui

from spotify_extract import download_runner, downloaders, verify
from spotify_extract.progress import ProgressReporter
from spotify_extract.settings import Settings
from spotify_extract.wishlist.entries import (
    MANUAL_PREFIX,
    download_dir,
    list_entries,
    open_store,
)
from spotify_extract.wishlist.importing import cmd_import
from spotify_extract.wishlist.query import filter_entries


def _recent_starts(store) -> list[float]:
    raw = store.get_meta("download_starts")
    try:
        values = [float(v) for v in json.loads(raw)] if raw else []
    except (ValueError, TypeError):
        values = []
    return [v for v in values if v > time.time() - 3600]


@dataclass
class DownloadOutcome:
    downloaded: int = 0
    failed: int = 0
    stopped: bool = False  # Ctrl-C: what finished is kept, the rest is pending again


def _download(store, runner: download_runner.DownloadRunner, jobs: list[downloaders.DownloadJob]):
    """Run the downloader over the jobs, keeping every entry's status current; Ctrl-C stops
    the run (its processes killed, unfinished entries pending again) and is reported in
    the outcome, not raised."""
    outcome = DownloadOutcome()
    in_flight: set[str] = set()
    starts: list[float] = []
    with ProgressReporter() as progress:

        def on_start(job: downloaders.DownloadJob) -> None:
            in_flight.add(job.track_id)
            starts.append(time.time())
            store.set_wishlist_status(job.track_id, "downloading", "", "", 0)
            progress("download", outcome.downloaded + outcome.failed, len(jobs), job.label)

        def on_done(result: download_runner.DownloadResult) -> None:
            in_flight.discard(result.job.track_id)
            label = result.job.label or result.job.track_id
            if result.ok and result.file is not None:
                store.set_wishlist_status(
                    result.job.track_id, "downloaded", "", os.fsencode(result.file), 0
                )
                outcome.downloaded += 1
            else:
                store.set_wishlist_status(result.job.track_id, "failed", result.error, "", 0)
                outcome.failed += 1
                progress.note(f"failed: {label}: {result.error}")
            progress("download", outcome.downloaded + outcome.failed, len(jobs), label)

        try:
            runner.run(jobs, on_start, on_done)
        except KeyboardInterrupt:
            outcome.stopped = True
        finally:
            for track_id in in_flight:
                store.set_wishlist_status(track_id, "pending", "", "", 0)
            store.set_meta("download_starts", json.dumps(_recent_starts(store) + starts))
    return outcome


def cmd_download(settings: Settings, listener, lib, opts, args) -> None:
    store = open_store(settings)
    reset = store.reset_interrupted_downloads()
    if reset:
        ui.print_(f"{reset} downloads interrupted last time are pending again")
    entries = filter_entries(list_entries(store, ["pending"], opts.playlist or ""), args)
    jobs: list[downloaders.DownloadJob] = []
    for entry in entries:
        if entry.spotify_track_id.startswith(MANUAL_PREFIX):
            continue  # "Artist - Title" entries: see README (no Spotify URL to hand over)
        jobs.append(
            downloaders.DownloadJob(
                entry.spotify_track_id,
                entry.spotify_track_id,
                f"{entry.artist} - {entry.title}",
                artist=entry.artist,
                title=entry.title,
                album=entry.album,
                isrc=entry.isrc,
                duration_ms=entry.duration_ms,
            )
        )
    if opts.limit:
        jobs = jobs[: opts.limit]
    target = download_dir(settings)
    cap = download_runner.RateCap(settings.downloads_per_hour, _recent_starts(store))
    runner = download_runner.DownloadRunner(
        downloaders.from_settings(settings.downloader, settings.spotdl_command),
        target,
        parallel=settings.parallel_downloads,
        timeout=settings.download_timeout,
        rate_cap=cap,
        verify=verify.verifier(settings.verify_tolerance),
    )
    import_after = settings.import_after_download and not opts.no_import
    outcome = DownloadOutcome()
    if not jobs:
        ui.print_("nothing to download")
    else:
        runner.check()
        outcome = _download(store, runner, jobs)
        ui.print_(f"{outcome.downloaded} downloaded, {outcome.failed} failed")
        if runner.rate_capped:
            ui.print_(
                f"stopped at the rate cap of {cap.per_hour} downloads per hour "
                "(downloads_per_hour); the rest stay pending"
            )
    if outcome.stopped:
        _stopped(settings, listener, lib, opts, import_after)
    if import_after:
        cmd_import(settings, listener, lib, opts, [])
    if outcome.failed and not outcome.downloaded:
        raise ui.UserError(
            f"every download failed ({outcome.failed}, listed above); "
            "`beet wishlist -s failed` shows why, `beet wishlist retry` tries them again"
        )


def _stopped(settings, listener, lib, opts, import_after: bool) -> None:
    """After Ctrl-C: import what finished (a second Ctrl-C leaves it), then fail."""
    resume = "the rest are pending again: run `beet wishlist download` to go on"
    if not import_after:
        raise ui.UserError(f"stopped (Ctrl-C); {resume}")
    ui.print_(
        "stopped (Ctrl-C): importing what finished downloading "
        "(Ctrl-C again leaves it for `beet wishlist import`)"
    )
    try:
        cmd_import(settings, listener, lib, opts, [])
    except KeyboardInterrupt:
        raise ui.UserError(
            f"stopped (Ctrl-C); the finished downloads wait for `beet wishlist import`, {resume}"
        ) from None
    except ui.UserError as error:
        raise ui.UserError(f"stopped (Ctrl-C); {error}") from error
    raise ui.UserError(f"stopped (Ctrl-C); {resume}")
