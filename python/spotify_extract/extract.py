"""`beet spotify-extract`: one run of the pipeline, from the plugin's config.

The native engine does the work (native/extract); this module resolves the settings,
takes the one-run-at-a-time lock, runs the engine in a worker thread so that Ctrl-C in the
main thread cancels it cleanly between requests, feeds progress to the terminal or the
log, and prints the summary. Every failure becomes one `ui.UserError` line.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beets import logging, ui

from spotify_extract import _native, attributes
from spotify_extract import export as export_reader
from spotify_extract import mirror as mirror_settings
from spotify_extract.config import state_dir
from spotify_extract.progress import ProgressReporter
from spotify_extract.summary import summary_lines

# beets' own logger class (thread-local level, "{}" formatting): created here first when
# this module is imported before the plugin, a plain logging.Logger would break beets'
# per-plugin log levels on import threads.
log = logging.getLogger("beets.spotifyextract")

NOT_LOGGED_IN = (
    "not connected to Spotify: run `beet spotify-extract --login` first "
    "(or read Spotify's data export with `beet spotify-extract --from-export PATH`)"
)


RESUME_HINT = "what was fetched is kept: run `beet spotify-extract` again to resume"


def lock_timeout() -> float:
    """Seconds to wait for a lock on library.db or the state database: beets' own
    `timeout` setting (default 5), the wait beets itself allows its database."""
    from beets import config as beets_config
    from confuse import ConfigError

    try:
        seconds = float(beets_config["timeout"].get())
    except (ConfigError, TypeError, ValueError):  # unset or malformed: beets' default
        return 5.0
    return seconds if seconds > 0 else 5.0


def state_database(plugin_config: Any) -> Path:
    return state_dir(plugin_config) / _native.STATE_DATABASE_NAME


def open_store(plugin_config: Any) -> _native.StateStore:
    path = state_database(plugin_config)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return _native.StateStore(str(path), busy_timeout=lock_timeout())
    except (OSError, _native.SpotifyExtractError) as error:
        message = str(error)  # the engine's errors already name the file
        if str(path) not in message:
            message = f"cannot open the state database {path}: {message}"
        raise ui.UserError(message) from error


def spotify_config(plugin_config: Any) -> Any:
    """The engine's SpotifyConfig (the client part's auth module builds it)."""
    from spotify_extract import auth

    return auth.native_config(plugin_config)


def has_login(config: Any) -> bool:
    return Path(config.token_file).is_file()


@dataclass
class RunRequest:
    dry_run: bool = False
    from_export: str | None = None
    verbose: bool = False
    progress: bool | None = None  # None: bars when stderr is a terminal
    force: bool = False  # run on a library that is empty or much smaller than last time


def match_options(plugin_config: Any) -> _native.MatchOptions:
    """The matcher's settings from `min_confidence`: the extraction and the import hook
    must accept exactly the same matches."""
    try:
        min_confidence = float(plugin_config["min_confidence"].get())
        return _native.MatchOptions(
            min_confidence=min_confidence, review_confidence=min(0.6, min_confidence)
        )
    except (TypeError, ValueError, _native.SpotifyExtractError) as error:
        raise ui.UserError(f"spotifyextract.min_confidence: {error}") from error


def pipeline_options(
    plugin_config: Any, lib: Any, *, dry_run: bool, source: str
) -> tuple[_native.PipelineOptions, str]:
    """PipelineOptions and the printable playlist folder."""
    options = _native.PipelineOptions()
    options.source = source
    options.dry_run = dry_run
    options.audio_features = bool(plugin_config["audio_features"].get())
    options.liked_songs_playlist = bool(plugin_config["liked_songs_playlist"].get())
    options.library_db = os.fsencode(str(lib.path))
    options.music_dir = lib.directory
    options.library_busy_timeout = lock_timeout()
    options.match = match_options(plugin_config)
    try:
        mirror_options, where = mirror_settings.resolve_options(
            plugin_config, lib.directory, dry_run=dry_run
        )
    except mirror_settings.MirrorConfigError as error:
        raise ui.UserError(str(error)) from error
    options.mirror_options = mirror_options
    return options, where.playlist_dir


def _run_in_worker(pipeline: Any, reporter: ProgressReporter, line: Callable[[str], None]) -> Any:
    """pipeline.run() in a thread; Ctrl-C here cancels it and waits for a clean stop."""
    outcome: dict[str, Any] = {}

    def log_line(level: int, message: str) -> None:
        if level >= 1:
            line(message)
        else:
            log.debug("{}", message)

    finished = threading.Event()

    def work() -> None:
        try:
            outcome["result"] = pipeline.run(progress=reporter, log=log_line)
        except BaseException as error:  # handed to the main thread
            outcome["error"] = error
        finally:
            finished.set()

    # Waiting on an Event (not Thread.join, whose state a KeyboardInterrupt can upset).
    worker = threading.Thread(target=work, name="spotify-extract", daemon=True)
    worker.start()
    interrupted = False
    while not finished.is_set():
        try:
            finished.wait(0.2)
        except KeyboardInterrupt:
            if interrupted:
                raise  # a second Ctrl-C: leave now (the state database stays consistent)
            interrupted = True
            line("Stopping after the current request… (Ctrl-C again to quit at once)")
            pipeline.cancel()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def run(
    plugin_config: Any,
    lib: Any,
    request: RunRequest,
    *,
    echo: Callable[[str], None] = ui.print_,
) -> Any:
    """One `beet spotify-extract` run; returns the PipelineResult (also printed)."""
    config = None
    try:
        config = spotify_config(plugin_config)
    except (ImportError, AttributeError):  # the client part is not installed
        config = None
    logged_in = config is not None and has_login(config)
    if not logged_in and not request.from_export:
        raise ui.UserError(NOT_LOGGED_IN)
    export_data = None
    if request.from_export:
        try:
            export_data = export_reader.read_export(os.path.expanduser(request.from_export))
        except export_reader.ExportError as error:
            raise ui.UserError(f"--from-export: {error}") from error
    source = "api+export" if logged_in and export_data else ("export" if export_data else "api")

    store = open_store(plugin_config)
    try:
        lock = _native.RunLock.acquire(store.lock_path(), "beet spotify-extract")
    except _native.RunLockedError as error:
        raise ui.UserError(str(error)) from error
    with lock:
        if export_data is not None and not logged_in:
            try:
                export_reader.check_newest(store, export_data)
            except export_reader.ExportError as error:
                raise ui.UserError(f"--from-export: {error}") from error
        options, playlist_dir = pipeline_options(
            plugin_config, lib, dry_run=request.dry_run, source=source
        )
        options.accept_library_size = request.force
        report_holder: dict[str, export_reader.ImportReport] = {}
        if export_data is not None:

            def import_export(snapshot: int) -> None:
                report_holder["report"] = export_reader.import_into_store(
                    store, snapshot, export_data, with_api=logged_in
                )

            options.import_export = import_export
        try:
            pipeline = _native.Pipeline(store, config if logged_in else None, options, log=None)
            with ProgressReporter(tty=request.progress) as reporter:
                result = _run_in_worker(pipeline, reporter, echo)
        except (_native.TransportError, _native.SpotifyApiError) as error:
            # The network or Spotify failed: say that nothing fetched is lost.
            raise ui.UserError(f"{error}; {RESUME_HINT}") from error
        except _native.SpotifyExtractError as error:
            raise ui.UserError(str(error)) from error
        except export_reader.ExportError as error:
            raise ui.UserError(f"--from-export: {error}") from error

    if "report" in report_holder:
        imported = report_holder["report"]
        echo(
            f"Data export: {len(imported.files)} file(s); {imported.playlists} playlist(s) "
            f"read, {imported.filled} filled in where Spotify refused the entries"
        )
        if imported.not_on_spotify:
            echo(
                f"Data export: {len(imported.not_on_spotify)} playlist(s) no longer on Spotify "
                "(deleted or renamed since the export) left out: "
                + ", ".join(repr(name) for name in imported.not_on_spotify[:5])
                + (" …" if len(imported.not_on_spotify) > 5 else "")
            )
        if imported.removed:
            echo(f"Data export: {imported.removed} playlist(s) of an earlier export removed")
    for text in summary_lines(
        result, playlist_dir=playlist_dir, dry_run=request.dry_run, verbose=request.verbose
    ):
        echo(text)
    if result.status == "cancelled":
        raise ui.UserError("cancelled; run `beet spotify-extract` again to resume")
    if plugin_config["write_attributes"].get(bool):
        _write_attributes(plugin_config, lib, store, request, echo)
    return result


def _write_attributes(
    plugin_config: Any, lib: Any, store: Any, request: RunRequest, echo: Callable[[str], None]
) -> None:
    """`write_attributes: yes`: Spotify ids, playlists and audio features into beets items."""
    updates = attributes.updates_from_store(
        store, liked_songs_playlist=plugin_config["liked_songs_playlist"].get(bool)
    )
    report = attributes.write_attributes(lib, updates, dry_run=request.dry_run)
    verb = "would change" if request.dry_run else "changed"
    echo(f"beets attributes: {verb} {report.items_changed} item(s)")
    if request.dry_run or request.verbose:
        for text in attributes.describe(report, dry_run=request.dry_run):
            echo(f"  {text}")


def rerender(
    plugin_config: Any, lib: Any, store: Any, playlist_ids: Any = None, *, lock_held: bool = False
) -> Any:
    """Re-write the mirrored playlists from the stored matches (after an import).

    Every playlist is rendered (unchanged files are not touched), so a partial list never
    removes the files of the others. `playlist_ids` is accepted for callers that know
    which playlists changed. `lock_held`: the caller holds the run lock already (a
    `beet wishlist download`/`import` whose import closes entries).
    """
    del playlist_ids
    options, _ = pipeline_options(plugin_config, lib, dry_run=False, source="api")
    try:
        lock = None if lock_held else _native.RunLock.acquire(store.lock_path(), "playlist refresh")
    except _native.RunLockedError:
        return None  # a running extract re-renders at its end anyway
    try:
        return _native.mirror_from_store(store, options)
    except _native.SpotifyExtractError as error:
        raise ui.UserError(str(error)) from error
    finally:
        if lock is not None:
            lock.release()
