"""The state database through the Python bindings, as the wishlist and match parts use it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from spotify_extract import _native


def _track(track_id: str, name: str, artist: str) -> _native.Track:
    track = _native.Track()
    track.id = track_id
    track.name = name
    track.artists = [_native.ArtistRef("a" + track_id, artist)]
    track.album_name = "Album"
    track.duration_ms = 180000
    return track


def _entry(track: _native.Track) -> _native.PlaylistEntry:
    entry = _native.PlaylistEntry()
    entry.track = track
    entry.added_at = "2024-01-01T00:00:00Z"
    return entry


@pytest.fixture
def store(tmp_path: Path) -> _native.StateStore:
    return _native.StateStore(tmp_path / _native.STATE_DATABASE_NAME)


def _one_playlist(store: _native.StateStore) -> int:
    snapshot = store.begin_snapshot("api", False).id
    playlist = _native.Playlist()
    playlist.id = "p1"
    playlist.name = "Road Trip"
    playlist.snapshot_id = "v1"
    store.save_playlist_page(snapshot, [playlist], 0, -1, 1)
    store.finish_playlist_listing(snapshot)
    tracks = [_track("t1", "Hello", "Adele"), _track("t2", "Ünïcode", "Björk")]
    store.replace_playlist_entries(snapshot, "p1", [_entry(t) for t in tracks], "v1")
    record = _native.MatchRecord()
    record.spotify_track_id = "t1"
    record.item_id = 7
    record.method = "isrc"
    record.confidence = 1.0
    missing = _native.MatchRecord()
    missing.spotify_track_id = "t2"
    store.save_matches(snapshot, [record, missing])
    store.sync_wishlist(snapshot)
    return snapshot


def test_wishlist_round_trip(store: _native.StateStore) -> None:
    snapshot = _one_playlist(store)
    entries = store.list_wishlist()
    assert [e.spotify_track_id for e in entries] == ["t2"]
    entry = entries[0]
    assert entry.artist == "Björk"
    assert entry.title == "Ünïcode"
    assert entry.status == "pending"
    assert [ref.name for ref in entry.wanted_by] == ["Road Trip"]
    assert entry.file_path == b""

    wanted = _native.WishlistFilter()
    wanted.statuses = ["pending"]
    wanted.playlist = "road trip"
    assert store.count_wishlist(wanted) == 1
    with pytest.raises(_native.StoreError, match="unknown wishlist status"):
        wanted.statuses = ["nonsense"]

    path = os.fsdecode(b"/music/\xff.mp3")  # surrogate-escaped, as os.fsdecode gives it
    store.set_wishlist_status("t2", "downloaded", "", path, 0)
    assert store.get_wishlist_entry("t2").file_path == b"/music/\xff.mp3"
    store.set_wishlist_status("t2", "imported", item_id=9)
    stats = store.get_wishlist_stats()
    assert stats.by_status["imported"] == 1
    assert stats.total == 1
    store.finish_snapshot(snapshot, "complete")
    summary = store.summary()
    assert (summary.tracks, summary.matched, summary.missing) == (2, 1, 1)
    assert summary.matched_by_method == {"isrc": 1}


def test_overrides_and_errors_are_spotify_extract_errors(store: _native.StateStore) -> None:
    store.set_override("t1", 42)
    assert store.get_override("t1").item_id == 42
    store.reject_match("t1")
    assert store.get_override("t1").rejected
    store.clear_override("t1")
    assert store.get_override("t1") is None
    with pytest.raises(_native.SpotifyExtractError):
        store.set_override("t1", 0)
    assert issubclass(_native.RunLockedError, _native.StoreError)
    assert issubclass(_native.StoreError, _native.SpotifyExtractError)


def test_mirrored_files_are_bytes(store: _native.StateStore) -> None:
    files = [_native.MirroredFile(b"/pl/\xfe (Spotify).m3u", "p1", "h1")]
    store.replace_mirrored_files(files)
    assert [f.path for f in store.mirrored_files()] == [b"/pl/\xfe (Spotify).m3u"]


def test_second_process_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    store = _native.StateStore(tmp_path / "spotify_extract.db")
    script = textwrap.dedent(
        f"""
        import sys
        from spotify_extract import _native
        try:
            _native.RunLock.acquire({store.lock_path()!r}, "spotify-extract")
        except _native.RunLockedError as error:
            print(error)
            sys.exit(3)
        """
    )
    with _native.RunLock.acquire(store.lock_path(), "spotify-extract") as lock:
        assert lock.held
        result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        assert result.returncode == 3, result.stderr
        assert "another spotify-extract run is in progress" in result.stdout
        assert f"pid {os.getpid()}" in result.stdout
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_unwritable_state_dir_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(_native.StoreError) as error:
        _native.StateStore(blocker / "sub" / "spotify_extract.db")
    assert "\n" not in str(error.value)
    assert str(blocker) in str(error.value)
