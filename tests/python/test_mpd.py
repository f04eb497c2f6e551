"""Mirrored playlists played by a real MPD: the `mpd` target in MPD's playlist_directory,
and the playlist-relative targets (sonos, navidrome, jellyfin) inside the music folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fixtures_playlist import BeetsSetup
from spotify_extract import _native

# Spotify order of the test playlist (titles of the sample library), a missing track inside.
ORDER = ["Number One", "Hunter", "夜に駆ける", None, "Hells Bells", "It's [Live]", "Группа крови"]


def library_playlists(setup: BeetsSetup) -> tuple[list[_native.MirrorPlaylist], list[str]]:
    """Two playlists built from what the native reader finds in the real library.db."""
    items = _native.read_library(str(setup.library_db), os.fsencode(setup.music))
    by_title = {item.title: item for item in items}
    entries = []
    expected = []
    for title in ORDER:
        if title is None:
            entries.append(_native.MirrorEntry.missing("Nobody", "Not Here", "spotify:track:x1"))
            continue
        item = by_title[title]
        entries.append(_native.MirrorEntry.matched(item.path, item.length, item.artist, title))
        expected.append(os.fsdecode(item.path))
    workout = _native.MirrorPlaylist("37i9dQZF1DX70RN3TfWWJh", "Workout", entries)
    liked = _native.MirrorPlaylist(
        _native.LIKED_SONGS_ID, _native.LIKED_SONGS_NAME, list(reversed(entries))
    )
    return [workout, liked], expected


def options_for(target: str, setup: BeetsSetup, playlist_dir: Path) -> _native.MirrorOptions:
    options = _native.MirrorOptions()
    options.style = _native.target_profile(target)
    options.playlist_dir = playlist_dir
    options.library_root = setup.music
    options.missing_comments = True
    return options


def test_mpd_lists_every_matched_track_in_order(
    beets_library: BeetsSetup, mpd_server, tmp_path: Path
) -> None:
    playlist_dir = tmp_path / "mpd-playlists"
    playlists, expected = library_playlists(beets_library)
    result = _native.mirror(playlists, [], options_for("mpd", beets_library, playlist_dir))
    assert (result.written, result.skipped) == (2, 0)
    # Every file carries our marker line; MPD skips it like any comment.
    for outcome in result.playlists:
        lines = Path(os.fsdecode(outcome.path)).read_text(encoding="utf-8").splitlines()
        assert lines[1] == f"#SPOTIFY-EXTRACT:playlist={outcome.spotify_id}"

    mpd = mpd_server(beets_library.music, playlist_dir)
    mpd.mpc("update", "--wait")
    assert sorted(mpd.mpc("lsplaylists")) == ["Liked Songs (Spotify)", "Workout (Spotify)"]

    music = str(beets_library.music) + "/"
    relative = [path.removeprefix(music) for path in expected]
    assert mpd.mpc("-f", "%file%", "playlist", "Workout (Spotify)") == relative
    assert mpd.mpc("-f", "%file%", "playlist", "Liked Songs (Spotify)") == relative[::-1]
    # MPD resolved every entry against its database: loading queues all of them, with tags.
    mpd.mpc("load", "Workout (Spotify)")
    titles = [title for title in ORDER if title]
    assert mpd.mpc("-f", "%title%", "playlist") == titles
    assert len(mpd.mpc("-f", "%time%", "playlist")) == len(titles)


def test_mpd_drops_what_the_mpd_target_avoids(
    beets_library: BeetsSetup, mpd_server, tmp_path: Path
) -> None:
    """The reason for the `mpd` profile: playlist-relative lines in playlist_directory do
    not resolve, so the same playlist written for Sonos is empty in MPD."""
    playlist_dir = tmp_path / "mpd-playlists"
    playlists, _ = library_playlists(beets_library)
    _native.mirror(playlists[:1], [], options_for("sonos", beets_library, playlist_dir))
    mpd = mpd_server(beets_library.music, playlist_dir)
    mpd.mpc("update", "--wait")
    mpd.mpc("load", "Workout (Spotify)")
    assert mpd.mpc("playlist") == []


@pytest.mark.parametrize("target", ["sonos", "navidrome", "jellyfin"])
def test_playlist_relative_targets_resolve_inside_the_music_folder(
    target: str, beets_library: BeetsSetup, mpd_server, tmp_path: Path
) -> None:
    playlist_dir = beets_library.music / "Playlists"
    playlists, expected = library_playlists(beets_library)
    result = _native.mirror(playlists, [], options_for(target, beets_library, playlist_dir))
    assert result.written == 2
    text = (playlist_dir / "Workout (Spotify).m3u").read_text(encoding="utf-8")
    assert "../Björk/Homogenic/01 Hunter.flac" in text
    assert "\\" not in text

    # MPD reads playlists inside music_directory with its m3u plugin, relative to the file.
    mpd = mpd_server(beets_library.music, tmp_path / "unused-playlists")
    mpd.mpc("update", "--wait")
    assert "Playlists/Workout (Spotify).m3u" in mpd.mpc("ls", "Playlists")
    mpd.mpc("load", "Playlists/Workout (Spotify).m3u")
    music = str(beets_library.music) + "/"
    assert mpd.mpc("-f", "%file%", "playlist") == [p.removeprefix(music) for p in expected]
    assert mpd.mpc("-f", "%title%", "playlist") == [title for title in ORDER if title]


def test_prefix_target_rewrites_the_library_root(beets_library: BeetsSetup, tmp_path: Path) -> None:
    playlists, expected = library_playlists(beets_library)
    options = options_for("prefix", beets_library, tmp_path / "out")
    options.style.path_prefix = "/music"
    _native.mirror(playlists[:1], [], options)
    lines = (tmp_path / "out" / "Workout (Spotify).m3u").read_text(encoding="utf-8").splitlines()
    music = str(beets_library.music)
    assert [line for line in lines if not line.startswith("#")] == [
        "/music" + path.removeprefix(music) for path in expected
    ]
    assert "# Nobody - Not Here spotify:track:x1" in lines
