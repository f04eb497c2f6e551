"""Import glue: `beet wishlist import`, and closing entries when new items match them
(the resolver the import listeners call, whatever the source of the import)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from beets import logging, ui
from beets.library import Item, Library

from spotify_extract import extract, importer, spotdl
from spotify_extract.wishlist.entries import (
    _native,
    download_dir,
    holding_run_lock,
    list_entries,
    open_store,
    store_path,
)

_log = logging.getLogger("beets.spotifyextract")

# --------------------------------------------------------------------------------------
# Matching new items against the wishlist


def _item_field(item: Item, key: str) -> str:
    try:
        value = item.get(key)
    except Exception:
        value = None
    return str(value) if value else ""


def _item_dict(item: Item) -> dict[str, Any]:
    """A beets item as the engine's matcher reads it (LibraryItem's field names)."""
    try:
        artists = [str(name) for name in (item.get("artists") or []) if name]
    except Exception:
        artists = []
    return {
        "id": item.id,
        "title": _item_field(item, "title"),
        "artist": _item_field(item, "artist"),
        "artists": artists,
        "album": _item_field(item, "album"),
        "albumartist": _item_field(item, "albumartist"),
        "length": float(item.get("length") or 0.0),
        "isrc": _item_field(item, "isrc"),
        "mb_trackid": _item_field(item, "mb_trackid"),
        "spotify_track_id": _item_field(item, importer.TRACK_ID_FIELD),
        "data_source": _item_field(item, "data_source"),
    }


def _track(entry, artists: Sequence[str] | None = None) -> Any:
    """A wishlist entry as a track for the matcher; `artists` are the stored credits
    (the entry keeps them joined into one line)."""
    from spotify_extract import _native

    track = _native.Track()
    track.id = entry.spotify_track_id
    track.name = entry.title
    track.artists = [_native.ArtistRef("", name) for name in (artists or [entry.artist])]
    track.album_name = getattr(entry, "album", "")
    track.isrc = entry.isrc
    track.duration_ms = getattr(entry, "duration_ms", 0)
    return track


def match_items(
    entries: Iterable[Any],
    items: Iterable[Item],
    options: Any = None,
    credits: Callable[[str], Sequence[str]] | None = None,
) -> list[tuple[Any, Item, str, float]]:
    """(entry, item, method, confidence) for each entry some new item satisfies.

    The engine's matcher (the one the extraction uses: Spotify id, ISRC, exact and fuzzy,
    version guards), indexed over the new items only, so a remaster tag, an accent or a
    "feat." in the file's tags still closes the entry, and an older item of the library
    can never take the place of the new one. Only sure matches count; each item closes at
    most one entry (the most confident). `credits(track_id)` gives the artist names.
    """
    from spotify_extract import _native

    entries = list(entries)
    by_id = {item.id: item for item in items if item.id is not None}
    if not entries or not by_id:
        return []
    matcher = _native.Matcher.build(
        [_item_dict(item) for item in by_id.values()], options or _native.MatchOptions()
    )
    tracks = [
        _track(entry, credits(entry.spotify_track_id) if credits else None) for entry in entries
    ]
    results = matcher.match_all(tracks)
    sure = [
        (entry, result)
        for entry, result in zip(entries, results, strict=True)
        if result.status == "matched" and result.item_id in by_id
    ]
    sure.sort(key=lambda pair: -pair[1].confidence)
    hits: list[tuple[Any, Item, str, float]] = []
    taken: set[int] = set()
    for entry, result in sure:
        if result.item_id in taken:
            continue
        taken.add(result.item_id)
        hits.append((entry, by_id[result.item_id], result.method, result.confidence))
    return hits


def _stored_credits(store) -> Callable[[str], Sequence[str]]:
    def credits(track_id: str) -> Sequence[str]:
        track = store.get_track(track_id)  # manual entries have none
        return [artist.name for artist in track.artists if artist.name] if track else []

    return credits


def resolve_items(plugin_config, store, lib: Library, item_ids: Sequence[int]) -> list[str]:
    """Close the wishlist entries the given new items satisfy; returns their track ids."""
    items = [item for item in (lib.get_item(i) for i in item_ids) if item is not None]
    if not items:
        return []
    entries = [e for e in list_entries(store) if e.status != "imported"]
    found = match_items(
        entries, items, extract.match_options(plugin_config), _stored_credits(store)
    )
    if not found:
        return []
    native = _native()
    records = []
    playlists: set[str] = set()
    for entry, item, method, confidence in found:
        record = native.MatchRecord()
        record.spotify_track_id = entry.spotify_track_id
        record.item_id = item.id
        record.method = method
        record.confidence = confidence
        records.append(record)
        store.set_wishlist_status(entry.spotify_track_id, "imported", "", b"", item.id)
        playlists.update(ref.id for ref in store.wanted_by(entry.spotify_track_id))
    snapshot = store.last_snapshot()
    store.save_matches(snapshot.id if snapshot else 0, records)
    if playlists:
        # The one way to mirror: the extraction's own re-render from the store.
        result = extract.rerender(
            plugin_config, lib, store, playlists, lock_held=holding_run_lock()
        )
        if result is not None and result.written:
            _log.info("spotifyextract: {} playlists updated", result.written)
    return [entry.spotify_track_id for entry, *_ in found]


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
            _log.warning("spotifyextract: wishlist not updated after the import: {}", error)
            return
        if closed:
            _log.info("spotifyextract: {} wishlist entries imported", len(closed))

    return resolve


def _import_options(plugin_config, opts) -> importer.ImportOptions:
    mode = str(plugin_config["import_mode"].get() or "singletons")
    if mode not in ("singletons", "albums", "beets"):
        raise ui.UserError(
            f"spotifyextract.import_mode must be singletons, albums or beets, not {mode!r}"
        )
    singletons = {"singletons": True, "albums": False, "beets": None}[mode]
    return importer.ImportOptions(singletons=singletons, interactive=bool(opts.interactive))


def cmd_import(plugin_config, listener, lib, opts, args) -> None:
    store = open_store(plugin_config)
    entries = list_entries(store, ["downloaded"], opts.playlist or "")
    target = download_dir(plugin_config)
    requests: list[importer.ImportRequest] = []
    gone = 0
    for entry in entries:
        path = Path(os.fsdecode(entry.file_path)) if entry.file_path else None
        if path is None or not path.is_file():
            path = spotdl.downloaded_file(target, entry.spotify_track_id)
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
    report = importer.import_downloads(lib, requests, _import_options(plugin_config, opts))
    # Close entries now (the listener would at exit) and re-render their playlists.
    listener.flush(lib)
    for track_id, item in report.imported.items():
        entry = store.get_wishlist_entry(track_id)
        if entry is not None and entry.status != "imported":
            store.set_wishlist_status(track_id, "imported", "", "", item.id)
    for request in requests:
        item = report.imported.get(request.track_id)
        if item is not None and os.fsencode(request.path) != item.path:
            spotdl.remove_download(request.path, target)
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
