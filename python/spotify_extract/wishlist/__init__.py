"""`beet wishlist`: what is missing, downloaded with spotDL and imported into beets.

The wishlist lives in the state database (native/store); this package is the command
logic around it: listing and filtering (query), manual additions (add), export and
statistics (command), the download run (download, with download_runner.py) and the import
(importing, with importer.py), and the resolver the import listeners (hooks.py) use to
close entries when matching files arrive by any route.
"""

from spotify_extract.wishlist.add import (
    SpotifyRef,
    manual_key,
    parse_artist_title,
    parse_spotify_ref,
)
from spotify_extract.wishlist.command import wishlist_command
from spotify_extract.wishlist.importing import resolve_items, resolver
from spotify_extract.wishlist.query import entry_values, export_entries, query_filter

__all__ = [
    "SpotifyRef",
    "entry_values",
    "export_entries",
    "manual_key",
    "parse_artist_title",
    "parse_spotify_ref",
    "query_filter",
    "resolve_items",
    "resolver",
    "wishlist_command",
]
