"""`beet spotify-coverage`: playlists and albums from the Spotify emulator, Exportify
CSVs, account-data JSON, m3u files, `Artist - Title` lists and standard input, against a
real beets library; --json, -f, --wish and --download."""

from __future__ import annotations

import io
import json
import os
import subprocess
from pathlib import Path

import beets
import pytest
from beets import plugins, ui
from beets.library import Item
from fixtures_wishlist import BeetsEnv, Standin, open_state_store
from test_wishlist_commands import wishlist

from tests.emulator import Emulator
from tests.python.fixtures_client import write_token_file

A = "4uLU6hMCjMI75M1A2tKUQC"
B = "0eGsygTp906u18L0Oimnem"
C = "6rqhFgbbKwnb9MLmUQDhG6"


def coverage(env: BeetsEnv, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    plugin = next(p for p in plugins.find_plugins() if p.name == "spotifyextract")
    command = next(c for c in plugin.commands() if c.name == "spotify-coverage")
    opts, rest = command.parse_args(list(args))
    capsys.readouterr()
    command.func(env.lib, opts, rest)
    return capsys.readouterr().out


def add_item(env: BeetsEnv, title: str, artist: str, album: str = "", **fields) -> Item:
    path = env.music / f"{artist} - {title}.mp3"
    path.parent.mkdir(parents=True, exist_ok=True)
    item = Item(title=title, artist=artist, album=album, path=bytes(path), **fields)
    env.lib.add(item)
    return item


def state_database(env: BeetsEnv) -> Path:
    return env.state_dir / "spotify_extract.db"


@pytest.fixture
def library(beets_env: BeetsEnv) -> BeetsEnv:
    add_item(beets_env, "Dancing Queen", "ABBA", "Arrival", length=231)
    add_item(beets_env, "Song 2", "Blur", "Blur", length=122)
    return beets_env


EXPORTIFY_HEADER = "Track URI,Track Name,Artist Name(s),Album Name,Track Duration (ms),ISRC\n"


def exportify(folder: Path, name: str = "Road Trip") -> Path:
    path = folder / f"{name}.csv"
    path.write_text(
        EXPORTIFY_HEADER
        + f"spotify:track:{A},Dancing Queen,ABBA,Arrival,231000,\n"
        + f"spotify:track:{B},Song 2,Blur,Blur,122000,GBAYE9600011\n"
        + f"spotify:track:{C},Teardrop,Massive Attack,Mezzanine,330000,\n",
        encoding="utf-8",
    )
    return path


# --------------------------------------------------------------------------------------
# Files


def test_an_exportify_csv_counts_and_writes_nothing(library, capsys, tmp_path) -> None:
    out = coverage(library, capsys, str(exportify(tmp_path)))
    assert out == (
        "Road Trip (Exportify CSV): 2 of 3 in your library (67%), 1 missing, 0 uncertain\n"
    )
    assert not state_database(library).exists()


def test_format_lists_the_missing_like_beet_ls(library, capsys, tmp_path) -> None:
    out = coverage(library, capsys, "-f", "$artist - $title [$url]", str(exportify(tmp_path)))
    assert out.splitlines()[0] == (
        f"Massive Attack - Teardrop [https://open.spotify.com/track/{C}]"
    )
    assert len(out.splitlines()) == 2


def test_json_has_totals_and_each_tracks_match(library, capsys, tmp_path) -> None:
    [result] = json.loads(coverage(library, capsys, "--json", str(exportify(tmp_path))))
    assert (result["total"], result["available"], result["missing"], result["uncertain"]) == (
        3,
        2,
        1,
        0,
    )
    assert result["name"] == "Road Trip" and result["source"].endswith("Road Trip.csv")
    queen, song2, teardrop = result["tracks"]
    item = library.lib.items("title:Dancing Queen").get()
    assert queen["status"] == "available" and queen["spotify_id"] == A
    assert queen["match"]["item_id"] == item.id
    assert queen["match"]["path"] == os.fsdecode(item.path)
    assert queen["match"]["method"] in ("exact", "fuzzy") and queen["match"]["confidence"] > 0.85
    assert song2["isrc"] == "GBAYE9600011"
    assert teardrop == {
        "artist": "Massive Attack",
        "title": "Teardrop",
        "album": "Mezzanine",
        "isrc": None,
        "duration_ms": 330000,
        "spotify_id": C,
        "status": "missing",
        "match": None,
    }


def test_account_data_json_is_one_line_per_playlist(library, capsys, tmp_path) -> None:
    def item(uri: str, name: str, artist: str) -> dict:
        return {"track": {"trackName": name, "artistName": artist, "albumName": "",
                          "trackUri": uri}}  # fmt: skip

    document = {
        "playlists": [
            {"name": "Party", "items": [item(f"spotify:track:{A}", "Dancing Queen", "ABBA")]},
            {"name": "Chill", "items": [item(f"spotify:track:{C}", "Teardrop", "Massive Attack")]},
        ]
    }
    path = tmp_path / "Playlist1.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    out = coverage(library, capsys, str(path)).splitlines()
    assert out == [
        "Party (playlist (data export)): 1 of 1 in your library (100%), 0 missing, 0 uncertain",
        "Chill (playlist (data export)): 0 of 1 in your library (0%), 1 missing, 0 uncertain",
    ]


def test_an_m3u_with_absolute_and_relative_paths(library, capsys, tmp_path) -> None:
    queen = library.lib.items("title:Dancing Queen").get()
    song2 = library.lib.items("title:Song 2").get()
    folder = tmp_path / "lists"
    folder.mkdir()
    relative = os.path.relpath(os.fsdecode(song2.path), folder)
    m3u = folder / "mix.m3u8"
    m3u.write_text(
        "#EXTM3U\n"
        f"#EXTINF:231,ABBA - Dancing Queen\n{os.fsdecode(queen.path)}\n"
        f"{relative}\n"
        "#EXTINF:330,Massive Attack - Teardrop\n../elsewhere/track07.flac\n"
        "Portishead - Glory Box.mp3\n",
        encoding="utf-8",
    )
    out = coverage(library, capsys, "--json", str(m3u))
    [result] = json.loads(out)
    assert [t["status"] for t in result["tracks"]] == [
        "available",
        "available",
        "missing",
        "missing",
    ]
    assert result["tracks"][0]["match"]["method"] == "path"
    assert result["tracks"][1]["match"]["item_id"] == song2.id
    # Entries that are not library files are known by their #EXTINF or file name.
    assert (result["tracks"][2]["artist"], result["tracks"][2]["title"]) == (
        "Massive Attack",
        "Teardrop",
    )
    assert (result["tracks"][3]["artist"], result["tracks"][3]["title"]) == (
        "Portishead",
        "Glory Box",
    )


def test_an_m3u_entry_elsewhere_matches_by_its_tags(library, capsys, tmp_path) -> None:
    from mutagen.easyid3 import EasyID3

    copy = tmp_path / "track01.mp3"  # a copy on a stick: the name says nothing
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i",
         "sine=duration=122", "-ar", "8000", "-ac", "1", "-codec:a", "libmp3lame",
         "-q:a", "9", str(copy)],
        check=True,
    )  # fmt: skip
    tags = EasyID3()
    tags["title"], tags["artist"] = "Song 2", "Blur"
    tags.save(copy)
    (tmp_path / "stick.m3u").write_text(f"{copy.name}\n", encoding="utf-8")
    out = coverage(library, capsys, str(tmp_path / "stick.m3u"))
    assert "1 of 1 in your library" in out


def test_a_text_list_and_standard_input(library, capsys, tmp_path, monkeypatch) -> None:
    listing = tmp_path / "wanted.txt"
    listing.write_text(
        "# from a friend\nABBA - Dancing Queen\n\nPortishead \u2013 Glory Box\n", encoding="utf-8"
    )
    out = coverage(library, capsys, str(listing))
    assert out == "wanted (list): 1 of 2 in your library (50%), 1 missing, 0 uncertain\n"
    monkeypatch.setattr("sys.stdin", io.StringIO("Blur - Song 2\n"))
    out = coverage(library, capsys, "-")
    assert out == "standard input (list): 1 of 1 in your library (100%), 0 missing, 0 uncertain\n"


def test_a_bad_source_is_one_line_before_any_work(library, capsys, tmp_path) -> None:
    listing = tmp_path / "wanted.txt"
    listing.write_text("ABBA - Dancing Queen\njust a title\n", encoding="utf-8")
    with pytest.raises(ui.UserError) as raised:
        coverage(library, capsys, str(exportify(tmp_path)), str(listing))
    assert str(raised.value) == f"{listing}, line 2: 'just a title' is not 'Artist - Title'"
    assert capsys.readouterr().out == ""  # the good first source printed nothing
    with pytest.raises(ui.UserError, match="neither a Spotify playlist/album/track link nor"):
        coverage(library, capsys, str(tmp_path / "nope.csv"))
    with pytest.raises(ui.UserError, match="name at least one SOURCE"):
        coverage(library, capsys)


def test_review_decisions_count_as_in_the_main_run(library, capsys, tmp_path) -> None:
    store = open_state_store(library)
    store.reject_match(A, 0)  # "not in my library", whatever the matcher thinks
    out = coverage(library, capsys, str(exportify(tmp_path)))
    assert "1 of 3 in your library (33%), 2 missing" in out


# --------------------------------------------------------------------------------------
# --wish and --download


def test_wish_puts_the_missing_on_the_wishlist_under_the_source(library, capsys, tmp_path):
    out = coverage(library, capsys, "--wish", str(exportify(tmp_path)))
    assert "Road Trip: 1 added to the wishlist, 0 already on it" in out
    listed = wishlist(library, capsys, "list", "-f", "$title <$playlists>")
    assert listed.strip() == "Teardrop <Road Trip>"
    assert wishlist(library, capsys, "list", "--playlist", "road trip", "-f", "$title").strip() == (
        "Teardrop"
    )


def test_download_imports_and_prints_the_coverage_again(
    library, capsys, tmp_path, standin: Standin, monkeypatch
) -> None:
    standin.add(C, "Teardrop", "Massive Attack", "Mezzanine", seconds=1)
    standin.install_env(monkeypatch)
    beets.config["spotifyextract"]["spotdl_command"] = standin.command
    beets.config["spotifyextract"]["verify_tolerance"] = 400  # the stand-in's file is short
    out = coverage(library, capsys, "--download", str(exportify(tmp_path)))
    lines = out.splitlines()
    assert lines[0].endswith("2 of 3 in your library (67%), 1 missing, 0 uncertain")
    assert "1 downloaded, 0 failed" in out and "1 imported, 0 not imported" in out
    assert lines[-1].endswith("3 of 3 in your library (100%), 0 missing, 0 uncertain")
    assert open_state_store(library).get_wishlist_entry(C).status == "imported"


# --------------------------------------------------------------------------------------
# Spotify links (the emulator, development mode)


@pytest.fixture
def connected(library: BeetsEnv, emulator: Emulator) -> BeetsEnv:
    section = beets.config["spotifyextract"]
    section["client_id"] = emulator.client_id
    section["api_url"] = emulator.api_url
    section["auth_url"] = emulator.auth_url
    write_token_file(library.state_dir, emulator.issue_token())
    return library


def playlist(emulator: Emulator, owned: bool):
    lib = emulator.library
    for candidate in lib.playlists:
        if (candidate.owner_id == lib.me.id) != owned or candidate.collaborative:
            continue
        ids = [e.id for e in candidate.entries if e.kind == "track" and e.id in lib.tracks]
        if len(ids) >= 3 and all(lib.tracks[i].available for i in ids):
            return candidate, ids
    raise AssertionError("the emulator library has no such playlist")


def own(env: BeetsEnv, emulator: Emulator, track_id: str) -> None:
    track = emulator.library.tracks[track_id]
    artist = emulator.library.artists[track.artist_ids[0]].name
    album = emulator.library.albums[track.album_id].name
    add_item(env, track.name, artist, album, length=track.duration_ms / 1000)


def test_an_owned_playlist(connected, emulator, capsys) -> None:
    found, ids = playlist(emulator, owned=True)
    own(connected, emulator, ids[0])
    out = coverage(connected, capsys, f"https://open.spotify.com/playlist/{found.id}")
    have = sum(1 for i in ids if i == ids[0])
    assert out == (
        f"{found.name} (playlist): {have} of {len(ids)} in your library "
        f"({round(100 * have / len(ids))}%), {len(ids) - have} missing, 0 uncertain\n"
    )
    assert not state_database(connected).exists()


def test_an_album_and_a_track(connected, emulator, capsys) -> None:
    album = next(a for a in emulator.library.albums.values() if len(a.track_ids) >= 2)
    own(connected, emulator, album.track_ids[0])
    out = coverage(
        connected, capsys, f"spotify:album:{album.id}", f"spotify:track:{album.track_ids[0]}"
    )
    first, second = out.splitlines()
    assert first.startswith(f"{album.name} (album): 1 of {len(album.track_ids)} in your library")
    assert second.endswith("(track): 1 of 1 in your library (100%), 0 missing, 0 uncertain")


def test_a_followed_playlist_gives_the_way_out(connected, emulator, capsys) -> None:
    found, _ = playlist(emulator, owned=False)
    with pytest.raises(ui.UserError) as raised:
        coverage(connected, capsys, f"spotify:playlist:{found.id}")
    message = str(raised.value)
    assert "\n" not in message and "playlists you follow" in message
    assert "save a copy" in message and "Playlist1.json" in message


def test_without_a_login_links_say_so(library, capsys) -> None:
    with pytest.raises(ui.UserError, match="--login"):
        coverage(library, capsys, f"spotify:album:{'1' * 22}")
