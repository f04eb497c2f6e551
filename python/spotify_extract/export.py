"""Offline input: Spotify's "Download your data" export and Exportify CSV files.

`beet spotify-extract --from-export PATH` reads these so that a person without a Spotify
developer app can still mirror their library. PATH is a folder (searched recursively), a
.zip as Spotify sends it, or a single .json/.csv file.

- Spotify's Account Data: `YourLibrary.json` (`tracks` = Liked Songs, `albums` = saved
  albums, `artists`) and `Playlist1.json`, `Playlist2.json`… (`playlists[].items[]` with
  `track` {trackName, artistName, albumName, trackUri}, `episode`, `localTrack`,
  `addedDate`). No ISRC, no duration, a single artist string.
- Exportify (exportify.net and exportify.app): one CSV per playlist; the header names the
  columns (`Track URI`, `Track Name`, `Artist Name(s)`, `Album Name`, `ISRC`,
  `Track Duration (ms)` or `Duration (ms)`, `Added At`, …). Several artists are joined by
  ", " with commas inside a name escaped as "\\,".

A malformed file raises ExportError naming the file and the entry.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spotify_extract import _native

LIKED_NAMES = {"liked songs", "liked", "liked_songs", "your music", "saved tracks"}
MAX_FILE_BYTES = 512 * 1024 * 1024
_ID_RE = re.compile(r"^[0-9A-Za-z]{22}$")


class ExportError(ValueError):
    """A data-export file that cannot be read; the message names the file and entry."""


@dataclass
class ExportTrack:
    uri: str = ""
    name: str = ""
    artists: list[str] = field(default_factory=list)
    album: str = ""
    album_artists: list[str] = field(default_factory=list)
    isrc: str = ""
    duration_ms: int = 0
    added_at: str = ""
    added_by: str = ""
    kind: str = "track"  # track | local | episode | null

    @property
    def track_id(self) -> str:
        return track_id_from_uri(self.uri)


@dataclass
class ExportPlaylist:
    name: str
    description: str = ""
    modified: str = ""
    entries: list[ExportTrack] = field(default_factory=list)
    source_file: str = ""


@dataclass
class ExportAlbum:
    uri: str
    name: str
    artist: str


@dataclass
class ExportData:
    playlists: list[ExportPlaylist] = field(default_factory=list)
    liked: list[ExportTrack] | None = None  # None: the export has no Liked Songs
    albums: list[ExportAlbum] | None = None
    files: list[str] = field(default_factory=list)


def track_id_from_uri(uri: str) -> str:
    """The base62 id of "spotify:track:ID" or "https://open.spotify.com/track/ID", or ""."""
    uri = (uri or "").strip()
    if uri.startswith("spotify:track:"):
        candidate = uri.split(":", 2)[2]
    elif "open.spotify.com/track/" in uri:
        candidate = uri.split("open.spotify.com/track/", 1)[1].split("?", 1)[0].strip("/")
    else:
        return ""
    return candidate if _ID_RE.match(candidate) else ""


def album_id_from_uri(uri: str) -> str:
    uri = (uri or "").strip()
    if uri.startswith("spotify:album:"):
        candidate = uri.split(":", 2)[2]
        return candidate if _ID_RE.match(candidate) else ""
    return ""


def split_artists(text: str) -> list[str]:
    """Exportify's "A, B\\, C" -> ["A", "B, C"]."""
    if not text:
        return []
    parts: list[str] = []
    current: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text) and text[i + 1] == ",":
            current.append(",")
            i += 2
            continue
        if char == "," and text[i + 1 : i + 2] == " ":
            parts.append("".join(current).strip())
            current = []
            i += 2
            continue
        current.append(char)
        i += 1
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def name_key(name: str) -> str:
    """A playlist name for comparison (Exportify's file names lose punctuation and case)."""
    folded = unicodedata.normalize("NFKC", name).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


# --------------------------------------------------------------------------------------
# Reading files


class _Source:
    """A file inside a folder or a zip: its display name and bytes."""

    def __init__(self, display: str, reader: Any) -> None:
        self.display = display
        self._reader = reader

    @property
    def name(self) -> str:
        return self.display.replace("\\", "/").rsplit("/", 1)[-1]

    def read(self) -> bytes:
        return self._reader()


def _sources(path: Path) -> Iterator[_Source]:
    if not path.exists():
        raise ExportError(f"{path}: no such file or folder")
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and child.suffix.lower() in (".json", ".csv", ".zip"):
                if child.suffix.lower() == ".zip":
                    yield from _zip_sources(child)
                else:
                    yield _Source(str(child), _file_reader(child))
        return
    if path.suffix.lower() == ".zip":
        yield from _zip_sources(path)
        return
    yield _Source(str(path), _file_reader(path))


def _file_reader(path: Path) -> Any:
    def read() -> bytes:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ExportError(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MB, not an export")
        return path.read_bytes()

    return read


def _zip_sources(path: Path) -> Iterator[_Source]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ExportError(f"{path}: not a readable zip file ({error})") from error
    for info in archive.infolist():
        if info.is_dir() or not info.filename.lower().endswith((".json", ".csv")):
            continue
        if info.file_size > MAX_FILE_BYTES:
            raise ExportError(f"{path}:{info.filename}: too large to be an export file")

        def read(info: zipfile.ZipInfo = info) -> bytes:
            try:
                return archive.read(info)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
                raise ExportError(
                    f"{path}:{info.filename}: damaged zip member ({error})"
                ) from error
            except (NotImplementedError, RuntimeError) as error:  # compression, encryption
                raise ExportError(f"{path}:{info.filename}: cannot be read ({error})") from error

        yield _Source(f"{path}:{info.filename}", read)


def _load_json(source: _Source) -> Any:
    try:
        return json.loads(source.read().decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ExportError(f"{source.display}: not UTF-8 text ({error.reason})") from error
    except RecursionError as error:
        raise ExportError(f"{source.display}: JSON nested too deeply to be an export") from error
    except json.JSONDecodeError as error:
        raise ExportError(
            f"{source.display}: not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg})"
        ) from error


_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _text(value: Any, where: str, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        # JSON's "\ud800" escapes give lone surrogates, which are not text (UTF-8 cannot
        # hold them): U+FFFD, as for any other broken character.
        return _LONE_SURROGATE_RE.sub("\ufffd", value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)  # e.g. an album called 1989, stored as a number
    raise ExportError(f"{where}: '{key}' should be text, not {type(value).__name__}")


def _object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ExportError(f"{where}: expected an object, not {type(value).__name__}")
    return value


def _list(value: Any, where: str, key: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ExportError(f"{where}: '{key}' should be a list, not {type(value).__name__}")
    return value


def parse_playlist_json(source: _Source) -> list[ExportPlaylist]:
    document = _object(_load_json(source), source.display)
    playlists: list[ExportPlaylist] = []
    for index, raw in enumerate(_list(document.get("playlists"), source.display, "playlists")):
        where = f"{source.display}: playlist {index + 1}"
        raw = _object(raw, where)
        name = _text(raw.get("name"), where, "name").strip()
        if not name:
            raise ExportError(f"{where}: the playlist has no name")
        where = f"{source.display}: playlist {index + 1} ({name!r})"
        playlist = ExportPlaylist(
            name=name,
            description=_text(raw.get("description"), where, "description"),
            modified=_text(raw.get("lastModifiedDate"), where, "lastModifiedDate"),
            source_file=source.display,
        )
        for position, item in enumerate(_list(raw.get("items"), where, "items")):
            playlist.entries.append(_playlist_item(item, f"{where}, item {position + 1}"))
        playlists.append(playlist)
    return playlists


def _playlist_item(item: Any, where: str) -> ExportTrack:
    item = _object(item, where)
    added = _text(item.get("addedDate"), where, "addedDate")
    track = item.get("track")
    if track is not None:
        track = _object(track, f"{where}, track")
        uri = _text(track.get("trackUri"), where, "trackUri")
        artist = _text(track.get("artistName"), where, "artistName")
        return ExportTrack(
            uri=uri,
            name=_text(track.get("trackName"), where, "trackName"),
            artists=[artist] if artist else [],
            album=_text(track.get("albumName"), where, "albumName"),
            added_at=added,
            kind="track" if track_id_from_uri(uri) else "null",
        )
    local = item.get("localTrack")
    if local is not None:
        local = _object(local, f"{where}, localTrack")
        artist = _text(local.get("artistName"), where, "artistName")
        return ExportTrack(
            name=_text(local.get("trackName"), where, "trackName"),
            artists=[artist] if artist else [],
            album=_text(local.get("albumName"), where, "albumName"),
            added_at=added,
            kind="local",
        )
    episode = item.get("episode")
    if episode is not None:
        episode = _object(episode, f"{where}, episode")
        return ExportTrack(
            name=_text(episode.get("episodeName"), where, "episodeName"),
            artists=[_text(episode.get("showName"), where, "showName")],
            added_at=added,
            kind="episode",
        )
    return ExportTrack(added_at=added, kind="null")


def parse_your_library(source: _Source) -> tuple[list[ExportTrack], list[ExportAlbum]]:
    document = _object(_load_json(source), source.display)
    liked: list[ExportTrack] = []
    for index, raw in enumerate(_list(document.get("tracks"), source.display, "tracks")):
        where = f"{source.display}: tracks, entry {index + 1}"
        raw = _object(raw, where)
        uri = _text(raw.get("uri"), where, "uri")
        if not track_id_from_uri(uri):
            raise ExportError(f"{where}: 'uri' is not a Spotify track URI ({uri!r})")
        artist = _text(raw.get("artist"), where, "artist")
        liked.append(
            ExportTrack(
                uri=uri,
                name=_text(raw.get("track"), where, "track"),
                artists=[artist] if artist else [],
                album=_text(raw.get("album"), where, "album"),
            )
        )
    albums: list[ExportAlbum] = []
    for index, raw in enumerate(_list(document.get("albums"), source.display, "albums")):
        where = f"{source.display}: albums, entry {index + 1}"
        raw = _object(raw, where)
        uri = _text(raw.get("uri"), where, "uri")
        if album_id_from_uri(uri):
            albums.append(
                ExportAlbum(
                    uri=uri,
                    name=_text(raw.get("album"), where, "album"),
                    artist=_text(raw.get("artist"), where, "artist"),
                )
            )
    return liked, albums


# Exportify column aliases: watsonbox/exportify and pavelkomarov/exportify (exportify.app).
_COLUMNS = {
    "uri": ("track uri", "uri", "spotify uri"),
    "name": ("track name", "title", "name"),
    "artists": ("artist name(s)", "artist names", "artist name", "artist(s)", "artists"),
    "album": ("album name", "album"),
    "album_artists": ("album artist name(s)", "album artist names", "album artist"),
    "isrc": ("isrc",),
    "duration": ("track duration (ms)", "duration (ms)", "duration_ms", "duration"),
    "added_at": ("added at", "date added"),
    "added_by": ("added by",),
}


def parse_exportify_csv(source: _Source) -> ExportPlaylist:
    try:
        text = source.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ExportError(f"{source.display}: not UTF-8 text ({error.reason})") from error
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration as error:
        raise ExportError(f"{source.display}: empty file") from error
    except csv.Error as error:
        raise ExportError(f"{source.display}, line 1: {error}") from error
    lowered = [column.strip().lower() for column in header]
    index: dict[str, int] = {}
    for key, aliases in _COLUMNS.items():
        for alias in aliases:
            if alias in lowered:
                index[key] = lowered.index(alias)
                break
    if "uri" not in index or "name" not in index:
        raise ExportError(
            f"{source.display}: no 'Track URI' and 'Track Name' columns (not an Exportify CSV?)"
        )
    stem = source.name.rsplit(".", 1)[0]
    playlist = ExportPlaylist(name=stem.replace("_", " ").strip(), source_file=source.display)

    def cell(row: list[str], key: str) -> str:
        column = index.get(key)
        return row[column].strip() if column is not None and column < len(row) else ""

    line = 1
    try:
        for row in reader:
            line = reader.line_num
            if not any(field.strip() for field in row):
                continue
            where = f"{source.display}, line {line}"
            uri = cell(row, "uri")
            duration_text = cell(row, "duration")
            try:
                duration = int(float(duration_text)) if duration_text else 0
            except (ValueError, OverflowError) as error:  # "abc", "nan", "inf", "1e999"
                raise ExportError(
                    f"{where}: duration {duration_text!r} is not a number of milliseconds"
                ) from error
            if duration < 0 or duration > 24 * 3600 * 1000:
                raise ExportError(f"{where}: duration {duration} ms is out of range")
            kind = "track"
            if uri.startswith("spotify:local:"):
                kind = "local"
            elif uri.startswith("spotify:episode:"):
                kind = "episode"
            elif not track_id_from_uri(uri):
                if uri:
                    raise ExportError(f"{where}: {uri!r} is not a Spotify track URI")
                kind = "null"
            playlist.entries.append(
                ExportTrack(
                    uri=uri,
                    name=cell(row, "name"),
                    artists=split_artists(cell(row, "artists")),
                    album=cell(row, "album"),
                    album_artists=split_artists(cell(row, "album_artists")),
                    isrc=cell(row, "isrc").upper(),
                    duration_ms=duration,
                    added_at=cell(row, "added_at"),
                    added_by=cell(row, "added_by"),
                    kind=kind,
                )
            )
    except csv.Error as error:
        raise ExportError(f"{source.display}, line {line}: {error}") from error
    return playlist


def read_export(path: str | Path) -> ExportData:
    """Everything an export path holds; raises ExportError for malformed files."""
    data = ExportData()
    found_any = False
    for source in _sources(Path(path)):
        name = source.name.lower()
        if name == "yourlibrary.json":
            liked, albums = parse_your_library(source)
            data.liked = (data.liked or []) + liked
            data.albums = (data.albums or []) + albums
        elif re.fullmatch(r"playlist\d*\.json", name):
            data.playlists.extend(parse_playlist_json(source))
        elif name.endswith(".csv"):
            playlist = parse_exportify_csv(source)
            if name_key(playlist.name) in {name_key(n) for n in LIKED_NAMES}:
                data.liked = (data.liked or []) + playlist.entries
            else:
                data.playlists.append(playlist)
        else:
            continue
        found_any = True
        data.files.append(source.display)
    if not found_any:
        raise ExportError(
            f"{path}: no Spotify export found (expected YourLibrary.json, Playlist1.json… "
            "from Spotify's 'Download your data', or Exportify .csv files)"
        )
    return data


# --------------------------------------------------------------------------------------
# Into the state database


def _native_track(track: ExportTrack) -> _native.Track:
    native = _native.Track()
    native.id = track.track_id
    native.name = track.name
    native.artists = [_native.ArtistRef("", name) for name in track.artists]
    native.album_name = track.album
    native.album_artists = [_native.ArtistRef("", name) for name in track.album_artists]
    native.isrc = track.isrc
    native.duration_ms = track.duration_ms
    native.is_local = track.kind == "local"
    return native


_KINDS = {
    "track": _native.EntryKind.TRACK,
    "local": _native.EntryKind.LOCAL_FILE,
    "episode": _native.EntryKind.EPISODE,
    "null": _native.EntryKind.NULL,
}


def _native_entries(tracks: Iterable[ExportTrack]) -> list[_native.PlaylistEntry]:
    entries = []
    for track in tracks:
        entry = _native.PlaylistEntry()
        entry.kind = _KINDS[track.kind]
        entry.track = _native_track(track)
        entry.added_at = track.added_at
        entry.added_by = track.added_by
        entries.append(entry)
    return entries


def export_playlist_id(name: str) -> str:
    return "export:" + hashlib.sha1(name_key(name).encode("utf-8")).hexdigest()[:16]


def export_playlist_ids(names: Iterable[str]) -> list[str]:
    """The id of each export playlist, in order. The first playlist with a given name key
    keeps `export_playlist_id` (stable between runs and between the export's formats);
    a later one whose key is taken ("Chill" after "chill", "💔" after "🔥": no letter or
    digit at all) gets one from its exact name and rank, so two playlists never share an
    id, nor a mirrored file."""
    ids: list[str] = []
    keys: set[str] = set()
    exact: Counter[str] = Counter()
    for name in names:
        key = name_key(name)
        normal = unicodedata.normalize("NFC", name)
        rank = exact[normal]
        exact[normal] += 1
        if key not in keys:
            keys.add(key)
            ids.append(export_playlist_id(name))
            continue
        digest = hashlib.sha1(f"name:{normal}\0{rank}".encode()).hexdigest()[:16]
        ids.append("export:" + digest)
    return ids


def _api_match_key(name: str) -> str:
    """The key an export playlist is matched to an API playlist by: its name key, or the
    exact name when that key is empty (all emoji or punctuation)."""
    return name_key(name) or "=" + unicodedata.normalize("NFC", name).casefold()


@dataclass
class ImportReport:
    playlists: int = 0
    filled: int = 0  # API playlists whose refused entries came from the export
    skipped: int = 0  # export playlists the API already gave
    liked: int = 0
    albums: int = 0
    files: list[str] = field(default_factory=list)


def import_into_store(
    store: _native.StateStore, snapshot: int, data: ExportData, *, with_api: bool
) -> ImportReport:
    """Writes an export into the state database.

    Without the API the export is the whole library: playlists, Liked Songs, saved
    albums. With it, the export fills only what the API refused (the entries of followed
    playlists, matched by name) and new playlists; the API stays authoritative for the rest.
    """
    report = ImportReport(files=list(data.files))
    api_by_name: dict[str, Any] = {}
    for record in store.list_playlists():
        if record.source == "api":
            api_by_name.setdefault(_api_match_key(record.name), record)
    ids = export_playlist_ids(playlist.name for playlist in data.playlists)
    for playlist, playlist_id in zip(data.playlists, ids, strict=True):
        entries = _native_entries(playlist.entries)
        version = (
            "export:"
            + hashlib.sha1(
                json.dumps(
                    [(t.uri, t.name, t.added_at) for t in playlist.entries], ensure_ascii=False
                ).encode("utf-8")
            ).hexdigest()[:16]
        )
        api = api_by_name.get(_api_match_key(playlist.name))
        if api is not None:
            if api.access == "readable" and api.fetched_snapshot_id == api.playlist.snapshot_id:
                report.skipped += 1  # the API gave these entries, fresher than the export
                continue
            store.replace_playlist_entries(snapshot, api.id, entries, version)
            report.filled += 1
            continue
        native = _native.Playlist()
        native.id = playlist_id
        native.name = playlist.name
        native.description = playlist.description
        native.total_entries = len(entries)
        store.upsert_export_playlist(snapshot, native)
        store.replace_playlist_entries(snapshot, native.id, entries, version)
        report.playlists += 1
    if not with_api:
        if data.liked is not None:
            entries = _native_entries(data.liked)
            store.clear_fetch_progress("liked")
            store.stage_entries("liked", "full", 0, entries, -1, len(entries))
            store.commit_liked(snapshot, True)
            report.liked = len(entries)
        if data.albums is not None:
            saved = []
            for album in data.albums:
                item = _native.SavedAlbum()
                item.album.id = album_id_from_uri(album.uri)
                item.album.name = album.name
                item.album.artists = [_native.ArtistRef("", album.artist)]
                saved.append(item)
            store.stage_albums("albums", 0, saved, -1, len(saved), "full")
            store.commit_albums("albums", True)
            report.albums = len(saved)
    return report
