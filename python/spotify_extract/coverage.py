"""`beet spotify-coverage SOURCE...`: how much of a playlist, album or list the beets
library already has ("24 of 50 in your library, 26 missing").

A SOURCE is a Spotify playlist, album or track link or URI (read through the API with the
person's login), an Exportify CSV, an account-data JSON file of Spotify's data export
(Playlist1.json: each playlist in it; YourLibrary.json: Liked Songs), an m3u/m3u8 from
anywhere (paths absolute or relative to the file), or a text file of `Artist - Title`
lines; `-` reads standard input (an m3u when it starts with #EXTM3U, else lines). Every
source is read before any matching starts, so a bad one is one line and no work.

The tracks go through the extraction's matcher with its thresholds and the person's review
decisions (one engine call per source, which only reads). Nothing is written to the state
database unless --wish (the missing tracks go on the wishlist, asked for by the source's
name) or --download (then downloaded, imported, and the coverage printed again).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from beets import ui
from beets.library import Library
from beets.util.functemplate import Template

from spotify_extract import export, extract
from spotify_extract import settings as plugin_settings
from spotify_extract.settings import Settings
from spotify_extract.wishlist.add import (
    SpotifyRef,
    manual_key,
    parse_artist_title,
    parse_spotify_ref,
    playlist_tracks,
    spotify_client,
)
from spotify_extract.wishlist.entries import MANUAL_PREFIX, _native, run_lock

PLAYLIST_SUFFIXES = (".m3u", ".m3u8")
# Personal (development-mode) apps get the entries of the person's own and collaborative
# playlists only.
NOT_SHARED = (
    "Spotify gives personal apps the tracks of your own and collaborative playlists only, "
    "not of playlists you follow; save a copy in Spotify (… > Add to other playlist > New "
    "playlist) and check that, or check your data export's Playlist1.json"
)
DEFAULT_FORMAT = "$artist - $title"


@dataclass
class Source:
    """What one SOURCE argument holds: its tracks in order, as the matcher takes them."""

    argument: str
    name: str  # what the wishlist shows as having asked for its tracks
    kind: str  # playlist, album, track, Exportify CSV, Liked Songs, m3u, list
    tracks: list[Any] = field(default_factory=list)  # _native.Track
    # m3u entries that are library files already (position -> item id): no matching needed.
    by_path: dict[int, int] = field(default_factory=dict)


@dataclass
class Coverage:
    source: Source
    # One per track: "available", "uncertain" or "missing", and the match (or None).
    statuses: list[str]
    matches: list[Any]

    def count(self, status: str) -> int:
        return self.statuses.count(status)

    @property
    def total(self) -> int:
        return len(self.statuses)

    def tracks_with(self, status: str) -> list[Any]:
        return [t for t, s in zip(self.source.tracks, self.statuses, strict=True) if s == status]


# --------------------------------------------------------------------------------------
# Reading the sources


def _track(artist: str, title: str, album: str = "", seconds: float = 0.0, isrc: str = ""):
    """A track without a Spotify id: its key is the matcher's song key (manual entries')."""
    native = _native()
    track = native.Track()
    track.id = manual_key(artist, title)
    track.name = title
    track.artists = [native.ArtistRef("", artist)] if artist else []
    track.album_name = album
    track.duration_ms = int(seconds * 1000)
    track.isrc = isrc
    return track


def _entry_tracks(entries: list[Any]) -> list[Any]:
    """The tracks of an export's entries: local files, episodes and gaps are nothing a
    library could have."""
    track_kind = _native().EntryKind.TRACK
    return [entry.track for entry in entries if entry.kind == track_kind and entry.track.id]


def read_text_lines(text: str, where: str) -> list[Any]:
    """`Artist - Title` lines; blank lines and # comments skipped."""
    tracks = []
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        pair = parse_artist_title(line)
        if pair is None:
            raise ui.UserError(f"{where}, line {number}: {line!r} is not 'Artist - Title'")
        tracks.append(_track(*pair))
    return tracks


def read_m3u(text: str, base: Path, lib: Library, source: Source) -> None:
    """An m3u's entries: a path the library has counts as available; any other entry is
    matched by its file's tags, its #EXTINF label or its file name (`Artist - Title`)."""
    label, seconds = "", 0.0
    paths: list[Path] = []
    for line in text.splitlines():
        line = line.strip().lstrip("\ufeff")
        if line.startswith("#EXTINF:"):
            head, _, label = line[len("#EXTINF:") :].partition(",")
            try:
                seconds = max(0.0, float(head.split()[0]))
            except (ValueError, IndexError):
                seconds = 0.0
            continue
        if not line or line.startswith("#"):
            continue
        path = Path(os.path.normpath(line if os.path.isabs(line) else base / line))
        paths.append(path)
        source.tracks.append(_m3u_track(path, label, seconds))
        label, seconds = "", 0.0
    owned = library_items_by_path(lib, paths)
    for position, path in enumerate(paths):
        if path in owned:
            source.by_path[position] = owned[path]


# SQLite's default limit of bound parameters is 999 (older builds): stay under it.
_PATHS_PER_QUERY = 400


def library_items_by_path(lib: Library, paths: list[Path]) -> dict[Path, int]:
    """The library items these files are, by the path beets stores: relative to the music
    directory (beets >= 2.10, with /) or absolute (older rows, files outside it). One
    query per few hundred paths, not one scan of the library per entry."""
    directory = Path(os.fsdecode(lib.directory)).absolute()
    stored: dict[bytes, Path] = {}
    for path in paths:
        stored[os.fsencode(path)] = path
        if path.is_relative_to(directory):
            stored[os.fsencode(path.relative_to(directory).as_posix())] = path
    keys = list(stored)
    found: dict[Path, int] = {}
    with lib.transaction() as tx:
        for start in range(0, len(keys), _PATHS_PER_QUERY):
            chunk = keys[start : start + _PATHS_PER_QUERY]
            marks = ",".join("?" * len(chunk))
            rows = tx.query(f"SELECT id, path FROM items WHERE path IN ({marks})", chunk)
            for item_id, raw in rows:
                path = stored.get(bytes(raw) if not isinstance(raw, str) else os.fsencode(raw))
                if path is not None:
                    found[path] = item_id
    return found


def _m3u_track(path: Path, label: str, seconds: float):
    if path.is_file():
        import mutagen

        try:
            tags = mutagen.File(path, easy=True)
        except Exception:
            tags = None
        if tags is not None and tags.tags is not None and tags.get("title"):
            return _track(
                ", ".join(tags.get("artist", [])),
                tags["title"][0],
                (tags.get("album") or [""])[0],
                float(getattr(tags.info, "length", 0.0) or seconds),
                (tags.get("isrc") or [""])[0],
            )
    pair = parse_artist_title(label) or parse_artist_title(path.stem)
    if pair is not None:
        return _track(pair[0], pair[1], seconds=seconds)
    return _track("", label or path.stem, seconds=seconds)


def _spotify_source(settings: Settings, argument: str, ref: SpotifyRef) -> Source:
    native = _native()
    what = argument
    client = spotify_client(
        settings,
        what,
        "Spotify links are read from Spotify; run `beet spotify-extract --login` first, "
        "or check an export file instead",
    )
    if ref.kind == "playlist":
        tracks = playlist_tracks(client, ref.id, what, NOT_SHARED)
    try:
        if ref.kind == "track":
            found = client.tracks([ref.id])
            if not found:
                raise ui.UserError(f"{what}: Spotify has no such track")
            track = found[0]
            artists = ", ".join(a.name for a in track.artists if a.name)
            return Source(argument, f"{artists} - {track.name}", "track", [track])
        if ref.kind == "album":
            album = client.album_tracks(ref.id)
            tracks = [track for track in album.tracks if track.id]
            return Source(argument, album.album.name or f"album {ref.id}", "album", tracks)
        names = {playlist.id: playlist.name for playlist in client.playlists()}
    except native.SpotifyExtractError as error:
        raise ui.UserError(f"{what}: {error}") from error
    return Source(argument, names.get(ref.id) or f"playlist {ref.id}", "playlist", tracks)


def _file_sources(argument: str, path: Path, text: str, lib: Library) -> list[Source]:
    suffix = path.suffix.lower()
    stem = path.stem
    if suffix in PLAYLIST_SUFFIXES or text.lstrip("\ufeff").startswith("#EXTM3U"):
        source = Source(argument, stem, "m3u")
        read_m3u(text, path.parent, lib, source)
        return [source]
    if suffix in (".csv", ".json"):
        data = export.read_export(path)  # the engine's reader of --from-export
        kind = "Exportify CSV" if suffix == ".csv" else "playlist (data export)"
        sources = [
            Source(argument, playlist.name or stem, kind, _entry_tracks(playlist.entries))
            for playlist in data.playlists
        ]
        if data.liked is not None:
            tracks = _entry_tracks(data.liked)
            sources.append(Source(argument, "Liked Songs", "Liked Songs (data export)", tracks))
        if not sources:
            raise ui.UserError(
                f"{argument}: holds no playlist and no Liked Songs (an Exportify CSV, "
                "Playlist1.json or YourLibrary.json of Spotify's data export)"
            )
        return sources
    return [Source(argument, stem, "list", read_text_lines(text, argument))]


def read_sources(settings: Settings, lib: Library, arguments: list[str]) -> list[Source]:
    """Every SOURCE, read before any matching: one line for the first bad one."""
    sources: list[Source] = []
    for argument in arguments:
        ref = parse_spotify_ref(argument)
        if ref is not None:
            sources.append(_spotify_source(settings, argument, ref))
            continue
        if argument == "-":
            text = sys.stdin.read()
            sources.extend(_file_sources("-", Path.cwd() / "standard input", text, lib))
            continue
        path = Path(argument).expanduser()
        if not path.is_file():
            raise ui.UserError(
                f"{argument}: neither a Spotify playlist/album/track link nor a file "
                "(an Exportify CSV, account-data JSON, m3u or 'Artist - Title' list)"
            )
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ui.UserError(f"{argument}: not UTF-8 text") from None
        except OSError as error:
            raise ui.UserError(f"{argument}: {error.strerror or error}") from None
        try:
            sources.extend(_file_sources(argument, path.absolute(), text, lib))
        except export.ExportError as error:
            raise ui.UserError(f"{argument}: {error}") from None
    return sources


# --------------------------------------------------------------------------------------
# Matching


def _existing_store(settings: Settings) -> Any:
    """The state database for its review decisions, only when it exists (reading the
    coverage creates nothing)."""
    if not settings.state_database.exists():
        return None
    return extract.open_store(settings)


def measure(settings: Settings, lib: Library, sources: list[Source]) -> list[Coverage]:
    native = _native()
    store = _existing_store(settings)
    options = extract.match_options(settings)
    results = []
    for source in sources:
        try:
            matches = native.match_coverage(
                store,
                lib.path,
                lib.directory,
                options,
                source.tracks,
                busy_timeout=extract.lock_timeout(),
            )
        except native.SpotifyExtractError as error:
            raise ui.UserError(f"{source.argument}: {error}") from error
        statuses = []
        for position, match in enumerate(matches):
            if position in source.by_path or match.status == "matched":
                statuses.append("available")
            elif match.status == "review":
                statuses.append("uncertain")
            else:
                statuses.append("missing")
        results.append(Coverage(source, statuses, list(matches)))
    return results


# --------------------------------------------------------------------------------------
# Output


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "0%"


def summary_line(coverage: Coverage) -> str:
    available = coverage.count("available")
    return (
        f"{coverage.source.name} ({coverage.source.kind}): {available} of {coverage.total} "
        f"in your library ({_percent(available, coverage.total)}), "
        f"{coverage.count('missing')} missing, {coverage.count('uncertain')} uncertain"
    )


def track_values(track: Any, source: Source) -> dict[str, str]:
    seconds = round(track.duration_ms / 1000)
    spotify = not track.id.startswith(MANUAL_PREFIX)
    return {
        "artist": ", ".join(a.name for a in track.artists if a.name),
        "title": track.name,
        "album": track.album_name,
        "isrc": track.isrc,
        "length": f"{seconds // 60}:{seconds % 60:02d}" if seconds else "",
        "spotify_id": track.id if spotify else "",
        "url": f"https://open.spotify.com/track/{track.id}" if spotify else "",
        "source": source.name,
    }


def as_json(coverage: Coverage, lib: Library) -> dict[str, Any]:
    """The shape of seed 004's coverage check: totals, then every track with its match."""
    tracks = []
    for position, (track, status, match) in enumerate(
        zip(coverage.source.tracks, coverage.statuses, coverage.matches, strict=True)
    ):
        values = track_values(track, coverage.source)
        entry: dict[str, Any] = {
            "artist": values["artist"],
            "title": values["title"],
            "album": values["album"],
            "isrc": values["isrc"] or None,
            "duration_ms": track.duration_ms or None,
            "spotify_id": values["spotify_id"] or None,
            "status": status,
            "match": None,
        }
        item_id = coverage.source.by_path.get(position) or (
            match.item_id if match.status != "unmatched" else 0
        )
        if item_id:
            item = lib.get_item(item_id)
            entry["match"] = {
                "item_id": item_id,
                "path": os.fsdecode(item.path) if item is not None else None,
                "method": "path" if position in coverage.source.by_path else match.method,
                "confidence": 1.0 if position in coverage.source.by_path else match.confidence,
            }
        tracks.append(entry)
    return {
        "source": coverage.source.argument,
        "name": coverage.source.name,
        "kind": coverage.source.kind,
        "total": coverage.total,
        "available": coverage.count("available"),
        "missing": coverage.count("missing"),
        "uncertain": coverage.count("uncertain"),
        "tracks": tracks,
    }


def show(coverages: list[Coverage], lib: Library, opts) -> None:
    if opts.json:
        print(json.dumps([as_json(c, lib) for c in coverages], ensure_ascii=False, indent=2))
        return
    template = Template(opts.format) if opts.format else None
    for coverage in coverages:
        if template is not None:
            for track in coverage.tracks_with("missing"):
                ui.print_(template.substitute(track_values(track, coverage.source), {}))
        ui.print_(summary_line(coverage))


# --------------------------------------------------------------------------------------
# --wish / --download


def wish(settings: Settings, lib: Library, store: Any, coverages: list[Coverage]) -> None:
    native = _native()
    for coverage in coverages:
        missing = coverage.tracks_with("missing")
        if not missing:
            continue
        try:
            result = native.add_to_wishlist(
                store,
                lib.path,
                lib.directory,
                extract.match_options(settings),
                missing,
                busy_timeout=extract.lock_timeout(),
                requested_by=coverage.source.name,
            )
        except native.SpotifyExtractError as error:
            raise ui.UserError(f"{coverage.source.argument}: {error}") from error
        ui.print_(
            f"{coverage.source.name}: {result.added} added to the wishlist, "
            f"{result.already} already on it"
        )


def download(settings: Settings, listener, lib: Library, coverages: list[Coverage]) -> list[str]:
    """Each source's pending entries through `beet wishlist download` (and its import);
    a source whose downloads all failed does not stop the others."""
    from spotify_extract.wishlist.download import cmd_download

    failures = []
    for coverage in coverages:
        if not coverage.count("missing"):
            continue
        opts = DownloadOptions(playlist=coverage.source.name)
        try:
            cmd_download(settings, listener, lib, opts, [])
        except ui.UserError as error:
            failures.append(f"{coverage.source.name}: {error}")
            ui.print_(f"{coverage.source.name}: {error}")
    return failures


@dataclass
class DownloadOptions:
    """What `beet wishlist download` reads from its options."""

    playlist: str = ""
    limit: int | None = None
    no_import: bool = False
    interactive: bool = False


# --------------------------------------------------------------------------------------
# The command


def coverage_command(plugin_config, listener) -> ui.Subcommand:
    command = ui.Subcommand(
        "spotify-coverage",
        help="how much of a Spotify playlist, album, export file, m3u or list you already have",
    )
    command.parser.usage = "%prog SOURCE... [--json] [-f FMT] [--wish] [--download]"
    command.parser.description = (
        "SOURCE: a Spotify playlist, album or track link or URI (needs --login), an "
        "Exportify CSV, an account-data JSON (Playlist1.json, YourLibrary.json), an "
        "m3u/m3u8, or a text file of 'Artist - Title' lines; - reads standard input. "
        "Prints per source the tracks in your library, missing and uncertain (a match "
        "below min_confidence: `beet spotify-extract --review`)."
    )
    parser = command.parser
    parser.add_option("--json", action="store_true", help="print the coverage as JSON")
    parser.add_option(
        "-f",
        "--format",
        metavar="FMT",
        help="list the missing tracks with this template, like `beet ls -f` "
        "($artist $title $album $isrc $length $url $spotify_id $source)",
    )
    parser.add_option(
        "--wish",
        action="store_true",
        help="put the missing tracks on the wishlist, asked for by the source's name",
    )
    parser.add_option(
        "--download",
        action="store_true",
        help="--wish, then download and import them, then print the coverage again",
    )

    def run(lib: Library, opts, args: list[str]) -> None:
        if not args:
            raise ui.UserError("spotify-coverage: name at least one SOURCE (see --help)")
        if opts.json and opts.format:
            raise ui.UserError("spotify-coverage: --json and -f/--format do not go together")
        settings = plugin_settings.of(plugin_config)
        sources = read_sources(settings, lib, args)
        if not (opts.wish or opts.download):
            show(measure(settings, lib, sources), lib, opts)
            return
        # With --json, standard output carries the JSON only; what the wishing and the
        # downloads say goes to standard error.
        chatter = contextlib.redirect_stdout(sys.stderr) if opts.json else contextlib.nullcontext()
        with run_lock(settings, "beet spotify-coverage"):
            coverages = measure(settings, lib, sources)
            if not (opts.json and opts.download):
                show(coverages, lib, opts)
            with chatter:
                wish(settings, lib, extract.open_store(settings), coverages)
            if not opts.download:
                return
            with chatter:
                failures = download(settings, listener, lib, coverages)
            show(measure(settings, lib, sources), lib, opts)
        if failures:
            raise ui.UserError("; ".join(failures))

    command.func = run
    return command
