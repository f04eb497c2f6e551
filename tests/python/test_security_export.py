"""Hostile data-export files (--from-export): property-based fuzzing with hypothesis.

Whatever bytes, JSON shapes or CSV cells a file holds, reading it gives the data or one
ExportError naming the file — never another exception (a traceback for the person) — and
what was read can always be written into a real state database.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spotify_extract import _native
from spotify_extract import export as ex

SETTINGS = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

TRACK_ID = "4uLU6hMCjMI75M1A2tKUQC"

# Text as hostile as JSON can carry: lone surrogates, NUL, controls, separators, huge.
hostile_text = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=3),
    st.sampled_from(
        [
            "",
            "../../etc/passwd",
            "/abs/olute",
            "a\x00b",
            "\ud800",
            "x" * 100_000,
            "spotify:track:" + TRACK_ID,
            "https://open.spotify.com/track/" + TRACK_ID + "?si=1",
            "spotify:track:../../x",
            "spotify:local:a:b:c:1",
            "spotify:episode:" + TRACK_ID,
            "CON",
            "\u202eevil",
        ]
    ),
)
json_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
)
json_value = st.recursive(
    json_scalar,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(hostile_text, children, max_size=4)
    ),
    max_leaves=12,
)


def maybe(field_value):
    """A field that is a plausible value, a hostile one, or any JSON at all."""
    return st.one_of(field_value, json_value)


track_object = st.fixed_dictionaries(
    {},
    optional={
        "trackName": maybe(hostile_text),
        "artistName": maybe(hostile_text),
        "albumName": maybe(hostile_text),
        "trackUri": maybe(hostile_text),
    },
)
playlist_item = st.fixed_dictionaries(
    {},
    optional={
        "track": maybe(track_object),
        "localTrack": maybe(track_object),
        "episode": maybe(st.fixed_dictionaries({}, optional={"episodeName": hostile_text})),
        "addedDate": maybe(hostile_text),
    },
)
playlist_object = st.fixed_dictionaries(
    {},
    optional={
        "name": maybe(hostile_text),
        "description": maybe(hostile_text),
        "lastModifiedDate": maybe(hostile_text),
        "items": maybe(st.lists(maybe(playlist_item), max_size=5)),
    },
)
playlist_document = st.fixed_dictionaries(
    {}, optional={"playlists": maybe(st.lists(maybe(playlist_object), max_size=4))}
)
library_entry = st.fixed_dictionaries(
    {},
    optional={
        "uri": maybe(hostile_text),
        "track": maybe(hostile_text),
        "artist": maybe(hostile_text),
        "album": maybe(hostile_text),
    },
)
library_document = st.fixed_dictionaries(
    {},
    optional={
        "tracks": maybe(st.lists(maybe(library_entry), max_size=4)),
        "albums": maybe(st.lists(maybe(library_entry), max_size=4)),
    },
)

CSV_HEADER = "Track URI,Track Name,Artist Name(s),Album Name,ISRC,Track Duration (ms),Added At"
csv_cell = st.one_of(
    hostile_text.filter(lambda text: not any(0xD800 <= ord(c) <= 0xDFFF for c in text)),
    st.sampled_from(["inf", "-inf", "nan", "1e999", "-1", "1e308", "9" * 400, "0x10", "1_0"]),
)


def csv_line(cells: list[str]) -> str:
    return ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)


def read_and_store(path: Path, tmp: Path) -> None:
    """read_export, then import_into_store into a real state DB; only ExportError may fail."""
    try:
        data = ex.read_export(path)
    except ex.ExportError as error:
        message = str(error)
        assert "\n" not in message.strip() or len(message) < 100_000
        assert str(path) in message or path.name in message
        return
    store = _native.StateStore(str(tmp / "spotify_extract.db"))
    snapshot = store.begin_snapshot("export", False).id
    ex.import_into_store(store, snapshot, data, with_api=False)
    for playlist in store.list_playlists():
        store.playlist_entries(playlist.id)


def dump(document) -> bytes:
    return json.dumps(document, ensure_ascii=True, allow_nan=True).encode()


@SETTINGS
@given(document=st.one_of(playlist_document, json_value))
def test_hostile_playlist_json(document, tmp_path_factory) -> None:
    tmp = tmp_path_factory.mktemp("export")
    path = tmp / "Playlist1.json"
    path.write_bytes(dump(document))
    read_and_store(path, tmp)


@SETTINGS
@given(document=st.one_of(library_document, json_value))
def test_hostile_your_library_json(document, tmp_path_factory) -> None:
    tmp = tmp_path_factory.mktemp("export")
    path = tmp / "YourLibrary.json"
    path.write_bytes(dump(document))
    read_and_store(path, tmp)


@SETTINGS
@given(
    header=st.one_of(st.just(CSV_HEADER), st.lists(csv_cell, max_size=8).map(csv_line)),
    rows=st.lists(st.lists(csv_cell, max_size=9), max_size=6),
    name=st.sampled_from(["Road Trip.csv", "liked_songs.csv", "..csv", "_.csv"]),
)
def test_hostile_exportify_csv(header: str, rows: list[list[str]], name: str, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("export")
    path = tmp / name
    path.write_text("\n".join([header, *map(csv_line, rows)]) + "\n", encoding="utf-8")
    read_and_store(path, tmp)


@SETTINGS
@given(
    raw=st.binary(max_size=2000),
    name=st.sampled_from(["Playlist1.json", "YourLibrary.json", "x.csv", "export.zip"]),
)
def test_hostile_bytes(raw: bytes, name: str, tmp_path_factory) -> None:
    tmp = tmp_path_factory.mktemp("export")
    path = tmp / name
    path.write_bytes(raw)
    read_and_store(path, tmp)


# Inputs hypothesis found (or that are known to break JSON/CSV/zip readers), kept as cases.
REGRESSIONS = {
    "deep_nesting.json": b"[" * 100_000 + b"]" * 100_000,
    "lone_surrogate.json": json.dumps(
        {"playlists": [{"name": "\ud800", "items": [{"track": {"trackName": "a\udfffb"}}]}]}
    ).encode(),
    "infinite_duration.csv": f"{CSV_HEADER}\nspotify:track:{TRACK_ID},T,A,B,,1e999,\n".encode(),
    "nan_duration.csv": (CSV_HEADER + "\n" + f"spotify:track:{TRACK_ID},T,A,B,,nan,\n").encode(),
    "nul.csv": (CSV_HEADER + "\n" + f"spotify:track:{TRACK_ID},T\x00,A,B,,1,\n").encode(),
    "latin1.csv": f"{CSV_HEADER}\nspotify:track:{TRACK_ID},".encode() + b"caf\xe9,A,B,,1,\n",
    "bom_only.json": b"\xef\xbb\xbf",
}


def bad_zip(kind: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Spotify Account Data/Playlist1.json", json.dumps({"playlists": []}) * 50)
    data = bytearray(buffer.getvalue())
    if kind == "crc":
        start = data.index(b"PK\x03\x04") + 30 + len("Spotify Account Data/Playlist1.json")
        data[start + 5] ^= 0xFF  # corrupt the compressed data: CRC or inflate error
    elif kind == "truncated":
        del data[len(data) // 2 :]
    return bytes(data)


@pytest.mark.parametrize("name", sorted(REGRESSIONS))
def test_known_hostile_files(name: str, tmp_path: Path) -> None:
    path = tmp_path / ("Playlist1.json" if name.endswith(".json") else name)
    path.write_bytes(REGRESSIONS[name])
    read_and_store(path, tmp_path)


@pytest.mark.parametrize("kind", ["crc", "truncated"])
def test_corrupt_zip_is_a_clear_error(kind: str, tmp_path: Path) -> None:
    path = tmp_path / "my_spotify_data.zip"
    path.write_bytes(bad_zip(kind))
    with pytest.raises(ex.ExportError, match=r"my_spotify_data\.zip"):
        ex.read_export(path)
