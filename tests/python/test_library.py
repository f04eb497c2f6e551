"""The native library reader against libraries made by the installed beets."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from spotify_extract import LibraryError, SpotifyExtractError, _native

from tests.fixtures import samplelib
from tests.python.fixtures_library import SampleLibraryFactory, build_sample_library

BEET = Path(sys.executable).with_name("beet")


def beets_items(lib: samplelib.SampleLibrary) -> list:
    from beets.library import Library

    library = Library(str(lib.db_path), str(lib.music_dir))
    try:
        return list(library.items())
    finally:
        library._close()


@pytest.mark.usefixtures("beets_defaults")
def test_reader_agrees_with_beets_lib_items(sample_library: samplelib.SampleLibrary) -> None:
    from beets.library import Library

    expected = sorted(beets_items(sample_library), key=lambda item: item.id)
    directory = Library(str(sample_library.db_path), str(sample_library.music_dir)).directory
    items = _native.read_library(str(sample_library.db_path), directory)
    assert [item.id for item in items] == [item.id for item in expected]
    for ours, theirs in zip(items, expected, strict=True):
        assert ours.path == theirs.path  # bytes, resolved as beets resolves them
        assert ours.title == theirs.title
        assert ours.artist == theirs.artist
        assert ours.artists == theirs.artists
        assert ours.album == theirs.album
        assert ours.albumartist == theirs.albumartist
        assert ours.length == pytest.approx(theirs.length)
        assert (ours.track, ours.disc, ours.year) == (theirs.track, theirs.disc, theirs.year)
        assert ours.isrc == theirs.isrc
        assert ours.mb_trackid == theirs.mb_trackid
        assert ours.bpm == theirs.bpm
        assert ours.initial_key == (theirs.initial_key or "")
        assert ours.spotify_track_id == theirs.get("spotify_track_id", "")
        assert ours.data_source == theirs.get("data_source", "")
    # The cases the comparison must have covered.
    assert any(not os.fsdecode(i.path).isascii() for i in items)
    assert any(len(i.artists) > 1 for i in items)
    assert any(i.spotify_track_id for i in items)


@pytest.mark.usefixtures("beets_defaults")
def test_non_utf8_paths_are_the_same_bytes_as_beets(
    sample_library: samplelib.SampleLibrary,
) -> None:
    odd = {item.id: item.path for item in beets_items(sample_library) if b"\xff" in item.path}
    assert odd, "the fixture is made with --odd-paths"
    items = _native.read_library(str(sample_library.db_path), os.fsencode(sample_library.music_dir))
    by_id = {item.id: item for item in items}
    for item_id, path in odd.items():
        assert by_id[item_id].path == path
        with pytest.raises(UnicodeDecodeError):
            by_id[item_id].path.decode("utf-8")


@pytest.mark.usefixtures("beets_defaults")
def test_read_library_is_a_sequence_with_lookup_by_id(
    sample_library: samplelib.SampleLibrary,
) -> None:
    items = _native.read_library(str(sample_library.db_path), os.fsencode(sample_library.music_dir))
    expected = sorted(beets_items(sample_library), key=lambda item: item.id)
    assert len(items) == len(expected)
    assert items[0].id == expected[0].id
    assert items[-1].id == expected[-1].id
    assert items[-len(items)].id == expected[0].id
    with pytest.raises(IndexError):
        items[len(items)]
    with pytest.raises(IndexError):
        items[-len(items) - 1]
    middle = expected[len(expected) // 2]
    found = items.find(middle.id)
    assert found is not None
    assert (found.id, found.title, found.path) == (middle.id, middle.title, middle.path)
    assert items.find(max(i.id for i in expected) + 1) is None
    assert items.find(-1) is None


@pytest.mark.usefixtures("beets_defaults")
def test_manifest_describes_what_beets_stored(sample_library: samplelib.SampleLibrary) -> None:
    manifest = {entry["id"]: entry for entry in sample_library.load_items()}
    items = beets_items(sample_library)
    assert len(manifest) == len(items) == 300
    for item in items:
        entry = manifest[item.id]
        assert os.fsencode(entry["path"]) == item.path
        for key in ("title", "artist", "artists", "album", "albumartist", "isrc", "mb_trackid"):
            assert entry[key] == item[key], key
        assert entry["length"] == pytest.approx(item.length)
        assert entry["spotify_track_id"] == item.get("spotify_track_id", "")
        assert entry["data_source"] == item.get("data_source", "")
        assert entry["base_title"] in entry["title"]
    counts = sample_library.manifest()["counts"]
    assert counts["with_isrc"] == sum(1 for e in manifest.values() if e["isrc"])
    for key in ("albums", "singletons", "multi_artist", "featured", "versions"):
        assert counts[key] > 0, key
    assert counts["non_utf8_paths"] == sum(1 for e in manifest.values() if "path_hex" in e) > 0


def test_generator_is_deterministic(sample_library_factory: SampleLibraryFactory) -> None:
    first = sample_library_factory(items=120, seed=11)
    second = sample_library_factory(items=120, seed=12)

    def content(lib: samplelib.SampleLibrary) -> list[dict]:
        return [{k: v for k, v in e.items() if k != "path"} for e in lib.load_items()]

    again = build_sample_library(first.directory.parent / "again", items=120, seed=11)
    assert content(again) == content(first)
    assert content(second) != content(first)


def table_rows(db: Path, root: Path) -> dict[str, list[tuple]]:
    """Every row of beets' tables, minus `added` (a timestamp) and with `root` cut."""
    connection = sqlite3.connect(db)
    rows = {}
    for table in ("items", "albums", "item_attributes", "album_attributes"):
        columns = [r[1] for r in connection.execute(f"PRAGMA table_info({table})")]
        keep = [c for c in columns if c not in ("added", "id" if "attributes" in table else "")]
        rows[table] = [
            tuple(v.replace(os.fsencode(root), b"ROOT") if isinstance(v, bytes) else v for v in r)
            for r in connection.execute(f"SELECT {', '.join(keep)} FROM {table} ORDER BY 1, 2")
        ]
    connection.close()
    return rows


def test_bulk_writer_writes_the_rows_beets_add_writes(tmp_path: Path) -> None:
    for method in ("add", "bulk"):
        arguments = ["--items", "250", "--seed", "5", "--odd-paths", "--method", method]
        arguments += ["--out", str(tmp_path / method), "--quiet"]
        subprocess.run([sys.executable, samplelib.__file__, *arguments], check=True)
    added = table_rows(tmp_path / "add" / "library.db", tmp_path / "add")
    bulk = table_rows(tmp_path / "bulk" / "library.db", tmp_path / "bulk")
    assert len(added["items"]) == 250
    assert added["item_attributes"]
    for table in added:
        assert bulk[table] == added[table], table


def test_cached_library_is_built_once(tmp_path: Path) -> None:
    code = (
        "import sys; from tests.fixtures import samplelib; "
        "lib = samplelib.cached_library(40, seed=2, cache_dir=sys.argv[1]); "
        "print(lib.db_path)"
    )

    def run() -> Path:
        result = subprocess.run(
            [sys.executable, "-c", code, str(tmp_path)],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        return Path(result.stdout.strip())

    db = run()
    built = db.stat().st_mtime_ns
    assert run() == db
    assert db.stat().st_mtime_ns == built
    assert (db.parent / samplelib.COMPLETE_MARKER).exists()


def test_audio_files_are_real_and_tagged(sample_library_factory: SampleLibraryFactory) -> None:
    import mutagen

    lib = sample_library_factory(items=15, seed=4, audio=True)
    entries = lib.load_items()
    assert {e["format"] for e in entries} <= {"MP3", "FLAC", "OGG"}
    for entry in entries:
        path = Path(entry["path"])
        assert path.is_file()
        audio = mutagen.File(path, easy=True)
        assert audio is not None and audio.info.length == pytest.approx(1.0, abs=0.1)
        assert audio["title"] == [entry["title"]]
        assert audio["artist"] == [entry["artist"]]


def test_reader_errors_are_library_errors_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "library.db"
    with pytest.raises(LibraryError, match="not found") as caught:
        _native.read_library(str(missing))
    assert str(missing) in str(caught.value)
    assert issubclass(LibraryError, SpotifyExtractError)

    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(os.urandom(8192))
    with pytest.raises(LibraryError, match="not an SQLite database"):
        _native.read_library(str(corrupt))


def test_beet_library_info_reads_the_library(sample_library: samplelib.SampleLibrary) -> None:
    env = {**os.environ, "BEETSDIR": str(sample_library.directory)}
    config = sample_library.config_path.read_text() + "plugins: spotifyextract\n"
    beetsdir = sample_library.directory.parent / "beetsdir"
    beetsdir.mkdir(exist_ok=True)
    (beetsdir / "config.yaml").write_text(config)
    env["BEETSDIR"] = str(beetsdir)
    result = subprocess.run(
        [BEET, "spotify-extract", "--library-info"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "300 items read from" in result.stdout
    odd = sum(1 for entry in sample_library.load_items() if "path_hex" in entry)
    assert f" {odd} with a non-UTF-8 path" in result.stdout
