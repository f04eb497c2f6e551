"""`beet wishlist download`: pending entries handed to spotDL, then imported."""

from __future__ import annotations

import json
import os
import sys
import time

from beets import ui

from spotify_extract import spotdl
from spotify_extract.wishlist.entries import (
    MANUAL_PREFIX,
    download_dir,
    list_entries,
    open_store,
)
from spotify_extract.wishlist.importing import cmd_import
from spotify_extract.wishlist.query import entry_values, query_filter


def _recent_starts(store) -> list[float]:
    raw = store.get_meta("download_starts")
    try:
        values = [float(v) for v in json.loads(raw)] if raw else []
    except (ValueError, TypeError):
        values = []
    return [v for v in values if v > time.time() - 3600]


class _Progress:
    """A rich progress bar with ETA on a terminal, plain log lines otherwise."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.bar = None
        if sys.stdout.isatty() and total:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(
                TextColumn("downloading"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                TextColumn("{task.description}"),
            )
            self.task = self.bar.add_task("", total=total)
            self.bar.start()

    def started(self, job: spotdl.DownloadJob) -> None:
        if self.bar is not None:
            self.bar.update(self.task, description=job.label)

    def finished(self, result: spotdl.DownloadResult) -> None:
        self.done += 1
        label = result.job.label or result.job.track_id
        line = (
            f"[{self.done}/{self.total}] downloaded: {label} ({result.seconds:.0f} s)"
            if result.ok
            else f"[{self.done}/{self.total}] failed: {label}: {result.error}"
        )
        if self.bar is not None:
            self.bar.console.print(line, markup=False, highlight=False)
            self.bar.advance(self.task)
        else:
            ui.print_(line)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def cmd_download(plugin_config, listener, lib, opts, args) -> None:
    store = open_store(plugin_config)
    reset = store.reset_interrupted_downloads()
    if reset:
        ui.print_(f"{reset} downloads interrupted last time are pending again")
    entries = list_entries(store, ["pending"], opts.playlist or "")
    accept = query_filter(args)
    entries = [entry for entry in entries if accept(entry_values(entry))]
    jobs: list[spotdl.DownloadJob] = []
    for entry in entries:
        if entry.spotify_track_id.startswith(MANUAL_PREFIX):
            continue  # "Artist - Title" entries: see README (no Spotify URL to hand over)
        jobs.append(
            spotdl.DownloadJob(
                entry.spotify_track_id, entry.spotify_track_id, f"{entry.artist} - {entry.title}"
            )
        )
    if opts.limit and opts.limit > 0:
        jobs = jobs[: opts.limit]
    target = download_dir(plugin_config)
    cap = spotdl.RateCap(
        int(plugin_config["downloads_per_hour"].get(int) or 0), _recent_starts(store)
    )
    runner = spotdl.SpotdlRunner(
        plugin_config["spotdl_command"].get(),
        target,
        parallel=plugin_config["parallel_downloads"].get(int),
        timeout=float(plugin_config["download_timeout"].get(int)),
        rate_cap=cap,
    )
    if not jobs:
        ui.print_("nothing to download")
    else:
        runner.check()
        progress = _Progress(len(jobs))
        in_flight: set[str] = set()
        starts: list[float] = []

        def on_start(job: spotdl.DownloadJob) -> None:
            in_flight.add(job.track_id)
            starts.append(time.time())
            store.set_wishlist_status(job.track_id, "downloading", "", "", 0)
            progress.started(job)

        def on_done(result: spotdl.DownloadResult) -> None:
            in_flight.discard(result.job.track_id)
            if result.ok and result.file is not None:
                store.set_wishlist_status(
                    result.job.track_id, "downloaded", "", os.fsencode(result.file), 0
                )
            else:
                store.set_wishlist_status(result.job.track_id, "failed", result.error, "", 0)
            progress.finished(result)

        try:
            results = runner.run(jobs, on_start, on_done)
        finally:
            progress.stop()
            for track_id in in_flight:
                store.set_wishlist_status(track_id, "pending", "", "", 0)
            store.set_meta("download_starts", json.dumps(_recent_starts(store) + starts))
        ok = sum(1 for r in results if r.ok)
        ui.print_(f"{ok} downloaded, {len(results) - ok} failed")
        if runner.rate_capped:
            ui.print_(
                f"stopped at the rate cap of {cap.per_hour} downloads per hour "
                "(downloads_per_hour); the rest stay pending"
            )
    if plugin_config["import_after_download"].get(bool) and not opts.no_import:
        cmd_import(plugin_config, listener, lib, opts, [])
