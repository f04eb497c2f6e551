"""Spotify Web API JSON shapes, built from the data model.

Shapes follow Spotify's reference (the fixed OpenAPI spec of sonallux/spotify-web-api):
TrackObject, SimplifiedAlbumObject, SimplifiedArtistObject, PlaylistTrackObject,
SimplifiedPlaylistObject, PlaylistObject, SavedTrackObject, SavedAlbumObject,
ArtistObject, AudioFeaturesObject, PrivateUserObject. ``extended`` = an extended-quota
app: the fields Spotify deprecated for development-mode apps (popularity,
available_markets, preview_url, genres, followers, label, country, email, product…) are
sent only then.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote, urlencode

from .data import SPOTIFY_USER, Album, Artist, Entry, Episode, Library, Playlist, Track, User

OPEN = "https://open.spotify.com"
MARKETS = [
    "AD",
    "AR",
    "AT",
    "AU",
    "BE",
    "BR",
    "CA",
    "CH",
    "CL",
    "CO",
    "CZ",
    "DE",
    "DK",
    "ES",
    "FI",
    "FR",
    "GB",
    "GR",
    "HK",
    "IE",
    "IN",
    "IT",
    "JP",
    "MX",
    "NL",
    "NO",
    "NZ",
    "PL",
    "PT",
    "SE",
    "SG",
    "TR",
    "US",
    "ZA",
]


def images(key: str | None, kind: str = "album") -> list[dict[str, Any]]:
    if key is None:
        return []
    if kind == "artist":
        prefix = "https://i.scdn.co/image/ab6761610000"
        return [
            {"url": f"{prefix}e5eb{key}", "height": 640, "width": 640},
            {"url": f"{prefix}5174{key}", "height": 320, "width": 320},
            {"url": f"{prefix}f178{key}", "height": 160, "width": 160},
        ]
    prefix = "https://i.scdn.co/image/ab67616d0000"
    return [
        {"url": f"{prefix}b273{key}", "height": 640, "width": 640},
        {"url": f"{prefix}1e02{key}", "height": 300, "width": 300},
        {"url": f"{prefix}4851{key}", "height": 64, "width": 64},
    ]


def page_url(base: str, path: str, offset: int, limit: int, extra: dict[str, str]) -> str:
    query = urlencode({"offset": offset, "limit": limit, **extra}, safe=",:")
    return f"{base}{path}?{query}"


def paging(
    base: str,
    path: str,
    items: list[Any],
    total: int,
    offset: int,
    limit: int,
    extra: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A PagingObject; ``next``/``previous`` are absolute URLs (or null)."""
    extra = extra or {}
    nxt = page_url(base, path, offset + limit, limit, extra) if offset + limit < total else None
    prev = page_url(base, path, max(0, offset - limit), limit, extra) if offset > 0 else None
    return {
        "href": page_url(base, path, offset, limit, extra),
        "items": items,
        "limit": limit,
        "next": nxt,
        "offset": offset,
        "previous": prev,
        "total": total,
    }


def user_public(u: User | None, base: str, uid: str | None = None) -> dict[str, Any] | None:
    if u is None and uid is None:
        return None
    uid = u.id if u is not None else uid or ""
    d: dict[str, Any] = {
        "external_urls": {"spotify": f"{OPEN}/user/{uid}"},
        "href": f"{base}/users/{uid}",
        "id": uid,
        "type": "user",
        "uri": f"spotify:user:{uid}",
    }
    if u is not None:
        d = {"display_name": u.display_name, **d}
    return d


def me_object(lib: Library, base: str, extended: bool) -> dict[str, Any]:
    u = lib.me
    d: dict[str, Any] = {
        "display_name": u.display_name,
        "external_urls": {"spotify": f"{OPEN}/user/{u.id}"},
        "href": f"{base}/users/{u.id}",
        "id": u.id,
        "images": [],
        "type": "user",
        "uri": f"spotify:user:{u.id}",
    }
    if extended:
        d.update(
            {
                "country": "DE",
                "email": f"{u.id}@example.invalid",
                "explicit_content": {"filter_enabled": False, "filter_locked": False},
                "followers": {"href": None, "total": 3},
                "product": "premium",
            }
        )
    return d


def artist_simplified(a: Artist, base: str) -> dict[str, Any]:
    return {
        "external_urls": {"spotify": f"{OPEN}/artist/{a.id}"},
        "href": f"{base}/artists/{a.id}",
        "id": a.id,
        "name": a.name,
        "type": "artist",
        "uri": f"spotify:artist:{a.id}",
    }


def artist_full(a: Artist, base: str, extended: bool) -> dict[str, Any]:
    d = artist_simplified(a, base)
    d["images"] = images(hashlib.sha1(a.id.encode()).hexdigest()[:24], "artist")
    if extended:
        n = int(hashlib.sha1(a.id.encode()).hexdigest()[:6], 16)
        d["followers"] = {"href": None, "total": n * 7}
        d["genres"] = list(a.genres)
        d["popularity"] = n % 101
    return d


def album_simplified(lib: Library, al: Album, base: str, extended: bool) -> dict[str, Any]:
    d: dict[str, Any] = {
        "album_type": al.album_type,
        "artists": [artist_simplified(lib.artists[a], base) for a in al.artist_ids],
        "external_urls": {"spotify": f"{OPEN}/album/{al.id}"},
        "href": f"{base}/albums/{al.id}",
        "id": al.id,
        "images": images(al.image),
        "name": al.name,
        "release_date": al.release_date,
        "release_date_precision": al.release_date_precision,
        "total_tracks": len(al.track_ids),
        "type": "album",
        "uri": f"spotify:album:{al.id}",
    }
    if extended:
        d["available_markets"] = list(MARKETS)
    return d


def track_object(
    lib: Library,
    t: Track,
    base: str,
    extended: bool,
    market: str | None = None,
    simplified: bool = False,
) -> dict[str, Any]:
    d: dict[str, Any] = {}
    if not simplified:
        d["album"] = album_simplified(lib, lib.albums[t.album_id], base, extended)
    d["artists"] = [artist_simplified(lib.artists[a], base) for a in t.artist_ids]
    if extended:
        d["available_markets"] = list(MARKETS) if t.available else []
    d["disc_number"] = t.disc_number
    d["duration_ms"] = t.duration_ms
    d["explicit"] = t.explicit
    if not simplified:
        d["external_ids"] = {"isrc": t.isrc} if t.isrc else {}
    d["external_urls"] = {"spotify": f"{OPEN}/track/{t.id}"}
    d["href"] = f"{base}/tracks/{t.id}"
    d["id"] = t.id
    d["is_local"] = False
    if market:
        d["is_playable"] = t.available
        if not t.available:
            d["restrictions"] = {"reason": "market"}
    d["name"] = t.name
    if extended and not simplified:
        d["popularity"] = t.popularity
    if extended:
        d["preview_url"] = None
    d["track_number"] = t.track_number
    d["type"] = "track"
    d["uri"] = f"spotify:track:{t.id}"
    return d


def local_track(local: dict[str, Any], extended: bool) -> dict[str, Any]:
    """A local file in a playlist, as Spotify sends it: ids and hrefs null."""
    name, artist, album = local.get("name", ""), local.get("artist", ""), local.get("album", "")
    duration = int(local.get("duration_ms", 0))
    uri = "spotify:local:{}:{}:{}:{}".format(
        quote(artist, safe="").replace("%20", "+"),
        quote(album, safe="").replace("%20", "+"),
        quote(name, safe="").replace("%20", "+"),
        duration // 1000,
    )
    d: dict[str, Any] = {
        "album": {
            "album_type": None,
            "artists": [],
            "external_urls": {},
            "href": None,
            "id": None,
            "images": [],
            "name": album,
            "release_date": None,
            "release_date_precision": None,
            "type": "album",
            "uri": None,
        },
        "artists": [
            {
                "external_urls": {},
                "href": None,
                "id": None,
                "name": artist,
                "type": "artist",
                "uri": None,
            }
        ],
        "disc_number": 0,
        "duration_ms": duration,
        "explicit": False,
        "external_ids": {},
        "external_urls": {},
        "href": None,
        "id": None,
        "is_local": True,
        "name": name,
        "track_number": 0,
        "type": "track",
        "uri": uri,
    }
    if extended:
        d["available_markets"] = []
        d["album"]["available_markets"] = []
        d["popularity"] = 0
        d["preview_url"] = None
    return d


def episode_object(e: Episode, base: str, as_track: bool = False) -> dict[str, Any]:
    """An EpisodeObject, or (when the request did not ask for ``additional_types=episode``)
    the track-shaped stand-in Spotify sends instead."""
    show = {
        "description": "",
        "external_urls": {"spotify": f"{OPEN}/show/{e.show_id}"},
        "href": f"{base}/shows/{e.show_id}",
        "id": e.show_id,
        "images": images(hashlib.sha1(e.show_id.encode()).hexdigest()[:24]),
        "name": e.show_name,
        "publisher": e.publisher,
        "type": "show",
        "uri": f"spotify:show:{e.show_id}",
    }
    if as_track:
        # The publisher stands in as the artist, of the track and of its "album" (the show).
        publisher = {
            "external_urls": {},
            "href": None,
            "id": None,
            "name": e.publisher,
            "type": "artist",
            "uri": None,
        }
        return {
            "album": {
                "album_type": "album",
                "artists": [publisher],
                "external_urls": {},
                "href": None,
                "id": e.show_id,
                "images": show["images"],
                "name": e.show_name,
                "release_date": e.release_date,
                "release_date_precision": "day",
                "type": "show",
                "uri": f"spotify:show:{e.show_id}",
            },
            "artists": [dict(publisher)],
            "disc_number": 0,
            "duration_ms": e.duration_ms,
            "episode": True,
            "explicit": False,
            "external_ids": {},
            "external_urls": {"spotify": f"{OPEN}/episode/{e.id}"},
            "href": f"{base}/episodes/{e.id}",
            "id": e.id,
            "is_local": False,
            "name": e.name,
            "track": False,
            "track_number": 0,
            "type": "track",
            "uri": f"spotify:episode:{e.id}",
        }
    return {
        "audio_preview_url": None,
        "description": e.description,
        "duration_ms": e.duration_ms,
        "explicit": False,
        "external_urls": {"spotify": f"{OPEN}/episode/{e.id}"},
        "href": f"{base}/episodes/{e.id}",
        "html_description": f"<p>{e.description}</p>",
        "id": e.id,
        "images": show["images"],
        "is_externally_hosted": False,
        "is_playable": True,
        "language": "en",
        "languages": ["en"],
        "name": e.name,
        "release_date": e.release_date,
        "release_date_precision": "day",
        "show": show,
        "type": "episode",
        "uri": f"spotify:episode:{e.id}",
    }


def playlist_entry(
    lib: Library,
    e: Entry,
    base: str,
    extended: bool,
    *,
    market: str | None,
    episodes: bool,
    item_key: bool,
    track_key: bool,
    track_render: Any = None,
) -> dict[str, Any]:
    """A PlaylistTrackObject: the object under ``item`` (and/or the deprecated ``track``).
    ``track_render(track)``, when given, renders catalogue tracks (the server's cache)."""
    obj: Any
    if e.kind == "track" and e.id in lib.tracks:
        t = lib.tracks[e.id]
        if track_render is not None:
            obj = track_render(t)
        else:
            obj = track_object(lib, t, base, extended, market)
    elif e.kind == "episode" and e.id in lib.episodes:
        obj = episode_object(lib.episodes[e.id], base, as_track=not episodes)
    elif e.kind == "local":
        obj = local_track(e.local or {}, extended)
    elif e.kind == "raw":
        obj = e.local  # any JSON value, sent as it is (hostile-input tests)
    else:
        obj = None
    added_by = None if e.added_by is None else user_public(None, base, e.added_by)
    d: dict[str, Any] = {
        "added_at": e.added_at,
        "added_by": added_by,
        "is_local": e.kind == "local",
    }
    if item_key:
        d["item"] = obj
    d["primary_color"] = None
    if track_key:
        d["track"] = obj
    d["video_thumbnail"] = {"url": None}
    return d


def playlist_images(p: Playlist) -> list[dict[str, Any]] | None:
    if not p.images:
        return None if not p.entries else []
    key = hashlib.sha1(p.id.encode()).hexdigest()
    return [
        {"height": 640, "url": f"https://mosaic.scdn.co/640/ab67616d0000b273{key}", "width": 640},
        {"height": 300, "url": f"https://mosaic.scdn.co/300/ab67616d0000b273{key}", "width": 300},
        {"height": 60, "url": f"https://mosaic.scdn.co/60/ab67616d0000b273{key}", "width": 60},
    ]


def playlist_simplified(lib: Library, p: Playlist, base: str, extended: bool) -> dict[str, Any]:
    """An entry of GET /me/playlists: ``items: {href, total}`` (and the deprecated
    ``tracks`` for extended-quota apps only)."""
    ref = {"href": f"{base}/playlists/{p.id}/items", "total": len(p.entries)}
    d: dict[str, Any] = {
        "collaborative": p.collaborative,
        "description": p.description,
        "external_urls": {"spotify": f"{OPEN}/playlist/{p.id}"},
        "href": f"{base}/playlists/{p.id}",
        "id": p.id,
        "images": playlist_images(p),
        "items": ref,
        "name": p.name,
        "owner": user_public(lib.users.get(p.owner_id), base, p.owner_id),
        "primary_color": None,
        "public": p.public,
        "snapshot_id": p.snapshot_id,
    }
    if extended:
        d["tracks"] = {"href": f"{base}/playlists/{p.id}/tracks", "total": len(p.entries)}
    d["type"] = "playlist"
    d["uri"] = f"spotify:playlist:{p.id}"
    return d


def audio_features(t: Track, base: str) -> dict[str, Any]:
    h = hashlib.sha256(t.id.encode()).digest()

    def f(i: int) -> float:
        return round(h[i] / 255, 3)

    return {
        "acousticness": f(0),
        "analysis_url": f"{base}/audio-analysis/{t.id}",
        "danceability": f(1),
        "duration_ms": t.duration_ms,
        "energy": f(2),
        "id": t.id,
        "instrumentalness": round(f(3) ** 3, 4),
        "key": h[4] % 12,
        "liveness": round(f(5) / 2, 3),
        "loudness": round(-30 + 30 * f(6), 3),
        "mode": h[7] % 2,
        "speechiness": round(f(8) / 4, 4),
        "tempo": round(60 + 140 * f(9), 3),
        "time_signature": (3, 4, 4, 4, 5)[h[10] % 5],
        "track_href": f"{base}/tracks/{t.id}",
        "type": "audio_features",
        "uri": f"spotify:track:{t.id}",
        "valence": f(11),
    }


def album_full(lib: Library, al: Album, base: str, extended: bool) -> dict[str, Any]:
    d = album_simplified(lib, al, base, extended)
    tracks = [
        track_object(lib, lib.tracks[t], base, extended, simplified=True) for t in al.track_ids[:50]
    ]
    d["tracks"] = paging(base, f"/albums/{al.id}/tracks", tracks, len(al.track_ids), 0, 50)
    d["copyrights"] = [{"text": f"(C) {al.release_date[:4]} {al.label}", "type": "C"}]
    d["external_ids"] = {"upc": al.upc} if al.upc else {}
    if extended:
        d["genres"] = []
        d["label"] = al.label
        d["popularity"] = int(hashlib.sha1(al.id.encode()).hexdigest()[:2], 16) % 101
    return d


def is_spotify_owned(p: Playlist) -> bool:
    return p.owner_id == SPOTIFY_USER
