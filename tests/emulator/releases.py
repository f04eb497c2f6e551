"""Artists' discographies and the image CDN, for the release watch and artwork.

``GET /v1/artists/{id}/albums`` answers from the library's albums as Spotify does: the
releases where the artist is an album artist (grouped as ``album``, ``single``,
``compilation`` by album type) and those where they only appear on a track
(``appears_on``), in that group order, newest first within a group, as
SimplifiedAlbumObjects with ``album_group``. ``add_release`` / ``add_discography`` add
releases between runs; ``set_album_image`` changes a cover.

Images: every ``https://i.scdn.co/image/…`` and ``https://mosaic.scdn.co/…`` URL in an
answer is rewritten to ``<base>/image/…`` (unless ``serve_images`` is off), where the
emulator serves a small real baseline JPEG generated from the URL (a solid colour taken
from its hash, the size the URL names). Image requests are logged like the rest but are
not API requests: no token, no rate limit, not in ``counters()["api_requests"]``.
"""

from __future__ import annotations

import hashlib
import struct
from typing import Any

from . import render
from .data import Album, Artist, Library, Track, b62_id, hex_id

GROUPS = ("album", "single", "compilation", "appears_on")
CDN_PREFIXES = (b"https://i.scdn.co/image/", b"https://mosaic.scdn.co/")
IMAGE_PATH = "/image/"


class BadRequest(ValueError):
    """A request Spotify answers 400 (the server turns it into its ApiError)."""


def _date_key(date: str) -> str:
    # "2020" and "2020-05" sort as the start of their year/month.
    return (date + "-00-00")[:10] if len(date) < 10 else date


def artist_releases(
    lib: Library, artist_id: str, groups: tuple[str, ...]
) -> list[tuple[Album, str]]:
    """(album, album_group) of the artist, in Spotify's order."""
    by_group: dict[str, list[Album]] = {g: [] for g in GROUPS}
    own: set[str] = set()
    for album in lib.albums.values():
        if artist_id in album.artist_ids:
            group = album.album_type if album.album_type in GROUPS else "album"
            by_group[group].append(album)
            own.add(album.id)
    if "appears_on" in groups:
        seen: set[str] = set()
        for track in lib.tracks.values():
            album_id = track.album_id
            if artist_id not in track.artist_ids or album_id in own or album_id in seen:
                continue
            if album_id in lib.albums:
                seen.add(album_id)
                by_group["appears_on"].append(lib.albums[album_id])
    out: list[tuple[Album, str]] = []
    for group in GROUPS:
        if group not in groups:
            continue
        albums = sorted(
            by_group[group], key=lambda a: (_date_key(a.release_date), a.id), reverse=True
        )
        out.extend((a, group) for a in albums)
    return out


def artist_albums_page(
    lib: Library,
    artist_id: str,
    query: dict[str, str],
    base: str,
    extended: bool,
    paging: Any,
) -> dict[str, Any]:
    """The answer of GET /artists/{id}/albums (``paging`` is the server's limit/offset
    parser, so limits and offsets are checked the same way everywhere)."""
    raw = query.get("include_groups", "")
    groups = tuple(g.strip() for g in raw.split(",") if g.strip()) if raw else GROUPS
    if any(g not in GROUPS for g in groups):
        raise BadRequest("Invalid include_groups value")
    limit, offset = paging(query, 50)
    releases = artist_releases(lib, artist_id, groups)
    items = []
    for album, group in releases[offset : offset + limit]:
        d = render.album_simplified(lib, album, base, extended)
        d["album_group"] = group
        items.append(d)
    extra = {k: v for k, v in query.items() if k not in ("offset", "limit")}
    return render.paging(
        base, f"/artists/{artist_id}/albums", items, len(releases), offset, limit, extra
    )


# ------------------------------------------------------------------ mutations
def add_release(
    lib: Library,
    artist_id: str,
    name: str,
    album_type: str = "album",
    release_date: str = "2026-11-27",
    tracks: int = 3,
    image: bool = True,
) -> str:
    """A new release of ``artist_id`` (with ``tracks`` tracks); returns the album id."""
    with lib.lock:
        if artist_id not in lib.artists:
            raise KeyError(f"no artist {artist_id}")
        if album_type not in ("album", "single", "compilation"):
            raise ValueError("album_type must be album, single or compilation")
        alid = b62_id("release", artist_id, name, release_date, len(lib.albums))
        album = Album(
            alid,
            name,
            [artist_id],
            album_type,
            release_date,
            "day",
            None,
            "Emulated Records",
            hex_id("cover", alid) if image else None,
        )
        lib.albums[alid] = album
        for number in range(1, tracks + 1):
            tid = b62_id("release-track", alid, number)
            title = name if tracks == 1 else f"{name} Part {number}"
            lib.tracks[tid] = Track(
                tid,
                title,
                [artist_id],
                alid,
                180_000 + number * 7_000,
                number,
                1,
                False,
                f"QZ{hex_id(tid, length=3).upper()}26{number:05d}",
            )
            album.track_ids.append(tid)
        return alid


def add_discography(lib: Library, artist_id: str, count: int, seed: int = 1) -> list[str]:
    """``count`` more releases of the artist (albums and singles, spread over the years),
    for paging; returns their ids, newest first."""
    ids = []
    for i in range(count):
        year = 2025 - (i // 4)
        kind = "single" if i % 3 == 1 else "album"
        ids.append(
            add_release(
                lib,
                artist_id,
                f"Catalogue {seed}-{i}",
                kind,
                f"{year}-{12 - i % 12:02d}-{1 + i % 28:02d}",
                1 if kind == "single" else 2,
            )
        )
    return ids


def add_artist(lib: Library, name: str, follow: bool = True) -> str:
    """A new artist (followed by default); returns its id."""
    with lib.lock:
        aid = b62_id("artist-added", name, len(lib.artists))
        lib.artists[aid] = Artist(aid, name, [])
        if follow:
            lib.followed_artists.append(aid)
        return aid


def set_album_image(lib: Library, album_id: str, key: str | None) -> None:
    """A new cover (another URL) for the album; None removes it."""
    with lib.lock:
        if album_id not in lib.albums:
            raise KeyError(f"no album {album_id}")
        lib.albums[album_id].image = key


# ------------------------------------------------------------------ images
def rewrite_image_urls(body: bytes, base_url: str) -> bytes:
    """Spotify's CDN URLs in an answer, pointed at the emulator's /image/ path."""
    if b"scdn.co/" not in body:
        return body
    target = base_url.encode() + IMAGE_PATH.encode()
    body = body.replace(CDN_PREFIXES[0], target)
    return body.replace(CDN_PREFIXES[1], target + b"mosaic/")


_SIZES = {"b273": 640, "1e02": 300, "4851": 64, "e5eb": 640, "5174": 320, "f178": 160}


def image_size(name: str) -> int:
    """The edge length a CDN path names: /mosaic/<size>/…, or the size code of an
    i.scdn.co id (ab67616d0000b273… = 640)."""
    if name.startswith("mosaic/"):
        part = name.split("/")[1]
        return int(part) if part.isdigit() and 0 < int(part) <= 640 else 300
    return _SIZES.get(name[12:16], 300)


_IMAGE_CACHE: dict[str, bytes] = {}


def image_for(name: str) -> bytes:
    """The JPEG served at /image/<name>: a colour from the name's hash."""
    cached = _IMAGE_CACHE.get(name)
    if cached is None:
        digest = hashlib.sha1(name.encode()).digest()
        size = image_size(name)
        cached = solid_jpeg(size, size, (digest[0], digest[1], digest[2]))
        if len(_IMAGE_CACHE) < 4096:
            _IMAGE_CACHE[name] = cached
    return cached


def _huffman_codes(bits: list[int], values: list[int]) -> dict[int, tuple[int, int]]:
    """Canonical JPEG Huffman codes (value -> (code, length)) from a DHT's counts."""
    codes: dict[int, tuple[int, int]] = {}
    code = 0
    k = 0
    for length in range(1, 17):
        for _ in range(bits[length - 1]):
            codes[values[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


# The standard DC luminance table (ITU T.81 Annex K.3) and an AC table holding only
# end-of-block: a solid colour has no AC coefficients.
_DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
_DC_VALUES = list(range(12))
_AC_BITS = [1] + [0] * 15
_AC_VALUES = [0x00]


def solid_jpeg(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A baseline JPEG (JFIF, YCbCr 4:4:4) of one colour, any decoder reads it."""
    r, g, b = rgb
    ycc = (
        0.299 * r + 0.587 * g + 0.114 * b,
        128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
        128 + 0.5 * r - 0.418688 * g - 0.081312 * b,
    )
    dc = [round(8 * (min(255.0, max(0.0, c)) - 128)) for c in ycc]  # quantiser 1
    dc_codes = _huffman_codes(_DC_BITS, _DC_VALUES)
    ac_eob = _huffman_codes(_AC_BITS, _AC_VALUES)[0]

    out = bytearray()
    acc = 0
    nbits = 0

    def put(code: int, length: int) -> None:
        nonlocal acc, nbits
        acc = (acc << length) | code
        nbits += length
        while nbits >= 8:
            nbits -= 8
            byte = (acc >> nbits) & 0xFF
            out.append(byte)
            if byte == 0xFF:
                out.append(0x00)
        acc &= (1 << nbits) - 1

    def put_dc(diff: int) -> None:
        category = abs(diff).bit_length()
        put(*dc_codes[category])
        if category:
            put(diff if diff > 0 else diff + (1 << category) - 1, category)

    blocks = ((width + 7) // 8) * ((height + 7) // 8)
    zero_dc = dc_codes[0]
    for index in range(blocks):
        for component in range(3):
            if index == 0:
                put_dc(dc[component])
            else:
                put(*zero_dc)
            put(*ac_eob)
    if nbits:
        put((1 << (8 - nbits)) - 1, 8 - nbits)  # pad with ones

    def segment(marker: int, payload: bytes) -> bytes:
        return struct.pack(">HH", marker, len(payload) + 2) + payload

    header = bytearray(b"\xff\xd8")
    header += segment(0xFFE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    header += segment(0xFFDB, b"\x00" + bytes([1] * 64))
    header += segment(
        0xFFC0,
        struct.pack(">BHHB", 8, height, width, 3) + b"\x01\x11\x00\x02\x11\x00\x03\x11\x00",
    )
    header += segment(0xFFC4, b"\x00" + bytes(_DC_BITS) + bytes(_DC_VALUES))
    header += segment(0xFFC4, b"\x10" + bytes(_AC_BITS) + bytes(_AC_VALUES))
    header += segment(0xFFDA, b"\x03\x01\x00\x02\x00\x03\x00\x00\x3f\x00")
    return bytes(header) + bytes(out) + b"\xff\xd9"
