"""The emulator's data model: a person's Spotify library, generated or loaded, mutable.

Everything is plain Python objects keyed by Spotify-style ids. The JSON shapes that the
API answers with are built from these in ``render.py``. A ``Library`` round-trips through
``to_dict()`` / ``from_dict()``; ``from_tracks()`` builds one from simple track dicts (for
example the manifest of a sample beets library) and ``generate()`` makes a realistic one
from a seed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
SPOTIFY_USER = "spotify"


def b62_id(*parts: object) -> str:
    """A deterministic 22-character base62 id (Spotify's id format) from ``parts``."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    n = int.from_bytes(digest[:17], "big")
    out = []
    for _ in range(22):
        n, r = divmod(n, 62)
        out.append(B62[r])
    return "".join(out)


def hex_id(*parts: object, length: int = 24) -> str:
    return hashlib.sha1("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:length]


@dataclass
class User:
    id: str
    display_name: str | None


@dataclass
class Artist:
    id: str
    name: str
    genres: list[str] = field(default_factory=list)


@dataclass
class Album:
    id: str
    name: str
    artist_ids: list[str]
    album_type: str = "album"
    release_date: str = "2000-01-01"
    release_date_precision: str = "day"
    upc: str | None = None
    label: str = ""
    image: str | None = None  # hex key of the cover art, None = no images
    track_ids: list[str] = field(default_factory=list)


@dataclass
class Track:
    id: str
    name: str
    artist_ids: list[str]
    album_id: str
    duration_ms: int
    track_number: int = 1
    disc_number: int = 1
    explicit: bool = False
    isrc: str | None = None
    popularity: int = 50
    available: bool = True
    beets_item: int | None = None  # ground truth from from_items(): the beets item it is


@dataclass
class Episode:
    id: str
    name: str
    show_id: str
    show_name: str
    publisher: str
    duration_ms: int
    release_date: str = "2023-01-01"
    description: str = ""


@dataclass
class Entry:
    """One position in a playlist."""

    kind: str  # "track" | "episode" | "local" | "null"
    id: str | None = None  # track or episode id
    added_at: str | None = None
    added_by: str | None = None  # user id; "" for Spotify's own playlists
    local: dict[str, Any] | None = None  # name, artist, album, duration_ms for local files

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "kind": self.kind,
            "added_at": self.added_at,
            "added_by": self.added_by,
        }
        if self.id is not None:
            d["id"] = self.id
        if self.local is not None:
            d["local"] = self.local
        return d


@dataclass
class Playlist:
    id: str
    name: str
    owner_id: str
    description: str = ""
    collaborative: bool = False
    public: bool = True
    entries: list[Entry] = field(default_factory=list)
    version: int = 1
    images: bool = True
    followers: int = 0

    @property
    def snapshot_id(self) -> str:
        raw = f"{self.version},{hex_id(self.id, self.version, length=40)}"
        return base64.b64encode(raw.encode()).decode()

    def touch(self) -> None:
        self.version += 1


ALL_KINDS = ("track", "episode", "local", "null", "raw")

# Playlist items no sane API sends, for hostile-input tests (Entry kind "raw").
HOSTILE_ITEMS: list[Any] = [
    {
        "type": "track",
        "id": None,
        "name": None,
        "artists": None,
        "album": None,
        "duration_ms": None,
        "is_local": False,
    },
    {
        "type": "track",
        "id": 12345,
        "name": 67,
        "artists": "not a list",
        "album": [],
        "duration_ms": "three minutes",
        "external_ids": {"isrc": 5},
        "is_local": "no",
    },
    {
        "type": "track",
        "id": "x" * 22,
        "name": "N" * 1_000_000,
        "artists": [None, 1, {}],
        "album": {"name": None, "images": "none"},
        "duration_ms": -1,
    },
    {
        "type": "track",
        "id": "h" * 22,
        "name": "../../etc/passwd\u0000\n\r\t/\\",
        "artists": [{"name": "A" * 70_000, "id": None}],
        "album": {"name": "x/../y"},
        "duration_ms": 1e300,
        "external_ids": {"isrc": "\u202eISRC"},
    },
    {"type": "spaceship", "id": "s" * 22, "name": "Unknown type"},
    [1, 2, 3],
    "just a string",
    {},
    {
        "type": "track",
        "id": "d" * 22,
        "name": "Deep",
        "album": {"artists": [[[[[[[[[]]]]]]]]]},
        "artists": [{"name": "A", "id": "a" * 22, "extra": {"nested": {"object": [None]}}}],
        "duration_ms": 200000,
        "external_ids": {},
        "is_local": False,
    },
]


class Library:
    """A person's Spotify library. Mutations take ``lock`` (the server reads under it)."""

    def __init__(self, me: User) -> None:
        self.lock = threading.RLock()
        self.me = me
        self.users: dict[str, User] = {me.id: me, SPOTIFY_USER: User(SPOTIFY_USER, "Spotify")}
        self.artists: dict[str, Artist] = {}
        self.albums: dict[str, Album] = {}
        self.tracks: dict[str, Track] = {}
        self.episodes: dict[str, Episode] = {}
        self.playlists: list[Playlist] = []  # the order of GET /me/playlists
        self.liked: list[tuple[str, str]] = []  # (added_at, track id), newest first
        self.saved_albums: list[tuple[str, str]] = []  # (added_at, album id), newest first
        self.followed_artists: list[str] = []
        self._created = 0

    # ------------------------------------------------------------------ lookups
    def playlist(self, playlist_id: str) -> Playlist | None:
        for p in self.playlists:
            if p.id == playlist_id:
                return p
        return None

    def is_spotify_owned(self, p: Playlist) -> bool:
        return p.owner_id == SPOTIFY_USER

    def items_allowed_in_development(self, p: Playlist) -> bool:
        """Development-mode apps get entries only for playlists the user owns or
        collaborates on."""
        return p.owner_id == self.me.id or p.collaborative

    def summary(self) -> dict[str, Any]:
        with self.lock:
            kinds = {k: 0 for k in ALL_KINDS}
            for p in self.playlists:
                for e in p.entries:
                    kinds[e.kind] += 1
            return {
                "playlists": len(self.playlists),
                "owned": sum(p.owner_id == self.me.id for p in self.playlists),
                "collaborative": sum(p.collaborative for p in self.playlists),
                "followed": sum(
                    p.owner_id not in (self.me.id, SPOTIFY_USER) and not p.collaborative
                    for p in self.playlists
                ),
                "spotify_owned": sum(p.owner_id == SPOTIFY_USER for p in self.playlists),
                "entries": sum(len(p.entries) for p in self.playlists),
                "entry_kinds": kinds,
                "tracks": len(self.tracks),
                "albums": len(self.albums),
                "artists": len(self.artists),
                "liked": len(self.liked),
                "saved_albums": len(self.saved_albums),
                "followed_artists": len(self.followed_artists),
            }

    # ---------------------------------------------------------------- mutations
    def add_track(self, track: dict[str, Any]) -> str:
        """Add a catalogue track from a simple dict (see ``from_tracks``); returns its id."""
        with self.lock:
            return _Builder(self).track(track, len(self.tracks))

    def add_hostile_playlist(self, name: str = "Hostile \u202e input / ..") -> str:
        """An owned playlist whose entries are ``HOSTILE_ITEMS`` (wrong types, nulls,
        huge strings, unknown types), between two ordinary tracks when there are any,
        plus entries with a null ``added_at``/``added_by``."""
        with self.lock:
            pid = self.create_playlist(name, description="<script>alert(1)</script>")
            p = self._require(pid)
            some = list(self.tracks)[:2]
            p.entries = [Entry("track", t, None, None) for t in some[:1]]
            p.entries += [
                Entry("raw", None, "not a date", self.me.id, item) for item in HOSTILE_ITEMS
            ]
            p.entries += [Entry("track", t, _now_iso(), self.me.id) for t in some[1:]]
            return pid

    def create_playlist(
        self,
        name: str,
        *,
        owner: str | None = None,
        collaborative: bool = False,
        public: bool = True,
        description: str = "",
        track_ids: list[str] | None = None,
        playlist_id: str | None = None,
        position: int = 0,
    ) -> str:
        with self.lock:
            owner_id = owner or self.me.id
            if owner_id not in self.users:
                self.users[owner_id] = User(owner_id, owner_id)
            self._created += 1
            pid = playlist_id or b62_id("created-playlist", name, owner_id, self._created)
            p = Playlist(pid, name, owner_id, description, collaborative, public)
            added_by = "" if owner_id == SPOTIFY_USER else owner_id
            p.entries = [Entry("track", t, _now_iso(), added_by) for t in track_ids or []]
            self.playlists.insert(position, p)
            return pid

    def _require(self, playlist_id: str) -> Playlist:
        p = self.playlist(playlist_id)
        if p is None:
            raise KeyError(f"no playlist {playlist_id}")
        return p

    def add_to_playlist(
        self, playlist_id: str, track_ids: list[str], position: int | None = None
    ) -> str:
        """Add tracks (ids of catalogue tracks or episodes); returns the new snapshot_id."""
        with self.lock:
            p = self._require(playlist_id)
            new = []
            for t in track_ids:
                kind = "episode" if t in self.episodes else "track"
                if kind == "track" and t not in self.tracks:
                    raise KeyError(f"no track {t}")
                new.append(Entry(kind, t, _now_iso(), self.me.id))
            pos = len(p.entries) if position is None else position
            p.entries[pos:pos] = new
            p.touch()
            return p.snapshot_id

    def remove_from_playlist(
        self,
        playlist_id: str,
        track_ids: list[str] | None = None,
        positions: list[int] | None = None,
    ) -> str:
        """Remove every entry of the given ids and/or the given positions."""
        with self.lock:
            p = self._require(playlist_id)
            drop = set(positions or [])
            ids = set(track_ids or [])
            p.entries = [e for i, e in enumerate(p.entries) if i not in drop and e.id not in ids]
            p.touch()
            return p.snapshot_id

    def reorder_playlist(self, playlist_id: str, order: list[int]) -> str:
        with self.lock:
            p = self._require(playlist_id)
            p.entries = [p.entries[i] for i in order]
            p.touch()
            return p.snapshot_id

    def update_playlist(self, playlist_id: str, **changes: Any) -> str:
        """Rename or change description / public / collaborative; snapshot_id changes."""
        with self.lock:
            p = self._require(playlist_id)
            for key in ("name", "description", "public", "collaborative"):
                if key in changes:
                    setattr(p, key, changes[key])
            p.touch()
            return p.snapshot_id

    def rename_playlist(self, playlist_id: str, name: str) -> str:
        return self.update_playlist(playlist_id, name=name)

    def delete_playlist(self, playlist_id: str) -> None:
        """Delete (or unfollow) a playlist: it leaves /me/playlists and answers 404."""
        with self.lock:
            p = self._require(playlist_id)
            self.playlists.remove(p)

    def like(self, track_id: str, added_at: str | None = None) -> None:
        with self.lock:
            if track_id not in self.tracks:
                raise KeyError(f"no track {track_id}")
            self.liked = [x for x in self.liked if x[1] != track_id]
            self.liked.insert(0, (added_at or _now_iso(), track_id))

    def unlike(self, track_id: str) -> None:
        with self.lock:
            self.liked = [x for x in self.liked if x[1] != track_id]

    def save_album(self, album_id: str, added_at: str | None = None) -> None:
        with self.lock:
            if album_id not in self.albums:
                raise KeyError(f"no album {album_id}")
            self.saved_albums = [x for x in self.saved_albums if x[1] != album_id]
            self.saved_albums.insert(0, (added_at or _now_iso(), album_id))

    def unsave_album(self, album_id: str) -> None:
        with self.lock:
            self.saved_albums = [x for x in self.saved_albums if x[1] != album_id]

    def follow_artist(self, artist_id: str) -> None:
        with self.lock:
            if artist_id not in self.artists:
                raise KeyError(f"no artist {artist_id}")
            if artist_id not in self.followed_artists:
                self.followed_artists.append(artist_id)

    def unfollow_artist(self, artist_id: str) -> None:
        with self.lock:
            self.followed_artists = [a for a in self.followed_artists if a != artist_id]

    # ------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        with self.lock:
            return {
                "format": "spotify-emulator-library/1",
                "me": {"id": self.me.id, "display_name": self.me.display_name},
                "users": [
                    {"id": u.id, "display_name": u.display_name}
                    for u in self.users.values()
                    if u.id not in (self.me.id, SPOTIFY_USER)
                ],
                "artists": [vars(a).copy() for a in self.artists.values()],
                "albums": [
                    {k: v for k, v in vars(a).items() if k != "track_ids"}
                    for a in self.albums.values()
                ],
                "tracks": [vars(t).copy() for t in self.tracks.values()],
                "episodes": [vars(e).copy() for e in self.episodes.values()],
                "playlists": [
                    {
                        "id": p.id,
                        "name": p.name,
                        "owner": p.owner_id,
                        "description": p.description,
                        "collaborative": p.collaborative,
                        "public": p.public,
                        "version": p.version,
                        "images": p.images,
                        "followers": p.followers,
                        "snapshot_id": p.snapshot_id,
                        "entries": [e.to_dict() for e in p.entries],
                    }
                    for p in self.playlists
                ],
                "liked": [{"added_at": a, "id": i} for a, i in self.liked],
                "saved_albums": [{"added_at": a, "id": i} for a, i in self.saved_albums],
                "followed_artists": list(self.followed_artists),
            }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Library:
        """Inverse of ``to_dict``."""
        me = User(d["me"]["id"], d["me"].get("display_name"))
        lib = cls(me)
        for u in d.get("users", []):
            lib.users[u["id"]] = User(u["id"], u.get("display_name"))
        for a in d.get("artists", []):
            lib.artists[a["id"]] = Artist(**a)
        for a in d.get("albums", []):
            lib.albums[a["id"]] = Album(**{k: v for k, v in a.items() if k != "track_ids"})
        for t in d.get("tracks", []):
            lib.tracks[t["id"]] = Track(**t)
            lib.albums[t["album_id"]].track_ids.append(t["id"])
        for e in d.get("episodes", []):
            lib.episodes[e["id"]] = Episode(**e)
        for p in d.get("playlists", []):
            if p["owner"] not in lib.users:
                lib.users[p["owner"]] = User(p["owner"], p["owner"])
            lib.playlists.append(
                Playlist(
                    p["id"],
                    p["name"],
                    p["owner"],
                    p.get("description", ""),
                    p.get("collaborative", False),
                    p.get("public", True),
                    [
                        Entry(
                            e["kind"],
                            e.get("id"),
                            e.get("added_at"),
                            e.get("added_by"),
                            e.get("local"),
                        )
                        for e in p.get("entries", [])
                    ],
                    p.get("version", 1),
                    p.get("images", True),
                    p.get("followers", 0),
                )
            )
        lib.liked = [(x["added_at"], x["id"]) for x in d.get("liked", [])]
        lib.saved_albums = [(x["added_at"], x["id"]) for x in d.get("saved_albums", [])]
        lib.followed_artists = list(d.get("followed_artists", []))
        return lib

    @classmethod
    def load(cls, path: str | Path) -> Library:
        """Load a JSON file: either ``to_dict()``'s format or ``from_tracks()``' arguments
        (``{"tracks": [...], "playlists": [...], "liked": [...], ...}``)."""
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        if "albums" in d and "me" in d:
            return cls.from_dict(d)
        return cls.from_tracks(**d)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def from_tracks(
        cls,
        tracks: list[dict[str, Any]],
        playlists: list[dict[str, Any]] | None = None,
        liked: list[Any] | None = None,
        saved_albums: list[Any] | None = None,
        followed_artists: list[str] | None = None,
        me: str = "emulatoruser",
        display_name: str | None = "Emulator User",
    ) -> Library:
        """Build a library from simple track dicts, e.g. a sample beets library's items.

        Track keys (beets' names or Spotify's): ``id``/``spotify_track_id`` (else derived),
        ``title``/``name``, ``artist`` (string) or ``artists`` (list of names), ``album``,
        ``albumartist``, ``isrc`` (missing/empty = no ISRC), ``length`` (seconds) or
        ``duration_ms``, ``track``/``track_number``, ``disc``/``disc_number``, ``year`` or
        ``release_date``, ``explicit``, ``available`` (False = unavailable in the market).

        Playlists: ``{"name", "tracks": [ref...], "owner": "me"|"spotify"|user id,
        "collaborative", "public", "description", "id"}`` where a ref is an index into
        ``tracks``, a track id, ``None`` (a null entry), ``{"local": {"name", "artist",
        "album", "duration_ms"}}`` or ``{"episode": "name"}``.
        ``liked``: refs (newest first). ``saved_albums``: album names or ids.
        ``followed_artists``: artist names or ids (unknown names are created).
        """
        lib = cls(User(me, display_name))
        b = _Builder(lib)
        ids = [b.track(t, i) for i, t in enumerate(tracks)]

        def ref(r: Any) -> str:
            if isinstance(r, int):
                return ids[r]
            if isinstance(r, str) and r in lib.tracks:
                return r
            raise KeyError(f"unknown track reference {r!r}")

        clock = _Clock(2019)
        for n, spec in enumerate(playlists or []):
            owner = spec.get("owner", "me")
            owner_id = me if owner == "me" else owner
            if owner_id not in lib.users:
                lib.users[owner_id] = User(owner_id, spec.get("owner_name", owner_id))
            pid = spec.get("id") or b62_id("playlist", spec["name"], n)
            p = Playlist(
                pid,
                spec["name"],
                owner_id,
                spec.get("description", ""),
                spec.get("collaborative", False),
                spec.get("public", True),
            )
            added_by = "" if owner_id == SPOTIFY_USER else owner_id
            for r in spec.get("tracks", []):
                at = clock.next()
                if r is None:
                    p.entries.append(Entry("null", None, at, added_by))
                elif isinstance(r, dict) and "local" in r:
                    p.entries.append(Entry("local", None, at, added_by, _local(r["local"])))
                elif isinstance(r, dict) and "episode" in r:
                    p.entries.append(Entry("episode", b.episode(str(r["episode"])), at, added_by))
                else:
                    p.entries.append(Entry("track", ref(r), at, added_by))
            lib.playlists.append(p)
        lc = _Clock(2024, reverse=True)
        lib.liked = [(lc.next(), ref(r)) for r in liked or []]
        by_name = {a.name: a.id for a in lib.albums.values()}
        lib.saved_albums = [(lc.next(), by_name.get(a, a)) for a in saved_albums or []]
        for name in followed_artists or []:
            lib.followed_artists.append(name if name in lib.artists else b.artist(name))
        return lib

    @classmethod
    def generate(
        cls,
        seed: int = 1,
        playlists: int = 60,
        entries: int = 18000,
        liked: int = 5000,
        albums: int = 250,
        artists: int = 120,
        me: str = "emulatoruser",
    ) -> Library:
        """A realistic library: owned, collaborative, followed and Spotify-owned playlists
        (``playlists`` of them, ``entries`` entries in all), ``liked`` Liked Songs,
        ``albums`` saved albums and ``artists`` followed artists."""
        return _Generator(seed).build(playlists, entries, liked, albums, artists, me)

    @classmethod
    def from_items(
        cls,
        items: list[dict[str, Any]],
        *,
        seed: int = 1,
        playlists: int = 8,
        entries: int = 400,
        liked: int = 150,
        albums: int = 10,
        artists: int = 20,
        missing: float = 0.3,
        other_versions: float = 0.05,
        catalogue: int | None = None,
        me: str = "emulatoruser",
    ) -> Library:
        """A Spotify library that corresponds to a beets library: ``items`` are beets items
        as dicts (e.g. tests/fixtures/samplelib.py's manifest items).

        ``catalogue`` items (default: enough for the playlists and Liked Songs) become
        Spotify tracks, written the way Spotify writes them: the item's own
        ``spotify_track_id`` when it has one, featured artists as artists and often
        ``(feat. X)`` in the title, the duration within ±1.5 s, the item's ISRC (a few
        dropped) or, when the item has none, an ISRC of Spotify's own. ``other_versions``
        of them get a Spotify-only other version (``- Live``, longer) that must NOT match.
        Tracks the beets library does not have are added so that about ``missing`` of the
        catalogue is missing (the wishlist). Then playlists / liked / albums / artists are
        generated from that catalogue as ``generate()`` does. Ground truth:
        ``Track.beets_item`` (the item id, or None) and ``truth()``.
        """
        rng = random.Random(seed)
        lib = cls(User(me, "Emulator User"))
        b = _Builder(lib)
        if catalogue is None:
            catalogue = max(200, int((entries * 0.5 + liked) * (1 - missing)))
        chosen = items if len(items) <= catalogue else rng.sample(items, catalogue)
        for i, item in enumerate(chosen):
            t = _spotify_style(item, rng)
            tid = b.track(t, i)
            lib.tracks[tid].beets_item = item.get("id")
            if rng.random() < other_versions:
                base = item.get("base_title") or t["title"]
                live = dict(
                    t,
                    id=None,
                    spotify_track_id=None,
                    title=f"{base} - Live",
                    album=f"{t.get('album') or base} (Live)",
                    duration_ms=t["duration_ms"] + rng.randint(20_000, 90_000),
                    isrc=_isrc(rng, 2020),
                )
                b.track(live, len(items) + i)
        have = len(lib.tracks)
        extra = int(have * missing / (1 - missing)) if missing < 1 else have
        return _Generator(seed).build(
            playlists, entries, liked, albums, artists, me, lib=lib, extra_tracks=extra
        )

    def minimum_requests(
        self,
        mode: str = "development",
        page: int = 50,
        audio_features: bool = True,
        probe_unreadable: bool = True,
        release_artists: int = 0,
    ) -> dict[str, int]:
        """The fewest API requests that read everything readable in ``mode`` at ``page``
        items per request, by endpoint (as ``Emulator.counters()["by_endpoint"]`` names
        them) and in ``"total"``: one ``/me``; ``/me/playlists``, ``/me/tracks``,
        ``/me/albums`` and ``/me/following`` pages (at least one each, to learn the
        total); ``/items`` pages of every readable non-empty playlist, plus one request
        per unreadable non-empty playlist when ``probe_unreadable`` (the 403/404 that
        records it);
        audio features in batches of 100 for the distinct tracks of readable playlists
        and Liked Songs (development mode: one request, answered 403); with
        ``release_artists``, the albums and singles pages of that many followed artists
        (in /me/following order: the release watch's first run)."""
        with self.lock:

            def pages(n: int, size: int = page) -> int:
                return -(-n // size)

            items = 0
            wanted: set[str] = {t for _, t in self.liked}
            for p in self.playlists:
                readable = mode == "extended" or (
                    not self.is_spotify_owned(p) and self.items_allowed_in_development(p)
                )
                if readable:
                    items += pages(len(p.entries))
                    wanted.update(e.id for e in p.entries if e.kind == "track" and e.id)
                elif probe_unreadable and p.entries:
                    items += 1
            counts = {
                "/v1/me": 1,
                "/v1/me/playlists": max(1, pages(len(self.playlists))),
                "/v1/playlists/{id}/items": items,
                "/v1/me/tracks": max(1, pages(len(self.liked))),
                "/v1/me/albums": max(1, pages(len(self.saved_albums))),
                "/v1/me/following": max(1, pages(len(self.followed_artists))),
            }
            if release_artists:
                checked = sorted(self.followed_artists)[:release_artists]
                counts["/v1/artists/{id}/albums"] = sum(
                    max(1, pages(self.release_count(a))) for a in checked
                )
            if audio_features:
                counts["/v1/audio-features"] = pages(len(wanted), 100) if mode == "extended" else 1
            counts["total"] = sum(counts.values())
            return counts

    def release_count(self, artist_id: str) -> int:
        """Albums and singles with the artist among the album artists."""
        return sum(
            artist_id in a.artist_ids and a.album_type in ("album", "single")
            for a in self.albums.values()
        )

    def truth(self) -> dict[str, int | None]:
        """Spotify track id -> the beets item id it corresponds to (None: not in beets)."""
        with self.lock:
            return {t.id: t.beets_item for t in self.tracks.values()}

    @staticmethod
    def read_items(path: str | Path) -> list[dict[str, Any]]:
        """Beets items from samplelib's output: its directory (manifest.json), the
        items.jsonl file, or a JSON list."""
        p = Path(path)
        if p.is_dir():
            manifest = json.loads((p / "manifest.json").read_text(encoding="utf-8"))
            p = p / manifest.get("items_file", "items.jsonl")
        text = p.read_text(encoding="utf-8")
        if p.suffix == ".jsonl":
            return [json.loads(line) for line in text.splitlines() if line.strip()]
        data = json.loads(text)
        return data["items"] if isinstance(data, dict) else data


def _now_iso() -> str:
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


class _Clock:
    """Monotonic fake timestamps, one hour apart."""

    def __init__(self, year: int, reverse: bool = False) -> None:
        import calendar

        self.t = calendar.timegm((year, 6, 1, 12, 0, 0, 0, 0, 0))
        self.step = -3600 if reverse else 3600

    def next(self) -> str:
        import time

        self.t += self.step
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.t))


def _isrc(rng: random.Random, year: int) -> str:
    country = rng.choice(["US", "GB", "DE", "SE", "JP", "FR"])
    return (
        f"{country}{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.randint(10, 99)}"
        f"{year % 100:02d}{rng.randint(0, 99999):05d}"
    )


def _spotify_style(item: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """A beets item as Spotify would list the same recording."""
    names = item.get("artists")
    if isinstance(names, str):
        names = [n for n in names.split("\\\u2400") if n]
    if not names:
        names = [item.get("artist") or ""]
    title = item.get("title") or ""
    featured = item.get("featured") or []
    if featured and "feat." not in title.lower() and rng.random() < 0.7:
        title += f" (feat. {', '.join(featured)})"
    isrc = item.get("isrc") or None
    if isrc and rng.random() < 0.03:
        isrc = None
    elif not isrc and rng.random() < 0.9:
        isrc = _isrc(rng, int(item.get("year") or 2000))
    length = float(item.get("length") or 0)
    return {
        "id": item.get("spotify_track_id") or None,
        "title": title,
        "artists": list(names),
        "album": item.get("album") or title,
        "albumartist": item.get("albumartist") or names[0],
        "duration_ms": max(1000, int(length * 1000 + rng.uniform(-1500, 1500))),
        "track": item.get("track") or 1,
        "disc": item.get("disc") or 1,
        "year": item.get("year") or 0,
        "isrc": isrc,
    }


def _local(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": d.get("name") or d.get("title") or "",
        "artist": d.get("artist") or "",
        "album": d.get("album") or "",
        "duration_ms": int(d.get("duration_ms") or float(d.get("length") or 0) * 1000),
    }


class _Builder:
    """Creates artists / albums / tracks by name, reusing ones already present."""

    def __init__(self, lib: Library) -> None:
        self.lib = lib
        self.artist_by_name = {a.name: a.id for a in lib.artists.values()}
        self.album_by_key: dict[tuple[str, str], str] = {}
        for a in lib.albums.values():
            first = lib.artists[a.artist_ids[0]].name if a.artist_ids else ""
            self.album_by_key[(a.name, first)] = a.id

    def artist(self, name: str) -> str:
        if name not in self.artist_by_name:
            aid = b62_id("artist", name)
            self.lib.artists[aid] = Artist(aid, name)
            self.artist_by_name[name] = aid
        return self.artist_by_name[name]

    def episode(self, name: str) -> str:
        eid = b62_id("episode", name)
        if eid not in self.lib.episodes:
            sid = b62_id("show", name)
            self.lib.episodes[eid] = Episode(
                eid, name, sid, "Emulated Podcast", "Emulator", 1_800_000
            )
        return eid

    def track(self, t: dict[str, Any], index: int) -> str:
        title = t.get("title") or t.get("name") or ""
        names = t.get("artists")
        if isinstance(names, str):
            names = [n for n in names.split("\\\u2400") if n]
        if not names:
            names = [t.get("artist") or ""]
        artist_ids = [self.artist(n) for n in names]
        album_name = t.get("album") or title
        album_artist = t.get("albumartist") or names[0]
        key = (album_name, album_artist)
        year = t.get("year") or 0
        release = str(t.get("release_date") or (f"{int(year):04d}" if year else "2000"))
        if key not in self.album_by_key:
            alid = t.get("album_id") or b62_id("album", album_name, album_artist)
            precision = {4: "year", 7: "month"}.get(len(release), "day")
            self.lib.albums[alid] = Album(
                alid,
                album_name,
                [self.artist(album_artist)],
                t.get("album_type") or "album",
                release,
                precision,
                t.get("upc"),
                "",
                hex_id("cover", alid),
            )
            self.album_by_key[key] = alid
        alid = self.album_by_key[key]
        tid = t.get("id") or t.get("spotify_track_id") or b62_id("track", title, names, index)
        if "duration_ms" in t:
            duration = int(t["duration_ms"])
        else:
            duration = round(float(t.get("length") or 0) * 1000)
        self.lib.tracks[tid] = Track(
            tid,
            title,
            artist_ids,
            alid,
            duration,
            int(t.get("track") or t.get("track_number") or 1),
            int(t.get("disc") or t.get("disc_number") or 1),
            bool(t.get("explicit", False)),
            t.get("isrc") or None,
            int(t.get("popularity", 50)),
            bool(t.get("available", True)),
        )
        album = self.lib.albums[alid]
        if tid not in album.track_ids:
            album.track_ids.append(tid)
        return tid


# ---------------------------------------------------------------------- generator
_ADJ = [
    "Golden",
    "Silent",
    "Electric",
    "Broken",
    "Neon",
    "Midnight",
    "Paper",
    "Velvet",
    "Hollow",
    "Crystal",
    "Wild",
    "Lonely",
    "Burning",
    "Frozen",
    "Hidden",
    "Distant",
    "Quiet",
    "Bright",
    "Restless",
    "Sweet",
    "Blue",
    "Red",
    "Endless",
    "Secret",
    "Falling",
    "Rising",
    "Lost",
    "Open",
    "Empty",
    "Gentle",
    "Savage",
    "Tender",
    "Cosmic",
    "Urban",
    "Rusty",
    "Liquid",
]
_NOUN = [
    "Heart",
    "River",
    "Highway",
    "Summer",
    "Window",
    "Garden",
    "Machine",
    "Ocean",
    "Mirror",
    "Shadow",
    "Fire",
    "Letter",
    "Thunder",
    "Dream",
    "Station",
    "Horizon",
    "Echo",
    "Signal",
    "Forest",
    "Harbor",
    "Island",
    "Engine",
    "Kingdom",
    "Ghost",
    "Satellite",
    "Mountain",
    "Lantern",
    "Desert",
    "Winter",
    "Radio",
    "Bridge",
    "Compass",
    "Anthem",
    "Circus",
    "Tide",
]
_FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elena",
    "Felix",
    "Grace",
    "Hugo",
    "Iris",
    "Jonas",
    "Kira",
    "Leo",
    "Maya",
    "Nils",
    "Olivia",
    "Pablo",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Umar",
    "Vera",
    "Will",
    "Xenia",
    "Yusuf",
    "Zoe",
    "Björn",
    "Zoë",
    "Chloé",
    "José",
]
_LAST = [
    "Adams",
    "Berg",
    "Costa",
    "Dahl",
    "Evans",
    "Fischer",
    "García",
    "Hale",
    "Ibsen",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quinto",
    "Rossi",
    "Santos",
    "Tanaka",
    "Ueda",
    "Vargas",
    "Weber",
    "Young",
    "Zeller",
]
_FOREIGN_ARTISTS = [
    "宇多田ヒカル",
    "米津玄師",
    "Кино",
    "Би-2",
    "Μίκης Θεοδωράκης",
    "방탄소년단",
    "Sigur Rós",
    "Mötley Crüe",
    "Beyoncé",
    "Björk",
    "AC/DC",
    "Florence + the Machine",
    "!!!",
    "The The",
    "Sunn O)))",
    "Ólafur Arnalds",
    "فيروز",
    "Café Tacvba",
]
_FOREIGN_TITLES = [
    "夜に駆ける",
    "Lemon",
    "Группа крови",
    "Звезда по имени Солнце",
    "Τα παιδιά του Πειραιά",  # noqa: RUF001
    "봄날",
    "Hoppípolla",
    "Déjà vu",
    "Ça plane pour moi",
    "Für Elise",
    "Nöjesguiden",
    "¿Dónde Están Los Ladrones?",
    "Ojalá",
    "Saudade",
    "Ñandutí",
    "Dreamin' 💭",
]
_VERSIONS = [
    " - Remastered 2011",
    " - Live",
    " - Acoustic",
    " - Radio Edit",
    " - Remix",
    " (Live at Wembley)",
    " - Instrumental",
    " - 2009 Remaster",
    " - Demo",
    " (feat. {x})",
]
_GENRES = [
    "indie rock",
    "synthpop",
    "jazz",
    "hip hop",
    "techno",
    "folk",
    "metal",
    "j-pop",
    "soul",
    "ambient",
]
_PLAYLIST_NAMES = [
    "Road Trip 2019",
    "Chill Vibes ☕",
    "Workout",
    "Sunday Morning",
    "日本のポップ",
    "AC/DC & Friends",
    "../../etc/passwd",
    "Русский рок",
    "Songs for 💔",
    "Focus",
    "Dinner Party",
    "Running 170bpm",
    "Best of the 80s",
    "Rainy Days",
    "Summer '23",
    "Wedding / Reception",
    "Kids' Car Songs",
    "  spaces  around  ",
    "Late Night Jazz",
    "Gym: Leg Day",
    "Lo-fi Beats to Study To",
    "Party!!!",
    "Café del Mar",
    "Sad Bangers",
    "Discovered in Berlin",
    "Vinyl wishlist",
    'Quotes "and" <brackets>',
    "Mum's favourites",
]
_SPOTIFY_LISTS = [
    ("Discover Weekly", 30),
    ("Release Radar", 30),
    ("Daily Mix 1", 50),
    ("Daily Mix 2", 50),
    ("On Repeat", 30),
    ("Today's Top Hits", 50),
    ("RapCaviar", 50),
    ("All Out 80s", 100),
    ("Daily Mix 3", 50),
    ("Repeat Rewind", 30),
    ("Peaceful Piano", 100),
    ("Time Capsule", 30),
]


class _Generator:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.n = 0

    def uid(self, kind: str) -> str:
        self.n += 1
        return b62_id(kind, self.seed, self.n)

    def artist_name(self) -> str:
        r = self.rng.random()
        if r < 0.06:
            return self.rng.choice(_FOREIGN_ARTISTS) + ("" if r < 0.03 else f" {self.n}")
        if r < 0.45:
            return f"{self.rng.choice(_FIRST)} {self.rng.choice(_LAST)}"
        if r < 0.75:
            return f"The {self.rng.choice(_ADJ)} {self.rng.choice(_NOUN)}s"
        return f"{self.rng.choice(_ADJ)} {self.rng.choice(_NOUN)}"

    def title(self, artist_names: list[str]) -> str:
        r = self.rng.random()
        if r < 0.05:
            base = self.rng.choice(_FOREIGN_TITLES)
        elif r < 0.5:
            base = f"{self.rng.choice(_ADJ)} {self.rng.choice(_NOUN)}"
        elif r < 0.8:
            base = self.rng.choice(_NOUN)
        else:
            base = (
                f"The {self.rng.choice(_NOUN)} of {self.rng.choice(_ADJ)} {self.rng.choice(_NOUN)}s"
            )
        if self.rng.random() < 0.12:
            v = self.rng.choice(_VERSIONS)
            base += v.replace("{x}", artist_names[-1]) if "{x}" in v else v
        return base

    def build(
        self,
        n_playlists: int,
        n_entries: int,
        n_liked: int,
        n_albums: int,
        n_artists: int,
        me_id: str,
        lib: Library | None = None,
        extra_tracks: int | None = None,
    ) -> Library:
        """Generate a catalogue and fill playlists, Liked Songs, saved albums and followed
        artists from it. With ``lib``, its tracks join the catalogue and only
        ``extra_tracks`` more are generated."""
        rng = self.rng
        premade = list(lib.tracks) if lib is not None else []
        lib = lib if lib is not None else Library(User(me_id, "Emulator User"))
        # Artists: enough to spread the catalogue, at least the number to follow.
        if extra_tracks is None:
            pool_tracks = max(int(n_entries * 0.5), n_liked + n_liked // 10, 200)
            n_artist_pool = max(n_artists + 10, pool_tracks // 30, 20)
        else:
            pool_tracks = extra_tracks
            n_artist_pool = max(pool_tracks // 10, 5)
        artist_ids = []
        for _ in range(n_artist_pool):
            aid = self.uid("artist")
            genres = rng.sample(_GENRES, rng.randint(0, 3))
            lib.artists[aid] = Artist(aid, self.artist_name(), genres)
            artist_ids.append(aid)
        # Albums with tracks until the pool is full.
        track_ids: list[str] = []
        while len(track_ids) < pool_tracks or len(lib.albums) < n_albums:
            alid = self.uid("album")
            main = rng.choice(artist_ids)
            kind = rng.choices(["album", "single", "compilation"], [0.7, 0.25, 0.05])[0]
            count = 1 if kind == "single" and rng.random() < 0.6 else rng.randint(4, 16)
            year = rng.randint(1965, 2026)
            precision = rng.choices(["day", "month", "year"], [0.85, 0.05, 0.1])[0]
            date = {
                "day": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "month": f"{year}-{rng.randint(1, 12):02d}",
                "year": f"{year}",
            }[precision]
            album_artists = [main] if kind != "compilation" else [rng.choice(artist_ids)]
            name = self.title([lib.artists[main].name])
            album = Album(
                alid,
                name,
                album_artists,
                kind,
                date,
                precision,
                f"{rng.randint(0, 10**12 - 1):012d}" if rng.random() < 0.9 else None,
                f"{rng.choice(_NOUN)} Records",
                hex_id("cover", alid) if rng.random() < 0.98 else None,
            )
            lib.albums[alid] = album
            for no in range(1, count + 1):
                tid = self.uid("track")
                artists = [main if kind != "compilation" else rng.choice(artist_ids)]
                if rng.random() < 0.15:
                    artists.append(rng.choice(artist_ids))
                names = [lib.artists[a].name for a in artists]
                title = self.title(names) if count > 1 else name
                isrc = None
                if rng.random() < 0.97:
                    isrc = (
                        f"{rng.choice(['US', 'GB', 'DE', 'SE', 'JP', 'FR'])}"
                        f"{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.randint(10, 99)}"
                        f"{year % 100:02d}{rng.randint(0, 99999):05d}"
                    )
                track = Track(
                    tid,
                    title,
                    artists,
                    alid,
                    int(rng.lognormvariate(12.3, 0.3)) + 30_000,
                    no,
                    1 if count < 14 or no <= 10 else 2,
                    rng.random() < 0.1,
                    isrc,
                    rng.randint(0, 100),
                    rng.random() > 0.01,
                )
                lib.tracks[tid] = track
                album.track_ids.append(tid)
                track_ids.append(tid)
        for i in range(3):
            eid = self.uid("episode")
            lib.episodes[eid] = Episode(
                eid,
                f"Episode {i + 1}: {self.title(['x'])}",
                b62_id("show", self.seed),
                "The Emulated Podcast",
                "Emulator Media",
                rng.randint(600_000, 5_400_000),
                f"2025-{i + 1:02d}-15",
                "A podcast episode.",
            )
        episode_ids = list(lib.episodes)
        track_ids = premade + track_ids
        if premade:
            artist_ids = list(lib.artists)

        # Other users.
        others = []
        for _ in range(max(3, n_playlists // 6)):
            name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
            uid = (
                name.split()[0].lower() + str(rng.randint(1, 9999))
                if rng.random() < 0.5
                else str(rng.randint(10**9, 10**10))
            )
            lib.users[uid] = User(uid, name if rng.random() < 0.9 else None)
            others.append(uid)

        # Playlist kinds.
        base = ["owned", "followed", "spotify", "collab"][:n_playlists]
        kinds = base + rng.choices(
            ["owned", "followed", "spotify", "collab"],
            [0.6, 0.2, 0.12, 0.08],
            k=max(0, n_playlists - len(base)),
        )
        rng.shuffle(kinds)
        sizes = self.sizes(kinds, n_entries)
        popularity = [rng.random() ** 1.7 for _ in track_ids]  # a few tracks are everywhere
        by_pop = [t for _, t in sorted(zip(popularity, track_ids, strict=True))]
        spotify_names = list(_SPOTIFY_LISTS)
        name_pool = list(_PLAYLIST_NAMES)
        rng.shuffle(name_pool)
        for i, (kind, size) in enumerate(zip(kinds, sizes, strict=True)):
            pid = self.uid("playlist")
            if kind == "spotify":
                name = spotify_names.pop(0)[0] if spotify_names else f"Daily Mix {i}"
                owner = SPOTIFY_USER
                pid = "37i9dQZF1" + pid[9:]  # Spotify's own playlist ids look like this
            else:
                name = name_pool.pop() if name_pool else f"{self.title(['x'])} #{i}"
                owner = (
                    me_id if kind == "owned" or (kind == "collab" and i % 2) else rng.choice(others)
                )
            p = Playlist(
                pid,
                name,
                owner,
                rng.choice(
                    [
                        "",
                        "",
                        "My favourite songs.",
                        "Made with <3 & care",
                        'A <a href="spotify:user:x">link</a> in HTML',
                    ]
                ),
                kind == "collab",
                kind != "collab" and rng.random() < 0.7,
                version=rng.randint(1, 400),
                images=size > 0 and rng.random() < 0.95,
                followers=rng.randint(0, 5000) if kind != "owned" else rng.randint(0, 3),
            )
            if kind == "collab":
                p.public = False
            old = rng.random() < 0.05
            clock = _Clock(rng.randint(2012, 2025))
            members = [owner] + ([me_id, *rng.sample(others, 2)] if kind == "collab" else [])
            for _ in range(size):
                r = rng.random()
                added_by = "" if owner == SPOTIFY_USER else rng.choice(members)
                at = None if old else clock.next()
                if kind in ("owned", "collab") and r < 0.008:
                    p.entries.append(
                        Entry(
                            "local",
                            None,
                            at,
                            added_by,
                            {
                                "name": self.title(["x"]),
                                "artist": self.artist_name(),
                                "album": rng.choice(["", self.title(["x"])]),
                                "duration_ms": rng.randint(60_000, 400_000),
                            },
                        )
                    )
                elif r < 0.012:
                    p.entries.append(Entry("episode", rng.choice(episode_ids), at, added_by))
                elif r < 0.015:
                    p.entries.append(Entry("null", None, at, added_by))
                else:
                    t = by_pop[min(int(len(by_pop) * rng.random() ** 1.4), len(by_pop) - 1)]
                    p.entries.append(Entry("track", t, at, added_by))
            lib.playlists.append(p)

        lc = _Clock(2026, reverse=True)
        liked_ids = rng.sample(track_ids, min(n_liked, len(track_ids)))
        lib.liked = [(lc.next(), t) for t in liked_ids]
        lc = _Clock(2026, reverse=True)
        album_ids = rng.sample(list(lib.albums), min(n_albums, len(lib.albums)))
        lib.saved_albums = [(lc.next(), a) for a in album_ids]
        lib.followed_artists = rng.sample(artist_ids, min(n_artists, len(artist_ids)))
        return lib

    def sizes(self, kinds: list[str], total: int) -> list[int]:
        rng = self.rng
        sizes = [0] * len(kinds)
        spotify_sizes = [s for _, s in _SPOTIFY_LISTS]
        fixed = 0
        for i, k in enumerate(kinds):
            if k == "spotify":
                sizes[i] = spotify_sizes[i % len(spotify_sizes)]
                fixed += sizes[i]
        free = [i for i, k in enumerate(kinds) if k != "spotify"]
        if fixed > total // 2 or not free:
            scale = (total // 2 if free else total) / max(fixed, 1)
            for i, k in enumerate(kinds):
                if k == "spotify":
                    sizes[i] = int(sizes[i] * scale)
            fixed = sum(sizes)
        remaining = total - fixed
        empty = free[0] if len(free) >= 10 else None
        weighted = [i for i in free if i != empty]
        weights = [rng.lognormvariate(0, 0.9) for _ in weighted]
        wsum = sum(weights) or 1.0
        for i, w in zip(weighted, weights, strict=True):
            sizes[i] = int(remaining * w / wsum)
        # Fix rounding so the total is exact.
        diff = total - sum(sizes)
        targets = weighted or [i for i in range(len(kinds))]
        j = 0
        while diff != 0 and targets:
            i = targets[j % len(targets)]
            if diff > 0:
                sizes[i] += 1
                diff -= 1
            elif sizes[i] > 0:
                sizes[i] -= 1
                diff += 1
            j += 1
        return sizes
