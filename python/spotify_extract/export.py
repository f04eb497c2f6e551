"""Offline input: Spotify's "Download your data" export and Exportify CSV files.

`beet spotify-extract --from-export PATH` reads these so that a person without a Spotify
developer app can still mirror their library. PATH is a folder (searched recursively), a
.zip as Spotify sends it, or a single .json/.csv file.

The engine reads and stores them (native/extract/export_files and import_export: the
formats, the rules for which playlists exist, the refusal of an older export); this module
finds the files, opens zips, and decides when an unchanged export need not be read again.
A malformed file raises ExportError naming the file and the entry.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from spotify_extract import _native

# The digest of the export files an export-only run read completely (export_digest()).
EXPORT_DIGEST_KEY = "export_digest"
MAX_FILE_BYTES = _native.MAX_EXPORT_FILE_BYTES
_SUFFIXES = (".json", ".csv")

ExportError = _native.ExportError
ExportData = _native.ExportData
ImportReport = _native.ImportReport


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


def _zip_sources(path: Path) -> Iterator[_native.ExportSource]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ExportError(f"{path}: not a readable zip file ({error})") from error
    with archive:
        for info in archive.infolist():
            if info.is_dir() or not info.filename.lower().endswith(_SUFFIXES):
                continue
            display = f"{path}:{info.filename}"
            if info.file_size > MAX_FILE_BYTES:
                raise ExportError(f"{display}: too large to be an export file")
            try:
                content = archive.read(info)
            except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
                raise ExportError(f"{display}: damaged zip member ({error})") from error
            except (NotImplementedError, RuntimeError) as error:  # compression, encryption
                raise ExportError(f"{display}: cannot be read ({error})") from error
            yield _native.ExportSource(display, bytes=content, modified=_zip_time(info))


def _sources(path: Path) -> Iterator[_native.ExportSource]:
    """The export files under `path`, in order: files on disk by path (the engine reads
    them), zip members by content."""
    if not path.exists():
        raise ExportError(f"{path}: no such file or folder")
    if not path.is_dir():
        if path.suffix.lower() == ".zip":
            yield from _zip_sources(path)
        else:
            yield _native.ExportSource(str(path), os.fsencode(path), modified=_mtime(path))
        return
    for child in sorted(path.rglob("*")):
        suffix = child.suffix.lower()
        if not child.is_file() or suffix not in (*_SUFFIXES, ".zip"):
            continue
        if suffix == ".zip":
            yield from _zip_sources(child)
        else:
            yield _native.ExportSource(str(child), os.fsencode(child), modified=_mtime(child))


def read_export(path: str | Path) -> ExportData:
    """Everything an export path holds; raises ExportError for malformed files."""
    return _native.read_export(list(_sources(Path(path))), str(path))


def export_digest(path: str | Path) -> str:
    """A digest of everything `read_export(path)` could read (every file's name and bytes)
    and of the readers themselves (this module and the engine): equal digests, equal data,
    so it need not be read again."""
    root = Path(path)
    digest = hashlib.sha1(Path(__file__).read_bytes())
    with open(_native.__file__, "rb") as engine:
        digest.update(hashlib.file_digest(engine, "sha1").digest())
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


def check_newest(store: _native.StateStore, data: ExportData) -> None:
    """Refuses a complete export older than the one read before: it would bring deleted
    playlists and old names back. Only without a login (then the export decides)."""
    _native.check_export_is_newest(store, data)


def import_into_store(
    store: _native.StateStore, snapshot: int, data: ExportData, *, with_api: bool
) -> ImportReport:
    """Writes an export into the state database (one engine call; see ImportExport)."""
    return _native.import_export(store, snapshot, data, with_api)
