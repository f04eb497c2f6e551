"""Spotify's data export and Exportify CSVs (--from-export), read and stored."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from spotify_extract import _native
from spotify_extract import export as ex

DATA = Path(__file__).resolve().parents[1] / "data" / "exports"


KIND = {
    "track": _native.EntryKind.TRACK,
    "local": _native.EntryKind.LOCAL_FILE,
    "episode": _native.EntryKind.EPISODE,
}


def _names(artists: list[_native.ArtistRef]) -> list[str]:
    return [artist.name for artist in artists]


def test_account_data_playlists_liked_and_albums() -> None:
    data = ex.read_export(DATA / "account_data")
    assert [p.name for p in data.playlists] == ["Road Trip", "AC/DC & ../Friends"]
    road = data.playlists[0]
    assert road.description == "windows down"
    assert [e.kind for e in road.entries] == [
        KIND[kind] for kind in ("track", "track", "local", "episode", "track")
    ]
    assert road.entries[0].track.id == "0DiWol3AO6WpXZgp0goxAV"
    assert _names(road.entries[0].track.artists) == ["Daft Punk"]
    assert road.entries[0].added_at == "2024-08-17"
    assert road.entries[2].track.name == "My Garage Tape"
    assert road.entries[4].track.name == "Jóga"
    assert data.liked is not None and len(data.liked) == 3
    assert data.albums is not None
    assert [a.album.name for a in data.albums] == ["Discovery", "1989"]  # a number in the file


def test_exportify_both_header_variants_and_escaped_commas() -> None:
    data = ex.read_export(DATA / "exportify")
    by_name = {p.name: p for p in data.playlists}
    assert set(by_name) == {"chill", "road trip extra"}
    extra = [entry.track for entry in by_name["road trip extra"].entries]
    assert extra[0].isrc == "GBDUW0000053"
    assert extra[0].duration_ms == 320357
    assert extra[1].name == "Crosstown, Traffic"
    assert _names(extra[1].artists) == ["Earth, Wind & Fire", "The Weather Girls"]
    assert _names(extra[1].album_artists) == ["Earth, Wind & Fire"]
    assert by_name["road trip extra"].entries[2].kind == _native.EntryKind.LOCAL_FILE
    chill = [entry.track for entry in by_name["chill"].entries]
    assert chill[0].duration_ms == 305000  # exportify.app's "Duration (ms)"
    assert chill[0].isrc == ""  # that variant has no ISRC column
    assert data.liked is not None and [t.track.name for t in data.liked] == ["One More Time"]


def test_zip_as_spotify_sends_it(tmp_path: Path) -> None:
    archive = tmp_path / "my_spotify_data.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for file in (DATA / "account_data" / "Spotify Account Data").iterdir():
            out.write(file, f"Spotify Account Data/{file.name}")
    data = ex.read_export(archive)
    assert len(data.playlists) == 2
    assert data.liked is not None and len(data.liked) == 3


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Playlist1.json", ["Playlist1.json", "not valid JSON", "line 1"]),
        ("Playlist2.json", ["Playlist2.json", "playlist 2 ('Bad Entry')", "item 2", "track"]),
        ("bad_duration.csv", ["bad_duration.csv", "line 3", "three minutes"]),
        ("not_exportify.csv", ["not_exportify.csv", "Track URI"]),
    ],
)
def test_malformed_files_name_the_file_and_the_entry(name: str, expected: list[str]) -> None:
    with pytest.raises(ex.ExportError) as error:
        ex.read_export(DATA / "malformed" / name)
    message = str(error.value)
    assert "\n" not in message
    for part in expected:
        assert part in message, message


def test_nothing_to_read_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ex.ExportError, match="no Spotify export found"):
        ex.read_export(tmp_path)
    with pytest.raises(ex.ExportError, match="no such file"):
        ex.read_export(tmp_path / "missing")


def test_import_offline_fills_playlists_liked_and_albums(tmp_path: Path) -> None:
    store = _native.StateStore(tmp_path / "spotify_extract.db")
    snapshot = store.begin_snapshot("export", False).id
    data = ex.read_export(DATA / "account_data")
    report = ex.import_into_store(store, snapshot, data, with_api=False)
    assert (report.playlists, report.liked, report.albums) == (2, 3, 2)
    playlists = {p.name: p for p in store.list_playlists()}
    road = playlists["Road Trip"]
    assert road.source == "export"
    entries = store.playlist_entries(road.id)
    assert [e.kind for e in entries][:3] == [
        _native.EntryKind.TRACK,
        _native.EntryKind.TRACK,
        _native.EntryKind.LOCAL_FILE,
    ]
    assert store.liked_count() == 3
    assert store.saved_album_count() == 2
    # Export tracks lack ISRC and duration: candidates for enrichment with a login.
    assert "0DiWol3AO6WpXZgp0goxAV" in store.tracks_needing_enrichment()
    # Reading the same export again changes nothing.
    again = ex.import_into_store(store, snapshot, data, with_api=False)
    assert again.playlists == 2
    assert len(store.list_playlists()) == 2
    assert len(store.playlist_entries(road.id)) == 5


def test_import_with_api_fills_only_refused_playlists(tmp_path: Path) -> None:
    store = _native.StateStore(tmp_path / "spotify_extract.db")
    snapshot = store.begin_snapshot("api+export", False).id
    followed = _native.Playlist()
    followed.id = "F" * 22
    followed.name = "Road Trip"
    followed.owner_id = "someone-else"
    followed.snapshot_id = "s1"
    followed.total_entries = 5
    store.save_playlist_page(snapshot, [followed], 0, -1, 1)
    store.finish_playlist_listing(snapshot)
    store.set_playlist_access(snapshot, followed.id, "not_shared", "s1")
    data = ex.read_export(DATA / "account_data")
    report = ex.import_into_store(store, snapshot, data, with_api=True)
    assert report.filled == 1
    record = store.get_playlist(followed.id)
    assert record.entry_count == 5
    # The API state stays: the playlist is still known as not shared, and not re-probed.
    assert record.access == "not_shared"
    assert record.fetched_snapshot_id == "s1"
    assert store.playlists_needing_entries() == []
    assert store.liked_count() == 0  # Liked Songs come from the API in this mode


def test_export_tree_copy_with_other_files(tmp_path: Path) -> None:
    target = tmp_path / "export"
    shutil.copytree(DATA / "account_data", target)
    (target / "Spotify Account Data" / "Userdata.json").write_text('{"username": "x"}')
    (target / "Spotify Account Data" / "StreamingHistory_music_0.json").write_text("[]")
    data = ex.read_export(target)
    assert len(data.playlists) == 2


def _playlist_export(directory: Path, names: list[str], made_at: float) -> Path:
    """An account-data export (Playlist1.json) holding `names`, each with one track,
    its file dated `made_at`."""
    directory.mkdir(parents=True, exist_ok=True)
    playlists = [
        {
            "name": name,
            "lastModifiedDate": "2026-01-01",
            "items": [
                {
                    "track": {
                        "trackName": f"Song {index}",
                        "artistName": "Someone",
                        "albumName": "Album",
                        "trackUri": f"spotify:track:{str(index) * 22}",
                    },
                    "addedDate": "2026-01-01",
                }
            ],
        }
        for index, name in enumerate(names)
    ]
    path = directory / "Playlist1.json"
    path.write_text(json.dumps({"playlists": playlists}), encoding="utf-8")
    os.utime(path, (made_at, made_at))
    return directory


def test_a_playlist_without_a_name_is_untitled(tmp_path: Path) -> None:
    # SECURITY.md promises "Untitled"; the whole export used to be refused.
    data = ex.read_export(_playlist_export(tmp_path / "e", ["", "   ", "Fine"], 1e9))
    assert [p.name for p in data.playlists] == ["Untitled", "Untitled", "Fine"]
    store = _native.StateStore(tmp_path / "spotify_extract.db")
    snapshot = store.begin_snapshot("export", False).id
    report = ex.import_into_store(store, snapshot, data, with_api=False)
    assert report.playlists == 3
    assert sorted(p.name for p in store.list_playlists()) == ["Fine", "Untitled", "Untitled"]


def test_names_differing_in_case_are_two_playlists(tmp_path: Path) -> None:
    data = ex.read_export(_playlist_export(tmp_path / "e", ["Chill", "chill"], 1e9))
    store = _native.StateStore(tmp_path / "spotify_extract.db")
    snapshot = store.begin_snapshot("export", False).id
    ex.import_into_store(store, snapshot, data, with_api=False)
    playlists = store.list_playlists()
    assert sorted(p.name for p in playlists) == ["Chill", "chill"]
    assert all(len(store.playlist_entries(p.id)) == 1 for p in playlists)


def test_export_only_the_newest_export_decides_which_playlists_exist(tmp_path: Path) -> None:
    store = _native.StateStore(tmp_path / "spotify_extract.db")
    first = ex.read_export(_playlist_export(tmp_path / "old", ["Road Trip", "Gone", "Kept"], 1e9))
    snapshot = store.begin_snapshot("export", False).id
    ex.check_newest(store, first)
    ex.import_into_store(store, snapshot, first, with_api=False)
    store.finish_snapshot(snapshot, "complete", "", "{}")
    # Since then "Road Trip" was renamed and "Gone" deleted.
    newer = ex.read_export(_playlist_export(tmp_path / "new", ["Road Trip 2026", "Kept"], 2e9))
    assert newer.complete and newer.made_at == 2e9
    ex.check_newest(store, newer)
    snapshot = store.begin_snapshot("export", False).id
    report = ex.import_into_store(store, snapshot, newer, with_api=False)
    assert report.removed == 2
    assert sorted(p.name for p in store.list_playlists()) == ["Kept", "Road Trip 2026"]
    removed = {p.name for p in store.list_playlists(include_removed=True) if p.removed}
    assert removed == {"Road Trip", "Gone"}
    # The older export would bring them back: refused before anything is written.
    with pytest.raises(ex.ExportError, match="older than the one read before"):
        ex.check_newest(store, first)
    ex.check_newest(store, newer)  # the same export again is fine


def test_exportify_csvs_only_add_or_update(tmp_path: Path) -> None:
    # One CSV per playlist: a single CSV is not the whole library, so it removes nothing.
    store = _native.StateStore(tmp_path / "spotify_extract.db")
    snapshot = store.begin_snapshot("export", False).id
    ex.import_into_store(store, snapshot, ex.read_export(DATA / "exportify"), with_api=False)
    snapshot = store.begin_snapshot("export", False).id
    single = ex.read_export(DATA / "exportify" / "chill.csv")
    assert not single.complete
    ex.check_newest(store, single)
    report = ex.import_into_store(store, snapshot, single, with_api=False)
    assert report.removed == 0
    assert sorted(p.name for p in store.list_playlists()) == ["chill", "road trip extra"]


def test_with_a_login_the_api_decides_which_playlists_exist(tmp_path: Path) -> None:
    store = _native.StateStore(tmp_path / "spotify_extract.db")
    # An earlier export-only run.
    snapshot = store.begin_snapshot("export", False).id
    old = ex.read_export(_playlist_export(tmp_path / "old", ["Old Name", "Deleted"], 1e9))
    ex.import_into_store(store, snapshot, old, with_api=False)
    store.finish_snapshot(snapshot, "complete", "", "{}")
    # Now logged in: Spotify lists the renamed playlist only (followed: entries refused).
    snapshot = store.begin_snapshot("api+export", False).id
    renamed = _native.Playlist()
    renamed.id = "R" * 22
    renamed.name = "New Name"
    renamed.owner_id = "someone-else"
    renamed.snapshot_id = "s1"
    renamed.total_entries = 1
    store.save_playlist_page(snapshot, [renamed], 0, -1, 1)
    store.finish_playlist_listing(snapshot)
    store.set_playlist_access(snapshot, renamed.id, "not_shared", "s1")
    stale = ex.read_export(
        _playlist_export(tmp_path / "stale", ["Old Name", "Deleted", "New Name"], 1e9)
    )
    report = ex.import_into_store(store, snapshot, stale, with_api=True)
    assert report.filled == 1
    assert report.playlists == 0
    assert report.not_on_spotify == ["Old Name", "Deleted"]
    assert report.removed == 2  # the export-only playlists give way to the API's
    assert [p.name for p in store.list_playlists()] == ["New Name"]
    assert len(store.playlist_entries(renamed.id)) == 1
