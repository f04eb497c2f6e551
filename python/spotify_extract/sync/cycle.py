"""One `beet spotify-sync` cycle: extract, download up to N, import, refresh players.

It holds the run lock for the whole cycle (a second scheduled run waits `sync_wait`
seconds, then leaves with exit status 0 and one line), reuses the commands' own code
(extract.run, the wishlist's cmd_download with its import), and compares the state
database before and after to tell what changed: that is the digest `--quiet` prints,
and nothing at all when nothing changed and nothing failed.

Exit status: 0 nothing wrong; 1 failed (the extraction, or the downloader could not
run); 3 finished, but some tracks failed to download or import, or some playlists
could not be written. A player that cannot be refreshed is one line, never a failure.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beets import ui

from spotify_extract import extract, players
from spotify_extract.display import printable, safe_line
from spotify_extract.players.base import MirroredPlaylist, RefreshContext, RefreshError
from spotify_extract.settings import Settings

OK, FAILED, PARTIAL = 0, 1, 3


@dataclass
class SyncRequest:
    quiet: bool = False
    max_downloads: int | None = None  # None: downloads_per_hour (0 there: no limit)


@dataclass
class Digest:
    """What one cycle changed and what went wrong, in a few words."""

    new_tracks: int = 0
    newly_matched: int = 0
    downloaded: int = 0
    imported: int = 0
    failed: int = 0
    rewritten: list[str] = field(default_factory=list)  # playlist ids
    unwritable: int = 0
    error: str | None = None
    refreshed: list[str] = field(default_factory=list)
    refresh_failures: list[str] = field(default_factory=list)

    def changed(self) -> bool:
        return bool(
            self.new_tracks
            or self.newly_matched
            or self.downloaded
            or self.imported
            or self.failed
            or self.rewritten
            or self.unwritable
        )

    def worth_printing(self) -> bool:
        return self.changed() or self.error is not None or bool(self.refresh_failures)

    def lines(self) -> list[str]:
        counts = [
            (self.new_tracks, "new track(s)"),
            (self.newly_matched, "newly matched"),
            (self.downloaded, "downloaded"),
            (self.imported, "imported"),
            (self.failed, "failed"),
            (len(self.rewritten), "playlist(s) rewritten"),
            (self.unwritable, "playlist(s) not written"),
        ]
        parts = [f"{count} {words}" for count, words in counts if count]
        lines = ["spotify-sync: " + (", ".join(parts) if parts else "nothing changed")]
        if self.error:
            lines.append(f"spotify-sync failed: {self.error}")
        lines.extend(self.refreshed)
        lines.extend(self.refresh_failures)
        return lines


@dataclass
class _Snapshot:
    """What a cycle compares before and after: the mirrored files and the wishlist."""

    mirrored: dict[str, tuple[str, str]]  # playlist id -> (path, content hash)
    wishlist: dict[str, str]  # track id -> status


def _state(store: Any) -> _Snapshot:
    from spotify_extract.wishlist.entries import list_entries

    mirrored = {
        f.playlist_id: (os.fsdecode(f.path), f.content_hash) for f in store.mirrored_files()
    }
    wishlist = {e.spotify_track_id: e.status for e in list_entries(store)}
    return _Snapshot(mirrored, wishlist)


def _became(before: dict[str, str], after: dict[str, str], statuses: tuple[str, ...]) -> int:
    return sum(
        1 for key, status in after.items() if status in statuses and before.get(key) != status
    )


def _warnings_only(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.WARNING


@contextlib.contextmanager
def _captured(active: bool) -> Iterator[io.TextIOWrapper | None]:
    """stdout and stderr (progress lines, the steps' reports) into a buffer, and beets'
    own log (the importer and plugins log at INFO during an import) down to warnings:
    --quiet decides at the end whether anything is worth printing."""
    if not active:
        yield None
        return
    buffer = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="replace", write_through=True)
    handlers = logging.getLogger("beets").handlers
    for handler in handlers:
        handler.addFilter(_warnings_only)
    try:
        with contextlib.redirect_stdout(buffer), contextlib.redirect_stderr(buffer):
            yield buffer
    finally:
        for handler in handlers:
            handler.removeFilter(_warnings_only)


def download_options(plugin_config: Any, listener: Any, limit: int | None) -> Any:
    """`beet wishlist download`'s options with their defaults (whatever options that
    command has), limited to `limit` tracks."""
    from spotify_extract.wishlist.command import wishlist_command

    opts, _ = wishlist_command(plugin_config, listener).parser.parse_args([])
    opts.limit = limit
    return opts


def run_sync(
    settings: Settings,
    lib: Any,
    listener: Any,
    request: SyncRequest,
    *,
    plugin_config: Any = None,
    echo: Callable[[str], None] = ui.print_,
) -> int:
    """One cycle; returns the exit status (0, 1 or 3) after printing what it should."""
    from spotify_extract.wishlist.entries import RunBusyError, run_lock

    try:
        with run_lock(settings, "beet spotify-sync", wait=settings.sync_wait):
            digest, status = _cycle(settings, lib, listener, request, plugin_config, echo)
    except RunBusyError as error:
        echo(safe_line(f"spotify-sync: not run, waited {settings.sync_wait:g} s: {error}"))
        return OK
    if not request.quiet or digest.worth_printing():
        for line in digest.lines():
            echo(safe_line(line))
    return status


def _cycle(
    settings: Settings,
    lib: Any,
    listener: Any,
    request: SyncRequest,
    plugin_config: Any,
    echo: Callable[[str], None],
) -> tuple[Any, int]:
    from spotify_extract import _native, downloaders
    from spotify_extract.wishlist.download import cmd_download

    store = extract.open_store(settings)
    before = _state(store)
    digest = Digest()
    status = OK
    result = None
    with _captured(request.quiet):
        say = ui.print_ if request.quiet else echo  # ui.print_: into the capture
        try:
            result = extract.run(
                settings, lib, extract.RunRequest(verbose=extract.verbose()), echo=say
            )
        except ui.UserError as error:
            digest.error = str(error)
            status = FAILED
        if status == OK:
            limit = request.max_downloads
            if limit is None:
                limit = settings.downloads_per_hour or None
            if limit != 0:
                failed_before = _failed(store)
                try:
                    cmd_download(
                        settings,
                        listener,
                        lib,
                        download_options(plugin_config or settings, listener, limit),
                        [],
                    )
                except downloaders.DownloaderError as error:
                    digest.error = str(error)
                    status = FAILED
                except (ui.UserError, _native.SpotifyExtractError) as error:
                    # "every download failed", "N files not imported": tracks failed.
                    digest.error = str(error)
                    status = PARTIAL if _failed(store) > failed_before else FAILED
    after = _state(store)
    if result is not None:
        kinds = [change.kind for change in result.changes]
        digest.new_tracks = kinds.count("track_added")
        digest.newly_matched = kinds.count("newly_matched")
        if result.mirror is not None:
            digest.unwritable = _unwritable(result.mirror)
    digest.downloaded = _became(before.wishlist, after.wishlist, ("downloaded", "imported"))
    digest.imported = _became(before.wishlist, after.wishlist, ("imported",))
    digest.failed = _became(before.wishlist, after.wishlist, ("failed",))
    digest.rewritten = sorted(
        playlist_id
        for playlist_id in set(before.mirrored) | set(after.mirrored)
        if before.mirrored.get(playlist_id) != after.mirrored.get(playlist_id)
    )
    if status == OK and (digest.failed or digest.unwritable):
        status = PARTIAL
    if settings.refresh:
        _refresh(settings, lib, store, after, digest)
    return digest, status


def _unwritable(mirror: Any) -> int:
    """Playlists that had tracks to write and got no file (every name taken): not those
    skipped because nothing of theirs is in the library yet, which is no news."""
    from spotify_extract import _native

    return sum(
        1
        for outcome in mirror.playlists
        if outcome.status == _native.MirrorStatus.SKIPPED and outcome.stats.entries
    )


def _failed(store: Any) -> int:
    from spotify_extract.wishlist.entries import list_entries

    return len(list_entries(store, ["failed"]))


def _refresh(
    settings: Settings,
    lib: Any,
    store: Any,
    after: _Snapshot,
    digest: Digest,
) -> None:
    """Each player whose refresh is due: after a change, and until it has succeeded once
    since (a player that was down is refreshed by the next run, changed or not)."""
    changed = bool(digest.rewritten or digest.imported)
    context = RefreshContext(
        playlists=[
            MirroredPlaylist(playlist_id, Path(path))
            for playlist_id, (path, _) in sorted(after.mirrored.items())
            if Path(path).is_file()
        ],
        changed=set(digest.rewritten),
        music_dir=Path(os.fsdecode(lib.directory)),
        get_state=store.get_meta,
        set_state=store.set_meta,
    )
    for config in settings.refresh:
        player = players.player(config)
        label = player.label
        due_key = f"refresh_due:{label}"
        if changed:
            store.set_meta(due_key, "yes")
        if store.get_meta(due_key) == "no":
            continue
        try:
            done = player.refresh(context)
        except RefreshError as error:
            digest.refresh_failures.append(f"{label}: not refreshed: {printable(str(error), 300)}")
            continue
        except (OSError, ValueError) as error:  # never fails the run
            digest.refresh_failures.append(
                f"{label}: not refreshed: {printable(str(error) or type(error).__name__, 300)}"
            )
            continue
        store.set_meta(due_key, "no")
        digest.refreshed.append(f"{label}: {done}")
