"""Which entries a command means (queries, --status, --playlist, pages) and how they
are printed or exported."""

from __future__ import annotations

import calendar
import csv
import io
import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar

from beets import dbcore, plugins, ui
from beets.dbcore import sort, types

from spotify_extract import downloaders
from spotify_extract.analyze.query import HarmonicQuery
from spotify_extract.wishlist.entries import MANUAL_PREFIX, STATUSES, list_entries

DEFAULT_FORMAT = "$artist - $title [$album] ($status) <$playlists>"
EXPORT_KINDS = ("csv", "json", "urls")

# --------------------------------------------------------------------------------------
# Listing, formatting, export


def entry_values(entry, store: Any = None) -> dict[str, str]:
    """An entry's fields as text; with the state database (`store`) also its tempo and
    key from Spotify's audio features, where Spotify gave them."""
    playlists = ", ".join(ref.name for ref in entry.wanted_by)
    requested = ", ".join(getattr(entry, "requested_by", []) or [])
    track_id = entry.spotify_track_id
    url = "" if track_id.startswith(MANUAL_PREFIX) else downloaders.track_url(track_id)
    values = {
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
    if store is not None:
        values.update(feature_values(store.get_audio_features(track_id)))
    return values


def feature_values(native_features: Any) -> dict[str, str]:
    """bpm, initial_key and camelot of Spotify's audio features ("" when unknown)."""
    from spotify_extract.analyze import keys
    from spotify_extract.attributes import features_of

    features = features_of(native_features) if native_features is not None else None
    bpm = features.bpm() if features else None
    key = keys.parse(features.initial_key()) if features else None
    return {
        "bpm": str(bpm or ""),
        "initial_key": key.beets if key else "",
        "camelot": key.camelot if key else "",
    }


def _length(duration_ms: int) -> str:
    seconds = max(0, int(duration_ms or 0) // 1000)
    return f"{seconds // 60}:{seconds % 60:02d}"


class WishlistRow(dbcore.Model):
    """One wishlist entry as beets' query machinery sees it, so `beet wishlist` takes
    `beet ls`'s syntax: `field:value`, regex `field::re`, `^`/`-` negation, `,` for OR,
    ranges `retries:1..`, dates `added:2026-11..`, sorts `artist+`. Never stored."""

    _table = "wishlist"
    _flex_table = "wishlist_attributes"
    _fields: ClassVar[dict[str, types.Type]] = {
        "id": types.STRING,
        "spotify_track_id": types.STRING,
        "artist": types.STRING,
        "title": types.STRING,
        "album": types.STRING,
        "isrc": types.STRING,
        "status": types.STRING,
        "error": types.STRING,
        "retries": types.INTEGER,
        "playlists": types.STRING,
        "url": types.STRING,
        "source": types.STRING,
        "length": types.DurationType(),
        "file": types.STRING,
        "bpm": types.INTEGER,  # these three from Spotify's audio features, where given
        "initial_key": types.STRING,
        "camelot": types.STRING,
    }
    # harmonic:8A (beet ls's harmonic-mixing query) over initial_key.
    _queries: ClassVar[dict[str, dbcore.query.FieldQueryType]] = {"harmonic": HarmonicQuery}
    # Dates are set only when the entry has them, so `imported:2026..` skips the others.
    _types: ClassVar[dict[str, types.Type]] = {
        "added": types.DATE,
        "updated": types.DATE,
        "downloaded": types.DATE,
        "imported": types.DATE,
    }
    _search_fields = ("artist", "title", "album")

    @classmethod
    def _getters(cls) -> dict[str, Callable[[WishlistRow], object]]:
        return {}

    def _template_funcs(self) -> dict[str, Callable[..., str]]:
        return {}

    @classmethod
    def field_query(
        cls, field: str, pattern: str, query_cls: dbcore.query.FieldQueryType
    ) -> dbcore.query.FieldQuery:
        if field not in cls._fields and field not in cls._types and field not in cls._queries:
            raise ui.UserError(
                f"unknown wishlist field {field!r} in the query; fields: "
                f"{', '.join(QUERY_FIELDS)} (write \\: for a colon in a word)"
            )
        return query_cls(field, pattern, False)

    @classmethod
    def field_sort(cls, field: str, is_ascending: bool, case_insensitive: bool) -> sort.Sort:
        if field not in cls._fields and field not in cls._types:
            raise ui.UserError(
                f"unknown wishlist field {field!r} to sort by; fields: {', '.join(QUERY_FIELDS)}"
            )
        return sort.SlowFieldSort(field, is_ascending, case_insensitive)

    @classmethod
    def any_field_query(
        cls, pattern: str, query_cls: dbcore.query.FieldQueryType
    ) -> dbcore.query.OrQuery:
        return dbcore.query.OrQuery(
            [cls.field_query(field, pattern, query_cls) for field in cls._search_fields]
        )


QUERY_FIELDS = (*WishlistRow._fields, *WishlistRow._types)


def _timestamp(text: str) -> float | None:
    """The store's UTC times ("2026-11-29T11:00:00Z") as POSIX seconds."""
    try:
        return float(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")))
    except (TypeError, ValueError):
        return None


def wishlist_row(values: dict[str, str]) -> WishlistRow:
    """The typed row of an entry's values (entry_values)."""
    row = WishlistRow()
    for key in WishlistRow._fields:
        if key in values:
            row.set_parse(key, values[key])
    for key in WishlistRow._types:
        stamp = _timestamp(values.get(key, ""))
        if stamp is not None:
            row[key] = stamp
    return row


def parse_query(terms: Sequence[str]) -> tuple[dbcore.query.Query, sort.Sort]:
    """beets' own parser and query prefixes (`:` regex, `=` exact, `=~` case-sensitive,
    those of other plugins) over the wishlist's fields."""
    prefixes: dict[str, dbcore.query.FieldQueryType] = {
        ":": dbcore.query.RegexpQuery,
        "=~": dbcore.query.StringQuery,
        "=": dbcore.query.MatchQuery,
    }
    prefixes.update(plugins.queries())
    try:
        return dbcore.parse_sorted_query(WishlistRow, list(terms), prefixes)
    except dbcore.query.ParsingError as error:
        raise ui.UserError(f"wishlist query: {error}") from error


def query_filter(terms: Sequence[str]) -> Callable[[dict[str, str]], bool]:
    """Whether an entry's values (entry_values) match a beets query."""
    query, _ = parse_query(terms)

    def accept(values: dict[str, str]) -> bool:
        return query.match(wishlist_row(values))

    return accept


def filter_entries(entries: Iterable[Any], terms: Sequence[str], store: Any = None) -> list[Any]:
    """The entries a beets query matches, in its sort order (else as stored); `store`
    gives the fields from audio features (bpm, initial_key, camelot)."""
    query, ordering = parse_query(terms)
    rows = []
    for entry in entries:
        row = wishlist_row(entry_values(entry, store))
        if query.match(row):
            row._entry = entry
            rows.append(row)
    return [row._entry for row in ordering.sort(rows)]


def select_entries(
    store, opts, terms: Sequence[str], statuses: Sequence[str] | None = None
) -> list[Any]:
    """The entries a command means: --status (else `statuses`), --playlist and a query."""
    chosen = chosen_statuses(opts) or list(statuses or ())
    return filter_entries(list_entries(store, chosen, opts.playlist or ""), terms, store)


def is_filtered(opts, terms: Sequence[str]) -> bool:
    return bool(terms or opts.status or opts.playlist)


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


def totals_line(entries: Sequence[Any], everything: int | None = None) -> str:
    """ "5 entries: 3 pending, 2 imported", or "2 of 5 entries match: ..." when filtered."""
    counts = Counter(entry.status for entry in entries)
    parts = [f"{counts[s]} {s}" for s in STATUSES if counts[s]]
    head = f"{len(entries)} entries"
    if everything is not None:
        head = f"{len(entries)} of {everything} entries match"
    return head + (": " + ", ".join(parts) if parts else "")
