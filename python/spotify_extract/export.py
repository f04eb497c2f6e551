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

Which playlists exist: with a login the API decides (the export only fills the entries of
playlists the API refuses to list). Without one, an account-data export (its
Playlist*.json files list every playlist) is the authority: a playlist missing from it is
removed and a renamed one follows the new name. "Newest" is the export's own date, the
newest modification time of its files (zip members keep the time Spotify wrote them), and
an older export than the last one read is refused. Exportify writes one CSV per playlist,
so CSVs only add or update the playlists they hold.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from spotify_extract import _native

LIKED_NAMES = {"liked songs", "liked", "liked_songs", "your music", "saved tracks"}
UNTITLED = "Untitled"  # a playlist without a name (SECURITY.md)
# State-database meta key: the date of the newest authoritative export read.
EXPORT_DATE_KEY = "export_made_at"
# The digest of the export files an export-only run read completely (export_digest()).
EXPORT_DIGEST_KEY = "export_digest"
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
    # Account data (Playlist*.json) lists every playlist: it decides which exist.
    complete: bool = False
    made_at: float = 0.0  # POSIX seconds: the newest modification time of its files


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

    def __init__(self, display: str, reader: Any, modified: float = 0.0) -> None:
        self.display = display
        self._reader = reader
        self.modified = modified  # POSIX seconds

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
                    yield _Source(str(child), _file_reader(child), _mtime(child))
        return
    if path.suffix.lower() == ".zip":
        yield from _zip_sources(path)
        return
    yield _Source(str(path), _file_reader(path), _mtime(path))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _zip_time(info: zipfile.ZipInfo) -> float:
    try:
        return datetime(*info.date_time, tzinfo=UTC).timestamp()
    except ValueError:  # a damaged date field
        return 0.0


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

        yield _Source(f"{path}:{info.filename}", read, _zip_time(info))


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
        name = _text(raw.get("name"), where, "name").strip() or UNTITLED
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
    playlist = ExportPlaylist(
        name=stem.replace("_", " ").strip() or UNTITLED, source_file=source.display
    )

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


def export_digest(path: str | Path) -> str:
    """A digest of everything `read_export(path)` could read (every file's name and bytes)
    and of this reader itself: equal digests, equal data, so it need not be read again."""
    root = Path(path)
    digest = hashlib.sha1(Path(__file__).read_bytes())
    files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
    for file in files:
        digest.update(os.fsencode(file.relative_to(root) if root.is_dir() else file.name))
        digest.update(b"\0")
        try:
            with file.open("rb") as stream:
                digest.update(hashlib.file_digest(stream, "sha1").digest())
        except OSError as error:
            raise ExportError(f"{file}: {error.strerror or error}") from error
    return digest.hexdigest()


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
            data.complete = True
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
        data.made_at = max(data.made_at, source.modified)
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


def entries_version(tracks: Iterable[ExportTrack]) -> str:
    """The stored version of a playlist read from an export: a hash of every field of its
    entries, so equal entries are recognised and not stored again."""
    digest = hashlib.sha1()
    for t in tracks:
        fields = (t.uri, t.name, t.artists, t.album, t.album_artists, t.isrc, t.duration_ms)
        digest.update(repr((*fields, t.added_at, t.added_by, t.kind)).encode("utf-8"))
    return "export:" + digest.hexdigest()[:16]


def export_playlist_id(name: str, occurrence: int = 1) -> str:
    """The id of an export playlist: its name; the second "Chill" (or "chill") of one
    export is another playlist, not a replacement of the first."""
    key = name_key(name) if occurrence == 1 else f"{name_key(name)}#{occurrence}"
    return "export:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]


def _api_match_key(name: str) -> str:
    """The key an export playlist is matched to an API playlist by: its name key, or the
    exact name when that key is empty (all emoji or punctuation: "🔥" is not "💔")."""
    return name_key(name) or "=" + unicodedata.normalize("NFC", name).casefold()


@dataclass
class ImportReport:
    playlists: int = 0
    filled: int = 0  # API playlists whose refused entries came from the export
    skipped: int = 0  # export playlists the API already gave
    liked: int = 0
    albums: int = 0
    files: list[str] = field(default_factory=list)
    # With a login: export playlists Spotify no longer lists (deleted or renamed since).
    not_on_spotify: list[str] = field(default_factory=list)
    removed: int = 0  # playlists of earlier exports that this one removed


def _format_time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M UTC")


def check_newest(store: _native.StateStore, data: ExportData) -> None:
    """Refuses a complete export older than the one read before: it would bring deleted
    playlists and old names back. Only without a login (then the export decides)."""
    if not data.complete:
        return
    recorded = store.get_meta(EXPORT_DATE_KEY)
    try:
        newest = float(recorded) if recorded else 0.0
    except ValueError:
        newest = 0.0
    if data.made_at < newest:
        raise ExportError(
            f"this export ({_format_time(data.made_at)}) is older than the one read before "
            f"({_format_time(newest)}); it would bring back deleted or renamed playlists. "
            "Pass the newest export"
        )


def import_into_store(
    store: _native.StateStore, snapshot: int, data: ExportData, *, with_api: bool
) -> ImportReport:
    """Writes an export into the state database.

    With the API, the API says which playlists exist and what they are called: the
    export only fills the entries of API playlists it refused (matched by name), and
    playlists of earlier export-only runs give way to the API's. Without it the export is
    the whole library (playlists, Liked Songs, saved albums); a complete export (account
    data) also removes the playlists it no longer has.
    """
    report = ImportReport(files=list(data.files))
    records = store.list_playlists()
    api_by_name: dict[str, Any] = {}
    for record in records:
        if record.source == "api":
            api_by_name.setdefault(_api_match_key(record.name), record)
    stored_versions = {record.id: record.fetched_snapshot_id for record in records}
    occurrences: dict[str, int] = {}
    for playlist in data.playlists:
        if with_api:
            api = api_by_name.get(_api_match_key(playlist.name))
            if api is None:
                report.not_on_spotify.append(playlist.name)
            elif api.access == "readable" and api.fetched_snapshot_id == api.playlist.snapshot_id:
                report.skipped += 1  # the API gave these entries, fresher than the export
            else:
                entries = _native_entries(playlist.entries)
                version = entries_version(playlist.entries)
                store.replace_playlist_entries(snapshot, api.id, entries, version)
                report.filled += 1
            continue
        occurrence = occurrences[name_key(playlist.name)] = (
            occurrences.get(name_key(playlist.name), 0) + 1
        )
        native = _native.Playlist()
        native.id = export_playlist_id(playlist.name, occurrence)
        native.name = playlist.name
        native.description = playlist.description
        native.total_entries = len(playlist.entries)
        store.upsert_export_playlist(snapshot, native)
        # Entries equal to those stored (the same export read again) are not written again.
        version = entries_version(playlist.entries)
        if stored_versions.get(native.id) != version:
            entries = _native_entries(playlist.entries)
            store.replace_playlist_entries(snapshot, native.id, entries, version)
        report.playlists += 1
    if with_api or data.complete:
        report.removed = len(store.finish_playlist_listing(snapshot, "export"))
    if not with_api and data.complete:
        store.set_meta(EXPORT_DATE_KEY, repr(max(data.made_at, 0.0)))
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
