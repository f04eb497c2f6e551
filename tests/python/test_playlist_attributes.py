"""write_attributes: Spotify data into real beets items through beets' API, readable by
beets queries, compatible with beets' own spotify plugin."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from beets.library import Library
from fixtures_playlist import BeetsSetup, write_beets_config
from spotify_extract.attributes import (
    AttributeUpdate,
    AudioFeatures,
    describe,
    write_attributes,
)

HUNTER_FEATURES = AudioFeatures(
    acousticness=0.12,
    danceability=0.61,
    energy=0.8,
    instrumentalness=0.0,
    key=9,
    liveness=0.1,
    loudness=-6.5,
    mode=0,
    speechiness=0.04,
    tempo=127.6,
    time_signature=4,
    valence=0.33,
)


@pytest.fixture
def library(beets_library: BeetsSetup) -> Iterator[Library]:
    write_beets_config(beets_library.root, beets_library.music, "plugins: spotify spotifyextract\n")
    lib = Library(str(beets_library.library_db), str(beets_library.music))
    try:
        yield lib
    finally:
        lib._close()


def item_id(lib: Library, title: str) -> int:
    (item,) = [item for item in lib.items() if item.title == title]
    return item.id


def updates(lib: Library) -> list[AttributeUpdate]:
    return [
        AttributeUpdate(
            item_id(lib, "Hunter"), "7hQJA50XrCWABAu5v6QZ4i", ["Workout", "Chill"], HUNTER_FEATURES
        ),
        AttributeUpdate(item_id(lib, "Hells Bells"), "69QHm3pustz01CJRwdo20z", ["Workout"]),
    ]


def test_dry_run_reports_and_changes_nothing(library: Library, beets_library: BeetsSetup) -> None:
    report = write_attributes(library, updates(library), dry_run=True)
    fields = {(c.item_id, c.field) for c in report.changes}
    hunter = item_id(library, "Hunter")
    assert (hunter, "bpm") in fields
    assert (hunter, "initial_key") in fields
    assert (hunter, "spotify_valence") in fields
    assert report.items_changed == 2
    assert any("would set spotify_playlists" in line for line in describe(report, dry_run=True))
    assert beets_library.beet("ls", "spotify_playlists:Workout").strip() == ""
    assert "spotify_track_id" not in library.get_item(hunter)


def test_written_attributes_work_in_beets_queries(
    library: Library, beets_library: BeetsSetup
) -> None:
    hells = library.get_item(item_id(library, "Hells Bells"))
    hells["bpm"] = 99  # the person's own value is kept
    hells.store()
    report = write_attributes(library, updates(library))
    assert report.items_changed == 2 and not report.conflicts

    ls = beets_library.beet
    assert sorted(ls("ls", "-f", "$title", "spotify_playlists:Workout").split("\n")[:-1]) == [
        "Hells Bells",
        "Hunter",
    ]
    assert ls("ls", "-f", "$title", "spotify_playlists:Chill").strip() == "Hunter"
    # FLOAT typed like beets' spotify plugin: range queries work.
    assert ls("ls", "-f", "$title", "spotify_danceability:0.5..1").strip() == "Hunter"
    assert ls("ls", "-f", "$bpm $initial_key $spotify_mode", "title:Hunter").strip() == "128 Am 0"
    assert ls("ls", "-f", "$spotify_track_id", "title:Hunter").strip() == "7hQJA50XrCWABAu5v6QZ4i"
    assert ls("ls", "-f", "$bpm", "title:Hells Bells").strip() == "99"

    # Once more: nothing to do.
    assert write_attributes(library, updates(library)).changes == []


def test_conflicts_missing_items_and_cleared_playlists(library: Library) -> None:
    hunter_id = item_id(library, "Hunter")
    hunter = library.get_item(hunter_id)
    hunter["spotify_track_id"] = "0000000000000000000000"
    hunter["initial_key"] = "F#"
    hunter.store()
    write_attributes(library, [AttributeUpdate(hunter_id, "x", ["Old"])])
    report = write_attributes(
        library,
        [
            AttributeUpdate(hunter_id, "7hQJA50XrCWABAu5v6QZ4i", [], HUNTER_FEATURES),
            AttributeUpdate(999999, "nope"),
        ],
    )
    assert [(c.field, c.old, c.new) for c in report.conflicts] == [
        ("spotify_track_id", "0000000000000000000000", "7hQJA50XrCWABAu5v6QZ4i")
    ]
    assert report.missing_items == [999999]
    item = library.get_item(hunter_id)
    assert item["spotify_track_id"] == "0000000000000000000000"
    assert item["initial_key"] == "F#"
    assert "spotify_playlists" not in item
    assert "kept spotify_track_id" in "\n".join(describe(report))


def test_both_spotify_plugins_load_together(beets_library: BeetsSetup) -> None:
    write_beets_config(beets_library.root, beets_library.music, "plugins: spotify spotifyextract\n")
    out = beets_library.beet("version")
    assert "spotify" in out and "spotifyextract" in out


def _track(track_id: str, name: str) -> object:
    from spotify_extract import _native

    track = _native.Track()
    track.id = track_id
    track.name = name
    track.artists = [_native.ArtistRef("a" + track_id, "Someone")]
    return track


def test_updates_from_a_real_state_store(library: Library, beets_library, tmp_path) -> None:
    from spotify_extract import _native
    from spotify_extract.attributes import updates_from_store

    store = _native.StateStore(tmp_path / _native.STATE_DATABASE_NAME)
    snapshot = store.begin_snapshot("api", False).id
    playlists = []
    for playlist_id, name in (("p1", "Workout"), ("p2", "Chill")):
        playlist = _native.Playlist()
        playlist.id, playlist.name, playlist.snapshot_id = playlist_id, name, "v1"
        playlists.append(playlist)
    store.save_playlist_page(snapshot, playlists, 0, -1, 2)
    store.finish_playlist_listing(snapshot)
    contents = {"p1": ["tA", "tB", "tD"], "p2": ["tC", "tA"]}
    for playlist_id, ids in contents.items():
        entries = []
        for track_id in ids:
            entry = _native.PlaylistEntry()
            entry.track = _track(track_id, track_id)
            entries.append(entry)
        store.replace_playlist_entries(snapshot, playlist_id, entries, "v1")
    hunter, hells = item_id(library, "Hunter"), item_id(library, "Hells Bells")
    records = []
    for track_id, item, confidence, status in (
        ("tA", hunter, 1.0, "matched"),
        ("tB", hells, 0.97, "matched"),
        ("tC", hunter, 0.9, "matched"),  # another release of the same recording
        ("tD", hells, 0.7, "review"),  # not accepted: writes nothing
    ):
        record = _native.MatchRecord()
        record.spotify_track_id, record.item_id = track_id, item
        record.confidence, record.status, record.method = confidence, status, "isrc"
        records.append(record)
    store.save_matches(snapshot, records)
    features = _native.AudioFeatures()
    features.track_id, features.tempo, features.key, features.mode = "tA", 90.2, 0, 1
    features.danceability = 0.7
    store.save_audio_features([features])

    updates = {u.item_id: u for u in updates_from_store(store)}
    assert updates[hunter].spotify_track_id == "tA"
    assert list(updates[hunter].playlists) == ["Workout", "Chill"]
    assert updates[hunter].features is not None and updates[hunter].features.key == 0
    assert updates[hells].spotify_track_id == "tB"
    assert list(updates[hells].playlists) == ["Workout"]
    assert updates[hells].features is None

    write_attributes(library, updates.values())
    ls = beets_library.beet
    assert ls("ls", "-f", "$title", "spotify_playlists:Chill").strip() == "Hunter"
    assert ls("ls", "-f", "$bpm $initial_key", "title:Hunter").strip() == "90 C"
