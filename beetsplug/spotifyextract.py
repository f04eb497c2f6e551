"""beets entry point of beets-spotify-extract: commands and listeners only."""

from __future__ import annotations

from typing import ClassVar

from beets.plugins import BeetsPlugin
from spotify_extract import (
    attributes,
    commands,
    coverage,
    hooks,
    importer,
    releases,
    sync,
    wishlist,
)
from spotify_extract.analyze import command as analyze
from spotify_extract.analyze import fields as analyzed_fields
from spotify_extract.analyze import query as analyze_query
from spotify_extract.settings import DEFAULTS, REDACTED_KEYS


class SpotifyExtractPlugin(BeetsPlugin):
    # Typed like beets' own spotify plugin (same type objects): no PluginConflictError.
    item_types: ClassVar = {**attributes.ITEM_TYPES, **analyzed_fields.ITEM_TYPES}
    item_queries: ClassVar = analyze_query.ITEM_QUERIES  # harmonic:8A

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
        # analyze_after_import: after the wishlist's flush, so closed entries come first.
        self.analyze_listener = analyze.AnalyzeAfterImport(self.config)
        self.register_listener("item_imported", self.analyze_listener.item_imported)
        self.register_listener("album_imported", self.analyze_listener.album_imported)
        self.register_listener("cli_exit", self.analyze_listener.flush)
        self.template_fields.update(analyze_query.TEMPLATE_FIELDS)  # $camelot $open_key

    def commands(self):
        return [
            commands.spotify_extract_command(self.config),
            wishlist.wishlist_command(self.config, self.import_listener),
            coverage.coverage_command(self.config, self.import_listener),
            releases.releases_command(self.config),
            sync.sync_command(self.config, self.import_listener),
            analyze.spotify_analyze_command(self.config),
        ]
