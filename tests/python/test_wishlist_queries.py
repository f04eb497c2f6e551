"""`beet wishlist` takes `beet ls`'s query syntax (beets' own parser), checks its
subcommands, formats, limits and playlist names, and counts what it shows."""

from __future__ import annotations

import csv
import io

import pytest
from beets import ui
from fixtures_wishlist import open_state_store
from test_wishlist_commands import A, B, C, seeded, wishlist  # noqa: F401

TITLES = ["Dancing Queen", "Song 2", "Teardrop"]  # A, B, C (ABBA, Blur, Massive Attack)


def titles(env, capsys, *query: str) -> list[str]:
    return wishlist(env, capsys, "list", "-f", "$title", *query).splitlines()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (["title::^D.*Queen$"], ["Dancing Queen"]),  # regex: was normalised to nothing
        (["^artist:abba"], ["Song 2", "Teardrop"]),  # negation: was nothing
        (["--", "-artist:abba"], ["Song 2", "Teardrop"]),  # after --, as in beet ls
        (["artist:abba", ",", "artist:blur"], ["Dancing Queen", "Song 2"]),  # OR: was AND
        (["artist:abba,", "title:teardrop"], ["Dancing Queen", "Teardrop"]),
        (["retries:0"], TITLES),  # a number field: was nothing
        (["retries:1.."], []),
        (["artist:=ABBA"], ["Dancing Queen"]),  # exact
        (["artist:=abb"], []),
        (["queen"], ["Dancing Queen"]),  # a bare word: artist, title or album
        (["album:mezzanine"], ["Teardrop"]),
        (["title-"], ["Teardrop", "Song 2", "Dancing Queen"]),  # a sort
        (["length:..0:01"], TITLES),  # seeded tracks last one second
    ],
)
def test_beets_query_syntax(seeded, capsys, query, expected) -> None:  # noqa: F811
    assert titles(seeded, capsys, *query) == expected


def test_numbers_and_dates(seeded, capsys) -> None:  # noqa: F811
    store = open_state_store(seeded)
    store.set_wishlist_status(B, "failed", "no results")
    assert titles(seeded, capsys, "retries:1") == ["Song 2"]
    assert titles(seeded, capsys, "status:failed", ",", "artist:abba") == [
        "Dancing Queen",
        "Song 2",
    ]
    assert titles(seeded, capsys, "added:2000..") == TITLES
    assert titles(seeded, capsys, "added:..2000") == []


def test_unknown_fields_subcommands_and_formats_are_errors(seeded, capsys) -> None:  # noqa: F811
    with pytest.raises(ui.UserError, match=r"unknown wishlist field 'colour'.*artist, title"):
        wishlist(seeded, capsys, "colour:red")
    with pytest.raises(
        ui.UserError,
        match=r"unknown wishlist subcommand 'donwload' \(did you mean download\?\); "
        r"subcommands: list, add, dismiss, restore, retry, export, stats, download, import",
    ):
        wishlist(seeded, capsys, "donwload")
    with pytest.raises(ui.UserError, match="unknown export format 'xml'; formats: csv, json, urls"):
        wishlist(seeded, capsys, "export", "xml")
    with pytest.raises(ui.UserError, match="unknown export format 'jsn'"):
        wishlist(seeded, capsys, "export", "jsn")
    # A word that is no subcommand's typo is a query; `list WORD` searches for any word.
    assert titles(seeded, capsys, "teardrop") == ["Teardrop"]
    assert wishlist(seeded, capsys, "list", "download", "-f", "$title") == ""


@pytest.mark.parametrize("action", ["list", "download"])
@pytest.mark.parametrize("value", ["0", "-2"])
def test_limits_below_one_are_usage_errors(seeded, capsys, action, value) -> None:  # noqa: F811
    with pytest.raises(ui.UserError, match=f"--limit must be 1 or more, not {value}"):
        wishlist(seeded, capsys, action, "--limit", value)
    with pytest.raises(ui.UserError, match="--page must be 1 or more, not 0"):
        wishlist(seeded, capsys, "list", "--page", "0")


def test_footer_counts_what_matched(seeded, capsys) -> None:  # noqa: F811
    open_state_store(seeded).set_wishlist_status(A, "failed", "no results")
    out = wishlist(seeded, capsys, "list", "--playlist", "Party").splitlines()
    assert out[-1] == "2 of 3 entries match: 1 pending, 1 failed"
    out = wishlist(seeded, capsys, "teardrop").splitlines()
    assert out[-1] == "1 of 3 entries match: 1 pending"
    assert wishlist(seeded, capsys).splitlines()[-1] == "3 entries: 2 pending, 1 failed"


def test_an_unknown_playlist_is_named(seeded, capsys) -> None:  # noqa: F811
    with pytest.raises(ui.UserError, match=r"^no playlist is named 'No Such'$"):
        wishlist(seeded, capsys, "list", "-p", "No Such")
    with pytest.raises(ui.UserError, match=r"no playlist is named 'Chil' \(did you mean 'Chill'"):
        wishlist(seeded, capsys, "download", "-p", "Chil")
    # A known playlist with nothing left to do is not an error.
    open_state_store(seeded).dismiss_wishlist_entry(A)
    open_state_store(seeded).dismiss_wishlist_entry(B)
    assert wishlist(seeded, capsys, "list", "-s", "pending", "-p", "party").splitlines() == [
        "0 of 3 entries match"
    ]


def test_export_is_what_is_still_wanted_unless_all(seeded, capsys) -> None:  # noqa: F811
    store = open_state_store(seeded)
    store.set_wishlist_status(A, "imported", "", b"", 7)
    store.dismiss_wishlist_entry(B)
    urls = wishlist(seeded, capsys, "export", "urls").split()
    assert urls == [f"https://open.spotify.com/track/{C}"]
    urls = wishlist(seeded, capsys, "export", "urls", "--all").split()
    assert sorted(urls) == sorted(f"https://open.spotify.com/track/{i}" for i in (A, B, C))
    rows = list(csv.DictReader(io.StringIO(wishlist(seeded, capsys, "export", "-s", "imported"))))
    assert [row["id"] for row in rows] == [A]


def test_stats_count_library_closed_entries_apart(seeded, capsys) -> None:  # noqa: F811
    store = open_state_store(seeded)
    store.set_wishlist_status(A, "downloaded", "", b"/x.mp3")
    store.set_wishlist_status(A, "imported", "", b"", 7)  # downloaded, then imported
    store.set_wishlist_status(B, "imported", "", b"", 8)  # the library had it already
    store.set_wishlist_status(C, "failed", "no results")
    out = wishlist(seeded, capsys, "stats").splitlines()
    assert out[0] == "3 entries: 2 imported, 1 failed"
    assert out[1] == "to download: 0 pending; to import: 0 downloaded"
    assert out[2] == "downloads: 50% succeeded (1 of 2 tried; 1 failed now, 1 retries)"
    assert out[3] == "already in your library (closed without a download): 1"


def test_the_extract_summary_missing_line_adds_up(seeded, capsys) -> None:  # noqa: F811
    """ "Missing: 84 — 87 waiting" counted manual additions as missing tracks."""
    from spotify_extract.summary import _missing_line

    store = open_state_store(seeded)
    wishlist(seeded, capsys, "add", "Portishead - Glory Box")
    store.dismiss_wishlist_entry(C)
    store.set_wishlist_status(B, "failed", "no results")
    assert _missing_line(store.summary()) == (
        "Missing: 3 (on Spotify, not in your library) — on the wishlist: 1 to download, "
        "1 failed, 1 dismissed; and 1 you added with `beet wishlist add` (`beet wishlist`)"
    )
