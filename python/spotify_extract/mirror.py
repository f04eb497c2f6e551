"""Playlist mirroring settings: beets config -> the native engine's MirrorOptions.

The engine (native/playlist) writes the m3u files; this module only resolves where they go
and how their entries are written, from the `spotifyextract:` section, beets' own
`playlist` plugin (when it is enabled its playlist_dir is the default, so
`beet ls playlist:NAME` works on the mirrored playlists) and the target profile.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import beets

from spotify_extract import _native
from spotify_extract import settings as plugin_settings
from spotify_extract.display import printable
from spotify_extract.settings import Settings

NON_UTF8_POLICIES = {"skip": _native.NonUtf8Policy.SKIP, "write": _native.NonUtf8Policy.WRITE_RAW}


@dataclass(frozen=True)
class MirrorSource:
    """Where the playlist settings came from (for the summary the person sees)."""

    playlist_dir: str  # printable
    from_playlist_plugin: bool


def _fs(value: str | bytes | os.PathLike[str]) -> bytes:
    return os.fsencode(value)


def _playlist_plugin_enabled() -> bool:
    plugins = beets.config["plugins"].get()
    if isinstance(plugins, str):
        plugins = plugins.split()
    return "playlist" in (plugins or [])


def resolve_options(
    config: Settings | Any, music_directory: str | bytes, *, dry_run: bool = False
) -> tuple[_native.MirrorOptions, MirrorSource]:
    """MirrorOptions from the plugin's settings and beets' music directory.

    Precedence for each part: the explicit key (playlist_dir, relative_to, forward_slash,
    path_prefix, playlist_extension) > beets' `playlist` plugin (playlist_dir, and its
    relative_to when it is library or playlist) > the target profile.
    """
    settings = plugin_settings.of(config)
    style = _native.target_profile(settings.target)

    from_plugin = False
    if settings.playlist_dir:
        playlist_dir = settings.playlist_dir
    elif _playlist_plugin_enabled():
        playlist_dir = beets.config["playlist"]["playlist_dir"].as_filename()
        from_plugin = True
        plugin_relative = beets.config["playlist"]["relative_to"].get()
        if settings.relative_to is None:
            if plugin_relative in ("library", "playlist"):
                style.relative_to = _native.parse_relative_to(plugin_relative)
            elif plugin_relative:
                # beets reads the lines relative to a folder of its own; absolute lines
                # are read the same from anywhere.
                style.relative_to = _native.RelativeTo.ABSOLUTE
    elif style.relative_to == _native.RelativeTo.PLAYLIST:
        # Players that index the music share find playlists inside it.
        playlist_dir = os.path.join(os.fsdecode(music_directory), "Playlists")
    else:
        playlist_dir = os.path.join(beets.config.config_dir(), "playlists")

    if settings.relative_to is not None:
        style.relative_to = _native.parse_relative_to(settings.relative_to)
    if settings.forward_slash is not None:
        style.forward_slash = settings.forward_slash
    if settings.path_prefix:
        style.path_prefix = settings.path_prefix
    if settings.playlist_extension is not None:
        style.extension = settings.playlist_extension

    options = _native.MirrorOptions()
    options.style = style
    options.playlist_dir = _fs(os.path.abspath(playlist_dir))
    options.library_root = _fs(os.path.abspath(os.fsdecode(music_directory)))
    options.name_template = settings.name_template
    options.missing_comments = settings.missing_comments
    options.non_utf8 = NON_UTF8_POLICIES[settings.non_utf8_paths]
    options.dry_run = dry_run
    return options, MirrorSource(os.path.abspath(playlist_dir), from_plugin)


def mirror(
    playlists: Sequence[_native.MirrorPlaylist],
    previously_owned: Iterable[_native.OwnedFile],
    options: _native.MirrorOptions,
) -> _native.MirrorResult:
    """Write the playlists (see native/playlist/mirror.h for the rules)."""
    return _native.mirror(list(playlists), list(previously_owned), options)


def summary_lines(result: _native.MirrorResult, *, dry_run: bool = False) -> list[str]:
    """What the person reads after a run: counts, then anything that needs attention."""
    verb = "would write" if dry_run else "written"
    lines = [
        f"playlists: {result.written} {verb}, {result.unchanged} unchanged, "
        f"{result.removed} {'would be removed' if dry_run else 'removed'}, "
        f"{result.skipped} skipped"
    ]
    return lines + playlist_notes(result)


def playlist_notes(result: _native.MirrorResult) -> list[str]:
    """One line per playlist that needs attention (entries left out and why, a file kept,
    a name shared with another playlist, no file at all), then the warnings."""
    lines = []
    for outcome in result.playlists:
        stats = outcome.stats
        notes = []
        if stats.skipped_non_utf8:
            notes.append(f"{stats.skipped_non_utf8} with a non-UTF-8 path left out")
        if stats.skipped_outside_library:
            notes.append(
                f"{stats.skipped_outside_library} outside the music directory left out "
                "(use target: absolute)"
            )
        if stats.skipped_unrepresentable:
            notes.append(f"{stats.skipped_unrepresentable} with a line break in the path left out")
        # A playlist with nothing in the library yet and no file is not news; one that had
        # something to write and got no file, a kept file or a shared name is.
        skipped = outcome.status == _native.MirrorStatus.SKIPPED
        if outcome.message and (not skipped or stats.entries):
            notes.append(outcome.message)
        if notes:
            lines.append(f"  {printable(outcome.name)}: {'; '.join(notes)}")
    lines.extend(f"  warning: {text}" for text in result.warnings)
    return lines
