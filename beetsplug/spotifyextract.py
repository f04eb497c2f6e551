"""beets entry point of beets-spotify-extract: commands and listeners only."""

from __future__ import annotations

from beets.plugins import BeetsPlugin
from spotify_extract import attributes, commands, hooks, importer, releases, wishlist
from spotify_extract.settings import DEFAULTS, REDACTED_KEYS


class SpotifyExtractPlugin(BeetsPlugin):
    # Typed like beets' own spotify plugin (same type objects): no PluginConflictError.
    item_types = attributes.ITEM_TYPES

    def __init__(self) -> None:
        super().__init__()
        self.config.add(DEFAULTS)
        for key in REDACTED_KEYS:
            self.config[key].redact = True
        # Any import (ours or the person's own) closes wishlist entries it satisfies.
        self.import_listener = hooks.ImportListener(wishlist.resolver(self.config))
        self.import_stages = [importer.tag_imported_items]
        self.register_listener("item_imported", self.import_listener.item_imported)
        self.register_listener("album_imported", self.import_listener.album_imported)
        self.register_listener("cli_exit", self.import_listener.flush)

    def commands(self):
        return [
            commands.spotify_extract_command(self.config),
            wishlist.wishlist_command(self.config, self.import_listener),
            releases.releases_command(self.config),
        ]
