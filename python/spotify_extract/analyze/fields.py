"""Which beets fields an analysis writes, and which values it must leave alone.

Names: beets' own `bpm` and `initial_key`; beets-xtractor's `danceability` and
`average_loudness` (and the acousticbrainz plugin's `key_strength`), so tools reading those
plugins' fields read ours; `energy` and `loudness` (dB) have no name there and get
Spotify's (without its `spotify_` prefix, which stays Spotify's own data).

A value is ours to replace when the field is empty or still holds exactly what our last
analysis of the item wrote (remembered in `analyzed_values`); anything else was set by the
person, by Spotify's audio features or another plugin and is kept unless `--force`.
`analyzed_mtime` (the file's mtime when it was analysed) makes a run resumable: an item
whose file still has that mtime is done.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from beets.dbcore import types

from spotify_extract.analyze import keys
from spotify_extract.analyze.features import Analysis

MTIME_FIELD = "analyzed_mtime"
MTIME_TOLERANCE = 1e-3  # seconds
VALUES_FIELD = "analyzed_values"

# Below this RhythmExtractor2013 confidence (0..5.32; "<1 very low" in Essentia's docs) the
# tempo is a guess (speech, ambient, a sine tone): no bpm is written.
MIN_BPM_CONFIDENCE = 1.0

WRITTEN_FIELDS = (
    "bpm",
    "initial_key",
    "key_strength",
    "danceability",
    "average_loudness",
    "energy",
    "loudness",
)

# Types for the fields no other beets plugin declares (declaring one that another plugin
# declares with its own type object is a PluginConflictError: acousticbrainz declares
# average_loudness and key_strength, so those stay undeclared).
ITEM_TYPES: dict[str, types.Type] = {
    "danceability": types.FLOAT,
    "energy": types.FLOAT,
    "loudness": types.FLOAT,
    MTIME_FIELD: types.FLOAT,
}


@dataclass(frozen=True)
class Change:
    item_id: int
    field: str
    old: Any
    new: Any


def values_of(analysis: Analysis) -> dict[str, Any]:
    """The beets values of an analysis (a field left out when Essentia was unsure)."""
    values: dict[str, Any] = {}
    if analysis.bpm > 0 and analysis.bpm_confidence >= MIN_BPM_CONFIDENCE:
        values["bpm"] = round(analysis.bpm)
    key = keys.from_essentia(analysis.key, analysis.scale)
    if key is not None:
        values["initial_key"] = key.beets
        values["key_strength"] = round(analysis.key_strength, 6)
    values["danceability"] = analysis.danceability
    values["average_loudness"] = analysis.average_loudness
    values["energy"] = analysis.energy
    values["loudness"] = analysis.loudness
    return values


def file_mtime(path: bytes | str) -> float | None:
    try:
        return os.stat(path).st_mtime
    except OSError:
        return None


def is_done(item: Any, mtime: float | None) -> bool:
    """Analysed already, and the file is unchanged since."""
    mark = _float(item.get(MTIME_FIELD))
    # beets keeps the mark as text with 15 significant digits (10 µs at today's times).
    return mtime is not None and mark is not None and abs(mark - mtime) < MTIME_TOLERANCE


def previous_values(item: Any) -> dict[str, Any]:
    raw = item.get(VALUES_FIELD)
    if not raw:
        return {}
    try:
        loaded = json.loads(raw)
    except (TypeError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def is_ours(item: Any, field: str) -> bool:
    """The field holds what our analysis wrote (so Spotify's features may replace it)."""
    previous = previous_values(item)
    return field in previous and _same(item.get(field), previous[field])


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == 0


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _same(old: Any, new: Any) -> bool:
    if isinstance(new, int | float) and not isinstance(new, bool):
        number = _float(old)
        return number is not None and abs(number - float(new)) < 1e-6
    return old == new


def free_fields(item: Any, *, force: bool) -> list[str]:
    """The fields an analysis of `item` may write now."""
    if force:
        return list(WRITTEN_FIELDS)
    previous = previous_values(item)
    return [
        name
        for name in WRITTEN_FIELDS
        if _empty(item.get(name)) or (name in previous and _same(item.get(name), previous[name]))
    ]


def plan(item: Any, values: Mapping[str, Any], *, force: bool) -> list[Change]:
    """The changes an analysis makes to `item` (fields not free are left alone)."""
    allowed = set(free_fields(item, force=force))
    return [
        Change(item.id, name, item.get(name), value)
        for name, value in values.items()
        if name in allowed and not _same(item.get(name), value)
    ]


def kept(item: Any, values: Mapping[str, Any], *, force: bool) -> list[str]:
    """The fields whose differing value is left alone (set by the person or Spotify)."""
    allowed = set(free_fields(item, force=force))
    return [
        name
        for name, value in values.items()
        if name not in allowed and not _same(item.get(name), value)
    ]


def apply(item: Any, values: Mapping[str, Any], changes: list[Change], mtime: float) -> None:
    """Sets the changes and the resume mark on `item` (the caller stores it). The fields
    remembered as ours are those now holding the analysis's value."""
    for change in changes:
        item[change.field] = change.new
    ours = {name: value for name, value in values.items() if _same(item.get(name), value)}
    item[MTIME_FIELD] = mtime
    item[VALUES_FIELD] = json.dumps(ours, sort_keys=True)
