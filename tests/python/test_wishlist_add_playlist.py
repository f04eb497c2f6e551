"""`beet wishlist add PLAYLIST-LINK` against the Spotify emulator (development mode)."""

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


def test_album_links_are_still_refused_with_a_way_out(
    beets_env: BeetsEnv, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(ui.UserError, match="album links are not supported yet"):
        wishlist(beets_env, capsys, "add", "spotify:album:4aawyAB9vmqN3uQ7FjRGTy")
