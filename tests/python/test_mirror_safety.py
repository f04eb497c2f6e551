"""Data safety of whole runs (issue 19): nothing a person has is lost by surprise.

A missing or shrunken beets library stops the run before anything is removed or queued;
two playlists never share a file; every mirrored file carries its playlist id, so the
plugin recognises its own files after the state database is lost; the old folder of a
moved `playlist_dir` is left alone and named. Real CLI, real beets library, emulator.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

from spotify_extract import _native

from tests.python.fixtures_pipeline import World


def _in_beets(world: World, count: int) -> list[str]:
    """`count` Spotify track ids that the beets library holds inside its music directory."""
    with sqlite3.connect(world.library_dir / "library.db") as db:
        music = os.fsencode(world.library_dir / "music")
        inside = {
            item_id
            for item_id, path in db.execute("SELECT id, path FROM items")
            if not bytes(path).startswith(b"/") or bytes(path).startswith(music + b"/")
        }
    truth = sorted(world.library.truth().items())
    found = [tid for tid, item in truth if item is not None and item in inside]
    assert len(found) >= count
    return found[:count]


def _own_library(world: World, tmp_path: Path) -> Path:
    """A private copy of the session's sample library (these tests change library.db)."""
    copy = tmp_path / "own-library"
    shutil.copytree(world.library_dir, copy, symlinks=True)
    world.library_dir = copy
    world.write_config()
    return copy / "library.db"


def _wishlist_size(world: World) -> int:
    with sqlite3.connect(world.state_db) as db:
        return db.execute("SELECT COUNT(*) FROM wishlist").fetchone()[0]


def _matched(world: World) -> int:
    with sqlite3.connect(world.state_db) as db:
        return db.execute("SELECT COUNT(*) FROM matches WHERE item_id > 0").fetchone()[0]


def _one_line_error(result) -> str:
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def _snapshot(world: World) -> tuple[dict[str, str], int, int]:
    return world.m3u_files(), _wishlist_size(world), _matched(world)


# ---------------------------------------------------------------------------------------
# 1. A missing, empty or much smaller library stops the run


def test_a_missing_library_stops_the_run_before_anything_changes(
    pipeline_world, tmp_path: Path
) -> None:
    world: World = pipeline_world()
    library_db = _own_library(world, tmp_path)
    first = world.beet()
    assert first.returncode == 0, first.stdout + first.stderr
    before = _snapshot(world)
    assert before[0] and before[2]

    library_db.rename(world.library_dir / "library.db.moved")
    refused = world.beet()
    line = _one_line_error(refused)
    assert str(library_db) in line
    assert "--force" in line
    assert _snapshot(world) == before

    # The real library back: the run goes on as before.
    library_db.unlink()  # the empty one beets created
    (world.library_dir / "library.db.moved").rename(library_db)
    again = world.beet()
    assert again.returncode == 0, again.stdout + again.stderr
    assert _snapshot(world) == before


def test_a_library_shrunk_to_less_than_half_needs_force(pipeline_world, tmp_path: Path) -> None:
    world: World = pipeline_world()
    library_db = _own_library(world, tmp_path)
    assert world.beet().returncode == 0
    before = _snapshot(world)
    with sqlite3.connect(library_db) as db:
        total = db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        db.execute("DELETE FROM items WHERE id % 3 != 0")  # two thirds gone
    line = _one_line_error(world.beet())
    assert str(library_db) in line and str(total) in line
    assert _snapshot(world) == before

    # A sharp shrink the person means: --force accepts it and becomes the new baseline.
    forced = world.beet("--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert world.beet().returncode == 0


def test_an_empty_library_on_the_first_run_is_refused(pipeline_world, tmp_path: Path) -> None:
    world: World = pipeline_world()
    library_db = _own_library(world, tmp_path)
    with sqlite3.connect(library_db) as db:
        db.execute("DELETE FROM items")
    line = _one_line_error(world.beet())
    assert str(library_db) in line
    assert not world.state_db.exists() or _wishlist_size(world) == 0
    forced = world.beet("--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert _wishlist_size(world) > 0
    # Accepted once: an empty library is then what the person has (no --force each run).
    assert world.beet().returncode == 0


def test_the_import_rerender_keeps_files_when_the_library_looks_empty(
    pipeline_world, tmp_path: Path
) -> None:
    world: World = pipeline_world()
    library_db = _own_library(world, tmp_path)
    assert world.beet().returncode == 0
    files = world.m3u_files()
    assert files
    with sqlite3.connect(library_db) as db:
        db.execute("DELETE FROM items")
    store = _native.StateStore(str(world.state_db))
    options = _native.PipelineOptions()
    options.library_db = os.fsencode(library_db)
    options.music_dir = os.fsencode(world.library_dir / "music")
    options.mirror_options.playlist_dir = os.fsencode(world.playlist_dir)
    options.mirror_options.library_root = os.fsencode(world.library_dir / "music")
    options.mirror_options.style = _native.target_profile("mpd")
    try:
        _native.mirror_from_store(store, options)
        refused = False
    except _native.SpotifyExtractError as error:
        refused = str(library_db) in str(error)
    assert refused
    assert world.m3u_files() == files


def test_a_playlist_whose_items_left_the_library_keeps_its_file(
    pipeline_world, tmp_path: Path
) -> None:
    world: World = pipeline_world()
    library_db = _own_library(world, tmp_path)
    ids = _in_beets(world, 2)
    playlist = world.library.create_playlist("Kept", track_ids=ids)
    assert world.beet().returncode == 0
    name = "Kept (Spotify).m3u"
    content = world.m3u_files()[name]
    with sqlite3.connect(library_db) as db:
        for tid in ids:
            db.execute("DELETE FROM items WHERE id = ?", (world.library.truth()[tid],))
    result = world.beet()
    assert result.returncode == 0, result.stdout + result.stderr
    assert world.m3u_files()[name] == content
    assert "Kept" in result.stdout and "kept" in result.stdout
    # Deleted on Spotify: only then does the file go.
    world.library.delete_playlist(playlist)
    assert world.beet().returncode == 0
    assert name not in world.m3u_files()


# ---------------------------------------------------------------------------------------
# 2. Two playlists never share a file


COLLIDING = ["🔥", "💔", "Chill", "chill", "..", ".", "~"]


def test_colliding_playlist_names_get_distinct_files(pipeline_world) -> None:
    world: World = pipeline_world()
    ids = _in_beets(world, len(COLLIDING))
    for name, tid in zip(COLLIDING, ids, strict=True):
        world.library.create_playlist(name, track_ids=[tid])
    world.write_config(name_template="{name}")
    result = world.beet()
    assert result.returncode == 0, result.stdout + result.stderr
    files = world.m3u_files()
    assert len({name.casefold() for name in files}) == len(files)  # also on SMB/macOS
    markers = {text.splitlines()[1] for text in files.values()}
    assert len(markers) == len(files)
    created = {p.id for p in world.library.playlists if p.name in COLLIDING}
    assert {f"#SPOTIFY-EXTRACT:playlist={pid}" for pid in created} <= markers
    assert "same file name as the playlist 'chill'" in result.stdout.casefold()
    # Stable: a second run keeps every name and content.
    again = world.beet()
    assert again.returncode == 0
    assert world.m3u_files() == files


def _export_item(world: World, tid: str) -> dict:
    track = world.library.tracks[tid]
    artist = world.library.artists[track.artist_ids[0]]
    return {
        "track": {
            "trackName": track.name,
            "artistName": artist.name,
            "albumName": world.library.albums[track.album_id].name,
            "trackUri": f"spotify:track:{tid}",
        },
        "episode": None,
        "audiobook": None,
        "localTrack": None,
        "addedDate": "2025-01-01",
    }


def test_colliding_export_playlists_get_distinct_files(pipeline_world, tmp_path: Path) -> None:
    world: World = pipeline_world()
    (world.state_dir / "spotify_extract_token.json").unlink()
    ids = _in_beets(world, 2 * len(COLLIDING))
    document = {"playlists": []}
    for n, name in enumerate(COLLIDING):
        items = [_export_item(world, tid) for tid in ids[2 * n : 2 * n + 2]]
        document["playlists"].append(
            {"name": name, "lastModifiedDate": "2025-07-31", "items": items}
        )
    export = tmp_path / "export"
    export.mkdir()
    (export / "Playlist1.json").write_text(json.dumps(document), encoding="utf-8")
    world.write_config(name_template="{name}")
    result = world.beet("--from-export", str(export))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(COLLIDING)} playlist(s) read" in result.stdout
    files = world.m3u_files()
    assert len(files) == len(COLLIDING), (sorted(files), result.stdout)
    markers = {text.splitlines()[1] for text in files.values()}
    assert len(markers) == len(COLLIDING)
    # The same export again: the same ids, files and names.
    again = world.beet("--from-export", str(export))
    assert again.returncode == 0, again.stdout + again.stderr
    assert world.m3u_files() == files


# ---------------------------------------------------------------------------------------
# 3. Own files are recognised by their marker; 4. a moved playlist_dir


def test_a_lost_state_database_finds_its_own_files(pipeline_world) -> None:
    world: World = pipeline_world()
    assert world.beet().returncode == 0
    files = world.m3u_files()
    assert len(files) >= 3
    for name, text in files.items():
        assert text.splitlines()[1].startswith("#SPOTIFY-EXTRACT:playlist="), name
    foreign = world.playlist_dir / "Mine (Spotify).m3u"
    foreign.write_text("#EXTM3U\nmine.mp3\n", encoding="utf-8")
    mtimes = {name: (world.playlist_dir / name).stat().st_mtime_ns for name in files}

    for suffix in ("", "-wal", "-shm"):
        Path(f"{world.state_db}{suffix}").unlink(missing_ok=True)
    again = world.beet()
    assert again.returncode == 0, again.stdout + again.stderr
    assert world.m3u_files() == {**files, foreign.name: "#EXTM3U\nmine.mp3\n"}
    assert {n: (world.playlist_dir / n).stat().st_mtime_ns for n in files} == mtimes
    assert "not written by beets-spotify-extract" not in again.stdout


def test_a_moved_playlist_dir_leaves_the_old_files_and_names_the_folder(
    pipeline_world, tmp_path: Path
) -> None:
    world: World = pipeline_world()
    assert world.beet().returncode == 0
    old_dir = world.playlist_dir
    files = world.m3u_files()
    world.playlist_dir = tmp_path / "moved"
    world.write_config()
    moved = world.beet()
    assert moved.returncode == 0, moved.stdout + moved.stderr
    assert set(world.m3u_files()) == set(files)
    assert {p.name: p.read_text(encoding="utf-8") for p in old_dir.iterdir()} == files
    assert f"left in '{old_dir}'" in moved.stdout
    assert "0 removed" in moved.stdout
    # Said once: the old files are forgotten, not reported on every run.
    again = world.beet()
    assert again.returncode == 0
    assert str(old_dir) not in again.stdout


def test_the_mpd_target_counts_what_it_leaves_out(pipeline_world, tmp_path: Path) -> None:
    world: World = pipeline_world()
    library_db = _own_library(world, tmp_path)
    ids = _in_beets(world, 2)
    world.library.create_playlist("Outside", track_ids=ids)
    outside = tmp_path / "elsewhere" / "x.mp3"
    with sqlite3.connect(library_db) as db:
        db.execute(
            "UPDATE items SET path = ? WHERE id = ?",
            (os.fsencode(outside), world.library.truth()[ids[0]]),
        )
    result = world.beet()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Outside: 1 outside the music directory left out" in result.stdout
