"""The release watch and per-phase cooldowns end to end: real `beet` subprocesses, a real
beets sample library, the emulator serving the Spotify side of it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from collections.abc import Callable
from typing import Any

import pytest
from fixtures_pipeline import BEET, World

from tests.emulator import Library, releases

ALBUMS_PATH = r"^/v1/artists/[^/]+/albums$"


def beet(world: World, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BEET), *args], env=world.env(), capture_output=True, text=True, timeout=300
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def synced_artists(world: World) -> list[str]:
    return [r["path"].split("/")[3] for r in world.emulator.requests(path=ALBUMS_PATH)]


def listing(world: World, *args: str) -> list[dict[str, Any]]:
    return json.loads(ok(beet(world, "spotify-releases", "--json", *args)))


@pytest.fixture
def world(pipeline_world: Callable[..., World]) -> World:
    return pipeline_world()


def test_runs_rotate_through_the_followed_artists(world: World) -> None:
    followed = set(world.library.followed_artists)
    assert len(followed) == 20
    world.write_config(release_artists_per_run=8)
    ok(world.beet())
    first = synced_artists(world)
    assert len(first) == len(set(first)) == 8  # one page each: small discographies
    world.emulator.reset_log()
    out = ok(world.beet())
    second = synced_artists(world)
    assert len(second) == 8 and not set(first) & set(second)
    assert "8 of 20 artist(s) checked" in out
    world.emulator.reset_log()
    ok(world.beet())
    third = synced_artists(world)
    assert len(third) == 4  # the rest; the others were checked within 24 h
    assert set(first) | set(second) | set(third) == followed
    world.emulator.reset_log()
    ok(world.beet())
    assert synced_artists(world) == []


def test_a_new_release_is_found_listed_as_new_once_and_wished(world: World) -> None:
    world.write_config(release_artists_per_run=20, release_check_interval="0s")
    ok(world.beet())
    before = listing(world)
    assert before and all(row["new"] for row in before)  # the first listing shows all
    assert all(not row["new"] for row in listing(world))
    artist = world.library.followed_artists[3]
    name = world.library.artists[artist].name
    new_id = releases.add_release(
        world.library, artist, "Completely New Record", release_date="2026-11-28"
    )
    out = ok(world.beet())
    assert "New releases: 1 found" in out
    rows = listing(world)
    assert rows[0]["id"] == new_id and rows[0]["new"] and rows[0]["artist"] == name
    assert [row["id"] for row in rows if row["new"]] == [new_id]
    text = ok(beet(world, "spotify-releases", "--no-sync", "--since", "2026-11"))
    assert f"  {name} - Completely New Record (album)" in text and "* 2026-11-28" not in text

    world.emulator.reset_log()
    out = ok(beet(world, "spotify-releases", "--no-sync", "--wish", "--since", "2026-11-28"))
    assert "Wishlist: 3 track(s) added from 1 release(s)" in out
    assert world.emulator.count(rf"^/v1/albums/{new_id}") >= 1
    with sqlite3.connect(world.state_db) as db:
        wished = db.execute(
            "SELECT title, requested_by FROM wishlist WHERE requested_by LIKE '%new release%'"
        ).fetchall()
    assert len(wished) == 3
    assert all(json.loads(by) == [f"new release: {name}"] for _, by in wished)


def test_albums_in_the_library_are_not_listed_but_live_ones_are(world: World) -> None:
    items = Library.read_items(world.library_dir)
    by_name = {a.name: aid for aid, a in world.library.artists.items()}
    item = next(
        i for i in items if i.get("albumartist") in by_name and i.get("album") and i["albumartist"]
    )
    artist = by_name[item["albumartist"]]
    if artist not in world.library.followed_artists:
        world.library.follow_artist(artist)
    album = item["album"]
    deluxe = releases.add_release(world.library, artist, f"{album} (Deluxe Edition)")
    live = releases.add_release(world.library, artist, f"{album} - Live at Wembley")
    world.write_config(release_artists_per_run=30, release_check_interval="0s")
    ok(world.beet())
    ids = {row["id"] for row in listing(world)}
    assert live in ids
    assert deluxe not in ids


def test_release_watch_off_makes_no_discography_request(world: World) -> None:
    world.write_config(release_watch=False)
    out = ok(world.beet())
    assert synced_artists(world) == [] and "New releases" not in out


def test_deep_discography_pages_and_stops_at_the_first_known_page(world: World) -> None:
    artist = world.library.followed_artists[0]
    releases.add_discography(world.library, artist, 120)
    world.write_config(release_artists_per_run=20, release_check_interval="0s")
    ok(world.beet())
    pages = [r for r in world.emulator.requests(path=ALBUMS_PATH) if artist in r["path"]]
    assert len(pages) == 3 and all("limit=50" in r["query"] for r in pages)
    world.emulator.reset_log()
    ok(world.beet())
    pages = [r for r in world.emulator.requests(path=ALBUMS_PATH) if artist in r["path"]]
    assert len(pages) == 1  # nothing new: the first page is all known


COOLDOWNS = {p: "1h" for p in ("profile", "playlists", "liked", "albums", "artists", "releases")}


def test_cooldowns_skip_phases_with_no_request(world: World) -> None:
    world.write_config(cooldowns=COOLDOWNS)
    ok(world.beet())
    world.emulator.reset_log()
    out = ok(world.beet())
    assert world.emulator.counters()["api_requests"] == 0, world.emulator.counters()
    for phase in COOLDOWNS:
        assert f"{phase}: skipped, fetched " in out
    assert "cooldown 60 min" in out
    world.emulator.reset_log()
    out = ok(world.beet("--ignore-cooldowns"))
    assert world.emulator.count("^/v1/me$") == 1 and "skipped" not in out


def test_a_cooldown_skips_only_its_own_phase(world: World) -> None:
    world.write_config(cooldowns={"playlists": "10m"})
    ok(world.beet())
    world.emulator.reset_log()
    out = ok(world.beet())
    assert world.emulator.count("^/v1/me/playlists") == 0
    assert world.emulator.count("/items$") == 0
    assert world.emulator.count("^/v1/me/tracks") >= 1
    assert "playlists: skipped" in out and "liked: skipped" not in out


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("cooldowns", {"playlist": "1h"}, "'playlist' is not one of"),
        ("cooldowns", {"liked": "soon"}, "liked must be a duration"),
        ("release_check_interval", "a day", "must be a duration"),
        ("release_artists_per_run", -1, "release_artists_per_run"),
        ("artwork", {"covers": True}, "'covers' is not one of"),
    ],
)
def test_bad_keys_are_one_line_before_any_request(
    world: World, key: str, value: Any, words: str
) -> None:
    world.write_config(**{key: value})
    result = world.beet()
    assert result.returncode != 0 and words in result.stderr
    assert "Traceback" not in result.stderr and world.emulator.counters()["api_requests"] == 0


def test_bad_since_is_one_line(world: World) -> None:
    result = beet(world, "spotify-releases", "--since", "yesterday")
    assert result.returncode != 0 and "--since yesterday" in result.stderr
    assert "Traceback" not in result.stderr


def test_library_artists_are_watched_too_when_asked(world: World) -> None:
    world.write_config(release_watch=False, release_artists_per_run=500)
    ok(world.beet())
    followed = set(world.library.followed_artists)
    with sqlite3.connect(world.state_db) as db:
        matched = {
            artist["id"]
            for (artists,) in db.execute(
                "SELECT t.artists FROM tracks t JOIN matches m ON m.spotify_track_id = t.id "
                "WHERE m.status = 'matched'"
            )
            for artist in json.loads(artists)
        }
    assert matched - followed
    ok(beet(world, "spotify-releases", "--json"))
    assert set(synced_artists(world)) == followed
    world.emulator.reset_log()
    ok(beet(world, "spotify-releases", "--json", "--library-artists"))
    assert set(synced_artists(world)) == matched - followed  # the followed: checked already
