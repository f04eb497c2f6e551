"""`beet wishlist`: what is missing, downloaded with spotDL and imported into beets.

The wishlist lives in the state database (native/store); this module is the command
logic around it: listing and filtering, manual additions, export, statistics, the
download run (spotdl.py) and the import (importer.py), and the resolver the import
listeners (hooks.py) use to close entries when matching files arrive by any route.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import beets
from beets import logging, ui
from beets.library import Item, Library
from beets.util.functemplate import Template

from spotify_extract import extract, importer, spotdl
from spotify_extract.hooks import ImportListener

_log = logging.getLogger("beets.spotifyextract")

STATUSES = ("pending", "downloading", "downloaded", "imported", "failed", "dismissed")
DEFAULT_FORMAT = "$artist - $title [$album] ($status) <$playlists>"
ACTIONS = ("list", "add", "dismiss", "restore", "retry", "export", "stats", "download", "import")
EXPORT_KINDS = ("csv", "json", "urls")
MANUAL_PREFIX = "manual:"

# Spotify links and URIs a person may paste: open.spotify.com (with or without an
# intl-xx segment, query string) and spotify:kind:id.
_URL_RE = re.compile(
    r"^https?://open\.spotify\.com/(?:intl-[a-zA-Z-]+/)?(track|album|playlist)/"
    r"([0-9A-Za-z]{22})/?(?:[?#].*)?$"
)
_URI_RE = re.compile(r"^spotify:(track|album|playlist):([0-9A-Za-z]{22})$")
_ARTIST_TITLE_RE = re.compile(r"^\s*(.+?)\s+[-\u2013\u2014]\s+(.+?)\s*$")
# A text query handed to spotDL for a manual entry: it can never look like an option.
_TEXT_QUERY_RE = re.compile(r"^[^\s\-][^\x00-\x1f]{0,299}$")


# --------------------------------------------------------------------------------------
# The state database


def _native():
    from spotify_extract import _native

    return _native


# The state database: extract.py owns where it is and how it opens (one clear line).
store_path = extract.state_database
open_store = extract.open_store


def _entries(store, statuses: Sequence[str] = (), playlist: str = "") -> list[Any]:
    native = _native()
    wanted = native.WishlistFilter()
    wanted.statuses = list(statuses)
    wanted.playlist = playlist
    return list(store.list_wishlist(wanted))


# --------------------------------------------------------------------------------------
# Parsing what a person adds


@dataclass(frozen=True)
class SpotifyRef:
    kind: str  # track | album | playlist
    id: str


def parse_spotify_ref(text: str) -> SpotifyRef | None:
    """A Spotify track/album/playlist URL or URI, or None."""
    text = text.strip()
    match = _URL_RE.match(text) or _URI_RE.match(text)
    if not match:
        return None
    return SpotifyRef(match.group(1), match.group(2))


def parse_artist_title(text: str) -> tuple[str, str] | None:
    match = _ARTIST_TITLE_RE.match(text)
    if not match:
        return None
    return match.group(1), match.group(2)


def manual_key(artist: str, title: str) -> str:
    digest = hashlib.sha1(f"{normalize(artist)}\x00{normalize(title)}".encode()).hexdigest()
    return MANUAL_PREFIX + digest[:22]


def text_query(entry) -> str | None:
    """The spotDL search text of a manual "Artist - Title" entry, when it is safe."""
    query = f"{entry.artist} - {entry.title}"
    return query if _TEXT_QUERY_RE.match(query) else None


# --------------------------------------------------------------------------------------
# Matching new items against the wishlist

_FEAT_RE = re.compile(r"[\(\[]\s*(?:feat|ft|featuring|with)\b.*?[\)\]]", re.IGNORECASE)
_PUNCT_RE = re.compile(r"[^\w]+", re.UNICODE)


def normalize(text: str) -> str:
    """Case, accents, punctuation and "(feat. X)" do not matter; scripts are kept."""
    text = unicodedata.normalize("NFKC", text or "").casefold()
    text = _FEAT_RE.sub(" ", text)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_PUNCT_RE.sub(" ", text).split())


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
    entries = [e for e in _entries(store) if e.status != "imported"]
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
        result = extract.rerender(plugin_config, lib, store, playlists)
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


# --------------------------------------------------------------------------------------
# Listing, formatting, export


def entry_values(entry) -> dict[str, str]:
    playlists = ", ".join(ref.name for ref in entry.wanted_by)
    requested = ", ".join(getattr(entry, "requested_by", []) or [])
    track_id = entry.spotify_track_id
    url = "" if track_id.startswith(MANUAL_PREFIX) else spotdl.track_url(track_id)
    return {
        "id": track_id,
        "spotify_track_id": track_id,
        "artist": entry.artist,
        "title": entry.title,
        "album": entry.album,
        "isrc": entry.isrc,
        "status": entry.status,
        "error": entry.error,
        "retries": str(entry.retries),
        "playlists": playlists or requested or ("manual" if entry.source == "manual" else ""),
        "url": entry.spotify_url or url,
        "source": entry.source,
        "added": entry.added_at,
        "updated": entry.updated_at,
        "downloaded": entry.downloaded_at,
        "imported": entry.imported_at,
        "length": _length(entry.duration_ms),
        "file": os.fsdecode(entry.file_path) if entry.file_path else "",
    }


def _length(duration_ms: int) -> str:
    seconds = max(0, int(duration_ms or 0) // 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


_QUERY_FIELDS = ("artist", "title", "album", "status", "isrc", "playlists", "id")


def query_filter(terms: Sequence[str]) -> Callable[[dict[str, str]], bool]:
    """A beets-style query: `field:value` terms and bare words, all must match."""
    checks: list[tuple[tuple[str, ...], str]] = []
    for term in terms:
        field, sep, value = term.partition(":")
        if sep and field in _QUERY_FIELDS:
            checks.append(((field,), normalize(value)))
        else:
            checks.append((("artist", "title", "album"), normalize(term)))

    def accept(values: dict[str, str]) -> bool:
        return all(
            any(needle in normalize(values[field]) for field in fields) for fields, needle in checks
        )

    return accept


def select_entries(store, opts, terms: Sequence[str]) -> list[Any]:
    statuses = _statuses(opts)
    entries = _entries(store, statuses, opts.playlist or "")
    accept = query_filter(terms)
    return [entry for entry in entries if accept(entry_values(entry))]


def _statuses(opts) -> list[str]:
    chosen: list[str] = []
    for value in opts.status or []:
        for part in value.split(","):
            part = part.strip().lower()
            if not part:
                continue
            if part not in STATUSES:
                raise ui.UserError(
                    f"unknown wishlist status {part!r}; choose from {', '.join(STATUSES)}"
                )
            chosen.append(part)
    return chosen


def _page(entries: list[Any], opts) -> list[Any]:
    limit = opts.limit or 0
    page = max(1, opts.page or 1)
    if limit <= 0:
        return entries
    start = (page - 1) * limit
    return entries[start : start + limit]


def export_entries(entries: Sequence[Any], kind: str) -> str:
    rows = [entry_values(entry) for entry in entries]
    if kind == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if kind == "urls":
        return "".join(row["url"] + "\n" for row in rows if row["url"])
    buffer = io.StringIO()
    columns = ["artist", "title", "album", "isrc", "status", "playlists", "url", "id"]
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------
# Commands


def wishlist_command(plugin_config, listener: ImportListener) -> ui.Subcommand:
    command = ui.Subcommand(
        "wishlist",
        help="the Spotify tracks you do not own yet: list, download with spotDL, import",
    )
    command.parser.usage = (
        "%prog [list] [options] [QUERY...]\n"
        "       %prog add SPOTIFY-URL|SPOTIFY-URI|'ARTIST - TITLE'...\n"
        "       %prog dismiss|restore|retry [QUERY...]\n"
        "       %prog export [csv|json|urls] [-o FILE] [QUERY...]\n"
        "       %prog stats\n"
        "       %prog download [--limit N] [--playlist NAME]\n"
        "       %prog import [--interactive]"
    )
    command.parser.description = (
        "Every Spotify track no item of your library matches is a wishlist entry: "
        "pending -> downloading -> downloaded -> imported, or failed (with the error and "
        "a retry count), or dismissed. `download` hands pending entries to spotDL and "
        "then (import_after_download) to beets' importer; any import that brings a "
        "wanted track in closes its entry and refreshes the playlists that wanted it."
    )
    parser = command.parser
    parser.add_option(
        "-s",
        "--status",
        action="append",
        metavar="STATUS",
        help="only entries with this status (repeat or comma-separate): " + ", ".join(STATUSES),
    )
    parser.add_option(
        "-p", "--playlist", metavar="NAME", help="only tracks this playlist (name or id) wants"
    )
    parser.add_option(
        "-n",
        "--limit",
        type="int",
        metavar="N",
        help="list: N entries per page; download: at most N tracks",
    )
    parser.add_option("--page", type="int", metavar="P", help="list: show page P (with --limit)")
    parser.add_option(
        "-f",
        "--format",
        metavar="FMT",
        help="list: print each entry with this template, like `beet ls -f` "
        "($artist $title $album $status $playlists $url $isrc $error $retries $id ...)",
    )
    parser.add_option("-o", "--output", metavar="FILE", help="export: write to FILE, not stdout")
    parser.add_option(
        "-i",
        "--interactive",
        action="store_true",
        help="import: your usual interactive beets import instead of the quiet one",
    )
    parser.add_option(
        "--no-import",
        action="store_true",
        help="download: do not import afterwards (overrides import_after_download)",
    )

    def run(lib: Library, opts, args: list[str]) -> None:
        action = "list"
        if args and args[0] in ACTIONS:
            action, args = args[0], args[1:]
        handler = {
            "list": cmd_list,
            "add": cmd_add,
            "dismiss": cmd_dismiss,
            "restore": cmd_restore,
            "retry": cmd_retry,
            "export": cmd_export,
            "stats": cmd_stats,
            "download": cmd_download,
            "import": cmd_import,
        }[action]
        native = _native()
        try:
            handler(plugin_config, listener, lib, opts, args)
        except native.SpotifyExtractError as error:
            raise ui.UserError(str(error)) from error
        except spotdl.SpotdlError as error:
            raise ui.UserError(str(error)) from error

    command.func = run
    return command


def _totals_line(store) -> str:
    stats = store.get_wishlist_stats()
    parts = [f"{stats.by_status[s]} {s}" for s in STATUSES if stats.by_status.get(s)]
    return f"{stats.total} entries" + (": " + ", ".join(parts) if parts else "")


def cmd_list(plugin_config, listener, lib, opts, args) -> None:
    store = open_store(plugin_config)
    entries = select_entries(store, opts, args)
    template = Template(opts.format or DEFAULT_FORMAT)
    for entry in _page(entries, opts):
        ui.print_(template.substitute(entry_values(entry), {}))
    shown = len(_page(entries, opts))
    if opts.limit and len(entries) > shown:
        page = max(1, opts.page or 1)
        pages = (len(entries) + opts.limit - 1) // opts.limit
        ui.print_(f"page {page} of {pages} ({len(entries)} entries match)")
    if not opts.format:
        ui.print_(_totals_line(store))


def _require_matches(store, opts, args, statuses: Sequence[str], what: str) -> list[Any]:
    if not args and not opts.playlist and not opts.status:
        raise ui.UserError(f"{what}: name the entries (a query, --playlist or --status)")
    if not opts.status:
        opts.status = [",".join(statuses)]
    entries = select_entries(store, opts, args)
    if not entries:
        raise ui.UserError(f"{what}: no matching entries")
    return entries


def cmd_dismiss(plugin_config, listener, lib, opts, args) -> None:
    store = open_store(plugin_config)
    entries = _require_matches(store, opts, args, ("pending", "failed", "downloaded"), "dismiss")
    for entry in entries:
        store.dismiss_wishlist_entry(entry.spotify_track_id)
        ui.print_(f"dismissed: {entry.artist} - {entry.title}")


def cmd_restore(plugin_config, listener, lib, opts, args) -> None:
    store = open_store(plugin_config)
    entries = _require_matches(store, opts, args, ("dismissed",), "restore")
    for entry in entries:
        store.restore_wishlist_entry(entry.spotify_track_id)
        ui.print_(f"restored: {entry.artist} - {entry.title}")


def cmd_retry(plugin_config, listener, lib, opts, args) -> None:
    store = open_store(plugin_config)
    if not args and not opts.playlist:
        count = store.retry_wishlist("")
    else:
        opts.status = ["failed"]
        count = sum(
            store.retry_wishlist(e.spotify_track_id) for e in select_entries(store, opts, args)
        )
    ui.print_(f"{count} failed entr{'y' if count == 1 else 'ies'} back to pending")


def cmd_add(plugin_config, listener, lib, opts, args) -> None:
    if not args:
        raise ui.UserError("add: give a Spotify track, album or playlist link, or 'Artist - Title'")
    store = open_store(plugin_config)
    native = _native()
    for text in args:
        ref = parse_spotify_ref(text)
        if ref is not None and ref.kind in ("album", "playlist"):
            _add_from_spotify(plugin_config, lib, store, ref)
            continue
        entry = native.WishlistEntry()
        entry.source = "manual"
        entry.requested_by = ["manual"]
        if ref is not None:
            entry.spotify_track_id = ref.id
            entry.spotify_url = spotdl.track_url(ref.id)
            track = store.get_track(ref.id)
            if track is not None:
                entry.title = track.name
                entry.artist = ", ".join(artist.name for artist in track.artists)
                entry.album = track.album_name
                entry.isrc = track.isrc
                entry.duration_ms = track.duration_ms
            label = f"{entry.artist} - {entry.title}" if entry.title else entry.spotify_url
        else:
            pair = parse_artist_title(text)
            if pair is None:
                raise ui.UserError(f"add: {text!r} is neither a Spotify link nor 'Artist - Title'")
            entry.artist, entry.title = pair
            entry.spotify_track_id = manual_key(*pair)
            label = f"{entry.artist} - {entry.title}"
        created = store.add_wishlist_entry(entry)
        ui.print_(f"{'added' if created else 'already on the wishlist'}: {label}")


# Personal (development-mode) apps are given the entries of the person's own and
# collaborative playlists only: a followed playlist answers 403.
NOT_SHARED = (
    "Spotify gives personal apps the tracks of your own and collaborative playlists only, "
    "not of playlists you follow; save a copy in Spotify (… > Add to other playlist > New "
    "playlist) and add that, or read your data export with "
    "`beet spotify-extract --from-export PATH`"
)


def _spotify_tracks(plugin_config, ref: SpotifyRef) -> list[Any]:
    """The tracks of an album, or of a playlist (no episodes, local files or gaps)."""
    native = _native()
    what = f"add: {ref.kind} {ref.id}"
    config = extract.spotify_config(plugin_config)
    if not extract.has_login(config):
        raise ui.UserError(
            f"{what}: {ref.kind} links are read from Spotify; run `beet spotify-extract "
            "--login` first"
        )
    try:
        client = native.SpotifyClient(config)
        if ref.kind == "album":
            return [track for track in client.album_tracks(ref.id).tracks if track.id]
        result = client.playlist_items(ref.id)
    except native.SpotifyExtractError as error:
        raise ui.UserError(f"{what}: {error}") from error
    if result.access == native.PlaylistAccess.NOT_SHARED:
        raise ui.UserError(f"{what}: {NOT_SHARED}")
    if result.access == native.PlaylistAccess.UNAVAILABLE:
        raise ui.UserError(
            f"{what}: Spotify does not serve it (no such playlist, or a Spotify-owned / "
            "Made For You one, which personal apps cannot read)"
        )
    return [
        entry.track
        for entry in result.entries
        if entry.kind == native.EntryKind.TRACK and entry.track.id
    ]


def _add_from_spotify(plugin_config, lib: Library, store, ref: SpotifyRef) -> None:
    """Every track of the album or playlist that the library lacks goes on the wishlist."""
    native = _native()
    # A track twice in a playlist is one entry.
    by_id = {track.id: track for track in _spotify_tracks(plugin_config, ref)}
    tracks = list(by_id.values())
    owned: set[str] = set()
    if tracks:
        # The extraction's matcher and settings: what it would call "in your library" stays
        # off the wishlist.
        try:
            matcher = native.Matcher.from_library(
                os.fsdecode(lib.path),
                lib.directory,
                extract.match_options(plugin_config),
                busy_timeout=extract.lock_timeout(),
            )
            results = matcher.match_all(tracks)
        except native.SpotifyExtractError as error:
            raise ui.UserError(f"add: {ref.kind} {ref.id}: {error}") from error
        owned = {r.track_id for r in results if r.status == "matched"}
    added = already = 0
    for track in tracks:
        if track.id in owned:
            continue
        entry = native.WishlistEntry()
        entry.source = "manual"
        entry.requested_by = ["manual"]
        entry.spotify_track_id = track.id
        entry.spotify_url = spotdl.track_url(track.id)
        entry.title = track.name
        entry.artist = ", ".join(a.name for a in track.artists if a.name)
        entry.album = track.album_name
        entry.isrc = track.isrc
        entry.duration_ms = track.duration_ms
        entry.cover_url = track.cover_url
        if store.add_wishlist_entry(entry):
            added += 1
        else:
            already += 1
    ui.print_(
        f"{ref.kind} {ref.id}: {added} added, {already} already on the wishlist, "
        f"{len(owned)} already in your library"
    )


def cmd_export(plugin_config, listener, lib, opts, args) -> None:
    kind = "csv"
    if args and args[0] in EXPORT_KINDS:
        kind, args = args[0], args[1:]
    store = open_store(plugin_config)
    text = export_entries(select_entries(store, opts, args), kind)
    if opts.output:
        path = Path(opts.output).expanduser()
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise ui.UserError(f"cannot write {path}: {error.strerror}") from error
    else:
        sys.stdout.write(text)


def cmd_stats(plugin_config, listener, lib, opts, args) -> None:
    store = open_store(plugin_config)
    stats = store.get_wishlist_stats()
    by = dict(stats.by_status)
    done = by.get("downloaded", 0) + by.get("imported", 0)
    tried = done + by.get("failed", 0)
    rate = f"{100.0 * done / tried:.0f}%" if tried else "n/a"
    ui.print_(_totals_line(store))
    ui.print_(f"queue: {by.get('pending', 0) + by.get('downloading', 0)} to download")
    ui.print_(
        f"success rate: {rate} ({done} of {tried} downloads; {stats.failed_attempts} retries)"
    )
    ui.print_(
        f"this week: {stats.downloaded_last_week} downloaded, {stats.imported_last_week} imported"
    )


# --------------------------------------------------------------------------------------
# download and import


def download_dir(plugin_config) -> Path:
    configured = plugin_config["download_dir"].get()
    if configured:
        return Path(os.path.expanduser(str(configured))).absolute()
    return Path(os.fsdecode(beets.config["directory"].as_filename())).absolute()


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
    entries = _entries(store, ["pending"], opts.playlist or "")
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
    entries = _entries(store, ["downloaded"], opts.playlist or "")
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


__all__ = [
    "entry_values",
    "export_entries",
    "match_items",
    "normalize",
    "parse_artist_title",
    "parse_spotify_ref",
    "resolver",
    "wishlist_command",
]
