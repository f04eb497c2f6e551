"""The `beet spotify-extract` and `beet wishlist` commands: options and dispatch."""

from __future__ import annotations

import time

from beets import ui
from beets.library import Library

from spotify_extract import _native


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

    command.parser.add_option(
        "--review",
        action="store_true",
        help="decide the matches below min_confidence (accept, pick another, reject)",
    )

    def run(lib: Library, opts, args) -> None:
        if opts.review:
            from spotify_extract import review

            review.run_review(config, lib)
            return
        started = time.perf_counter()
        try:
            items = _native.read_library(str(lib.path), lib.directory)
        except _native.SpotifyExtractError as error:
            raise ui.UserError(str(error)) from error
        elapsed = time.perf_counter() - started
        with_isrc = sum(1 for item in items if item.isrc)
        ui.print_(
            f"{len(items)} items read from {lib.path} in {elapsed:.3f} s ({with_isrc} with an ISRC)"
        )

    command.func = run
    return command
