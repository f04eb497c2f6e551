"""The wishlist's entries in the state database: opening it and listing entries."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import beets

from spotify_extract import extract

STATUSES = ("pending", "downloading", "downloaded", "imported", "failed", "dismissed")
MANUAL_PREFIX = "manual:"


def _native():
    from spotify_extract import _native

    return _native


# The state database: extract.py owns where it is and how it opens (one clear line).
store_path = extract.state_database
open_store = extract.open_store


def list_entries(store, statuses: Sequence[str] = (), playlist: str = "") -> list[Any]:
    native = _native()
    wanted = native.WishlistFilter()
    wanted.statuses = list(statuses)
    wanted.playlist = playlist
    return list(store.list_wishlist(wanted))


def download_dir(plugin_config) -> Path:
    configured = plugin_config["download_dir"].get()
    if configured:
        return Path(os.path.expanduser(str(configured))).absolute()
    return Path(os.fsdecode(beets.config["directory"].as_filename())).absolute()
