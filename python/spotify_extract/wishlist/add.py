"""`beet wishlist add`: Spotify links and URIs, or "Artist - Title"."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from beets import ui
from beets.library import Library

from spotify_extract import extract
from spotify_extract.wishlist.entries import MANUAL_PREFIX, _native, open_store

# Spotify links and URIs a person may paste: open.spotify.com (with or without an
# intl-xx segment, query string) and spotify:kind:id.
_URL_RE = re.compile(
    r"^https?://open\.spotify\.com/(?:intl-[a-zA-Z-]+/)?(track|album|playlist)/"
    r"([0-9A-Za-z]{22})/?(?:[?#].*)?$"
)
_URI_RE = re.compile(r"^spotify:(track|album|playlist):([0-9A-Za-z]{22})$")
_ARTIST_TITLE_RE = re.compile(r"^\s*(.+?)\s+[-\u2013\u2014]\s+(.+?)\s*$")


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
    """The entry key of an "Artist - Title": the engine's song key (the matcher's notion of
    one song: case, accents, punctuation, "feat." and remaster tags do not matter)."""
    digest = hashlib.sha1(_native().song_key(artist, title).encode()).hexdigest()
    return MANUAL_PREFIX + digest[:22]


def cmd_add(plugin_config, listener, lib, opts, args) -> None:
    if not args:
        raise ui.UserError("add: give a Spotify track, album or playlist link, or 'Artist - Title'")
    store = open_store(plugin_config)
    for text in args:
        ref = parse_spotify_ref(text)
        if ref is not None and ref.kind in ("album", "playlist"):
            _add_from_spotify(plugin_config, lib, store, ref)
            continue
        if ref is not None:
            track = _look_up_track(plugin_config, store, ref.id)
        else:
            pair = parse_artist_title(text)
            if pair is None:
                raise ui.UserError(f"add: {text!r} is neither a Spotify link nor 'Artist - Title'")
            artist, title = pair
            track = _native().Track()
            track.id = manual_key(artist, title)
            track.name = title
            track.artists = [_native().ArtistRef("", artist)]
        result = _add_tracks(plugin_config, lib, store, [track], f"add: {text}")
        label = f"{_artists(track)} - {track.name}"
        if result.owned:
            ui.print_(f"already in your library: {label}")
        else:
            ui.print_(f"{'added' if result.added else 'already on the wishlist'}: {label}")


def _artists(track: Any) -> str:
    return ", ".join(artist.name for artist in track.artists if artist.name)


def _look_up_track(plugin_config, store, track_id: str) -> Any:
    """The track as stored by an extract run, else as Spotify has it; one line when
    Spotify has no such track (an id alone would be an entry with no name)."""
    stored = store.get_track(track_id)
    if stored is not None:
        return stored
    native = _native()
    what = f"add: track {track_id}"
    client = spotify_client(
        plugin_config,
        what,
        "not in your Spotify data yet, and track links are looked up on Spotify: "
        "run `beet spotify-extract --login` first, or add it as 'Artist - Title'",
    )
    try:
        found = client.tracks([track_id])
    except native.SpotifyExtractError as error:
        raise ui.UserError(f"{what}: {error}") from error
    if not found:
        raise ui.UserError(f"{what}: Spotify has no such track")
    return found[0]


# Personal (development-mode) apps are given the entries of the person's own and
# collaborative playlists only: a followed playlist answers 403.
NOT_SHARED = (
    "Spotify gives personal apps the tracks of your own and collaborative playlists only, "
    "not of playlists you follow; save a copy in Spotify (… > Add to other playlist > New "
    "playlist) and add that, or read your data export with "
    "`beet spotify-extract --from-export PATH`"
)


def spotify_client(plugin_config, what: str, without_login: str) -> Any:
    """A client on the person's login; without one, one line: `what`: `without_login`."""
    native = _native()
    config = extract.spotify_config(plugin_config)
    if not extract.has_login(config):
        raise ui.UserError(f"{what}: {without_login}")
    try:
        return native.SpotifyClient(config)
    except native.SpotifyExtractError as error:
        raise ui.UserError(f"{what}: {error}") from error


def playlist_tracks(client, playlist_id: str, what: str, not_shared: str) -> list[Any]:
    """A playlist's tracks (no episodes, local files or gaps); one line, ending in
    `not_shared`, for a followed playlist whose entries personal apps cannot read."""
    native = _native()
    try:
        result = client.playlist_items(playlist_id)
    except native.SpotifyExtractError as error:
        raise ui.UserError(f"{what}: {error}") from error
    if result.access == native.PlaylistAccess.NOT_SHARED:
        raise ui.UserError(f"{what}: {not_shared}")
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


def _spotify_tracks(plugin_config, ref: SpotifyRef) -> list[Any]:
    """The tracks of an album, or of a playlist (no episodes, local files or gaps)."""
    native = _native()
    what = f"add: {ref.kind} {ref.id}"
    client = spotify_client(
        plugin_config,
        what,
        f"{ref.kind} links are read from Spotify; run `beet spotify-extract --login` first",
    )
    if ref.kind != "album":
        return playlist_tracks(client, ref.id, what, NOT_SHARED)
    try:
        return [track for track in client.album_tracks(ref.id).tracks if track.id]
    except native.SpotifyExtractError as error:
        raise ui.UserError(f"{what}: {error}") from error


def _add_tracks(settings, lib: Library, store, tracks: list[Any], what: str) -> Any:
    """The engine's use case, one call: the tracks the library lacks (its matcher and
    min_confidence) become entries; returns the counts (added, already, owned)."""
    native = _native()
    try:
        return native.add_to_wishlist(
            store,
            lib.path,
            lib.directory,
            extract.match_options(settings),
            tracks,
            busy_timeout=extract.lock_timeout(),
        )
    except native.SpotifyExtractError as error:
        raise ui.UserError(f"{what}: {error}") from error


def _add_from_spotify(settings, lib: Library, store, ref: SpotifyRef) -> None:
    """Every track of the album or playlist that the library lacks goes on the wishlist."""
    tracks = _spotify_tracks(settings, ref)
    result = _add_tracks(settings, lib, store, tracks, f"add: {ref.kind} {ref.id}")
    ui.print_(
        f"{ref.kind} {ref.id}: {result.added} added, {result.already} already on the "
        f"wishlist, {len(result.owned)} already in your library"
    )
