"""Playlist settings resolved from a real beets config, and beets' own `playlist:` query
reading the mirrored playlists."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import beets
import beets.plugins
import pytest
from fixtures_playlist import BeetsSetup, write_beets_config
from spotify_extract import _native, mirror
from spotify_extract.settings import DEFAULTS


@pytest.fixture
def load_config() -> Iterator:
    """Reads a config.yaml into beets' global config; restores the defaults afterwards."""

    def load(config_file: Path):
        beets.config.clear()
        beets.config.read(user=False, defaults=True)
        beets.config.set_file(str(config_file))
        view = beets.config["spotifyextract"]
        view.add(DEFAULTS)
        return view

    try:
        yield load
    finally:
        beets.config.clear()
        beets.config.read(user=False, defaults=True)


def configure(setup: BeetsSetup, extra: str) -> None:
    write_beets_config(setup.root, setup.music, extra)


def workout(setup: BeetsSetup, titles: list[str]) -> _native.MirrorPlaylist:
    items = _native.read_library(str(setup.library_db), os.fsencode(setup.music))
    by_title = {item.title: item for item in items}
    entries = [
        _native.MirrorEntry.matched(by_title[t].path, by_title[t].length, by_title[t].artist, t)
        for t in titles
    ]
    return _native.MirrorPlaylist("5ABHKGoOzxkaa28ttQV9sE", "Workout", entries)


@pytest.mark.parametrize("relative_to", ["library", "playlist"])
def test_beet_ls_playlist_reads_the_mirrored_playlist(
    relative_to: str, beets_library: BeetsSetup, load_config, tmp_path: Path
) -> None:
    playlist_dir = tmp_path / "beets-playlists"
    configure(
        beets_library,
        "plugins: playlist spotifyextract\n"
        f"playlist:\n  playlist_dir: {playlist_dir}\n  relative_to: {relative_to}\n",
    )
    view = load_config(beets_library.config_file)
    options, source = mirror.resolve_options(view, beets_library.music)
    assert source.from_playlist_plugin
    assert options.playlist_dir == os.fsencode(playlist_dir)
    expected_style = (
        _native.RelativeTo.LIBRARY if relative_to == "library" else (_native.RelativeTo.PLAYLIST)
    )
    assert options.style.relative_to == expected_style

    titles = ["Hunter", "夜に駆ける", "Hells Bells"]
    result = mirror.mirror([workout(beets_library, titles)], [], options)
    assert result.written == 1

    # beets' own playlist plugin reads our file back to exactly these library files.
    from beetsplug.playlist import PlaylistQuery

    query = PlaylistQuery("playlist", "Workout (Spotify)", None)
    items = _native.read_library(str(beets_library.library_db), os.fsencode(beets_library.music))
    by_path = {item.path: item.title for item in items}
    resolved = [by_path[path] for path in query.pattern if path in by_path]
    assert resolved == titles
    # beets reads the file in binary mode, so its comment check never matches: the
    # '#' lines (#EXTM3U, #EXTINF, our marker) become paths that match no item.
    assert all(os.path.exists(path) for path in query.pattern if b"/#" not in path)

    listed = beets_library.beet("ls", "-f", "$title", "playlist:Workout (Spotify)")
    with sqlite3.connect(beets_library.library_db) as db:
        relative_db = (
            not db.execute("SELECT path FROM items LIMIT 1").fetchone()[0].startswith(b"/")
        )
    if relative_db and not listed.strip():
        # beets >= 2.10 stores paths relative to the music directory, but its playlist
        # query still compares absolute paths: it lists nothing for any m3u file.
        pytest.xfail("beets' playlist: query is broken on relative-path libraries (beets#6784)")
    assert sorted(listed.splitlines()) == sorted(titles)
    # Another playlist name lists nothing: the query really reads our file.
    assert beets_library.beet("ls", "playlist:Chill (Spotify)").strip() == ""


def test_explicit_settings_win_over_the_playlist_plugin(
    beets_library: BeetsSetup, load_config, tmp_path: Path
) -> None:
    configure(
        beets_library,
        "plugins: playlist spotifyextract\n"
        f"playlist:\n  playlist_dir: {tmp_path / 'beets'}\n"
        "spotifyextract:\n"
        f"  playlist_dir: {tmp_path / 'mine'}\n"
        "  target: navidrome\n  playlist_extension: m3u8\n  forward_slash: no\n"
        "  name_template: 'Spotify - {name}'\n  missing_comments: yes\n"
        "  non_utf8_paths: write\n",
    )
    options, source = mirror.resolve_options(
        load_config(beets_library.config_file), beets_library.music
    )
    assert not source.from_playlist_plugin
    assert options.playlist_dir == os.fsencode(tmp_path / "mine")
    assert options.style.relative_to == _native.RelativeTo.PLAYLIST
    assert options.style.extension == ".m3u8"
    assert options.style.forward_slash is False
    assert options.name_template == "Spotify - {name}"
    assert options.missing_comments is True
    assert options.non_utf8 == _native.NonUtf8Policy.WRITE_RAW


def test_defaults_without_the_playlist_plugin(
    beets_library: BeetsSetup, load_config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BEETSDIR", str(beets_library.root))
    configure(beets_library, "plugins: spotifyextract\nspotifyextract:\n  target: sonos\n")
    options, _ = mirror.resolve_options(load_config(beets_library.config_file), beets_library.music)
    assert options.playlist_dir == os.fsencode(beets_library.music / "Playlists")
    assert options.style.extension == ".m3u"
    configure(beets_library, "plugins: spotifyextract\n")
    options, _ = mirror.resolve_options(load_config(beets_library.config_file), beets_library.music)
    assert options.style.relative_to == _native.RelativeTo.LIBRARY  # mpd
    assert options.playlist_dir == os.fsencode(beets_library.root / "playlists")


def test_owned_files_round_trip_and_summary(beets_library: BeetsSetup, tmp_path: Path) -> None:
    options = _native.MirrorOptions()
    options.style = _native.target_profile("mpd")
    options.playlist_dir = tmp_path / "out"
    options.library_root = beets_library.music
    first = mirror.mirror([workout(beets_library, ["Hunter"])], [], options)
    # The pipeline stores (spotify_id, path bytes, hash) and hands them back next run.
    stored = [(o.spotify_id, o.path, o.content_hash) for o in first.owned]
    owned = [_native.OwnedFile(*row) for row in stored]
    renamed = workout(beets_library, ["Hunter"])
    renamed.name = "Gym"
    second = mirror.mirror([renamed], owned, options)
    assert (second.written, second.removed) == (1, 1)
    assert second.removed_paths == [os.fsencode(tmp_path / "out" / "Workout (Spotify).m3u")]
    assert sorted(os.listdir(tmp_path / "out")) == ["Gym (Spotify).m3u"]
    assert mirror.summary_lines(second)[0] == (
        "playlists: 1 written, 0 unchanged, 1 removed, 0 skipped"
    )


def test_non_utf8_library_paths_are_counted_not_corrupted(
    beets_library: BeetsSetup, tmp_path: Path
) -> None:
    latin1 = os.fsencode(beets_library.music) + b"/Bj\xf6rk.mp3"
    entries = [
        _native.MirrorEntry.matched(latin1, 10, "Bjork", "Latin-1"),
        _native.MirrorEntry.matched(os.fsencode(beets_library.music) + b"/ok.mp3", 10, "A", "Ok"),
    ]
    options = _native.MirrorOptions()
    options.style = _native.target_profile("mpd")
    options.playlist_dir = tmp_path / "out"
    options.library_root = beets_library.music
    result = mirror.mirror([_native.MirrorPlaylist("p", "Mixed", entries)], [], options)
    assert result.playlists[0].stats.skipped_non_utf8 == 1
    assert "1 with a non-UTF-8 path left out" in "\n".join(mirror.summary_lines(result))
    content = (tmp_path / "out" / "Mixed (Spotify).m3u").read_bytes()
    content.decode("utf-8")  # still valid UTF-8
    options.non_utf8 = _native.NonUtf8Policy.WRITE_RAW
    raw = mirror.mirror([_native.MirrorPlaylist("p", "Mixed", entries)], result.owned, options)
    assert raw.written == 1
    assert b"\nBj\xf6rk.mp3\n" in (tmp_path / "out" / "Mixed (Spotify).m3u").read_bytes()


def test_a_failed_write_says_so_and_keeps_the_owned_list(
    beets_library: BeetsSetup, tmp_path: Path
) -> None:
    options = _native.MirrorOptions()
    options.style = _native.target_profile("mpd")
    (tmp_path / "not-a-dir").write_text("a file where the folder should be")
    options.playlist_dir = tmp_path / "not-a-dir" / "playlists"
    options.library_root = beets_library.music
    owned = [_native.OwnedFile("x", tmp_path / "old.m3u", "00")]
    with pytest.raises(_native.MirrorError) as raised:
        mirror.mirror([workout(beets_library, ["Hunter"])], owned, options)
    assert isinstance(raised.value, _native.SpotifyExtractError)
    assert "playlist_dir" in str(raised.value)
    assert [o.path for o in raised.value.owned] == [os.fsencode(tmp_path / "old.m3u")]


def test_the_summary_names_playlists_kept_or_without_a_file(
    beets_library: BeetsSetup, tmp_path: Path
) -> None:
    options = _native.MirrorOptions()
    options.style = _native.target_profile("mpd")
    options.playlist_dir = tmp_path / "out"
    options.library_root = beets_library.music
    first = mirror.mirror([workout(beets_library, ["Hunter"])], [], options)
    # Every name for "Taken" is someone else's file; Workout's tracks left the library.
    (tmp_path / "out" / "Taken (Spotify).m3u").write_text("mine\n")
    (tmp_path / "out" / "Taken (Spotify) [takent].m3u").write_text("mine\n")
    (tmp_path / "out" / "Taken (Spotify) [takenthis].m3u").write_text("mine\n")
    taken = workout(beets_library, ["Hunter"])
    taken.spotify_id, taken.name = "takenthis", "Taken"
    gone = _native.MirrorPlaylist(
        "5ABHKGoOzxkaa28ttQV9sE", "Workout", [_native.MirrorEntry.missing("A", "T", "x")]
    )
    result = mirror.mirror([gone, taken], first.owned, options)
    lines = mirror.summary_lines(result)
    assert (result.kept, result.skipped, result.removed) == (1, 1, 0)
    assert any(line.startswith("  Workout: ") and "kept" in line for line in lines), lines
    assert any(line.startswith("  Taken: ") for line in lines), lines
