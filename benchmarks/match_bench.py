"""Matcher accuracy and speed: labelled sets, the two baselines, the 500k/50k benchmark.

    python benchmarks/match_bench.py accuracy            # hard cases + generated set
    python benchmarks/match_bench.py speed               # 50k tracks vs a 500k library.db
    python benchmarks/match_bench.py speed --items 20000 --tracks 2000   # quick look

The library comes from tests/fixtures/samplelib.py (a real beets library.db built with
beets' own API, cached under benchmarks/data) when it is available, else from a small
generator here that writes beets' schema directly. Spotify tracks are generated from
library items the way Spotify renders them (" - Remastered 2011", "(feat. X)" with the
featured artist in the artist list, other albums, durations off by a few seconds, typos,
accents dropped, ISRCs sometimes), plus tracks that must NOT match: other versions
(live, remix, acoustic, instrumental, radio edit) of songs the library has only as the
studio recording, songs the library does not have, and the same title by another artist.
Each track is labelled with the set of items that are the same recording.

Baselines, on the same data: the naive cascade (per track a scan of the library, exact
then partial comparison of lower-cased strings) and RapidFuzz `process.extractOne` over
"artist - title" strings (WRatio, cut-off 90). Both are O(tracks x items), so their speed
is measured on a sample of tracks and extrapolated.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import sqlite3
import subprocess
import sys
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
HARD_CASES = REPO / "tests" / "data" / "match_hard_cases.json"
BENCH_BINARY = REPO / "build" / "bench" / "benchmarks" / "match_bench"

Item = dict[str, Any]
Track = dict[str, Any]
Expected = frozenset[int]

# --- the library ------------------------------------------------------------------------

_VERSIONS = {
    "live": (" (live)", " (Live at Wembley 1986)"),
    "remix": (" ({remixer} remix)",),
    "acoustic": (" (acoustic)",),
    "instrumental": (" (instrumental)",),
    "radio edit": (" (radio edit)",),
    "remaster": (" (2011 remaster)",),
}
_WORDS = [
    "love",
    "night",
    "heart",
    "dream",
    "fire",
    "light",
    "rain",
    "summer",
    "shadow",
    "river",
    "golden",
    "blue",
    "electric",
    "midnight",
    "wild",
    "broken",
    "silver",
    "ocean",
    "city",
    "road",
    "home",
    "alone",
    "forever",
    "young",
    "paradise",
    "thunder",
    "echo",
    "velvet",
    "neon",
    "ghost",
    "stone",
    "crystal",
    "sugar",
    "honey",
    "desert",
    "winter",
    "garden",
    "morning",
    "dancing",
    "falling",
    "running",
    "burning",
    "waiting",
    "lost",
    "little",
    "sweet",
    "cold",
    "dark",
    "bright",
    "hollow",
    "open",
    "secret",
    "highway",
    "window",
    "mirror",
    "letter",
    "angel",
    "devil",
    "kingdom",
    "island",
    "mountain",
    "valley",
    "storm",
]
_ACCENTED = [
    "Café",
    "Señorita",
    "Niño",
    "Über",
    "Mädchen",
    "Été",
    "Canción",
    "Corazón",
    "Straße",
    "Ångström",
]
_CJK = ["夜に駆ける", "夢", "春の歌", "東京", "花火", "さよなら", "恋", "星空"]
_CYRILLIC = ["Кукушка", "Звезда", "Город", "Ночь", "Весна", "Группа крови", "Лето"]
_FIRST = [
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elena",
    "Felix",
    "Greta",
    "Hugo",
    "Ines",
    "Jonas",
    "Karin",
    "Leo",
    "Maya",
    "Nils",
]
_LAST = [
    "Berg",
    "Costa",
    "Duval",
    "Eriksen",
    "Fontaine",
    "García",
    "Hoffmann",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Müller",
]


def fallback_items(count: int, seed: int = 1) -> list[Item]:
    """A library with samplelib's item fields (song, base_title, version, featured)."""
    rng = random.Random(seed)
    artists: list[str] = []
    for _ in range(max(20, count // 25)):
        kind = rng.random()
        if kind < 0.45:
            name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        elif kind < 0.75:
            name = f"The {rng.choice(_WORDS).title()} {rng.choice(_WORDS).title()}s"
        elif kind < 0.85:
            name = f"{rng.choice(_FIRST)} & {rng.choice(_FIRST)}"
        elif kind < 0.92:
            name = rng.choice(_CYRILLIC) + " " + str(rng.randint(1, 99))
        else:
            name = rng.choice(_CJK) + rng.choice(_CJK)
        artists.append(name + ("" if name not in artists else f" {len(artists)}"))
    items: list[Item] = []
    songs: list[tuple[int, str, str]] = []  # (song, title, artist)
    titles_of: dict[str, set[str]] = defaultdict(set)
    next_id = 1
    while len(items) < count:
        artist = rng.choice(artists)
        album = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3))).title()
        for number in range(rng.randint(6, 14)):
            if len(items) >= count:
                break
            featured: list[str] = []
            if songs and rng.random() < 0.10:
                song, base, artist_of = rng.choice(songs)
                version = rng.choice(list(_VERSIONS))
            else:
                r = rng.random()
                if r < 0.08:
                    base = rng.choice(_ACCENTED) + " " + rng.choice(_WORDS)
                elif r < 0.12:
                    base = rng.choice(_CJK)
                elif r < 0.16:
                    base = rng.choice(_CYRILLIC)
                else:
                    base = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 4)))
                base = base[0].upper() + base[1:]
                if base in titles_of[artist]:
                    continue
                titles_of[artist].add(base)
                song = len(songs) + 1
                songs.append((song, base, artist))
                artist_of = artist
                version = None
                if rng.random() < 0.1:
                    featured = [rng.choice(artists)]
            title = base
            if version:
                title += rng.choice(_VERSIONS[version]).format(remixer=rng.choice(_FIRST))
            credit = artist_of + (f" feat. {featured[0]}" if featured else "")
            base_length = 150 + (song * 7919) % 240
            length = base_length + rng.uniform(-1, 1)
            if version in ("live", "remix"):
                length += rng.uniform(15, 90)
            elif version == "radio edit":
                length -= rng.uniform(25, 60)
            isrc = f"US{rng.choice('ABCDEFGH')}{rng.choice('ABCDEFGH')}1{next_id:07d}"
            items.append(
                {
                    "id": next_id,
                    "title": title,
                    "artist": credit,
                    "artists": [artist_of, *featured],
                    "album": album,
                    "length": round(length, 3),
                    "track": number + 1,
                    "isrc": isrc if rng.random() < 0.6 else "",
                    "mb_trackid": "",
                    "spotify_track_id": "",
                    "data_source": "",
                    "song": song,
                    "base_title": base,
                    "version": version,
                    "featured": featured,
                    "path": f"/music/{next_id}.mp3",
                }
            )
            next_id += 1
    return items


def write_beets_db(items: list[Item], db_path: Path) -> None:
    """beets' schema (made by beets), then the rows inserted directly (fast)."""
    from beets.library import Library

    if db_path.exists():
        db_path.unlink()
    lib = Library(str(db_path), directory="/music")
    lib._close()
    delimiter = "\\\u2400"
    with sqlite3.connect(db_path) as db:
        db.executemany(
            "INSERT INTO items (id, path, title, artist, artists, album, albumartist, length,"
            " track, isrc, mb_trackid) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (
                (
                    i["id"],
                    i["path"].encode(),
                    i["title"],
                    i["artist"],
                    delimiter.join(i.get("artists") or []),
                    i["album"],
                    i.get("albumartist", ""),
                    i["length"],
                    i.get("track", 0),
                    i["isrc"],
                    i["mb_trackid"],
                )
                for i in items
            ),
        )
        db.executemany(
            "INSERT INTO item_attributes (entity_id, key, value) VALUES (?,?,?)",
            (
                (i["id"], key, i[key])
                for i in items
                for key in ("spotify_track_id", "data_source")
                if i.get(key)
            ),
        )


def library(
    count: int, seed: int = 1, samplelib_ok: bool = True
) -> tuple[list[Item], Path | None, str]:
    """(items, library.db or None, source): samplelib's when available and wanted."""
    fixtures = REPO / "tests" / "fixtures"
    if samplelib_ok and (fixtures / "samplelib.py").exists():
        sys.path.insert(0, str(fixtures))
        import samplelib  # type: ignore[import-not-found]

        lib = samplelib.cached_library(items=count, seed=seed, progress=count > 50000)
        return samplelib.load_items(lib.directory), lib.db_path, "samplelib"
    return fallback_items(count, seed), None, "fallback"


# --- Spotify tracks with labels -----------------------------------------------------------


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def _typo(text: str, rng: random.Random) -> str:
    words = text.split(" ")
    long = [i for i, w in enumerate(words) if len(w) >= 6 and w.isascii() and w.isalpha()]
    if not long:
        return text
    i = rng.choice(long)
    w = words[i]
    j = rng.randrange(1, len(w) - 1)
    words[i] = w[:j] + w[j + 1 :] if rng.random() < 0.5 else w[:j] + w[j + 1] + w[j] + w[j + 2 :]
    return " ".join(words)


def _primary(item: Item) -> str:
    artists = item.get("artists") or [item["artist"]]
    return (artists[0] if artists else item["artist"]).casefold()


def _recording(item: Item) -> tuple[Any, ...]:
    """What makes two items the same recording. Metadata, not the generator's song id:
    two "songs" with the same artist and title cannot be told apart by anyone."""
    version = item.get("version")
    key = (_primary(item), item["base_title"].casefold())
    if version in (None, "remaster"):
        return (*key, None)
    return (*key, version, _version_tag(item).casefold())


def _version_tag(item: Item) -> str:
    """The version tag of an item's title: "Song (Live in Tokyo)" -> "Live in Tokyo"."""
    title, base = item["title"], item["base_title"]
    suffix = title[len(base) :] if title.startswith(base) else ""
    suffix = re.sub(r"\s*\((?:feat\.|ft\.|featuring)[^)]*\)", "", suffix, flags=re.IGNORECASE)
    suffix = suffix.strip()
    if suffix.startswith("(") and suffix.endswith(")"):
        return suffix[1:-1].strip()
    if suffix.startswith("- "):
        return suffix[2:].strip()
    return suffix


def _spotify_id(rng: random.Random) -> str:
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return "".join(rng.choice(alphabet) for _ in range(22))


_GENERIC_TAGS = {
    "live": "Live",
    "acoustic": "Acoustic",
    "instrumental": "Instrumental",
    "radio edit": "Radio Edit",
}


def _render_version(base: str, version: str | None, tag: str, rng: random.Random) -> str:
    """Spotify's way of writing a version: a dash and the tag."""
    if version is None:
        return base
    if version == "remaster":
        return f"{base} - Remastered {rng.choice([2009, 2011, 2015])}"
    tag = tag or _GENERIC_TAGS.get(version, "Remix")
    if version == "remix" and "mix" not in tag.casefold():
        tag = f"{tag} Remix"
    return f"{base} - {tag}"


def _positive(item: Item, rng: random.Random) -> Track:
    base = item["base_title"]
    version = item.get("version")
    if version is None and rng.random() < 0.15:
        version = "remaster"  # a remaster on Spotify is still the same recording
    if rng.random() < 0.04:
        base = _typo(base, rng)  # in the title itself, not in Spotify's version tags
    tag = _version_tag(item) if version == item.get("version") else ""
    title = _render_version(base, version, tag, rng)
    artists = list(item.get("artists") or [item["artist"]])
    featured = item.get("featured") or []
    main_artists = [a for a in artists if a not in featured] or artists
    if featured:
        artists = main_artists + featured
        if rng.random() < 0.5:
            title = f"{base} (feat. {', '.join(featured)})" + title[len(base) :]
    else:
        artists = main_artists
    if rng.random() < 0.2:
        title = title.title()
    if rng.random() < 0.25:
        title = _strip_accents(title)
        artists = [_strip_accents(a) for a in artists]
    if rng.random() < 0.3:
        artists = [a.replace(" & ", " and ") for a in artists]
    if rng.random() < 0.2:
        title = title.replace("'", "\u2019")
    album_roll = rng.random()
    album = item["album"]
    if album_roll < 0.15:
        album = f"{album} (Deluxe Edition)"
    elif album_roll < 0.30:
        album = "Greatest Hits"
    elif album_roll < 0.38:
        album = ""
    length = item["length"]
    roll = rng.random()
    if roll < 0.75:
        length += rng.uniform(-2, 2)
    elif roll < 0.90:
        length += rng.choice([-1, 1]) * rng.uniform(3, 8)
    elif roll < 0.95:
        length += rng.choice([-1, 1]) * rng.uniform(8, 15)
    else:
        length = 0
    track_id = item["spotify_track_id"] or _spotify_id(rng)
    return {
        "id": track_id,
        "name": title,
        "artists": artists,
        "album": album,
        "isrc": item["isrc"] if item["isrc"] and rng.random() < 0.4 else "",
        "duration_ms": int(max(0, length) * 1000),
    }


def make_tracks(items: list[Item], count: int, seed: int = 7) -> tuple[list[Track], list[Expected]]:
    """Spotify tracks and, for each, the items that are the same recording (empty: none)."""
    rng = random.Random(seed)
    by_recording: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    versions_of: dict[tuple[str, str], set[str | None]] = defaultdict(set)
    titles_by_artist: dict[str, set[str]] = defaultdict(set)
    for item in items:
        by_recording[_recording(item)].append(item["id"])
        versions_of[(_primary(item), item["base_title"].casefold())].add(item.get("version"))
        for artist in item.get("artists") or [item["artist"]]:
            titles_by_artist[artist.casefold()].add(item["base_title"].casefold())
    studio = [i for i in items if i.get("version") is None]
    artists = sorted(titles_by_artist)
    tracks: list[Track] = []
    expected: list[Expected] = []
    while len(tracks) < count:
        roll = rng.random()
        if roll < 0.70:
            item = rng.choice(items)
            tracks.append(_positive(item, rng))
            expected.append(frozenset(by_recording[_recording(item)]))
            continue
        item = rng.choice(studio)
        track = _positive(item, rng)
        track["isrc"] = ""
        if roll < 0.82:
            # Another version of a song the library has: must not match the studio one.
            have = versions_of[(_primary(item), item["base_title"].casefold())]
            missing = [
                v
                for v in ("live", "acoustic", "instrumental", "radio edit", "remix")
                if v not in have
            ]
            if not missing:
                continue
            version = rng.choice(missing)
            tag = f"{rng.choice(_FIRST)} Remix" if version == "remix" else ""
            track["name"] = _render_version(item["base_title"], version, tag, rng)
            if version == "radio edit":
                track["duration_ms"] = max(0, track["duration_ms"] - rng.randint(25, 60) * 1000)
            elif version in ("live", "remix"):
                track["duration_ms"] += rng.randint(15, 90) * 1000
            track["id"] = _spotify_id(rng)
        elif roll < 0.91:
            # A song the library does not have, by an artist it has.
            words = item["base_title"].split()
            new_title = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3))).title()
            if len(words) > 1 and rng.random() < 0.5:
                new_title = " ".join([*words[:-1], rng.choice(_WORDS)])
            owner = track["artists"][0].casefold()
            if new_title.casefold() in titles_by_artist.get(owner, set()):
                continue
            if _strip_accents(new_title).casefold() in {
                _strip_accents(t) for t in titles_by_artist.get(owner, set())
            }:
                continue
            track["name"] = new_title
            track["id"] = _spotify_id(rng)
        else:
            # The same title by an artist who does not have it.
            other = rng.choice(artists)
            if item["base_title"].casefold() in titles_by_artist[other]:
                continue
            track["artists"] = [other.title()]
            track["id"] = _spotify_id(rng)
        tracks.append(track)
        expected.append(frozenset())
    return tracks, expected


# --- spellings: how Spotify and a MusicBrainz-tagged library write the same thing --------

_ROMAN = ["I", "II", "III", "IV", "V"]
_NUMBER_WORDS = ["One", "Two", "Three", "Four", "Five"]


def _series_number(number: int, style: str) -> str:
    return {"digits": str(number), "roman": _ROMAN[number - 1], "words": _NUMBER_WORDS[number - 1]}[
        style
    ]


def spelling_set(
    songs: int = 600, count: int = 3000, seed: int = 5
) -> tuple[list[Item], list[Track], list[Expected]]:
    """A library written the MusicBrainz way ("Suite, Part 2", "Volume 3", "Florence and
    the Machine") and Spotify tracks written Spotify's way ("Suite, Pt. 2", "Pt. II",
    "Vol. 3", "Florence + the Machine"). Equivalences must match; distinctions must not:
    a part number the library lacks, a live take of a studio-only part."""
    rng = random.Random(seed)
    items: list[Item] = []
    by_recording: dict[tuple[str, str, int], list[int]] = defaultdict(list)
    series: list[tuple[str, str, str, list[int], float]] = []  # artist, base, marker, parts, length
    for index in range(songs):
        first, other = rng.choice(_FIRST), rng.choice(_FIRST)
        word = rng.choice(_WORDS).title()
        artist = rng.choice(
            [f"{first} and the {word}s {index}", f"{first} & {other} {index}", f"{first} {index}"]
        )
        base = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 3))).title()
        marker = rng.choice(["Part", "Part", "Volume"])
        style = rng.choice(["digits", "digits", "roman", "words"])
        parts = sorted(rng.sample(range(1, 6), rng.randint(1, 3)))
        album = " ".join(rng.choice(_WORDS) for _ in range(2)).title()
        length = 150 + rng.uniform(0, 240)
        for number in parts:
            item_id = len(items) + 1
            title = f"{base}, {marker} {_series_number(number, style)}"
            items.append(
                {
                    "id": item_id,
                    "title": title,
                    "artist": artist,
                    "artists": [artist],
                    "album": album,
                    "length": round(length + number * 13, 3),
                    "isrc": "",
                    "mb_trackid": "",
                    "spotify_track_id": "",
                    "data_source": "",
                    "path": f"/music/{item_id}.mp3",
                }
            )
            by_recording[(artist, base, number)].append(item_id)
        series.append((artist, base, marker, parts, length))
    tracks: list[Track] = []
    expected: list[Expected] = []
    while len(tracks) < count:
        artist, base, marker, parts, length = rng.choice(series)
        spotify_artist = artist.replace(" and ", rng.choice([" + ", " & ", " and "])).replace(
            " & ", rng.choice([" + ", " & ", " and "])
        )
        abbreviation = "Pt." if marker == "Part" else "Vol."
        style = rng.choice(["digits", "digits", "roman", "words"])
        roll = rng.random()
        if roll < 0.75:
            number, live, label = rng.choice(parts), False, True
        elif roll < 0.9:
            missing = [n for n in range(1, 6) if n not in parts]
            number, live, label = rng.choice(missing), False, False
        else:
            number, live, label = rng.choice(parts), True, False
        shape = "{base}, {m} {n}" if rng.random() < 0.6 else "{base} {m} {n}"
        name = shape.format(
            base=base, m=rng.choice([abbreviation, marker]), n=_series_number(number, style)
        )
        if live:
            name += " - Live"
        duration = length + number * 13 + rng.uniform(-2, 2) + (rng.uniform(20, 60) if live else 0)
        tracks.append(
            {
                "id": _spotify_id(rng),
                "name": name,
                "artists": [spotify_artist],
                "album": "",
                "isrc": "",
                "duration_ms": int(duration * 1000),
            }
        )
        expected.append(frozenset(by_recording[(artist, base, number)]) if label else frozenset())
    return items, tracks, expected


def hard_set() -> tuple[list[Item], list[Track], list[Expected]]:
    data = json.loads(HARD_CASES.read_text())
    tracks, expected = [], []
    for case in data["cases"]:
        track = dict(case["track"])
        track["album"] = track.pop("album_name", "")
        tracks.append(track)
        expected.append(frozenset([case["expect"]]) if case["expect"] is not None else frozenset())
    return data["library"], tracks, expected


# --- predictors: (item id or None, method) per track ---------------------------------------

Prediction = tuple[int | None, str]


def _spotify_track(track: Track) -> dict[str, Any]:
    """A benchmark track as the Spotify Web API track object the engine's matcher reads."""
    artists = track["artists"] if isinstance(track["artists"], list) else [track["artists"]]
    shaped: dict[str, Any] = {
        "id": track.get("id", ""),
        "name": track.get("name", ""),
        "artists": [{"name": name} for name in artists],
        "album": {"name": track.get("album", "")},
        "external_ids": {"isrc": track.get("isrc", "")},
    }
    if track.get("duration_ms") is not None:
        shaped["duration_ms"] = track["duration_ms"]
    return shaped


def engine(
    items: list[Item], min_confidence: float = 0.85
) -> Callable[[list[Track]], list[Prediction]]:
    from spotify_extract import _native

    matcher = _native.Matcher.build(items, _native.MatchOptions(min_confidence=min_confidence))

    def predict(tracks: list[Track]) -> list[Prediction]:
        return [
            (
                r.item_id if r.status == "matched" else None,
                r.method if r.status == "matched" else r.status,
            )
            for r in matcher.match_all([_spotify_track(t) for t in tracks])
        ]

    return predict


def _credit(track: Track) -> str:
    return ", ".join(track["artists"]) if isinstance(track["artists"], list) else track["artists"]


def naive_cascade(items: list[Item]) -> Callable[[list[Track]], list[Prediction]]:
    """Per track, a scan of the library: exact artist+title, then partial (substring)."""
    rows = [(i["id"], i["artist"].lower(), i["title"].lower()) for i in items]

    def one(track: Track) -> Prediction:
        artist = _credit(track).lower()
        title = track["name"].lower()
        for item_id, a, t in rows:
            if a == artist and t == title:
                return item_id, "exact"
        for item_id, a, t in rows:
            if (title in t or t in title) and (artist in a or a in artist):
                return item_id, "partial"
        return None, "none"

    return lambda tracks: [one(t) for t in tracks]


def rapidfuzz_extract(
    items: list[Item], cutoff: float = 90
) -> Callable[[list[Track]], list[Prediction]]:
    """RapidFuzz process.extractOne over "artist - title" strings (WRatio)."""
    from rapidfuzz import fuzz, process, utils

    choices = [f"{i['artist']} - {i['title']}" for i in items]
    ids = [i["id"] for i in items]

    def one(track: Track) -> Prediction:
        query = f"{_credit(track)} - {track['name']}"
        best = process.extractOne(
            query, choices, scorer=fuzz.WRatio, processor=utils.default_process, score_cutoff=cutoff
        )
        if best is None:
            return None, "none"
        return ids[best[2]], "fuzzy"

    return lambda tracks: [one(t) for t in tracks]


# --- scoring --------------------------------------------------------------------------------


def evaluate(predictions: list[Prediction], expected: list[Expected]) -> dict[str, Any]:
    """Precision (right among matched) and recall (right among those the library has)."""
    positives = sum(1 for e in expected if e)
    per_method: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # matched, correct
    wrong: list[int] = []
    for index, ((item_id, method), truth) in enumerate(zip(predictions, expected, strict=True)):
        if item_id is None:
            continue
        per_method[method][0] += 1
        if item_id in truth:
            per_method[method][1] += 1
        else:
            wrong.append(index)
    matched = sum(m for m, _ in per_method.values())
    correct = sum(c for _, c in per_method.values())
    return {
        "tracks": len(expected),
        "positives": positives,
        "matched": matched,
        "correct": correct,
        "precision": correct / matched if matched else 1.0,
        "recall": correct / positives if positives else 1.0,
        "methods": {
            m: {"matched": v[0], "correct": v[1], "precision": v[1] / v[0] if v[0] else 1.0}
            for m, v in sorted(per_method.items())
        },
        "wrong": wrong,
    }


def _print_accuracy(name: str, report: dict[str, Any]) -> None:
    print(
        f"  {name:<22} precision {report['precision'] * 100:6.2f}%  recall "
        f"{report['recall'] * 100:6.2f}%  ({report['correct']}/{report['matched']} matched "
        f"right, {report['positives']} in library, {report['tracks']} tracks)"
    )
    for method, m in report["methods"].items():
        print(
            f"      {method:<12} {m['matched']:>6} matched  precision {m['precision'] * 100:6.2f}%"
        )


def accuracy(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {}
    lib_items, tracks, expected = hard_set()
    print(f"hard cases: {len(tracks)} tracks, {len(lib_items)} items")
    for name, make in (
        ("engine", engine),
        ("naive cascade", naive_cascade),
        ("rapidfuzz extractOne", rapidfuzz_extract),
    ):
        report = evaluate(make(lib_items)(tracks), expected)
        results[f"hard/{name}"] = report
        _print_accuracy(name, report)
    spelling_items, spelling_tracks, spelling_expected = spelling_set()
    print(f"spellings: {len(spelling_tracks)} tracks, {len(spelling_items)} items")
    report = evaluate(engine(spelling_items)(spelling_tracks), spelling_expected)
    results["spellings/engine"] = report
    _print_accuracy("engine", report)
    items, _, source = library(args.items, args.seed, args.samplelib)
    gen_tracks, gen_expected = make_tracks(items, args.tracks, args.seed + 6)
    print(f"generated: {len(gen_tracks)} tracks against {len(items)} items ({source})")
    report = evaluate(engine(items)(gen_tracks), gen_expected)
    results["generated/engine"] = report
    _print_accuracy("engine", report)
    if args.verbose:
        by_id = {i["id"]: i for i in items}
        predictions = engine(items)(gen_tracks)
        for index in report["wrong"][:20]:
            got = by_id[predictions[index][0]]
            print(
                f"     wrong: {gen_tracks[index]} -> {got['artist']} - {got['title']}"
                f" ({got['album']}, {got['length']}) expected {sorted(gen_expected[index])[:3]}"
            )
    sample = min(len(gen_tracks), args.baseline_tracks)
    for name, make in (
        ("naive cascade", naive_cascade),
        ("rapidfuzz extractOne", rapidfuzz_extract),
    ):
        report = evaluate(make(items)(gen_tracks[:sample]), gen_expected[:sample])
        results[f"generated/{name}"] = report
        _print_accuracy(f"{name} ({sample})", report)
    return results


# --- speed ----------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run_binary(
    db: Path, tracks_file: Path, music_dir: str, threads: int, filt: str
) -> dict[str, Any]:
    env = {
        **os.environ,
        "MATCH_BENCH_DB": str(db),
        "MATCH_BENCH_TRACKS": str(tracks_file),
        "MATCH_BENCH_MUSIC_DIR": music_dir,
        "MATCH_BENCH_THREADS": str(threads),
    }
    out = subprocess.run(
        [str(BENCH_BINARY), f"--benchmark_filter={filt}", "--benchmark_format=json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout)
    return {b["name"].split("/")[0]: b for b in data["benchmarks"]}


def speed(args: argparse.Namespace) -> dict[str, Any]:
    started = time.perf_counter()
    items, db, source = library(args.items, args.seed)
    out_dir = REPO / "benchmarks" / "data"
    out_dir.mkdir(parents=True, exist_ok=True)
    music_dir = "/music"
    if db is None:
        db = out_dir / f"match-fallback-{args.items}-{args.seed}.db"
        if not db.exists():
            write_beets_db(items, db)
    else:
        music_dir = str(Path(db).parent / "music")
    tracks, expected = make_tracks(items, args.tracks, args.seed + 6)
    tracks_file = out_dir / f"match-tracks-{args.items}-{args.tracks}-{args.seed}-{source}.json"
    tracks_file.write_text(json.dumps(tracks))
    print(
        f"data: {len(items)} items ({source}, {db}), {len(tracks)} tracks "
        f"[{time.perf_counter() - started:.1f} s]"
    )
    load = os.getloadavg()
    print(
        f"machine load before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores"
    )
    results: dict[str, Any] = {
        "items": len(items),
        "tracks": len(tracks),
        "source": source,
        "load_before": load,
    }
    if not BENCH_BINARY.exists():
        sys.exit(
            f"{BENCH_BINARY} is missing: run `make bench` (or cmake with "
            "-DSPOTIFY_EXTRACT_BENCHMARKS=ON) first"
        )
    # Each phase in its own process, so peak RSS belongs to that phase alone.
    for name, filt in (
        ("read", "BM_ReadLibrary"),
        ("build+match", "BM_BuildAndMatch"),
        ("end-to-end", "BM_EndToEnd"),
    ):
        bench = _run_binary(db, tracks_file, music_dir, args.threads, filt)[filt]
        seconds = bench["real_time"] if bench["time_unit"] == "s" else bench["real_time"] / 1e3
        phases = ("read_s", "build_s", "match_s", "cpu_s")
        memory = ("peak_rss_before_build_mb", "peak_rss_after_build_mb")
        results[name] = {
            "seconds": seconds,
            "peak_rss_mb": bench.get("peak_rss_mb"),
            **{k: bench[k] for k in phases + memory if k in bench},
        }
        extra = ", ".join(
            [f"{k} {bench[k]:.3f} s" for k in phases if k in bench]
            + [f"{k} {bench[k]:.0f} MB" for k in memory if k in bench]
        )
        print(
            f"  engine {name:<12} {seconds:7.3f} s wall  peak RSS "
            f"{bench.get('peak_rss_mb', 0):7.1f} MB  ({extra})"
        )
    engine_s = results["build+match"]["seconds"]
    predictions = engine(items)(tracks)
    results["engine_accuracy"] = evaluate(predictions, expected)
    _print_accuracy("engine (this data)", results["engine_accuracy"])
    for name, make, sample in (
        ("naive cascade", naive_cascade, args.naive_sample),
        ("rapidfuzz extractOne", rapidfuzz_extract, args.fuzz_sample),
    ):
        predict = make(items)
        t0 = time.perf_counter()
        predictions = predict(tracks[:sample])
        elapsed = time.perf_counter() - t0
        per_track = elapsed / sample
        projected = per_track * len(tracks)
        report = evaluate(predictions, expected[:sample])
        results[name] = {
            "sample": sample,
            "sample_s": elapsed,
            "per_track_s": per_track,
            "projected_s": projected,
            "ratio_vs_engine": projected / engine_s,
            "precision": report["precision"],
            "recall": report["recall"],
        }
        print(
            f"  {name:<22} {sample} tracks in {elapsed:.2f} s -> {per_track * 1e3:.1f} ms/track,"
            f" projected {projected:,.0f} s for {len(tracks)} ({projected / engine_s:,.0f}x the"
            f" engine); precision {report['precision'] * 100:.1f}% recall "
            f"{report['recall'] * 100:.1f}% on the sample"
        )
    load = os.getloadavg()
    results["load_after"] = load
    print(
        f"machine load after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; driver peak RSS "
        f"{_peak_rss_mb():.0f} MB"
    )
    return results


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    acc = sub.add_parser("accuracy", help="precision/recall per method, engine and baselines")
    acc.add_argument("--items", type=int, default=20000)
    acc.add_argument("--tracks", type=int, default=10000)
    acc.add_argument("--baseline-tracks", type=int, default=300)
    acc.add_argument("--seed", type=int, default=1)
    acc.add_argument("--verbose", "-v", action="store_true")
    acc.add_argument(
        "--samplelib", action="store_true", help="a samplelib library (built and cached once)"
    )
    spd = sub.add_parser("speed", help="50k tracks against a 500k-item library.db")
    spd.add_argument("--items", type=int, default=500000)
    spd.add_argument("--tracks", type=int, default=50000)
    spd.add_argument("--threads", type=int, default=2)
    spd.add_argument("--seed", type=int, default=1)
    spd.add_argument("--naive-sample", type=int, default=20)
    spd.add_argument("--fuzz-sample", type=int, default=50)
    for p in (acc, spd):
        p.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(list(argv) if argv is not None else None)
    results = accuracy(args) if args.command == "accuracy" else speed(args)
    if args.json:
        for report in results.values():
            if isinstance(report, dict):
                report.pop("wrong", None)
        args.json.write_text(json.dumps(results, indent=2, default=list))
    return 0


if __name__ == "__main__":
    sys.exit(main())
