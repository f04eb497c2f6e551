"""Writing Spotify data back into beets items (`write_attributes: yes`).

Only through beets' own Python API (Item fields + store(), in one transaction), so beets
stays the only writer of library.db. The names and types are those of beets' own `spotify`
plugin (beetsplug/spotify.py: spotify_acousticness ... spotify_valence, spotify_key is a
FLOAT, spotify_mode and spotify_time_signature INTEGER), declared with the very same type
objects, so both plugins can be enabled together without a PluginConflictError.

What is written for each matched item:
  - spotify_track_id (flexible) when the item has none; a different existing id is left
    alone and reported as a conflict (it may be another release of the recording);
  - spotify_playlists (flexible, multi-valued): the names of the Spotify playlists the
    track is in, so `beet ls spotify_playlists:Workout` works; an empty list removes it;
  - the audio features as flexible attributes;
  - bpm (from tempo) and initial_key (from key + mode) only where the item has none, or
    holds what `beet spotify-analyze` computed (Spotify's features win over ours).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from beets.dbcore import types
from beets.library import Library

from spotify_extract.analyze import fields as analyzed

# Same objects as beetsplug.spotify.SpotifyPlugin.item_types: beets compares the type
# objects, so these must be the module-level singletons, not new instances.
FEATURE_TYPES: dict[str, types.Type] = {
    "spotify_acousticness": types.FLOAT,
    "spotify_danceability": types.FLOAT,
    "spotify_energy": types.FLOAT,
    "spotify_instrumentalness": types.FLOAT,
    "spotify_key": types.FLOAT,
    "spotify_liveness": types.FLOAT,
    "spotify_loudness": types.FLOAT,
    "spotify_mode": types.INTEGER,
    "spotify_speechiness": types.FLOAT,
    "spotify_tempo": types.FLOAT,
    "spotify_time_signature": types.INTEGER,
    "spotify_valence": types.FLOAT,
}
ITEM_TYPES: dict[str, types.Type] = {
    **FEATURE_TYPES,
    "spotify_playlists": types.MULTI_VALUE_DSV,
}

PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")


@dataclass(frozen=True)
class AudioFeatures:
    """Spotify's audio features of one track (key -1 = unknown; mode 1 major, 0 minor)."""

    acousticness: float = 0.0
    danceability: float = 0.0
    energy: float = 0.0
    instrumentalness: float = 0.0
    key: int = -1
    liveness: float = 0.0
    loudness: float = 0.0
    mode: int = 0
    speechiness: float = 0.0
    tempo: float = 0.0
    time_signature: int = 0
    valence: float = 0.0

    def attributes(self) -> dict[str, float | int]:
        values: dict[str, float | int] = {
            "spotify_acousticness": float(self.acousticness),
            "spotify_danceability": float(self.danceability),
            "spotify_energy": float(self.energy),
            "spotify_instrumentalness": float(self.instrumentalness),
            "spotify_liveness": float(self.liveness),
            "spotify_loudness": float(self.loudness),
            "spotify_mode": int(self.mode),
            "spotify_speechiness": float(self.speechiness),
            "spotify_tempo": float(self.tempo),
            "spotify_time_signature": int(self.time_signature),
            "spotify_valence": float(self.valence),
        }
        if self.key >= 0:
            values["spotify_key"] = float(self.key)
        return values

    def initial_key(self) -> str | None:
        """beets' notation (C, C#m ...), or None when Spotify did not detect a key."""
        if not 0 <= self.key < len(PITCH_CLASSES):
            return None
        return PITCH_CLASSES[self.key] + ("" if self.mode == 1 else "m")

    def bpm(self) -> int | None:
        return round(self.tempo) if self.tempo > 0 else None


@dataclass(frozen=True)
class AttributeUpdate:
    """What the pipeline knows about one matched item."""

    item_id: int
    spotify_track_id: str
    playlists: Sequence[str] | None = None  # None: leave spotify_playlists as it is
    features: AudioFeatures | None = None


@dataclass(frozen=True)
class Change:
    item_id: int
    field: str
    old: Any
    new: Any  # None: the field is removed


@dataclass
class AttributeReport:
    changes: list[Change] = field(default_factory=list)  # applied (or, dry run, would be)
    conflicts: list[Change] = field(default_factory=list)  # left alone on purpose
    missing_items: list[int] = field(default_factory=list)  # ids no longer in the library

    @property
    def items_changed(self) -> int:
        return len({change.item_id for change in self.changes})


def _same(old: Any, new: Any) -> bool:
    if isinstance(new, float) and isinstance(old, int | float):
        return abs(float(old) - new) < 1e-9
    return old == new


def _playlists(value: Any) -> list[str]:
    return list(types.MULTI_VALUE_DSV.normalize(value) or []) if value else []


def _db_value(name: str, value: Any) -> Any:
    # Stored in beets' own multi-value form even when the plugin's types are not loaded
    # in this process (beets then parses it back into a list).
    if name == "spotify_playlists":
        return types.MULTI_VALUE_DSV.to_sql(value)
    return value


def _plan(item, update: AttributeUpdate, report: AttributeReport) -> list[Change]:
    changes: list[Change] = []

    def set_value(name: str, value: Any) -> None:
        old = item.get(name)
        if name in FEATURE_TYPES and old is not None:
            # Read back as text when beets runs without this plugin's types loaded.
            kind = FEATURE_TYPES[name]
            old = kind.parse(old) if isinstance(old, str) else kind.normalize(old)
        if old is None or not _same(old, value):
            changes.append(Change(update.item_id, name, old, value))

    existing_id = item.get("spotify_track_id")
    if not existing_id:
        if update.spotify_track_id:
            set_value("spotify_track_id", update.spotify_track_id)
    elif existing_id != update.spotify_track_id:
        report.conflicts.append(
            Change(update.item_id, "spotify_track_id", existing_id, update.spotify_track_id)
        )

    if update.playlists is not None:
        names = list(dict.fromkeys(name for name in update.playlists if name))
        old = _playlists(item.get("spotify_playlists"))
        if names and old != names:
            changes.append(Change(update.item_id, "spotify_playlists", old or None, names))
        elif not names and "spotify_playlists" in item:
            changes.append(Change(update.item_id, "spotify_playlists", old, None))

    if update.features is not None:
        for name, value in update.features.attributes().items():
            set_value(name, value)
        # Spotify's values win over our own audio analysis's, never over the person's.
        for name, value in (
            ("bpm", update.features.bpm()),
            ("initial_key", update.features.initial_key()),
        ):
            old = item.get(name)
            if value and old != value and (not old or analyzed.is_ours(item, name)):
                changes.append(Change(update.item_id, name, old, value))
    return changes


def write_attributes(
    lib: Library, updates: Iterable[AttributeUpdate], *, dry_run: bool = False
) -> AttributeReport:
    """Applies the updates through beets (one transaction); with dry_run only reports.

    Tags in the audio files are not touched; `beet write` copies bpm/initial_key there.
    """
    report = AttributeReport()
    with lib.transaction():
        for update in updates:
            item = lib.get_item(update.item_id)
            if item is None:
                report.missing_items.append(update.item_id)
                continue
            changes = _plan(item, update, report)
            report.changes.extend(changes)
            if dry_run or not changes:
                continue
            for change in changes:
                if change.new is None:
                    del item[change.field]
                else:
                    item[change.field] = _db_value(change.field, change.new)
            item.store()
    return report


def features_of(native: Any) -> AudioFeatures:
    """AudioFeatures of the engine's (_native.AudioFeatures)."""
    return AudioFeatures(
        **{name: getattr(native, name) for name in AudioFeatures.__dataclass_fields__}
    )


def updates_from_store(
    store: Any, *, liked_songs_playlist: bool = True, liked_songs_name: str = "Liked Songs"
) -> list[AttributeUpdate]:
    """The updates for every matched item, from the plugin's state database
    (_native.StateStore): its Spotify id, the playlists it is in (in Spotify's playlist
    order, Liked Songs last) and its audio features when they were fetched.

    Several Spotify tracks matched to one item (the same recording on two releases) give
    one update: the playlists of all of them, the id and features of the most confident.
    """
    in_playlists: dict[str, list[str]] = {}

    def note(track_id: str, name: str) -> None:
        names = in_playlists.setdefault(track_id, [])
        if name not in names:
            names.append(name)

    for record in store.list_playlists():
        for entry in store.playlist_entries(record.id):
            if entry.track.id:
                note(entry.track.id, record.name)
    if liked_songs_playlist:
        for entry in store.liked_entries():
            if entry.track.id:
                note(entry.track.id, liked_songs_name)

    by_item: dict[int, list[Any]] = {}
    for track_id, match in store.all_matches().items():
        if match.item_id and match.status == "matched":
            by_item.setdefault(match.item_id, []).append((track_id, match))

    updates = []
    for item_id, matched in sorted(by_item.items()):
        best_id, _ = max(matched, key=lambda pair: (pair[1].confidence, pair[0]))
        playlists: list[str] = []
        for track_id, _ in matched:
            playlists.extend(n for n in in_playlists.get(track_id, []) if n not in playlists)
        native_features = store.get_audio_features(best_id)
        features = features_of(native_features) if native_features is not None else None
        updates.append(AttributeUpdate(item_id, best_id, playlists, features))
    return updates


def describe(report: AttributeReport, *, dry_run: bool = False) -> list[str]:
    """One line per change, for --dry-run and -v."""
    verb = "would set" if dry_run else "set"
    lines = [
        f"item {c.item_id}: {verb} {c.field} = {c.new!r} (was {c.old!r})"
        if c.new is not None
        else f"item {c.item_id}: {'would remove' if dry_run else 'removed'} {c.field}"
        for c in report.changes
    ]
    lines.extend(
        f"item {c.item_id}: kept spotify_track_id {c.old} (Spotify matched {c.new})"
        for c in report.conflicts
    )
    lines.extend(f"item {i}: no longer in the library" for i in report.missing_items)
    return lines
