"""Which entries a command means (queries, --status, --playlist, pages) and how they
are printed or exported."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Sequence
from typing import Any

from beets import ui

from spotify_extract import spotdl
from spotify_extract.wishlist.add import normalize
from spotify_extract.wishlist.entries import MANUAL_PREFIX, STATUSES, list_entries

DEFAULT_FORMAT = "$artist - $title [$album] ($status) <$playlists>"
EXPORT_KINDS = ("csv", "json", "urls")

# --------------------------------------------------------------------------------------
# Listing, formatting, export


def entry_values(entry) -> dict[str, str]:
    playlists = ", ".join(ref.name for ref in entry.wanted_by)
    requested = ", ".join(getattr(entry, "requested_by", []) or [])
    track_id = entry.spotify_track_id
    url = "" if track_id.startswith(MANUAL_PREFIX) else spotdl.track_url(track_id)
    return {
        "id": track_id,
        "spotify_track_id": track_id,
        "artist": entry.artist,
        "title": entry.title,
        "album": entry.album,
        "isrc": entry.isrc,
        "status": entry.status,
        "error": entry.error,
        "retries": str(entry.retries),
        "playlists": playlists or requested or ("manual" if entry.source == "manual" else ""),
        "url": entry.spotify_url or url,
        "source": entry.source,
        "added": entry.added_at,
        "updated": entry.updated_at,
        "downloaded": entry.downloaded_at,
        "imported": entry.imported_at,
        "length": _length(entry.duration_ms),
        "file": os.fsdecode(entry.file_path) if entry.file_path else "",
    }


def _length(duration_ms: int) -> str:
    seconds = max(0, int(duration_ms or 0) // 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


_QUERY_FIELDS = ("artist", "title", "album", "status", "isrc", "playlists", "id")


def query_filter(terms: Sequence[str]) -> Callable[[dict[str, str]], bool]:
    """A beets-style query: `field:value` terms and bare words, all must match."""
    checks: list[tuple[tuple[str, ...], str]] = []
    for term in terms:
        field, sep, value = term.partition(":")
        if sep and field in _QUERY_FIELDS:
            checks.append(((field,), normalize(value)))
        else:
            checks.append((("artist", "title", "album"), normalize(term)))

    def accept(values: dict[str, str]) -> bool:
        return all(
            any(needle in normalize(values[field]) for field in fields) for fields, needle in checks
        )

    return accept


def select_entries(store, opts, terms: Sequence[str]) -> list[Any]:
    statuses = chosen_statuses(opts)
    entries = list_entries(store, statuses, opts.playlist or "")
    accept = query_filter(terms)
    return [entry for entry in entries if accept(entry_values(entry))]


def chosen_statuses(opts) -> list[str]:
    chosen: list[str] = []
    for value in opts.status or []:
        for part in value.split(","):
            part = part.strip().lower()
            if not part:
                continue
            if part not in STATUSES:
                raise ui.UserError(
                    f"unknown wishlist status {part!r}; choose from {', '.join(STATUSES)}"
                )
            chosen.append(part)
    return chosen


def page_of(entries: list[Any], opts) -> list[Any]:
    limit = opts.limit or 0
    page = max(1, opts.page or 1)
    if limit <= 0:
        return entries
    start = (page - 1) * limit
    return entries[start : start + limit]


def export_entries(entries: Sequence[Any], kind: str) -> str:
    rows = [entry_values(entry) for entry in entries]
    if kind == "json":
        return json.dumps(rows, indent=2, ensure_ascii=False) + "\n"
    if kind == "urls":
        return "".join(row["url"] + "\n" for row in rows if row["url"])
    buffer = io.StringIO()
    columns = ["artist", "title", "album", "isrc", "status", "playlists", "url", "id"]
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return buffer.getvalue()


def totals_line(store) -> str:
    stats = store.get_wishlist_stats()
    parts = [f"{stats.by_status[s]} {s}" for s in STATUSES if stats.by_status.get(s)]
    return f"{stats.total} entries" + (": " + ", ".join(parts) if parts else "")
