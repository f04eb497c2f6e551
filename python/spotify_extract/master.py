"""`beet spotify-master`: one deduplicated private playlist built from chosen sources.

The sources are read from the state database (what the last `beet spotify-extract`
fetched); only the master playlist itself is ever written, and only when it is one this
tool created. A dry run is the default: it prints what the sources hold, what
deduplication removes, the weights (how often a track appears across the sources) and
what a write would do, and leaves a JSON report and a CSV preview in state_dir/reports/.
`--apply` writes after a typed `yes` (`--apply --yes` in scripts), checkpointed batch by
batch (spotify_extract.spotify_write).
"""

from __future__ import annotations

import csv
import json
import optparse
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from beets import ui

from spotify_extract import _native
from spotify_extract import settings as plugin_settings
from spotify_extract.display import printable
from spotify_extract.settings import Settings
from spotify_extract.spotify_write import BATCH, WritePlan, batches

DEFAULT_NAME = "Master (beets)"
ORDERS = ("weight", "source")
LIKED = "liked"
TOP = 10
WRITE_SCOPE_LINE = (
    "the Spotify login may not change playlists: run `beet spotify-extract --login --write` "
    "(asks for playlist-modify-private and playlist-modify-public)"
)
SKIP_KINDS = ("local", "episode", "unavailable", "null")


@dataclass
class SourceStats:
    key: str  # playlist id, or "liked"
    name: str
    entries: int = 0  # every entry, skipped ones too
    tracks: int = 0  # entries that are playable Spotify tracks
    unique: int = 0
    skipped: dict[str, int] = field(default_factory=dict)


@dataclass
class PlannedTrack:
    uri: str
    track_id: str
    artist: str
    title: str
    album: str
    weight: int
    first: int  # the index of its first appearance over all sources, in source order
    first_source: str


@dataclass
class Overlap:
    a: str
    b: str
    shared: int
    jaccard: float


@dataclass
class Plan:
    name: str
    order: str
    sources: list[SourceStats]
    tracks: list[PlannedTrack]  # the final list, in order
    overlap: list[Overlap]
    existing_id: str | None  # the master made before (updated in place), or None
    fetched_at: str

    @property
    def target(self) -> str:
        return f"master:{self.name}"

    @property
    def total_entries(self) -> int:
        return sum(s.tracks for s in self.sources)

    @property
    def duplicates(self) -> int:
        return self.total_entries - len(self.tracks)

    @property
    def skipped(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for s in self.sources:
            total.update(s.skipped)
        return total

    @property
    def description(self) -> str:
        names = ", ".join(s.name for s in self.sources)
        how = "by weight" if self.order == "weight" else "in source order"
        return (
            f"Made by beets-spotify-extract from {len(self.sources)} source(s), "
            f"deduplicated, {how}: {names}"
        )

    def write_plan(self) -> WritePlan:
        return WritePlan(
            target=self.target,
            name=self.name,
            description=self.description,
            uris=tuple(t.uri for t in self.tracks),
        )


# ------------------------------------------------------------------------------ planning
def _entries(store: Any, key: str) -> list[Any]:
    return list(store.liked_entries() if key == LIKED else store.playlist_entries(key))


def _kind(entry: Any) -> str:
    kind = entry.kind
    if kind == _native.EntryKind.TRACK:
        track = entry.track
        if not track.id:
            return "null"
        return "track" if track.is_playable else "unavailable"
    return {
        _native.EntryKind.EPISODE: "episode",
        _native.EntryKind.LOCAL_FILE: "local",
        _native.EntryKind.UNAVAILABLE: "unavailable",
    }.get(kind, "null")


def choose_sources(store: Any, wanted: Sequence[str], liked: bool) -> list[tuple[str, str]]:
    """(key, name) of each source; one UserError line for a name that is unknown or
    ambiguous. Default: every playlist the user owns (not the ones this tool made)."""
    playlists = [p for p in store.list_playlists() if not p.removed]
    chosen: list[tuple[str, str]] = []
    if wanted:
        for ask in wanted:
            by_id = [p for p in playlists if p.id == ask]
            found = by_id or [p for p in playlists if p.name.casefold() == ask.casefold()]
            if not found:
                raise ui.UserError(
                    f"--from {printable(ask)!r}: no such playlist in the state database "
                    "(run `beet spotify-extract` to fetch your playlists)"
                )
            if len(found) > 1:
                ids = ", ".join(p.id for p in found)
                raise ui.UserError(
                    f"--from {printable(ask)!r} names {len(found)} playlists ({ids}); "
                    "give the id instead"
                )
            playlist = found[0]
            if playlist.access != "readable" and playlist.entry_count == 0:
                raise ui.UserError(
                    f"--from {printable(ask)!r}: Spotify does not share this playlist's "
                    "entries with personal apps (save a copy of it in Spotify)"
                )
            if (playlist.id, playlist.name) not in chosen:
                chosen.append((playlist.id, playlist.name))
    else:
        profile = store.profile()
        me = profile.id if profile is not None else None
        for p in playlists:
            if p.playlist.owner_id == me and not store.is_created_playlist(p.id):
                chosen.append((p.id, p.name))
    if liked:
        chosen.append((LIKED, "Liked Songs"))
    return chosen


def build_plan(store: Any, sources: Sequence[tuple[str, str]], *, name: str, order: str) -> Plan:
    weights: Counter[str] = Counter()
    first: dict[str, tuple[int, str, Any]] = {}
    per_source_ids: list[set[str]] = []
    stats: list[SourceStats] = []
    index = 0
    for key, source_name in sources:
        s = SourceStats(key, source_name)
        ids: set[str] = set()
        skipped: Counter[str] = Counter()
        for entry in _entries(store, key):
            s.entries += 1
            kind = _kind(entry)
            if kind != "track":
                skipped[kind] += 1
                continue
            track = entry.track
            s.tracks += 1
            weights[track.id] += 1
            ids.add(track.id)
            if track.id not in first:
                first[track.id] = (index, source_name, track)
            index += 1
        s.unique = len(ids)
        s.skipped = {k: skipped[k] for k in SKIP_KINDS if skipped[k]}
        stats.append(s)
        per_source_ids.append(ids)

    def planned(track_id: str) -> PlannedTrack:
        at, source_name, track = first[track_id]
        return PlannedTrack(
            uri=f"spotify:track:{track_id}",
            track_id=track_id,
            artist=", ".join(a.name for a in track.artists),
            title=track.name,
            album=track.album_name,
            weight=weights[track_id],
            first=at,
            first_source=source_name,
        )

    tracks = [planned(t) for t in first]
    if order == "weight":
        tracks.sort(key=lambda t: (-t.weight, t.first))
    else:
        tracks.sort(key=lambda t: t.first)
    overlap = []
    for i in range(len(stats)):
        for j in range(i + 1, len(stats)):
            a, b = per_source_ids[i], per_source_ids[j]
            shared = len(a & b)
            union = len(a | b)
            if shared:
                overlap.append(
                    Overlap(stats[i].name, stats[j].name, shared, shared / union if union else 0)
                )
    overlap.sort(key=lambda o: (-o.shared, o.a, o.b))
    existing = store.created_playlist_for(f"master:{name}")
    last = store.last_snapshot("complete")
    return Plan(
        name=name,
        order=order,
        sources=stats,
        tracks=tracks,
        overlap=overlap,
        existing_id=existing.playlist_id if existing is not None else None,
        fetched_at=last.finished_at if last is not None else "",
    )


# ----------------------------------------------------------------------------- showing
def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f}%" if whole else "0%"


def sections(plan: Plan) -> list[tuple[str, list[tuple[str, str]]]]:
    """What the dry run shows, as (title, [(label, value)]) sections."""
    out: list[tuple[str, list[tuple[str, str]]]] = []
    rows = []
    for s in plan.sources:
        extra = ", ".join(f"{v} {k}" for k, v in s.skipped.items())
        rows.append(
            (
                printable(s.name),
                f"{s.tracks:,} entries, {s.unique:,} unique"
                + (f" (skipped {extra})" if extra else ""),
            )
        )
    out.append(("Sources", rows))
    total = plan.total_entries
    weights = [t.weight for t in plan.tracks]
    out.append(
        (
            "Deduplication",
            [
                ("total entries", f"{total:,}"),
                ("unique tracks", f"{len(plan.tracks):,}"),
                ("duplicates removed", f"{plan.duplicates:,} ({_pct(plan.duplicates, total)})"),
            ],
        )
    )
    if plan.overlap:
        out.append(
            (
                "Overlap between sources",
                [
                    (
                        f"{printable(o.a)} ∩ {printable(o.b)}",
                        f"{o.shared:,} shared, Jaccard {o.jaccard:.3f}",
                    )
                    for o in plan.overlap[:TOP]
                ],
            )
        )
    heavy = sum(1 for w in weights if w > 1)
    rows = [
        ("highest", str(max(weights, default=0))),
        ("average", f"{(sum(weights) / len(weights)) if weights else 0:.2f}"),
        ("weight > 1", f"{heavy:,} ({_pct(heavy, len(weights))})"),
    ]
    top = sorted(plan.tracks, key=lambda t: (-t.weight, t.first))[:TOP]
    rows += [
        (f"  weight {t.weight}", printable(f"{t.artist} - {t.title}")) for t in top if t.weight > 1
    ]
    out.append(("Weights", rows))
    skipped = plan.skipped
    out.append(
        (
            "Skipped",
            [(kind, f"{skipped[kind]:,}") for kind in SKIP_KINDS if skipped[kind]]
            or [("nothing", "")],
        )
    )
    n = len(plan.tracks)
    if plan.existing_id:
        action = (
            f"update {printable(plan.name)!r} ({plan.existing_id}), made by this tool: its "
            f"items become these {n:,} tracks, at most {max(1, batches(n))} write request(s) "
            f"of up to {BATCH}"
        )
    else:
        action = (
            f"create the private playlist {printable(plan.name)!r}, then add {n:,} tracks in "
            f"{batches(n)} batch(es) of up to {BATCH} ({batches(n) + 1} write requests)"
        )
    out.append(("The write", [("would", action)]))
    return out


def print_plan(plan: Plan, echo: Callable[[str], None], rich: bool) -> None:
    parts = sections(plan)
    if rich:
        from rich.console import Console
        from rich.table import Table

        console = Console()
        for title, rows in parts:
            table = Table(title=title, show_header=False, title_justify="left")
            table.add_column(style="cyan")
            table.add_column()
            for label, value in rows:
                table.add_row(label, value)
            console.print(table)
        return
    for title, rows in parts:
        echo(f"{title}:")
        for label, value in rows:
            echo(f"  {label}: {value}" if value else f"  {label}")


def write_reports(plan: Plan, reports_dir: Path) -> tuple[Path, Path]:
    """The JSON report and the CSV preview of the final list; returns their paths."""
    reports_dir.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    report = reports_dir / f"master-{stamp}.json"
    preview = reports_dir / f"master-{stamp}.csv"
    weights = [t.weight for t in plan.tracks]
    data = {
        "name": plan.name,
        "order": plan.order,
        "state_fetched_at": plan.fetched_at,
        "existing_playlist_id": plan.existing_id,
        "sources": [asdict(s) for s in plan.sources],
        "total_entries": plan.total_entries,
        "unique_tracks": len(plan.tracks),
        "duplicates_removed": plan.duplicates,
        "skipped": dict(plan.skipped),
        "overlap": [asdict(o) for o in plan.overlap],
        "weights": {
            "highest": max(weights, default=0),
            "average": (sum(weights) / len(weights)) if weights else 0,
            "above_one": sum(1 for w in weights if w > 1),
            "top": [
                asdict(t) for t in sorted(plan.tracks, key=lambda t: (-t.weight, t.first))[:TOP]
            ],
        },
        "write": {
            "action": "update" if plan.existing_id else "create",
            "batches": batches(len(plan.tracks)),
            "batch_size": BATCH,
        },
    }
    report.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    with preview.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["position", "uri", "artist", "title", "album", "weight", "first_source"])
        for position, t in enumerate(plan.tracks, 1):
            out.writerow([position, t.uri, t.artist, t.title, t.album, t.weight, t.first_source])
    return report, preview


# ----------------------------------------------------------------------------- applying
def confirm(question: str, assume_yes: bool) -> bool:
    """A typed `yes` (or --yes); no terminal and no --yes is one line, never a hang."""
    if assume_yes:
        return True
    if not sys.stdin.isatty():
        raise ui.UserError("--apply asks you to type yes; in a script add --yes")
    try:
        answer = input(f"{question} Type yes to go on: ")
    except EOFError:
        answer = ""
    return answer.strip().lower() == "yes"


def open_writer_client(settings: Settings) -> Any:
    """A client whose login may write playlists, or one line saying how to get one."""
    from spotify_extract import auth

    try:
        client = _native.SpotifyClient(auth.native_config(settings))
        if not client.has_write_scopes():
            raise ui.UserError(WRITE_SCOPE_LINE)
    except _native.SpotifyExtractError as error:
        raise ui.UserError(str(error)) from error
    return client


def apply_plan(client: Any, store: Any, plan: WritePlan, echo: Callable[[str], None]) -> Any:
    """Writes under the run lock; every failure is one UserError line."""
    from spotify_extract.extract import take_run_lock
    from spotify_extract.spotify_write import PlaylistWriter, WriteFailed

    with take_run_lock(store, "a write to Spotify"):
        try:
            return PlaylistWriter(client, store, echo=echo).write(plan)
        except _native.WriteScopeRequiredError:
            raise ui.UserError(WRITE_SCOPE_LINE) from None
        except (WriteFailed, _native.SpotifyExtractError) as error:
            raise ui.UserError(
                f"{error} (what was written is recorded: run the same command again to finish)"
            ) from error


def result_line(result: Any, name: str) -> str:
    if result.unchanged:
        return f"{name!r} on Spotify already holds exactly this list; nothing written."
    verb = "Created" if result.created else ("Finished" if result.resumed else "Updated")
    return (
        f"{verb} {name!r} ({result.playlist_id}) with {result.write_requests} write request(s)"
        + (f", {result.unsure_writes} checked after a failure" if result.unsure_writes else "")
        + "."
    )


# ------------------------------------------------------------------------------ command
def spotify_master_command(config: Any) -> ui.Subcommand:
    command = ui.Subcommand(
        "spotify-master",
        help="build one deduplicated Spotify playlist from your playlists (dry run by default)",
    )
    parser = command.parser
    parser.usage = (
        "%prog [--from NAME|ID]... [--liked] [--name N] [--order weight|source] [--apply [--yes]]"
    )
    parser.description = (
        "Builds one deduplicated private playlist from your Spotify playlists (as fetched by "
        "the last `beet spotify-extract`). Without --apply nothing is written to Spotify: the "
        "statistics are printed and a JSON report and CSV preview go to state_dir/reports/. "
        "Only a playlist this tool created is ever changed; the sources are only read."
    )
    parser.add_option(
        "--from",
        dest="sources",
        action="append",
        default=[],
        metavar="NAME|ID",
        help="a source playlist (repeat); default: every playlist you own",
    )
    parser.add_option("--liked", action="store_true", help="add Liked Songs as a source")
    parser.add_option(
        "--name", default=DEFAULT_NAME, metavar="N", help=f"the playlist's name ({DEFAULT_NAME!r})"
    )
    parser.add_option(
        "--order",
        type="choice",
        choices=list(ORDERS),
        default="weight",
        help="weight: most frequent first, then first appearance (default); "
        "source: first appearance",
    )
    parser.add_option("--apply", action="store_true", help="write it to Spotify after a typed yes")
    parser.add_option("--yes", action="store_true", help="with --apply: no question (scripts)")

    def run(lib: Any, opts: optparse.Values, args: list[str]) -> None:
        check_write_usage(parser, opts, args)
        settings = plugin_settings.load(config)
        name = opts.name.strip()
        if not name or len(name) > 100:
            _usage(parser, "--name must be 1 to 100 characters")
        run_master(settings, opts, name)

    command.func = run
    return command


def check_write_usage(
    parser: optparse.OptionParser, opts: optparse.Values, args: list[str]
) -> None:
    if args:
        _usage(parser, f"unexpected argument {printable(args[0])!r} (see -h)")
    if opts.yes and not opts.apply:
        _usage(parser, "--yes goes with --apply")


def _usage(parser: optparse.OptionParser, message: str) -> None:
    parser.exit(2, f"{parser.get_prog_name()}: error: {message}\n")


def run_master(settings: Settings, opts: optparse.Values, name: str) -> None:
    from spotify_extract.extract import open_store, take_run_lock

    store = open_store(settings)
    if store.last_snapshot("complete") is None:
        raise ui.UserError("nothing fetched yet: run `beet spotify-extract` first")
    sources = choose_sources(store, opts.sources, opts.liked)
    if not sources:
        raise ui.UserError(
            "no source playlists: you own none; name some with --from or add --liked"
        )
    with take_run_lock(store, "beet spotify-master"):  # the reports are written
        plan = build_plan(store, sources, name=name, order=opts.order)
        report, preview = write_reports(plan, settings.state_dir / "reports")
    print_plan(plan, ui.print_, rich=sys.stdout.isatty())
    ui.print_(f"Report: {report}")
    ui.print_(f"Preview of the list: {preview}")
    if not opts.apply:
        ui.print_("Dry run: nothing was written to Spotify. Add --apply to write it.")
        return
    if not plan.tracks:
        raise ui.UserError("the sources hold no tracks; nothing to write")
    client = open_writer_client(settings)
    if not confirm(f"Write {len(plan.tracks):,} tracks to {name!r} on Spotify?", opts.yes):
        ui.print_("Nothing written.")
        return
    result = apply_plan(client, store, plan.write_plan(), ui.print_)
    ui.print_(result_line(result, name))
