"""`beet wishlist add`: Spotify links and URIs, or "Artist - Title"."""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from beets import ui
from beets.library import Library

from spotify_extract import extract, spotdl
from spotify_extract.wishlist.entries import MANUAL_PREFIX, _native, open_store

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


def _spotify_tracks(plugin_config, ref: SpotifyRef) -> list[dict[str, Any]]:
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
            return [track for track in client.album_tracks(ref.id)["tracks"] if track["id"]]
        result = client.playlist_items(ref.id)
    except native.SpotifyExtractError as error:
        raise ui.UserError(f"{what}: {error}") from error
    if result["access"] == "not_shared":
        raise ui.UserError(f"{what}: {NOT_SHARED}")
    if result["access"] == "unavailable":
        raise ui.UserError(
            f"{what}: Spotify does not serve it (no such playlist, or a Spotify-owned / "
            "Made For You one, which personal apps cannot read)"
        )
    return [
        entry["track"]
        for entry in result["entries"]
        if entry["kind"] == "track" and entry["track"]["id"]
    ]


def _add_from_spotify(plugin_config, lib: Library, store, ref: SpotifyRef) -> None:
    """Every track of the album or playlist that the library lacks goes on the wishlist."""
    native = _native()
    # A track twice in a playlist is one entry.
    by_id = {track["id"]: track for track in _spotify_tracks(plugin_config, ref)}
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
        if track["id"] in owned:
            continue
        entry = native.WishlistEntry()
        entry.source = "manual"
        entry.requested_by = ["manual"]
        entry.spotify_track_id = track["id"]
        entry.spotify_url = spotdl.track_url(track["id"])
        entry.title = track["name"]
        entry.artist = ", ".join(a["name"] for a in track["artists"] if a["name"])
        entry.album = track["album_name"]
        entry.isrc = track["isrc"]
        entry.duration_ms = track["duration_ms"]
        entry.cover_url = track["cover_url"]
        if store.add_wishlist_entry(entry):
            added += 1
        else:
            already += 1
    ui.print_(
        f"{ref.kind} {ref.id}: {added} added, {already} already on the wishlist, "
        f"{len(owned)} already in your library"
    )
