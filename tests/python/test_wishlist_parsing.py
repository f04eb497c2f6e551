"""What a person types into `beet wishlist add` and queries."""

from __future__ import annotations

import pytest
from spotify_extract.wishlist import (
    SpotifyRef,
    manual_key,
    parse_artist_title,
    parse_spotify_ref,
    query_filter,
)

ID = "4uLU6hMCjMI75M1A2tKUQC"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"https://open.spotify.com/track/{ID}", SpotifyRef("track", ID)),
        (f"https://open.spotify.com/track/{ID}?si=abc123&utm=x", SpotifyRef("track", ID)),
        (f"https://open.spotify.com/intl-de/track/{ID}", SpotifyRef("track", ID)),
        (f"  https://open.spotify.com/album/{ID}/  ", SpotifyRef("album", ID)),
        (f"https://open.spotify.com/playlist/{ID}#x", SpotifyRef("playlist", ID)),
        (f"spotify:track:{ID}", SpotifyRef("track", ID)),
        (f"spotify:playlist:{ID}", SpotifyRef("playlist", ID)),
    ],
)
def test_spotify_links_and_uris(text: str, expected: SpotifyRef) -> None:
    assert parse_spotify_ref(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        f"https://open.spotify.com/artist/{ID}",
        f"https://evil.example/track/{ID}",
        f"https://open.spotify.com.evil/track/{ID}",
        f"https://open.spotify.com/track/{ID}x",
        f"spotify:track:{ID[:-1]}",
        "--output=/etc/passwd",
        "ABBA - Dancing Queen",
        "",
    ],
)
def test_not_spotify_links(text: str) -> None:
    assert parse_spotify_ref(text) is None


def test_artist_title() -> None:
    assert parse_artist_title("ABBA - Dancing Queen") == ("ABBA", "Dancing Queen")
    assert parse_artist_title("Jay-Z \u2013 99 Problems") == ("Jay-Z", "99 Problems")
    assert parse_artist_title("  Blur  -  Song 2 ") == ("Blur", "Song 2")
    assert parse_artist_title("Jay-Z") is None
    assert parse_artist_title("no separator here") is None


def test_manual_keys_are_stable_and_never_track_ids() -> None:
    key = manual_key("ABBA", "Dancing Queen")
    assert key == manual_key("abba", "Dancing  Queen!")
    assert key.startswith("manual:") and key != manual_key("ABBA", "Waterloo")


def test_manual_keys_use_the_engines_song_key() -> None:
    """Its own normaliser is gone: the matcher's notion of one song decides."""
    assert manual_key("Beyoncé", "Halo (feat. X)") == manual_key("Beyonce", "Halo")
    assert manual_key("Massive Attack", "Teardrop - 2019 Remaster") == manual_key(
        "Massive Attack", "Teardrop"
    )
    assert manual_key("ABBA", "Waterloo - Live") != manual_key("ABBA", "Waterloo")
    assert manual_key("坂本龍一", "戦場のメリークリスマス") != manual_key("坂本龍一", "Energy Flow")


def test_query_filter() -> None:
    values = {
        "artist": "ABBA",
        "title": "Dancing Queen",
        "album": "Arrival",
        "status": "failed",
        "isrc": "",
        "playlists": "Party",
        "id": ID,
    }
    assert query_filter([])(values)
    assert query_filter(["queen"])(values)
    assert query_filter(["artist:abba", "dancing"])(values)
    assert not query_filter(["artist:queen"])(values)
    assert query_filter(["status:fail"])(values)
    assert not query_filter(["waterloo"])(values)
