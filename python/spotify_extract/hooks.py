"""Import listeners: whatever the source of an import, new items close wishlist entries.

`item_imported` / `album_imported` only collect the new items (cheap, on beets' import
threads); `flush` then matches them against the wishlist with the engine's matcher (as the
extraction does), marks sure matches `imported`, stores them and re-renders the
playlists through the extraction's own re-render. The plugin calls `flush` at
`cli_exit`, and our own `beet wishlist import` calls it right after its import.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from beets.library import Album, Item, Library

# Set by the wishlist package: (lib, item ids) -> None. Until the state database exists there is
# nothing to close, so the default does nothing.
Resolver = Callable[[Library, list[int]], None]


class ImportListener:
    """Collects the items of every import and hands them to the resolver once."""

    def __init__(self, resolver: Resolver | None = None) -> None:
        self._lock = threading.Lock()
        self._item_ids: list[int] = []
        self._lib: Library | None = None
        self.resolver = resolver

    def item_imported(self, lib: Library, item: Item) -> None:
        with self._lock:
            self._lib = lib
            if item.id is not None:
                self._item_ids.append(item.id)

    def album_imported(self, lib: Library, album: Album) -> None:
        with self._lock:
            self._lib = lib
            self._item_ids.extend(item.id for item in album.items() if item.id is not None)

    def take(self) -> tuple[Library | None, list[int]]:
        with self._lock:
            lib, ids = self._lib, self._item_ids
            self._item_ids = []
            return lib, ids

    def flush(self, lib: Library | None = None) -> None:
        """Resolve the collected items now (idempotent; nothing collected: no work)."""
        collected_lib, ids = self.take()
        lib = lib or collected_lib
        if not ids or lib is None or self.resolver is None:
            return
        self.resolver(lib, ids)
