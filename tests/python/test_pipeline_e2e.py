"""`beet spotify-extract` end to end: the real CLI, a real beets sample library, the emulator.

Playlists, Liked Songs, matches and the wishlist as the emulator's ground truth says; a
rerun without changes costs ceil(playlists/50) + 4 requests; changes on the emulator side
(an added track, a renamed and a deleted playlist) are reflected exactly; both API modes.
"""

from __future__ import annotations

import math
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from spotify_extract import _native

from tests.python.fixtures_pipeline import BEET, World, state_dump

SPOTIFY_USER = "spotify"


def _store(world: World) -> _native.StateStore:
    return _native.StateStore(str(world.state_db))


def _readable(world: World, playlist, mode: str) -> bool:
    me = world.library.me.id
    if playlist.owner_id == SPOTIFY_USER:
        return mode == "extended"
    return mode == "extended" or playlist.owner_id == me or playlist.collaborative


def _check_against_emulator(world: World, mode: str) -> None:
    store = _store(world)
    library = world.library
    stored = {p.id: p for p in store.list_playlists()}
    assert set(stored) == {p.id for p in library.playlists}
    for playlist in library.playlists:
        record = stored[playlist.id]
        assert record.name == playlist.name
        if not playlist.entries:
            continue
        if _readable(world, playlist, mode):
            entries = store.playlist_entries(playlist.id)
            assert [e.track.id for e in entries if e.kind == _native.EntryKind.TRACK] == [
                e.id for e in playlist.entries if e.kind == "track"
            ], playlist.name
            assert len(entries) == len(playlist.entries)
        elif playlist.owner_id == SPOTIFY_USER:
            assert record.access == "unavailable"
        else:
            assert record.access == "not_shared"
    assert [e.track.id for e in store.liked_entries()] == [tid for _, tid in library.liked]

    truth = library.truth()
    matches = store.all_matches()
    wanted = {t.id for t in store.wanted_tracks()}
    matched = {tid for tid, m in matches.items() if m.item_id and tid in wanted}
    wrong = [tid for tid in matched if truth.get(tid) != matches[tid].item_id]
    assert len(wrong) <= max(1, len(matched) // 100), wrong[:5]  # precision >= 99%
    owned = [tid for tid in wanted if truth.get(tid) is not None]
    assert len(matched & set(owned)) >= 0.9 * len(owned)
    on_wishlist = {e.spotify_track_id for e in store.list_wishlist()}
    unmatched = {tid for tid in wanted if matches[tid].status == "unmatched"}
    assert on_wishlist == unmatched
    assert not (on_wishlist & matched)


@pytest.mark.parametrize("mode", ["development", "extended"])
def test_first_run_rerun_and_changes(pipeline_world, mode: str) -> None:
    world: World = pipeline_world(mode=mode)
    emulator = world.emulator
    library = world.library

    first = world.beet()
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Spotify:" in first.stdout and "In your library:" in first.stdout
    assert "Playlists:" in first.stdout
    got = emulator.counters()["by_endpoint"]
    want = library.minimum_requests(mode, release_artists=10)  # release_artists_per_run
    differ = {k: (got.get(k), want.get(k)) for k in set(got) | set(want) if k != "total"}
    differ = {k: v for k, v in differ.items() if v[0] != v[1]}
    assert emulator.count() == want["total"], str(differ)
    _check_against_emulator(world, mode)
    files = world.m3u_files()
    assert "Liked Songs (Spotify).m3u" in files
    if mode == "development":
        assert "Not shared by Spotify" in first.stdout
        assert "--from-export" in first.stdout
    mtimes = {name: (world.playlist_dir / name).stat().st_mtime_ns for name in files}

    # Nothing changed: a handful of requests, no file rewritten.
    emulator.reset_log()
    again = world.beet()
    assert again.returncode == 0, again.stdout + again.stderr
    # (and the release watch's next 10 of the 20 followed artists: one page each)
    assert emulator.count() == math.ceil(len(library.playlists) / 50) + 4 + 10, emulator.counters()
    assert "Since the last run" not in again.stdout
    assert {n: (world.playlist_dir / n).stat().st_mtime_ns for n in files} == mtimes
    before = state_dump(world.state_db)

    # Changes on Spotify: a track added, a playlist renamed, one deleted.
    me = library.me.id
    owned = [p for p in library.playlists if p.owner_id == me and len(p.entries) > 2]
    grown, renamed, deleted = owned[0], owned[1], owned[2]
    in_beets = next(t for t, item in library.truth().items() if item is not None)
    library.add_to_playlist(grown.id, [in_beets])
    old_name = renamed.name
    library.rename_playlist(renamed.id, old_name + " (renamed)")
    old_files = set(world.m3u_files())
    library.delete_playlist(deleted.id)
    emulator.reset_log()
    changed = world.beet()
    assert changed.returncode == 0, changed.stdout + changed.stderr
    items_requests = emulator.count("/items")
    expected = math.ceil(len(grown.entries) / 50) + math.ceil(len(renamed.entries) / 50)
    assert items_requests == expected
    assert "Since the last run" in changed.stdout
    assert "deleted playlist" in changed.stdout and "renamed" in changed.stdout
    _check_against_emulator(world, mode)
    store = _store(world)
    assert store.get_playlist(deleted.id).removed
    assert store.get_playlist(renamed.id).name == old_name + " (renamed)"
    files_now = set(world.m3u_files())
    assert not any(name.startswith(deleted.name) for name in files_now - old_files)
    assert f"{old_name} (renamed) (Spotify).m3u" in files_now or any(
        "(renamed)" in name for name in files_now
    )
    assert state_dump(world.state_db) != before


def test_dry_run_writes_no_playlist(pipeline_world) -> None:
    world: World = pipeline_world()
    result = world.beet("--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    assert world.m3u_files() == {}
    assert "Dry run" in result.stdout
    assert _store(world).summary().tracks > 0


def test_a_second_run_is_refused_and_no_login_is_one_line(pipeline_world) -> None:
    world: World = pipeline_world()
    store = _store(world)
    with _native.RunLock.acquire(store.lock_path(), "test"):
        refused = world.beet()
    assert refused.returncode != 0
    assert "another spotify-extract run is in progress" in refused.stderr
    assert "Traceback" not in refused.stderr
    (world.state_dir / "spotify_extract_token.json").unlink()
    no_login = world.beet()
    assert no_login.returncode != 0
    assert "--login" in no_login.stderr
    assert len(no_login.stderr.strip().splitlines()) == 1


def _stop_after_lines(world: World, stop: signal.Signals, lines: int) -> subprocess.Popen:
    """Starts a run and sends `stop` once it has written `lines` progress lines."""
    process = world.popen()
    assert process.stderr is not None
    for _ in range(lines):
        if not process.stderr.readline():
            break
    process.send_signal(stop)
    return process


def _interrupted_then_finished(world: World, stop: signal.Signals, points: list[int]) -> None:
    for lines in points:
        process = _stop_after_lines(world, stop, lines)
        process.communicate(timeout=120)
    final = world.beet()
    assert final.returncode == 0, final.stdout + final.stderr


def test_kill_9_at_any_point_then_rerun_equals_an_uninterrupted_run(
    pipeline_world, tmp_path: Path
) -> None:
    world: World = pipeline_world()
    world.emulator.configure(latency_ms=40)
    # Killed at different points: plain mode writes one line per finished phase, so after
    # line 1 the run is in the playlists' entries, then Liked Songs, saved albums, ...
    _interrupted_then_finished(world, signal.SIGKILL, [1, 2, 3, 4, 5])
    interrupted = state_dump(world.state_db)

    # The same library, uninterrupted, into another state directory.
    clean_state = tmp_path / "clean-state"
    clean_state.mkdir()
    (clean_state / "spotify_extract_token.json").write_bytes(
        (world.state_dir / "spotify_extract_token.json").read_bytes()
    )
    os.chmod(clean_state / "spotify_extract_token.json", 0o600)
    world.state_dir = clean_state
    world.playlist_dir = tmp_path / "clean-playlists"
    world.write_config()
    clean = world.beet()
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert state_dump(world.state_db) == interrupted


def test_ctrl_c_cancels_cleanly_and_the_next_run_resumes(pipeline_world) -> None:
    world: World = pipeline_world()
    world.emulator.configure(latency_ms=300)
    process = _stop_after_lines(world, signal.SIGINT, 1)  # in the playlist entries
    out, err = process.communicate(timeout=120)
    assert process.returncode != 0
    assert "Cancelled" in out
    assert "Traceback" not in err
    connection = sqlite3.connect(world.state_db)
    status = connection.execute("SELECT status FROM snapshots ORDER BY id DESC").fetchone()[0]
    connection.close()
    assert status == "cancelled"
    world.emulator.configure(latency_ms=0)
    resumed = world.beet()
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "resuming" in resumed.stdout + resumed.stderr
    _check_against_emulator(world, "development")


def _account_data_export(directory: Path, playlists: list) -> Path:
    """Spotify's 'Download your data' files for these emulator playlists."""
    import json

    from tests.emulator import Library  # noqa: F401  (documentation: the data's shape)

    directory.mkdir(parents=True, exist_ok=True)
    document = {"playlists": []}
    for playlist, tracks in playlists:
        items = []
        for track in tracks:
            items.append(
                {
                    "track": {
                        "trackName": track.name,
                        "artistName": track.artists[0].name if track.artists else "",
                        "albumName": track.album_name,
                        "trackUri": f"spotify:track:{track.id}",
                    },
                    "episode": None,
                    "audiobook": None,
                    "localTrack": None,
                    "addedDate": "2025-01-01",
                }
            )
        document["playlists"].append(
            {"name": playlist.name, "lastModifiedDate": "2025-07-31", "items": items}
        )
    (directory / "Playlist1.json").write_text(json.dumps(document), encoding="utf-8")
    return directory


def test_offline_export_without_a_login(pipeline_world) -> None:
    world: World = pipeline_world()
    (world.state_dir / "spotify_extract_token.json").unlink()
    data = Path(__file__).resolve().parents[1] / "data" / "exports" / "account_data"
    result = world.beet("--from-export", str(data))
    assert result.returncode == 0, result.stdout + result.stderr
    assert world.emulator.count() == 0
    assert "Data export: 2 file(s); 2 playlist(s) read" in result.stdout
    store = _store(world)
    names = sorted(p.name for p in store.list_playlists())
    assert names == ["AC/DC & ../Friends", "Road Trip"]
    assert store.liked_count() == 3
    wishlist = {e.spotify_track_id for e in store.list_wishlist()}
    assert "0DiWol3AO6WpXZgp0goxAV" in wishlist
    # A broken export is one clear line naming the file and the entry.
    broken = Path(__file__).resolve().parents[1] / "data" / "exports" / "malformed"
    failed = world.beet("--from-export", str(broken / "Playlist2.json"))
    assert failed.returncode != 0
    assert "Playlist2.json: playlist 2 ('Bad Entry'), item 2" in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1


def _export_tracks(world: World, playlist) -> list:
    """The tracks of an emulator playlist as the data export names them."""
    library = world.library
    tracks = []
    for entry in playlist.entries:
        if entry.kind == "track":
            source = library.tracks[entry.id]
            native = _native.Track()
            native.id = source.id
            native.name = source.name
            artist = library.artists[source.artist_ids[0]]
            native.artists = [_native.ArtistRef(artist.id, artist.name)]
            native.album_name = library.albums[source.album_id].name
            tracks.append(native)
    return tracks


def test_offline_the_newest_export_decides_which_playlists_exist(
    pipeline_world, tmp_path: Path
) -> None:
    world: World = pipeline_world()
    (world.state_dir / "spotify_extract_token.json").unlink()
    plain = [p for p in world.library.playlists if p.entries and p.name.replace(" ", "").isalnum()]
    owned = [p for p in plain if p.name == p.name.strip()][:2]
    first, second = (_export_tracks(world, p) for p in owned)

    class Renamed:
        name = owned[0].name + " renamed"

    old = _account_data_export(tmp_path / "old", [(owned[0], first), (owned[1], second)])
    new = _account_data_export(tmp_path / "new", [(Renamed, first)])
    os.utime(old / "Playlist1.json", (1_700_000_000, 1_700_000_000))
    os.utime(new / "Playlist1.json", (1_800_000_000, 1_800_000_000))
    result = world.beet("--from-export", str(old))
    assert result.returncode == 0, result.stdout + result.stderr
    before = set(world.m3u_files())
    assert {f"{p.name} (Spotify).m3u" for p in owned} <= before
    # Since that export, the first playlist was renamed and the second deleted.
    result = world.beet("--from-export", str(new))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 playlist(s) of an earlier export removed" in result.stdout
    assert set(world.m3u_files()) == before - {f"{p.name} (Spotify).m3u" for p in owned} | {
        f"{Renamed.name} (Spotify).m3u"
    }
    # The older export again would bring both back: one line, nothing changed.
    files = world.m3u_files()
    state = state_dump(world.state_db)
    stale = world.beet("--from-export", str(old))
    assert stale.returncode != 0
    assert "older than the one read before" in stale.stderr
    assert len(stale.stderr.strip().splitlines()) == 1
    assert world.m3u_files() == files
    assert state_dump(world.state_db) == state


def test_with_a_login_a_stale_export_brings_no_playlist_back(
    pipeline_world, tmp_path: Path
) -> None:
    # The export is older than a delete on Spotify: the API decides, the playlist stays gone.
    world: World = pipeline_world()
    source = next(
        p for p in world.library.playlists if p.entries and p.name.replace(" ", "").isalnum()
    )

    class Deleted:
        name = "Deleted Since The Export"

    export = _account_data_export(tmp_path / "export", [(Deleted, _export_tracks(world, source))])
    result = world.beet("--from-export", str(export))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 playlist(s) no longer on Spotify" in result.stdout
    assert "'Deleted Since The Export'" in result.stdout
    assert Deleted.name not in {p.name for p in _store(world).list_playlists()}
    assert not any(name.startswith(Deleted.name) for name in world.m3u_files())


def test_export_fills_what_the_api_refuses_and_the_api_adds_isrcs(
    pipeline_world, tmp_path: Path
) -> None:
    world: World = pipeline_world()
    library = world.library
    me = library.me.id
    followed = [
        p
        for p in library.playlists
        if p.owner_id not in (me, SPOTIFY_USER) and not p.collaborative and p.entries
    ]
    assert followed
    playlist = followed[0]
    tracks = []
    for entry in playlist.entries:
        if entry.kind == "track":
            native = _native.Track()
            source = library.tracks[entry.id]
            native.id = source.id
            native.name = source.name
            artist = library.artists[source.artist_ids[0]]
            native.artists = [_native.ArtistRef(artist.id, artist.name)]
            native.album_name = library.albums[source.album_id].name
            tracks.append(native)
    export = _account_data_export(tmp_path / "export", [(playlist, tracks)])
    result = world.beet("--from-export", str(export))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 filled in where Spotify refused the entries" in result.stdout
    store = _store(world)
    record = store.get_playlist(playlist.id)
    assert record.access == "not_shared"
    assert record.entry_count == len(playlist.entries) - sum(
        1 for e in playlist.entries if e.kind != "track"
    )
    with_isrc = [library.tracks[t.id].isrc for t in tracks if library.tracks[t.id].isrc]
    stored = [store.get_track(t.id).isrc for t in tracks]
    assert sorted(i for i in stored if i) == sorted(with_isrc)  # enriched by id
    # Nothing re-probed or re-enriched on the next run.
    world.emulator.reset_log()
    again = world.beet("--from-export", str(export))
    assert again.returncode == 0, again.stdout + again.stderr
    assert world.emulator.count("^/v1/tracks") == 0
    assert world.emulator.count("/items") == 0


def test_write_attributes_reach_beets_and_dry_run_only_reports(pipeline_world) -> None:
    # A library of its own (250 items): this test writes into beets' database.
    world: World = pipeline_world(items=250)
    world.write_config(write_attributes=True)

    def tagged() -> dict[int, str]:
        with sqlite3.connect(world.library_dir / "library.db") as db:
            return dict(
                db.execute(
                    "SELECT entity_id, value FROM item_attributes WHERE key = 'spotify_track_id'"
                ).fetchall()
            )

    before = tagged()
    dry = world.beet("--dry-run")
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert "beets attributes: would change" in dry.stdout
    assert "would set spotify_track_id" in dry.stdout
    assert tagged() == before

    result = world.beet()
    assert result.returncode == 0, result.stdout + result.stderr
    after = tagged()
    matches = _store(world).all_matches()
    matched = {m.item_id: tid for tid, m in matches.items() if m.item_id and m.status == "matched"}
    assert matched, "the sample world must produce matches"
    for item_id in matched:
        assert item_id in after
    listed = subprocess.run(
        [str(BEET), "ls", "-f", "$id", "spotify_playlists::."],
        env=world.env(),
        capture_output=True,
        text=True,
    )
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.split()) > 0


def test_the_same_export_again_stores_nothing_again(pipeline_world, tmp_path: Path) -> None:
    """A rerun on an unchanged export neither re-stores its playlists nor rewrites the
    matches; a changed entry re-stores only its own playlist."""
    import shutil

    world: World = pipeline_world()
    (world.state_dir / "spotify_extract_token.json").unlink()
    export = tmp_path / "exportify"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "exports" / "exportify", export)

    def stored() -> tuple[dict[str, int], dict[str, str]]:
        connection = sqlite3.connect(f"file:{world.state_db}?mode=ro", uri=True)
        with connection:
            fetched = dict(connection.execute("SELECT name, last_fetched_snapshot FROM playlists"))
            matches = dict(connection.execute("SELECT spotify_track_id, updated_at FROM matches"))
        connection.close()
        return fetched, matches

    assert world.beet("--from-export", str(export)).returncode == 0
    fetched, matches = stored()
    assert len(fetched) == 2 and matches  # chill, road trip extra (liked songs is Liked)
    time.sleep(1.1)  # updated_at has whole seconds: a rewrite would show
    rerun = world.beet("--from-export", str(export))
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert "Data export: unchanged since the last run" in rerun.stdout
    assert stored() == (fetched, matches)

    chill = export / "chill.csv"
    chill.write_text(chill.read_text().replace("Homogenic", "Homogenic (Remastered)"))
    changed = world.beet("--from-export", str(export))
    assert changed.returncode == 0, changed.stdout + changed.stderr
    assert "Data export: 3 file(s); 2 playlist(s) read" in changed.stdout
    refetched, _ = stored()
    assert refetched["road trip extra"] == fetched["road trip extra"]
    assert refetched["chill"] > fetched["chill"]
