"""The wishlist's entries in the state database: opening it and listing entries."""

from __future__ import annotations

import contextlib
import difflib
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from beets import ui

from spotify_extract import extract
from spotify_extract.settings import Settings

STATUSES = ("pending", "downloading", "downloaded", "imported", "failed", "dismissed")
# Still wanted: not in the library yet and not dismissed.
OUTSTANDING = ("pending", "downloading", "downloaded", "failed")


def _native():
    from spotify_extract import _native

    return _native


# How the key of an "Artist - Title" entry starts: the engine's definition.
MANUAL_PREFIX: str = _native().MANUAL_KEY_PREFIX

# The state database: extract.py owns where it is and how it opens (one clear line).
store_path = extract.state_database
open_store = extract.open_store


def list_entries(store, statuses: Sequence[str] = (), playlist: str = "") -> list[Any]:
    """Entries with one of the statuses (all when none) that `playlist` (a name, any case,
    an id, "Liked Songs", or who asked for a manual entry) wants."""
    native = _native()
    wanted = native.WishlistFilter()
    wanted.statuses = list(statuses)
    wanted.playlist = playlist
    entries = list(store.list_wishlist(wanted))
    if playlist and not entries:
        check_playlist(store, playlist)
    return entries


def check_playlist(store, playlist: str) -> None:
    """One line when no playlist has that name (a typo is not "nothing wanted")."""
    names = {"Liked Songs"}
    ids = {"liked"}
    for record in store.list_playlists():
        names.add(record.name)
        ids.add(record.id)
    for entry in list_entries(store):
        names.update(entry.requested_by)
    lowered = {name.lower() for name in names}
    if playlist in ids or playlist.lower() in lowered:
        return
    close = difflib.get_close_matches(playlist, sorted(names), n=3, cutoff=0.6)
    hint = f" (did you mean {', '.join(repr(name) for name in close)}?)" if close else ""
    raise ui.UserError(f"no playlist is named {playlist!r}{hint}")


def download_dir(settings: Settings) -> Path:
    return settings.download_dir.expanduser().absolute()


# Set while this process holds the run lock, so the import hook's playlist refresh inside
# `wishlist download`/`import` does not wait for its own lock.
_lock_held = False


def holding_run_lock() -> bool:
    return _lock_held


class RunBusyError(ui.UserError):
    """Another run held the lock for the whole wait (its message names that run)."""


@contextlib.contextmanager
def run_lock(plugin_config, what: str, wait: float | None = None) -> Iterator[None]:
    """The one-run-at-a-time lock `beet spotify-extract` takes: another run gets a few
    seconds (beets' `timeout`, or `wait`) to finish, then one line naming it (pid,
    command, since)."""
    global _lock_held
    if _lock_held:
        yield
        return
    native = _native()
    lock_path = open_store(plugin_config).lock_path()
    deadline = time.monotonic() + (extract.lock_timeout() if wait is None else wait)
    while True:
        try:
            lock = native.RunLock.acquire(lock_path, what)
            break
        except native.RunLockedError as error:
            if time.monotonic() >= deadline:
                raise RunBusyError(str(error)) from error
            time.sleep(0.1)
        except native.SpotifyExtractError as error:
            raise ui.UserError(str(error)) from error
    with lock:
        _lock_held = True
        try:
            yield
        finally:
            _lock_held = False
