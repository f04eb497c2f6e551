"""`beet spotify-analyze [QUERY] [--force] [--dry-run]` and `analyze_after_import`."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from beets import logging, ui
from beets.library import Album, Item, Library

from spotify_extract import settings as plugin_settings
from spotify_extract.analyze import runner
from spotify_extract.commands import add_flag
from spotify_extract.interrupt import Interrupted

log = logging.getLogger("beets.spotifyextract")


def _lock(config, what: str):
    @contextlib.contextmanager
    def take() -> Iterator[None]:
        from spotify_extract.wishlist.entries import run_lock

        with run_lock(config, what):
            yield

    return take


def spotify_analyze_command(config) -> ui.Subcommand:
    command = ui.Subcommand(
        "spotify-analyze",
        help="compute BPM, key, loudness, energy and danceability from the audio (Essentia)",
    )
    add_flag(
        command,
        "--force",
        help="analyse again and replace values set by you, Spotify or an earlier analysis",
    )
    add_flag(command, "-n", "--dry-run", help="print what would be written; write nothing")

    def run(lib: Library, opts, args: list[str]) -> None:
        settings = plugin_settings.load(config)
        request = runner.Request(query=args, force=bool(opts.force), dry_run=bool(opts.dry_run))
        try:
            runner.run(lib, request, lock=_lock(settings, "beet spotify-analyze"))
        except KeyboardInterrupt:  # outside the cancellable part
            ui.print_("Cancelled.")
            raise Interrupted() from None

    command.func = run
    return command


class AnalyzeAfterImport:
    """`analyze_after_import: yes`: the items an import added (a `beet wishlist import` of
    downloads, or the person's own `beet import`) are analysed when beets' command ends,
    all at once in parallel. A run that cannot take the lock says so and leaves them to
    `beet spotify-analyze`; an import never fails because of the analysis."""

    def __init__(self, config) -> None:
        self._config = config
        self._lock = threading.Lock()
        self._ids: list[int] = []
        self._lib: Library | None = None

    def _enabled(self) -> bool:
        try:
            return bool(self._config["analyze_after_import"].get(bool))
        except Exception:  # a bad value is reported by the commands' own settings check
            return False

    def item_imported(self, lib: Library, item: Item) -> None:
        if item.id is not None and self._enabled():
            with self._lock:
                self._lib = lib
                self._ids.append(item.id)

    def album_imported(self, lib: Library, album: Album) -> None:
        if self._enabled():
            with self._lock:
                self._lib = lib
                self._ids.extend(item.id for item in album.items() if item.id is not None)

    def flush(self, lib: Library | None = None) -> None:
        with self._lock:
            ids, self._ids = self._ids, []
            lib = lib or self._lib
        if not ids or lib is None:
            return
        request = runner.Request(item_ids=list(dict.fromkeys(ids)))
        try:
            settings = plugin_settings.load(self._config)
            runner.run(lib, request, lock=_lock(settings, "analysis after import"))
        except ui.UserError as error:
            log.warning("audio analysis after import skipped: {}", error)
