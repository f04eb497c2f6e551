"""The `beet spotify-extract` and `beet wishlist` commands: options and dispatch."""

from __future__ import annotations

from beets import ui
from beets.library import Library

from spotify_extract import _native, library


def spotify_extract_command(config) -> ui.Subcommand:
    command = ui.Subcommand(
        "spotify-extract",
        help="fetch your Spotify library, match it against beets, mirror playlists as m3u",
    )
    command.parser.add_option(
        "--library-info",
        action="store_true",
        help="only load the beets library with the native reader and show what it holds",
    )

    def run(lib: Library, opts, args) -> None:
        try:
            summary = library.summarize(lib)
        except _native.SpotifyExtractError as error:
            raise ui.UserError(str(error)) from error
        for line in summary.lines():
            ui.print_(line)

    command.func = run
    return command
