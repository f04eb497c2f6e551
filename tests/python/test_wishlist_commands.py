"""`beet wishlist` against the real state database and a real beets library."""

from __future__ import annotations

import csv
import io
import json

import pytest
from beets import plugins, ui
from fixtures_wishlist import BeetsEnv, open_state_store, seed_wishlist

A = "4uLU6hMCjMI75M1A2tKUQC"
B = "7ouMYWpwJ422jRcDASZB7P"
C = "0VjIjW4GlUZAMYd2vXMi3b"
D = "3n3Ppam7vgaVa1iaRUc9Lp"

PLAYLISTS = {
    "Party": [
        {"id": A, "title": "Dancing Queen", "artist": "ABBA", "album": "Arrival"},
        {"id": B, "title": "Song 2", "artist": "Blur", "album": "Blur", "isrc": "GBAYE9600011"},
    ],
    "Chill": [
        {"id": B, "title": "Song 2", "artist": "Blur", "album": "Blur", "isrc": "GBAYE9600011"},
        {"id": C, "title": "Teardrop", "artist": "Massive Attack", "album": "Mezzanine"},
    ],
}


def wishlist(env: BeetsEnv, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    plugin = next(p for p in plugins.find_plugins() if p.name == "spotifyextract")
    command = next(c for c in plugin.commands() if c.name == "wishlist")
    opts, rest = command.parse_args(list(args))
    capsys.readouterr()
    command.func(env.lib, opts, rest)
    return capsys.readouterr().out


@pytest.fixture
def seeded(beets_env: BeetsEnv) -> BeetsEnv:
    seed_wishlist(beets_env, PLAYLISTS)
    return beets_env


def test_list_shows_entries_with_their_playlists_and_totals(seeded, capsys) -> None:
    out = wishlist(seeded, capsys).splitlines()
    assert "ABBA - Dancing Queen [Arrival] (pending) <Party>" in out
    song2 = next(line for line in out if "Song 2" in line)
    assert "Party" in song2 and "Chill" in song2
    assert out[-1] == "3 entries: 3 pending"


def test_list_filters_format_and_pages(seeded, capsys) -> None:
    out = wishlist(seeded, capsys, "list", "--playlist", "chill", "-f", "$title")
    assert sorted(out.split()) == ["2", "Song", "Teardrop"]
    out = wishlist(seeded, capsys, "list", "-f", "$artist|$status|$url", "artist:abba")
    assert out == f"ABBA|pending|https://open.spotify.com/track/{A}\n"
    out = wishlist(seeded, capsys, "list", "-f", "$id", "--limit", "2", "--page", "2")
    lines = out.splitlines()
    assert len(lines) == 2 and lines[-1] == "page 2 of 2 (3 entries match)"
    assert wishlist(seeded, capsys, "list", "-s", "failed", "-f", "$id") == ""
    with pytest.raises(ui.UserError, match="unknown wishlist status 'lost'"):
        wishlist(seeded, capsys, "list", "-s", "lost")


def test_add_track_links_and_artist_title(seeded, capsys) -> None:
    # A track the store knows (from a playlist) keeps its metadata.
    out = wishlist(seeded, capsys, "add", f"spotify:track:{A}")
    assert out == "already on the wishlist: ABBA - Dancing Queen\n"
    # A track nothing knows is looked up on Spotify: not without a login.
    with pytest.raises(ui.UserError, match=f"add: track {D}: not in your Spotify data yet"):
        wishlist(seeded, capsys, "add", f"https://open.spotify.com/track/{D}?si=x")
    out = wishlist(seeded, capsys, "add", "Portishead - Glory Box")
    assert out == "added: Portishead - Glory Box\n"
    out = wishlist(seeded, capsys, "list", "-s", "pending", "-f", "$artist/$title/$playlists")
    assert "Portishead/Glory Box/manual" in out.splitlines()
    with pytest.raises(ui.UserError, match="album links are read from Spotify"):
        wishlist(seeded, capsys, "add", f"https://open.spotify.com/album/{D}")
    with pytest.raises(ui.UserError, match="neither a Spotify link nor 'Artist - Title'"):
        wishlist(seeded, capsys, "add", "just words")


def test_dismiss_restore_retry(seeded, capsys) -> None:
    assert wishlist(seeded, capsys, "dismiss", "teardrop") == (
        "dismissed: Massive Attack - Teardrop\n"
    )
    out = wishlist(seeded, capsys, "list", "-f", "$title:$status", "teardrop")
    assert out == "Teardrop:dismissed\n"
    assert (
        wishlist(seeded, capsys, "restore", "teardrop") == "restored: Massive Attack - Teardrop\n"
    )
    with pytest.raises(ui.UserError, match="name the entries"):
        wishlist(seeded, capsys, "dismiss")
    store = open_state_store(seeded)
    store.set_wishlist_status(A, "failed", "AudioProviderError: nope")
    out = wishlist(seeded, capsys, "list", "-s", "failed", "-f", "$title $retries $error")
    assert out == "Dancing Queen 1 AudioProviderError: nope\n"
    assert wishlist(seeded, capsys, "retry") == "1 failed entry back to pending\n"
    assert store.get_wishlist_entry(A).status == "pending"


def test_export_csv_json_urls(seeded, capsys, tmp_path) -> None:
    rows = list(csv.DictReader(io.StringIO(wishlist(seeded, capsys, "export"))))
    assert {row["title"] for row in rows} == {"Dancing Queen", "Song 2", "Teardrop"}
    assert next(r for r in rows if r["id"] == B)["isrc"] == "GBAYE9600011"
    data = json.loads(wishlist(seeded, capsys, "export", "json", "--playlist", "Party"))
    assert {row["id"] for row in data} == {A, B}
    target = tmp_path / "urls.txt"
    wishlist(seeded, capsys, "export", "urls", "-o", str(target))
    assert sorted(target.read_text().split()) == sorted(
        f"https://open.spotify.com/track/{i}" for i in (A, B, C)
    )


def test_stats(seeded, capsys) -> None:
    store = open_state_store(seeded)
    store.set_wishlist_status(A, "downloaded", "", b"/x.mp3")
    store.set_wishlist_status(B, "failed", "no results")
    out = wishlist(seeded, capsys, "stats").splitlines()
    assert out[0] == "3 entries: 1 pending, 1 downloaded, 1 failed"
    assert out[1] == "to download: 1 pending; to import: 1 downloaded"
    assert out[2].startswith("downloads: 50% succeeded (1 of 2 tried")
    assert out[4].startswith("this week: 1 downloaded")
