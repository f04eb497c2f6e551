"""`beet wishlist add` with playlist and album links, against the Spotify emulator
(development mode)."""

from __future__ import annotations

import beets
import pytest
from beets import ui
from beets.library import Item
from fixtures_wishlist import BeetsEnv, open_state_store
from test_wishlist_commands import wishlist

from tests.emulator import Emulator
from tests.python.fixtures_client import write_token_file


@pytest.fixture
def connected(beets_env: BeetsEnv, emulator: Emulator) -> BeetsEnv:
    section = beets.config["spotifyextract"]
    section["client_id"] = emulator.client_id
    section["api_url"] = emulator.api_url
    section["auth_url"] = emulator.auth_url
    write_token_file(beets_env.state_dir, emulator.issue_token())
    return beets_env


def playlist_tracks(emulator: Emulator, owned: bool) -> tuple[str, list[str]]:
    """A playlist with tracks (owned by the user, or only followed) and its track ids."""
    library = emulator.library
    for playlist in library.playlists:
        if (playlist.owner_id == library.me.id) != owned or playlist.collaborative:
            continue
        ids = [e.id for e in playlist.entries if e.kind == "track" and e.id in library.tracks]
        playable = [i for i in dict.fromkeys(ids) if library.tracks[i].available]
        if len(playable) >= 3:
            return playlist.id, playable
    raise AssertionError("the emulator library has no such playlist")


def test_an_owned_playlist_adds_what_the_library_lacks(
    connected: BeetsEnv, emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    env = connected
    playlist_id, ids = playlist_tracks(emulator, owned=True)
    have = emulator.library.tracks[ids[0]]
    artist = emulator.library.artists[have.artist_ids[0]].name
    album = emulator.library.albums[have.album_id].name
    env.lib.add(
        Item(
            title=have.name,
            artist=artist,
            album=album,
            length=have.duration_ms / 1000,
            isrc=have.isrc or "",
            path=bytes(env.music / "have.mp3"),
        )
    )
    out = wishlist(env, capsys, "add", f"https://open.spotify.com/playlist/{playlist_id}")
    store = open_state_store(env)
    wanted = {e.spotify_track_id: e for e in store.list_wishlist()}
    assert ids[0] not in wanted  # in the library already
    # Every playable track of the playlist but the one the library has.
    assert set(wanted) == set(ids[1:])
    entry = wanted[ids[1]]
    assert entry.title == emulator.library.tracks[ids[1]].name and entry.status == "pending"
    assert entry.spotify_url == f"https://open.spotify.com/track/{ids[1]}"
    assert f"playlist {playlist_id}: {len(wanted)} added" in out
    assert "1 already in your library" in out
    # Again: nothing new, one line that says so.
    out = wishlist(env, capsys, "add", f"spotify:playlist:{playlist_id}")
    assert f"0 added, {len(wanted)} already on the wishlist" in out


def test_a_followed_playlist_is_one_clear_line(
    connected: BeetsEnv, emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    env = connected
    playlist_id, _ = playlist_tracks(emulator, owned=False)
    with pytest.raises(ui.UserError) as raised:
        wishlist(env, capsys, "add", f"https://open.spotify.com/playlist/{playlist_id}")
    message = str(raised.value)
    assert "\n" not in message
    assert "playlists you follow" in message and "--from-export" in message
    assert list(open_state_store(env).list_wishlist()) == []


def test_without_a_login_playlist_links_say_so(
    beets_env: BeetsEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ui.UserError, match="--login"):
        wishlist(beets_env, capsys, "add", "spotify:playlist:37i9dQZF1DXcBWIGoYBM5M")


def test_an_album_adds_every_track_across_pages(
    connected: BeetsEnv, emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """An album longer than one page (50): GET /albums/{id}, then /albums/{id}/tracks."""
    env = connected
    library = emulator.library
    album = next(iter(library.albums.values()))
    others = [t for t in library.tracks if t not in album.track_ids]
    album.track_ids = [*album.track_ids, *others[: 60 - len(album.track_ids)]]
    assert len(album.track_ids) == 60
    out = wishlist(env, capsys, "add", f"https://open.spotify.com/album/{album.id}")
    wanted = {e.spotify_track_id: e for e in open_state_store(env).list_wishlist()}
    assert set(wanted) == set(album.track_ids)
    assert f"album {album.id}: 60 added, 0 already on the wishlist" in out
    first = wanted[album.track_ids[0]]
    assert first.album == album.name and first.title == library.tracks[album.track_ids[0]].name
    assert emulator.count(rf"^/v1/albums/{album.id}$") == 1
    assert emulator.count(rf"^/v1/albums/{album.id}/tracks") == 1


def test_an_unknown_album_is_one_clear_line(
    connected: BeetsEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ui.UserError) as raised:
        wishlist(connected, capsys, "add", "spotify:album:4aawyAB9vmqN3uQ7FjRGTy")
    message = str(raised.value)
    assert message.startswith("add: album 4aawyAB9vmqN3uQ7FjRGTy: ") and "\n" not in message
    assert "404" in message


def test_the_client_sends_only_album_ids(client_for, emulator: Emulator) -> None:
    """The id goes into the request path: anything else is refused before a request."""
    from spotify_extract import _native

    client, _, _ = client_for(emulator)
    for bad in ("../me/tracks", "4aawyAB9vmqN3uQ7FjRGT/", "4aawyAB9vmqN3uQ7FjRGTyy", ""):
        with pytest.raises(_native.SpotifyApiError, match="not a Spotify album id"):
            client.album_tracks(bad)
    assert emulator.count(r"^/v1/albums") == 0


def test_a_track_link_is_looked_up_and_checked_against_the_library(
    connected: BeetsEnv, emulator: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    """A track link used to go on the wishlist as it was: with empty fields for an
    unknown id, and as pending although the library had the track."""
    env = connected
    _, ids = playlist_tracks(emulator, owned=True)
    have, want = (emulator.library.tracks[i] for i in ids[:2])
    artist = emulator.library.artists[have.artist_ids[0]].name
    env.lib.add(
        Item(
            title=have.name,
            artist=artist,
            album=emulator.library.albums[have.album_id].name,
            length=have.duration_ms / 1000,
            path=bytes(env.music / "have.mp3"),
        )
    )
    out = wishlist(env, capsys, "add", f"spotify:track:{have.id}")
    assert out == f"already in your library: {artist} - {have.name}\n"
    out = wishlist(env, capsys, "add", f"{artist} - {have.name}")
    assert out == f"already in your library: {artist} - {have.name}\n"
    out = wishlist(env, capsys, "add", f"https://open.spotify.com/track/{want.id}")
    assert out.startswith("added: ") and out.endswith(f" - {want.name}\n")
    with pytest.raises(ui.UserError, match=r"^add: track 0{22}: Spotify has no such track$"):
        wishlist(env, capsys, "add", "spotify:track:0000000000000000000000")
    entries = {e.spotify_track_id: e for e in open_state_store(env).list_wishlist()}
    assert list(entries) == [want.id]
    assert entries[want.id].title == want.name and entries[want.id].artist
