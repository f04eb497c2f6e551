"""`beet spotify-extract`: one run of the pipeline, from the plugin's config.

The native engine does the work (native/extract); this module resolves the settings,
takes the one-run-at-a-time lock, runs the engine in a worker thread so that Ctrl-C in the
main thread cancels it cleanly between requests, feeds progress to the terminal or the
log, and prints the summary. Every failure becomes one `ui.UserError` line.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from beets import logging, ui

from spotify_extract import _native, artwork, attributes
from spotify_extract import export as export_reader
from spotify_extract import mirror as mirror_settings
from spotify_extract import settings as plugin_settings
from spotify_extract.display import printable, safe_line
from spotify_extract.interrupt import Interrupted, run_cancellable
from spotify_extract.progress import ProgressReporter
from spotify_extract.settings import Settings
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


def state_database(config: Settings | Any) -> Path:
    return plugin_settings.of(config).state_database


def open_store(config: Settings | Any) -> _native.StateStore:
    """The state database (created with its folder when missing); one line on failure."""
    settings = plugin_settings.of(config)
    plugin_settings.ensure_state_dir(settings)
    path = settings.state_database
    try:
        return _native.StateStore(str(path), busy_timeout=lock_timeout())
    except (OSError, _native.SpotifyExtractError) as error:
        message = str(error)  # the engine's errors already name the file
        if str(path) not in message:
            message = f"cannot open the state database {path}: {message}"
        raise ui.UserError(message) from error


def take_run_lock(store: Any, what: str) -> Any:
    """The one-run-at-a-time lock beside the state database, or one line saying why not
    (another run holds it, or the state folder cannot be written)."""
    try:
        return _native.RunLock.acquire(store.lock_path(), what)
    except _native.SpotifyExtractError as error:
        raise ui.UserError(str(error)) from error


def spotify_config(config: Settings | Any) -> Any:
    """The engine's SpotifyConfig (the client part's auth module builds it)."""
    from spotify_extract import auth

    return auth.native_config(config)


def has_login(config: Any) -> bool:
    return Path(config.token_file).is_file()


@dataclass
class RunRequest:
    dry_run: bool = False
    from_export: str | None = None
    verbose: bool = False
    progress: bool | None = None  # None: bars when stderr is a terminal
    force: bool = False  # run on a library that is empty or much smaller than last time
    ignore_cooldowns: bool = False  # fetch every phase, however recently it ran


def match_options(config: Settings | Any) -> _native.MatchOptions:
    """The matcher's settings from `min_confidence`: the extraction and the import hook
    must accept exactly the same matches. Below the engine's review threshold a candidate
    is unmatched; a lower min_confidence lowers that threshold with it."""
    min_confidence = plugin_settings.of(config).min_confidence
    review_confidence = min(_native.MatchOptions().review_confidence, min_confidence)
    return _native.MatchOptions(min_confidence=min_confidence, review_confidence=review_confidence)


def pipeline_options(
    config: Settings | Any, lib: Any, *, dry_run: bool, source: str
) -> tuple[_native.PipelineOptions, str]:
    """PipelineOptions and the printable playlist folder."""
    settings = plugin_settings.of(config)
    options = _native.PipelineOptions()
    options.source = source
    options.dry_run = dry_run
    options.audio_features = settings.audio_features
    options.liked_songs_playlist = settings.liked_songs_playlist
    options.library_db = os.fsencode(str(lib.path))
    options.music_dir = lib.directory
    options.library_busy_timeout = lock_timeout()
    options.match = match_options(settings)
    mirror_options, where = mirror_settings.resolve_options(
        settings, lib.directory, dry_run=dry_run
    )
    options.mirror_options = mirror_options
    options.release_watch = settings.release_watch
    options.releases = release_sync_options(settings)
    options.cooldowns = {phase: timedelta(seconds=s) for phase, s in settings.cooldowns.items()}
    options.artwork = artwork.pipeline_options(settings)
    return options, where.playlist_dir


def release_sync_options(settings: Settings) -> _native.ReleaseSyncOptions:
    """How many artists' discographies a run syncs, and how often each."""
    options = _native.ReleaseSyncOptions()
    options.check_interval = timedelta(seconds=settings.release_check_interval)
    options.artists_per_run = settings.release_artists_per_run
    return options


def verbose() -> bool:
    """beets' own -v (the plugin's logger follows it): details in the summary too."""
    from beets import config as beets_config
    from confuse import ConfigError

    try:
        return int(beets_config["verbose"].get(int) or 0) > 0
    except ConfigError:
        return False


def run(
    config: Settings | Any,
    lib: Any,
    request: RunRequest,
    *,
    echo: Callable[[str], None] = ui.print_,
) -> Any:
    """One `beet spotify-extract` run; returns the PipelineResult (also printed)."""
    settings = plugin_settings.of(config)

    def say(text: str) -> None:
        echo(safe_line(text))

    native_config = spotify_config(settings)
    logged_in = has_login(native_config)
    if not logged_in and not request.from_export:
        raise ui.UserError(NOT_LOGGED_IN)
    source = "api+export" if logged_in and request.from_export else "api"
    if request.from_export and not logged_in:
        source = "export"

    store = open_store(settings)
    from spotify_extract.wishlist.entries import holding_run_lock

    # `beet spotify-sync` holds the lock for its whole cycle.
    held = holding_run_lock()
    with contextlib.nullcontext() if held else take_run_lock(store, "beet spotify-extract"):
        export_data, digest = _read_export(store, request.from_export, logged_in=logged_in)
        if export_data is not None and not logged_in:
            try:
                export_reader.check_newest(store, export_data)
            except export_reader.ExportError as error:
                raise ui.UserError(f"--from-export: {error}") from error
        options, playlist_dir = pipeline_options(
            settings, lib, dry_run=request.dry_run, source=source
        )
        options.accept_library_size = request.force
        options.ignore_cooldowns = request.ignore_cooldowns
        report_holder: dict[str, export_reader.ImportReport] = {}
        if export_data is not None:

            def import_export(snapshot: int) -> None:
                # Until this import is complete the stored data is not that of the digest.
                store.set_meta(export_reader.EXPORT_DIGEST_KEY, "")
                report_holder["report"] = export_reader.import_into_store(
                    store, snapshot, export_data, with_api=logged_in
                )

            options.import_export = import_export
        had_complete_run = store.last_snapshot("complete") is not None
        stopping = threading.Event()

        def log_line(level: int, message: str) -> None:
            if level >= 1 and not stopping.is_set():
                say(message)
            else:
                log.debug("{}", message)

        def on_interrupt() -> None:
            stopping.set()
            say(
                f"Cancelled: stopping after the current request; {RESUME_HINT} "
                "(Ctrl-C again to quit at once)"
            )

        try:
            pipeline = _native.Pipeline(
                store, native_config if logged_in else None, options, log=None
            )
            with ProgressReporter(tty=request.progress) as reporter:
                result = run_cancellable(
                    lambda: pipeline.run(progress=reporter, log=log_line),
                    pipeline.cancel,
                    on_interrupt,
                )
                if result.status == "cancelled":
                    reporter.discard()
        except (_native.TransportError, _native.SpotifyApiError) as error:
            # The network or Spotify failed: say that nothing fetched is lost.
            raise ui.UserError(f"{error}; {RESUME_HINT}") from error
        except _native.SpotifyExtractError as error:
            raise ui.UserError(str(error)) from error
        except export_reader.ExportError as error:
            raise ui.UserError(f"--from-export: {error}") from error

    if result.status == "cancelled":
        if not stopping.is_set():  # not our Ctrl-C: still one line saying so
            say(f"Cancelled; {RESUME_HINT}")
        raise Interrupted()
    if digest is not None and result.status == "complete":
        store.set_meta(export_reader.EXPORT_DIGEST_KEY, digest)
    if request.from_export and export_data is None:
        say("Data export: unchanged since the last run; not read again")
    if "report" in report_holder:
        imported = report_holder["report"]
        say(
            f"Data export: {len(imported.files)} file(s); {imported.playlists} playlist(s) "
            f"read, {imported.filled} filled in where Spotify refused the entries"
        )
        if imported.not_on_spotify:
            say(
                f"Data export: {len(imported.not_on_spotify)} playlist(s) no longer on Spotify "
                "(deleted or renamed since the export) left out: "
                + ", ".join(repr(printable(name)) for name in imported.not_on_spotify[:5])
                + (" …" if len(imported.not_on_spotify) > 5 else "")
            )
        if imported.removed:
            say(f"Data export: {imported.removed} playlist(s) of an earlier export removed")
    if result.mirror is not None and not request.dry_run:
        sidecars = artwork.place_sidecars(settings, result.mirror.owned)
        if sidecars is not None and (sidecars.written or sidecars.removed or sidecars.foreign):
            say(
                f"Playlist covers beside the playlist files: {sidecars.written} written, "
                f"{sidecars.removed} removed"
                + (f", {len(sidecars.foreign)} not ours left alone" if sidecars.foreign else "")
            )
    for text in summary_lines(
        result,
        playlist_dir=playlist_dir,
        dry_run=request.dry_run,
        verbose=request.verbose,
        first_run=not had_complete_run,
    ):
        say(text)
    if settings.write_attributes:
        _write_attributes(settings, lib, store, request, say)
    return result


def _read_export(
    store: Any, path: str | None, *, logged_in: bool
) -> tuple[export_reader.ExportData | None, str | None]:
    """The data export to import and, without a login, the digest to record once the run
    completes. (None, None) when there is no export, or when an export-only run is given
    the same files as the last complete one: what they hold is in the state database."""
    if not path:
        return None, None
    path = os.path.expanduser(path)
    try:
        digest = None
        if not logged_in and os.path.exists(path):  # else read_export says what is wrong
            digest = export_reader.export_digest(path)
            if store.get_meta(export_reader.EXPORT_DIGEST_KEY) == digest:
                return None, None
        return export_reader.read_export(path), digest
    except export_reader.ExportError as error:
        raise ui.UserError(f"--from-export: {error}") from error


def _write_attributes(
    settings: Settings, lib: Any, store: Any, request: RunRequest, echo: Callable[[str], None]
) -> None:
    """`write_attributes: yes`: Spotify ids, playlists and audio features into beets items."""
    updates = attributes.updates_from_store(
        store, liked_songs_playlist=settings.liked_songs_playlist
    )
    report = attributes.write_attributes(lib, updates, dry_run=request.dry_run)
    verb = "would change" if request.dry_run else "changed"
    echo(f"beets attributes: {verb} {report.items_changed} item(s)")
    if request.dry_run or request.verbose:
        for text in attributes.describe(report, dry_run=request.dry_run):
            echo(f"  {text}")


def rerender(
    config: Settings | Any,
    lib: Any,
    store: Any,
    playlist_ids: Any = None,
    *,
    lock_held: bool = False,
) -> Any:
    """Re-write the mirrored playlists from the stored matches (after an import).

    Every playlist is rendered (unchanged files are not touched), so a partial list never
    removes the files of the others. `playlist_ids` is accepted for callers that know
    which playlists changed. `lock_held`: the caller holds the run lock already (a
    `beet wishlist download`/`import` whose import closes entries).
    """
    del playlist_ids
    options, _ = pipeline_options(config, lib, dry_run=False, source="api")
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
