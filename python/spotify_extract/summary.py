"""The report at the end of `beet spotify-extract`: what was fetched, matched, written."""

from __future__ import annotations

import json
import os
from collections import Counter
from typing import Any

from spotify_extract.display import printable
from spotify_extract.mirror import playlist_notes

METHOD_LABELS = {
    "spotify_id": "Spotify id",
    "isrc": "ISRC",
    "exact": "artist + title",
    "fuzzy": "fuzzy",
    "override": "your decisions",
}

WAYS_OUT = (
    "  Spotify does not share the entries of playlists you only follow with personal apps.\n"
    "  Ways out: request your data from Spotify (Account > Privacy > Download your data),\n"
    "  then `beet spotify-extract --from-export PATH`; or save a copy of the playlist in\n"
    "  Spotify (… > Add to other playlist > New playlist) so that it is yours."
)


def _n(value: int) -> str:
    return f"{value:,}"


def _changes_line(changes: list[Any]) -> str | None:
    kinds = Counter(change.kind for change in changes)
    parts = []
    for kind, text in (
        ("track_added", "{} track(s) added"),
        ("track_removed", "{} removed"),
        ("newly_matched", "{} newly matched"),
        ("match_lost", "{} no longer matched"),
        ("playlist_added", "{} new playlist(s)"),
        ("playlist_removed", "{} playlist(s) deleted"),
        ("playlist_renamed", "{} renamed"),
        ("playlist_changed", "{} playlist(s) changed"),
    ):
        if kinds.get(kind):
            parts.append(text.format(kinds[kind]))
    return "Since the last run: " + ", ".join(parts) if parts else None


def _change_details(changes: list[Any], limit: int = 10) -> list[str]:
    lines: list[str] = []
    for change in changes:
        if change.kind == "playlist_renamed":
            try:
                names = json.loads(change.detail)
                lines.append(f"  renamed: {printable(names['from'])} -> {printable(names['to'])}")
            except (ValueError, KeyError, TypeError):
                continue
        elif change.kind in ("playlist_added", "playlist_removed"):
            verb = "new" if change.kind == "playlist_added" else "deleted"
            lines.append(f"  {verb} playlist: {printable(change.detail)}")
        elif change.kind == "playlist_changed":
            try:
                info = json.loads(change.detail)
                name = printable(info["name"])
                lines.append(f"  {name}: +{info['added']} -{info['removed']} track(s)")
            except (ValueError, KeyError, TypeError):
                continue
        elif change.kind == "newly_matched":
            lines.append(f"  now in your library: {printable(change.detail)}")
    if len(lines) > limit:
        lines = [*lines[:limit], f"  … and {len(lines) - limit} more"]
    return lines


def newly_refused(result: Any, *, first_run: bool) -> list[Any]:
    """The not-shared playlists this run met for the first time: on the first complete
    run all of them, later those that are new (followed since the last run)."""
    if first_run:
        return list(result.not_shared)
    added = {change.subject for change in result.changes if change.kind == "playlist_added"}
    return [p for p in result.not_shared if p.id in added]


def summary_lines(
    result: Any,
    *,
    playlist_dir: str | None = None,
    dry_run: bool = False,
    verbose: bool = False,
    first_run: bool = True,
) -> list[str]:
    """Lines for the person, from a PipelineResult. The advice for playlists Spotify does
    not share is given once per newly refused playlist (always with -v)."""
    s = result.summary
    lines: list[str] = []
    parts = [f"{_n(s.playlists)} playlists"]
    if s.liked:
        parts.append(f"{_n(s.liked)} Liked Songs")
    if s.saved_albums:
        parts.append(f"{_n(s.saved_albums)} saved albums")
    if s.followed_artists:
        parts.append(f"{_n(s.followed_artists)} followed artists")
    lines.append(f"Spotify: {_n(s.tracks)} tracks in " + ", ".join(parts))

    methods = ", ".join(
        f"{METHOD_LABELS.get(method, method)} {_n(count)}"
        for method, count in sorted(s.matched_by_method.items(), key=lambda kv: -kv[1])
    )
    matched = f"In your library: {_n(s.matched)}"
    if s.tracks:
        matched += f" ({100.0 * s.matched / s.tracks:.0f}%)"
    if methods:
        matched += f" — by {methods}"
    lines.append(matched)
    if s.review:
        lines.append(f"Uncertain: {_n(s.review)} (check them with `beet spotify-extract --review`)")
    lines.append(_missing_line(s))
    if s.local_files or s.episodes:
        lines.append(
            f"Skipped: {_n(s.local_files)} local file(s), {_n(s.episodes)} podcast episode(s)"
        )

    mirror = result.mirror
    if mirror is not None:
        written = [p for p in mirror.playlists if p.path]
        where = playlist_dir or (
            os.path.dirname(os.fsdecode(written[0].path)) if written else "(none)"
        )
        verb = "would be written" if dry_run else "mirrored"
        kept = f"{mirror.kept} kept as they were, " if mirror.kept else ""
        lines.append(
            f"Playlists: {len(written)} {verb} to {where} "
            f"({mirror.written} written, {mirror.unchanged} unchanged, {kept}"
            f"{mirror.removed} removed)"
        )
        lines.extend(playlist_notes(mirror))

    if result.not_shared:
        lines.append(
            f"Not shared by Spotify: {len(result.not_shared)} followed playlist(s) — "
            + ", ".join(printable(p.name) for p in result.not_shared[:8])
            + (" …" if len(result.not_shared) > 8 else "")
        )
        if verbose or newly_refused(result, first_run=first_run):
            lines.append(WAYS_OUT)
    if result.unavailable:
        lines.append(
            f"Unavailable: {len(result.unavailable)} Spotify-made playlist(s) "
            "(Made For You, editorial) cannot be read by personal apps"
        )
    lines.extend(result.notes)
    if result.releases is not None:
        lines.append(release_line(result.releases))
    if result.artwork is not None and (result.artwork.fetched or result.artwork.removed):
        art = result.artwork
        lines.append(
            f"Artwork: {_n(art.fetched)} image(s) fetched, {_n(art.unchanged)} unchanged"
            + (f", {_n(art.removed)} removed" if art.removed else "")
        )

    changes = list(result.changes)
    line = _changes_line(changes)
    if line:
        lines.append(line)
        lines.extend(_change_details(changes, limit=50 if verbose else 10))
    if result.requests:
        extra = f", {result.rate_limited} rate-limited" if result.rate_limited else ""
        lines.append(f"Spotify requests: {_n(result.requests)}{extra}")
    if dry_run:
        lines.append("Dry run: no playlist file was written or removed.")
    return lines


def release_line(sync: Any) -> str:
    """ "New releases: 2 found (`beet spotify-releases`); 10 of 70 artists checked" """
    line = f"New releases: {_n(sync.new_releases)} found"
    if sync.new_releases:
        line += " (`beet spotify-releases`)"
    line += f"; {_n(sync.artists_synced)} of {_n(sync.artists_watched)} artist(s) checked"
    if sync.catalogue:
        line += f", {_n(sync.catalogue)} earlier release(s) recorded"
    return line


# The missing tracks by the status of their wishlist entry, in words that add up.
_MISSING_PARTS = (
    (("pending", "downloading"), "to download"),
    (("downloaded",), "to import"),
    (("failed",), "failed"),
    (("dismissed",), "dismissed"),
    (("",), "not on the wishlist yet"),
)


def _missing_line(s: Any) -> str:
    """ "Missing: 84 (on Spotify, not in your library) — wishlist: 80 to download, 4
    dismissed; 3 more you added": every number says what it counts, and they add up."""
    line = f"Missing: {_n(s.missing)} (on Spotify, not in your library)"
    by_status = dict(s.missing_by_status)
    parts = []
    for statuses, words in _MISSING_PARTS:
        count = sum(by_status.get(status, 0) for status in statuses)
        if count:
            parts.append(f"{_n(count)} {words}")
    if parts:
        line += " — on the wishlist: " + ", ".join(parts)
    others = s.wishlist_others
    if others:
        line += f"; and {_n(others)} you added with `beet wishlist add`"
    return line + (" (`beet wishlist`)" if parts or others else "")
