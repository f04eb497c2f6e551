"""`beet spotify-push QUERY --name N [--m3u FILE]`: beets items become a Spotify playlist.

Each item maps to a Spotify track through what is already known (the `spotify_track_id`
beets' spotify plugin writes, then the stored matches of `beet spotify-extract`), then an
ISRC search, then an artist/title search whose results go through the matcher itself (its
version guards: a live or remix version never stands in for the studio one). Only sure
mappings are written; the dry run (the default) lists every item without a track and
every uncertain mapping. `--apply` writes like spotify-master: typed `yes` or `--yes`,
checkpointed batches, and only to the playlist this tool created for that name.
"""

from __future__ import annotations

import optparse
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beets import ui

from spotify_extract import _native
from spotify_extract import settings as plugin_settings
from spotify_extract.display import printable
from spotify_extract.master import (
    apply_plan,
    check_write_usage,
    confirm,
    open_writer_client,
    result_line,
)
from spotify_extract.settings import Settings
from spotify_extract.spotify_write import BATCH, WritePlan, batches

SEARCH_LIMIT = 10  # development mode's maximum
SHOWN = 50  # unmapped/uncertain items listed before "... and N more"


@dataclass
class Mapping:
    item_id: int
    label: str  # "Artist - Title"
    track_id: str = ""  # "" = no track found
    method: str = ""  # spotify_track_id | stored match | isrc | search
    sure: bool = False
    confidence: float = 0.0


def item_label(item: Any) -> str:
    return f"{item.artist} - {item.title}"


def items_from(lib: Any, query: Sequence[str], m3u: str | None) -> list[Any]:
    """The beets items of the query, or of the m3u file's lines, in their order."""
    if m3u is None:
        return list(lib.items(list(query)))
    from spotify_extract.coverage import library_items_by_path

    path = Path(m3u)
    try:
        lines = path.read_bytes().splitlines()
    except OSError as error:
        raise ui.UserError(f"--m3u {m3u}: {error.strerror or error}") from None
    # A relative line is relative to the m3u file (most players) or, for MPD, to the
    # music directory.
    roots = [path.parent.resolve(), Path(os.fsdecode(lib.directory))]
    wanted: list[list[Path]] = []
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith(b"#"):
            continue
        entry = Path(os.fsdecode(line))
        candidates = [entry] if entry.is_absolute() else [root / entry for root in roots]
        wanted.append([Path(os.path.normpath(c)) for c in candidates])
    owned = library_items_by_path(lib, [c for cs in wanted for c in cs])
    found, missing = [], 0
    for candidates in wanted:
        item_id = next((owned[c] for c in candidates if c in owned), None)
        if item_id is None:
            missing += 1
        else:
            found.append(lib.get_item(item_id))
    if missing:
        ui.print_(f"{missing} line(s) of {m3u} are not items of the beets library; skipped.")
    return found


def _stored_matches(store: Any) -> dict[int, str]:
    """item id -> Spotify track id, from the matches of the last extraction."""
    out: dict[int, str] = {}
    for track_id, record in sorted(store.all_matches().items()):
        if record.item_id and record.status in ("matched", ""):
            out.setdefault(record.item_id, track_id)
    return out


def _item_dict(item: Any) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "artist": item.artist,
        "album": item.album,
        "albumartist": item.albumartist,
        "length": item.length,
        "isrc": item.get("isrc", ""),
    }


def _quoted(text: str) -> str:
    return '"' + text.replace('"', " ").strip() + '"'


def map_items(
    items: Sequence[Any], store: Any, client: Any, options: _native.MatchOptions
) -> list[Mapping]:
    stored = _stored_matches(store)
    out = []
    for item in items:
        mapping = Mapping(item.id, item_label(item))
        own = str(item.get("spotify_track_id", "") or "")
        if len(own) == 22 and own.isalnum():
            mapping.track_id, mapping.method, mapping.sure = own, "spotify_track_id", True
        elif item.id in stored:
            mapping.track_id, mapping.method, mapping.sure = stored[item.id], "stored match", True
        else:
            _search(item, client, options, mapping)
        out.append(mapping)
    return out


def _search(item: Any, client: Any, options: _native.MatchOptions, mapping: Mapping) -> None:
    isrc = str(item.get("isrc", "") or "").strip().upper()
    if isrc:
        for track in client.search_tracks(f"isrc:{isrc}", SEARCH_LIMIT):
            if track.isrc.upper() == isrc:
                mapping.track_id, mapping.method, mapping.sure = track.id, "isrc", True
                return
    if not item.title:
        return
    query = f"track:{_quoted(item.title)}"
    if item.artist:
        query = f"artist:{_quoted(item.artist)} {query}"
    candidates = client.search_tracks(query, SEARCH_LIMIT)
    if not candidates:
        return
    # The matcher over this one item: the same scoring and version guards as extraction.
    matcher = _native.Matcher.build([_item_dict(item)], options)
    best = None
    for track, result in zip(candidates, matcher.match_all(candidates), strict=True):
        if result.item_id != item.id:
            continue
        if best is None or result.confidence > best[1].confidence:
            best = (track, result)
    if best is None:
        return
    track, result = best
    mapping.track_id, mapping.method = track.id, "search"
    mapping.confidence = result.confidence
    mapping.sure = result.status == "matched"


def push_command(config: Any) -> ui.Subcommand:
    command = ui.Subcommand(
        "spotify-push",
        help="make a Spotify playlist from a beets query or an m3u file (dry run by default)",
    )
    parser = command.parser
    parser.usage = "%prog (QUERY | --m3u FILE) --name N [--apply [--yes]]"
    parser.description = (
        "Maps the items of a beets query (or of an m3u file, e.g. a smart playlist) to "
        "Spotify tracks: spotify_track_id, the stored matches, then ISRC and artist/title "
        "search. Without --apply nothing is written: the items without a track and the "
        "uncertain mappings are listed. Pushing the same name again updates the playlist "
        "this tool created for it."
    )
    parser.add_option("--name", metavar="N", help="the Spotify playlist's name (required)")
    parser.add_option("--m3u", metavar="FILE", help="take the items of this m3u file, in its order")
    parser.add_option("--apply", action="store_true", help="write it to Spotify after a typed yes")
    parser.add_option("--yes", action="store_true", help="with --apply: no question (scripts)")

    def run(lib: Any, opts: optparse.Values, args: list[str]) -> None:
        check_write_usage(parser, opts, [])
        if opts.m3u is not None and args:
            parser.exit(2, f"{parser.get_prog_name()}: error: give a query or --m3u, not both\n")
        name = (opts.name or "").strip()
        if not name or len(name) > 100:
            parser.exit(
                2, f"{parser.get_prog_name()}: error: --name N is required (1 to 100 characters)\n"
            )
        if opts.m3u is not None and not Path(opts.m3u).is_file():
            raise ui.UserError(f"--m3u {opts.m3u}: no such file")
        settings = plugin_settings.load(config)
        run_push(settings, lib, args, opts, name)

    command.func = run
    return command


def run_push(
    settings: Settings, lib: Any, query: Sequence[str], opts: optparse.Values, name: str
) -> None:
    from spotify_extract import auth
    from spotify_extract.extract import match_options, open_store

    items = items_from(lib, query, opts.m3u)
    if not items:
        raise ui.UserError("the query matches no items; nothing to push")
    store = open_store(settings)
    try:
        client = _native.SpotifyClient(auth.native_config(settings))
        mappings = map_items(items, store, client, match_options(settings))
    except _native.SpotifyExtractError as error:
        raise ui.UserError(str(error)) from error
    sure = [m for m in mappings if m.sure]
    unsure = [m for m in mappings if m.track_id and not m.sure]
    unmapped = [m for m in mappings if not m.track_id]
    uris: list[str] = []
    for m in sure:
        uri = f"spotify:track:{m.track_id}"
        if uri not in uris:
            uris.append(uri)
    by_method: dict[str, int] = {}
    for m in sure:
        by_method[m.method] = by_method.get(m.method, 0) + 1
    ui.print_(
        f"{len(items):,} item(s): {len(sure):,} mapped, {len(unsure):,} uncertain, "
        f"{len(unmapped):,} without a track"
    )
    if by_method:
        ui.print_("  mapped by " + ", ".join(f"{k}: {v:,}" for k, v in sorted(by_method.items())))
    _list("Without a Spotify track", unmapped)
    _list("Uncertain (not written)", unsure)
    existing = store.created_playlist_for(f"push:{name}")
    n = len(uris)
    if existing is not None:
        ui.print_(
            f"The write would update {printable(name)!r} ({existing.playlist_id}), made by this "
            f"tool: {n:,} tracks, at most {max(1, batches(n))} write request(s) of up to {BATCH}."
        )
    else:
        ui.print_(
            f"The write would create the private playlist {printable(name)!r} with {n:,} tracks "
            f"({batches(n) + 1} write requests)."
        )
    if not opts.apply:
        ui.print_("Dry run: nothing was written to Spotify. Add --apply to write it.")
        return
    if not uris:
        raise ui.UserError("no item maps to a Spotify track; nothing to write")
    writer = open_writer_client(settings)
    if not confirm(f"Write {n:,} tracks to {name!r} on Spotify?", opts.yes):
        ui.print_("Nothing written.")
        return
    query_text = " ".join(query) or "all items"
    source = (
        f"the m3u file {Path(opts.m3u).name}" if opts.m3u else f"the beets query {query_text!r}"
    )
    plan = WritePlan(
        target=f"push:{name}",
        name=name,
        description=f"Pushed by beets-spotify-extract from {source}",
        uris=tuple(uris),
    )
    result = apply_plan(writer, store, plan, ui.print_)
    ui.print_(result_line(result, name))


def _list(title: str, mappings: Sequence[Mapping]) -> None:
    if not mappings:
        return
    ui.print_(f"{title}:")
    for m in mappings[:SHOWN]:
        extra = f" (search, {m.confidence:.2f})" if m.track_id else ""
        ui.print_(f"  {printable(m.label)}{extra}")
    if len(mappings) > SHOWN:
        ui.print_(f"  ... and {len(mappings) - SHOWN} more")
