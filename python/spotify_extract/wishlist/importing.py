"""Import glue: `beet wishlist import`, and closing entries when new items match them
(the resolver the import listeners call, whatever the source of the import)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

from beets import logging, ui
from beets.library import Library

from spotify_extract import download_runner, extract, importer
from spotify_extract.settings import Settings
from spotify_extract.wishlist.entries import (
    _native,
    download_dir,
    holding_run_lock,
    list_entries,
    open_store,
    store_path,
)

_log = logging.getLogger("beets.spotifyextract")


def resolve_items(plugin_config, store, lib: Library, item_ids: Sequence[int]) -> list[str]:
    """Close the wishlist entries the given new items satisfy (the engine's use case, one
    call: it reads those items, matches, stores), then re-render the playlists that wanted
    them; returns the closed entries' track ids."""
    result = _native().resolve_imported_items(
        store,
        lib.path,
        lib.directory,
        extract.match_options(plugin_config),
        list(item_ids),
        busy_timeout=extract.lock_timeout(),
    )
    if result.playlists:
        # The one way to mirror: the extraction's own re-render from the store.
        rendered = extract.rerender(
            plugin_config, lib, store, result.playlists, lock_held=holding_run_lock()
        )
        if rendered is not None and rendered.written:
            _log.info("{} playlists updated", rendered.written)
    return list(result.closed)


def resolver(plugin_config) -> Callable[[Library, list[int]], None]:
    """What the import listeners call with the ids of newly imported items."""

    def resolve(lib: Library, item_ids: list[int]) -> None:
        if not store_path(plugin_config).exists():
            return  # never extracted: no wishlist to close
        native = _native()
        try:
            store = open_store(plugin_config)
            closed = resolve_items(plugin_config, store, lib, item_ids)
        except (native.SpotifyExtractError, ui.UserError, OSError, ValueError) as error:
            # Someone else's import must not fail because of the wishlist.
            _log.warning("wishlist not updated after the import: {}", error)
            return
        if closed:
            _log.info("{} wishlist entries imported", len(closed))

    return resolve


def import_options(settings: Settings, opts) -> importer.ImportOptions:
    return importer.ImportOptions(
        singletons=settings.import_singletons, interactive=bool(opts.interactive)
    )


def cmd_import(plugin_config, listener, lib, opts, args) -> None:
    store = open_store(plugin_config)
    entries = list_entries(store, ["downloaded"], opts.playlist or "")
    target = download_dir(plugin_config)
    requests: list[importer.ImportRequest] = []
    gone = 0
    for entry in entries:
        path = Path(os.fsdecode(entry.file_path)) if entry.file_path else None
        if path is None or not path.is_file():
            path = download_runner.downloaded_file(target, entry.spotify_track_id)
        label = f"{entry.artist} - {entry.title}"
        if path is None:
            store.set_wishlist_status(
                entry.spotify_track_id, "failed", "import: the downloaded file is gone", "", 0
            )
            ui.print_(f"not imported: {label}: the downloaded file is gone")
            gone += 1
            continue
        requests.append(importer.ImportRequest(path, entry.spotify_track_id, label))
    if not requests and not gone:
        ui.print_("nothing to import")
        return
    report = importer.import_downloads(lib, requests, import_options(plugin_config, opts))
    # Close entries now (the listener would at exit) and re-render their playlists.
    listener.flush(lib)
    for track_id, item in report.imported.items():
        entry = store.get_wishlist_entry(track_id)
        if entry is not None and entry.status != "imported":
            store.set_wishlist_status(track_id, "imported", "", "", item.id)
    for request in requests:
        item = report.imported.get(request.track_id)
        if item is not None and os.fsencode(request.path) != item.path:
            download_runner.remove_download(request.path, target)
    for request, reason in report.not_imported:
        store.set_wishlist_status(request.track_id, "failed", f"import: {reason}", "", 0)
        ui.print_(f"not imported: {request.path.name}: {reason}")
    failed = len(report.not_imported) + gone
    ui.print_(f"{len(report.imported)} imported, {failed} not imported")
    if failed:
        raise ui.UserError(
            f"{failed} downloaded file{'s were' if failed > 1 else ' was'} not imported "
            "(listed above); "
            "fix them and run `beet wishlist retry` or import them by hand"
        )
