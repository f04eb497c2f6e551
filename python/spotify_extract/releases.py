"""`beet spotify-releases`: new releases of the artists you follow that beets lacks.

The engine (native/extract/release_sync) syncs a few artists' discographies per run
(those checked longest ago first, `release_artists_per_run`, each at most once per
`release_check_interval`), then lists the stored releases the beets library does not hold
(album artist + album title, normalised as the matcher does: "X (Deluxe Edition)" is the
album "X", "X: Live at Y" is not), newest first. A release no listing showed before is
marked new. `--wish` puts their tracks on the wishlist, asked for by "new release: ARTIST".
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from typing import Any

from beets import ui
from beets.library import Library

from spotify_extract import _native
from spotify_extract import settings as plugin_settings
from spotify_extract.display import printable, safe_line
from spotify_extract.interrupt import Interrupted, run_cancellable
from spotify_extract.settings import Settings

DEFAULT_FORMAT = "{mark} {date}  {artist} - {album} ({type})"
FIELDS = ("mark", "new", "date", "artist", "album", "type", "group", "tracks", "id", "url")
_SINCE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def releases_command(config) -> ui.Subcommand:
    command = ui.Subcommand(
        "spotify-releases", help="new releases of the artists you follow that beets lacks"
    )
    parser = command.parser
    parser.add_option("--since", metavar="DATE", help="only releases from DATE on (YYYY[-MM[-DD]])")
    parser.add_option(
        "--library-artists",
        action="store_true",
        help="also watch the artists of your library that matched a Spotify artist",
    )
    parser.add_option(
        "--wish", action="store_true", help="put the listed releases' tracks on the wishlist"
    )
    parser.add_option("--json", action="store_true", help="print JSON instead of lines")
    parser.add_option(
        "-f", "--format", dest="format", metavar="FMT", help="line format: " + ", ".join(FIELDS)
    )
    parser.add_option(
        "--no-sync", action="store_true", help="list what was synced before; no request"
    )

    def run(lib: Library, opts, args) -> None:
        if args:
            raise ui.UserError(f"spotify-releases takes no argument ({printable(args[0])!r})")
        since = opts.since or ""
        if since and not _SINCE.match(since):
            raise ui.UserError(
                f"--since {printable(since)}: use a date as YYYY, YYYY-MM or YYYY-MM-DD"
            )
        if opts.json and opts.format:
            raise ui.UserError("--json and --format exclude each other")
        line_format = opts.format or DEFAULT_FORMAT
        check_format(line_format)
        settings = plugin_settings.load(config)
        list_releases(settings, lib, opts, since=since, line_format=line_format)

    command.func = run
    return command


def check_format(line_format: str) -> None:
    try:
        line_format.format(**{field: "" for field in FIELDS})
    except (KeyError, IndexError, ValueError) as error:
        raise ui.UserError(
            f"--format {printable(line_format)!r}: {error}; fields are {', '.join(FIELDS)}"
        ) from None


def row(record: Any) -> dict[str, Any]:
    release = record.release
    album = release.album
    new = not record.listed_at
    return {
        "id": album.id,
        "artist": ", ".join(a.name for a in album.artists if a.name),
        "album": album.name,
        "date": album.release_date,
        "type": release.album_type,
        "group": release.album_group,
        "tracks": album.total_tracks,
        "url": f"https://open.spotify.com/album/{album.id}",
        "new": new,
        "mark": "*" if new else " ",
    }


def list_releases(
    settings: Settings,
    lib: Library,
    opts: Any,
    *,
    since: str,
    line_format: str,
    echo: Callable[[str], None] = ui.print_,
) -> list[dict[str, Any]]:
    from spotify_extract import extract

    def say(text: str) -> None:
        echo(safe_line(text))

    store = extract.open_store(settings)
    native_config = extract.spotify_config(settings)
    logged_in = extract.has_login(native_config)
    if opts.wish and not logged_in:
        raise ui.UserError(extract.NOT_LOGGED_IN)
    with extract.take_run_lock(store, "beet spotify-releases"):
        artists = _native.watched_artists(store, bool(opts.library_artists))
        watch = None
        try:
            if logged_in and (not opts.no_sync or opts.wish):
                watch = _native.ReleaseWatch(store, native_config)
            if watch is not None and not opts.no_sync:
                sync = _run(
                    watch, lambda: watch.sync(artists, extract.release_sync_options(settings))
                )
                if not opts.json:
                    say(
                        f"Checked {sync.artists_synced} of {len(artists)} artist(s) "
                        f"({sync.artists_due} due); {sync.new_releases} new release(s) found"
                    )
            elif not logged_in and not opts.json:
                say("Not connected to Spotify: listing the releases synced before")
            library = _native.read_library_albums(
                os.fsencode(str(lib.path)), lib.directory, busy_timeout=extract.lock_timeout()
            )
            records = _native.releases_not_in_library(store, library, artists, since)
            rows = [row(record) for record in records]
            if opts.json:
                echo(json.dumps(rows, ensure_ascii=False, indent=2))
            else:
                for item in rows:
                    say(line_format.format(**item))
                fresh = sum(item["new"] for item in rows)
                say(
                    f"{len(rows)} release(s) not in your library, "
                    f"{fresh} new since the last listing (*)"
                )
            _native.mark_releases_listed(store, [item["id"] for item in rows if item["new"]])
            if opts.wish and watch is not None and records:
                wished = _run(
                    watch,
                    lambda: watch.wish(
                        os.fsencode(str(lib.path)),
                        lib.directory,
                        extract.match_options(settings),
                        records,
                        busy_timeout=extract.lock_timeout(),
                    ),
                )
                say(
                    f"Wishlist: {wished.added} track(s) added from {wished.releases} release(s)"
                    f" ({wished.already} there already, {wished.owned} in your library)"
                )
        except (_native.TransportError, _native.SpotifyApiError) as error:
            raise ui.UserError(f"{error}; what was synced is kept") from error
        except _native.SpotifyExtractError as error:
            raise ui.UserError(str(error)) from error
    return rows


def _run(watch: Any, work: Callable[[], Any]) -> Any:
    """work() with Ctrl-C stopping it between requests."""
    try:
        return run_cancellable(work, watch.cancel, name="spotify-releases")
    except _native.CancelledError:
        ui.print_("Cancelled; what was synced is kept")
        raise Interrupted() from None
