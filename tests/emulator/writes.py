"""The write endpoints with their 2026 semantics, and track search.

- ``POST /me/playlists`` creates a playlist of the current user (201, the playlist);
- ``POST /playlists/{id}/items`` adds at most 100 URIs (201, ``{"snapshot_id"}``; more
  is a 400), at ``position`` or at the end;
- ``PUT /playlists/{id}/items`` replaces the items by at most 100 URIs (200);
- every write changes ``snapshot_id``; a playlist of someone else (not collaborative)
  answers 403, and so does a token without ``playlist-modify-private`` (private or
  collaborative playlists) / ``playlist-modify-public`` (public ones);
- ``GET /search?type=track`` with ``isrc:``, ``artist:``, ``track:``, ``album:`` filters
  and free words; development mode allows ``limit`` ≤ 10, extended ≤ 50; offset ≤ 1000.

The server calls ``route`` for these paths before its read-only routes; the rate window,
faults and the request log are the server's, the same as for reads.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import TYPE_CHECKING, Any

from . import render

if TYPE_CHECKING:
    from .data import Library, Playlist

MAX_URIS = 100
SEARCH_LIMITS = {"development": 10, "extended": 50}
SEARCH_MAX_OFFSET = 1000
URI_RE = re.compile(r"spotify:(track|episode):([0-9A-Za-z]{22})")
FILTER_RE = re.compile(r'(isrc|artist|track|album|year):("[^"]*"|\S+)', re.IGNORECASE)


class WriteError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def is_write_route(method: str, parts: list[str]) -> bool:
    if method == "POST" and parts == ["me", "playlists"]:
        return True
    if method in ("POST", "PUT") and len(parts) == 3 and parts[0] == "playlists":
        return parts[2] == "items"
    return False


def route(
    method: str,
    parts: list[str],
    query: dict[str, str],
    scope: frozenset[str],
    body: bytes,
    lib: Library,
    base: str,
    mode: str,
    render_playlist: Any,
) -> tuple[int, Any] | None:
    """(status, answer) for a write or a search; None when the path is not one of them."""
    if method == "GET" and parts == ["search"]:
        return 200, _search(query, lib, base, mode)
    if not is_write_route(method, parts):
        return None
    payload = _body(body)
    if parts == ["me", "playlists"]:
        return 201, render_playlist(_create(payload, scope, lib))
    playlist = lib.playlist(parts[1])
    if playlist is None:
        raise WriteError(404, "Resource not found")
    _check_writable(playlist, scope, lib)
    uris = _uris(payload, query, lib)
    if method == "POST":
        position = payload.get("position", query.get("position"))
        at = None if position is None else _position(position, len(playlist.entries))
        snapshot = lib.add_to_playlist(playlist.id, [u for _, u in uris], position=at)
        return 201, {"snapshot_id": snapshot}
    if "range_start" in payload:
        raise WriteError(400, "Reordering is not supported by the emulator")
    with lib.lock:
        playlist.entries = []
        snapshot = lib.add_to_playlist(playlist.id, [u for _, u in uris])
    return 200, {"snapshot_id": snapshot}


def _body(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WriteError(400, "Error parsing JSON.") from None
    if not isinstance(payload, dict):
        raise WriteError(400, "Error parsing JSON.")
    return payload


def _create(payload: dict[str, Any], scope: frozenset[str], lib: Library) -> Playlist:
    name = payload.get("name")
    if not isinstance(name, str) or not name:
        raise WriteError(400, "Missing required field: name")
    public = payload.get("public", True)
    collaborative = payload.get("collaborative", False)
    if not isinstance(public, bool) or not isinstance(collaborative, bool):
        raise WriteError(400, "Invalid public or collaborative value")
    if collaborative and public:
        raise WriteError(400, "Collaborative playlists must be private")
    needed = "playlist-modify-public" if public else "playlist-modify-private"
    if needed not in scope:
        raise WriteError(403, "Insufficient client scope")
    description = payload.get("description", "")
    if not isinstance(description, str):
        raise WriteError(400, "Invalid description")
    with lib.lock:
        pid = lib.create_playlist(
            name, description=description, public=public, collaborative=collaborative
        )
        playlist = lib.playlist(pid)
        assert playlist is not None
        return playlist


def _check_writable(playlist: Playlist, scope: frozenset[str], lib: Library) -> None:
    needed = (
        "playlist-modify-public"
        if playlist.public and not playlist.collaborative
        else "playlist-modify-private"
    )
    if needed not in scope:
        raise WriteError(403, "Insufficient client scope")
    if playlist.owner_id != lib.me.id and not playlist.collaborative:
        raise WriteError(403, "You cannot add tracks to a playlist you don't own.")


def _uris(payload: dict[str, Any], query: dict[str, str], lib: Library) -> list[tuple[str, str]]:
    raw: Any = payload.get("uris")
    if raw is None and "uris" in query:
        raw = [u for u in query["uris"].split(",") if u]
    if raw is None:
        raw = []
    if not isinstance(raw, list) or not all(isinstance(u, str) for u in raw):
        raise WriteError(400, "uris must be a list of Spotify URIs")
    if len(raw) > MAX_URIS:
        raise WriteError(400, "You can add a maximum of 100 tracks per request.")
    out = []
    for uri in raw:
        found = URI_RE.fullmatch(uri)
        if found is None:
            raise WriteError(400, f"Unsupported URL / URI: {uri[:80]}")
        kind, item_id = found.groups()
        known = lib.tracks if kind == "track" else lib.episodes
        if item_id not in known:
            raise WriteError(400, "Payload contains a non-existing ID")
        out.append((kind, item_id))
    return out


def _position(value: Any, length: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise WriteError(400, "Invalid position")
    try:
        position = int(value)
    except ValueError:
        raise WriteError(400, "Invalid position") from None
    if not 0 <= position <= length:
        raise WriteError(400, "Index out of bounds")
    return position


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _search(query: dict[str, str], lib: Library, base: str, mode: str) -> dict[str, Any]:
    q = query.get("q", "").strip()
    if not q:
        raise WriteError(400, "No search query")
    types = {t.strip() for t in query.get("type", "").split(",") if t.strip()}
    if not types:
        raise WriteError(400, "Missing parameter type")
    if types - {"track", "album", "artist", "playlist", "show", "episode", "audiobook"}:
        raise WriteError(400, "Bad search type field")
    limit_max = SEARCH_LIMITS[mode]
    try:
        limit = int(query.get("limit", "10" if mode == "development" else "20"))
        offset = int(query.get("offset", "0"))
    except ValueError:
        raise WriteError(400, "Invalid limit") from None
    if not 1 <= limit <= limit_max:
        raise WriteError(400, "Invalid limit")
    if not 0 <= offset <= SEARCH_MAX_OFFSET:
        raise WriteError(400, "Invalid offset")
    answer: dict[str, Any] = {}
    if "track" in types:
        hits = _find_tracks(q, lib)
        items = [
            render.track_object(lib, lib.tracks[t], base, mode == "extended")
            for t in hits[offset : offset + limit]
        ]
        extra = {k: v for k, v in query.items() if k not in ("offset", "limit")}
        answer["tracks"] = render.paging(base, "/search", items, len(hits), offset, limit, extra)
    return answer


def _find_tracks(q: str, lib: Library) -> list[str]:
    filters: dict[str, str] = {}
    for key, value in FILTER_RE.findall(q):
        filters[key.lower()] = _fold(value.strip('"'))
    free = _fold(FILTER_RE.sub(" ", q)).split()
    hits = []
    with lib.lock:
        for t in lib.tracks.values():
            if "isrc" in filters and _fold(t.isrc or "") != filters["isrc"]:
                continue
            name = _fold(t.name)
            artists = " ".join(_fold(lib.artists[a].name) for a in t.artist_ids)
            album = lib.albums.get(t.album_id)
            album_name = _fold(album.name) if album is not None else ""
            if "track" in filters and filters["track"] not in name:
                continue
            if "artist" in filters and filters["artist"] not in artists:
                continue
            if "album" in filters and filters["album"] not in album_name:
                continue
            if "year" in filters and (album is None or filters["year"] not in album.release_date):
                continue
            text = f"{name} {artists} {album_name}"
            if all(word in text for word in free):
                hits.append(t)
    hits.sort(key=lambda t: (-t.popularity, t.id))
    return [t.id for t in hits]
