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
    add_account_options(command)

    add_extract_options(command)
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
        if run_account_option(config, opts):
            return
        if not opts.library_info:
            run_extract(config, lib, opts)
            return
        try:
            summary = library.summarize(lib)
        except _native.SpotifyExtractError as error:
            raise ui.UserError(str(error)) from error
        for line in summary.lines():
            ui.print_(line)

    command.func = run
    return command


def add_account_options(command: ui.Subcommand) -> None:
    """--login / --logout / --status (the Spotify account; see spotify_extract.auth)."""
    command.parser.add_option(
        "--login", action="store_true", help="connect your Spotify account (opens the browser)"
    )
    command.parser.add_option(
        "--logout", action="store_true", help="forget the saved Spotify login"
    )
    command.parser.add_option(
        "--status", action="store_true", help="show which Spotify account is connected"
    )


def run_account_option(config, opts) -> bool:
    """Handles --login/--logout/--status; False when none was given."""
    from spotify_extract import auth

    try:
        if getattr(opts, "login", False):
            user = auth.login(config, echo=ui.print_)
            ui.print_(f"Connected to Spotify as {auth.describe(user)}.")
            return True
        if getattr(opts, "logout", False):
            removed = auth.logout(config)
            ui.print_("Logged out of Spotify." if removed else "Not logged in to Spotify.")
            return True
        if getattr(opts, "status", False):
            user = auth.status(config)
            ui.print_(f"Connected to Spotify as {auth.describe(user)}.")
            return True
    except _native.SpotifyExtractError as error:
        raise ui.UserError(str(error)) from error
    return False


def add_extract_options(command: ui.Subcommand) -> None:
    """The main action's options (see spotify_extract.extract)."""
    command.parser.add_option(
        "-n",
        "--dry-run",
        action="store_true",
        help="fetch and match, but write no playlist file (only the state database)",
    )
    command.parser.add_option(
        "--from-export",
        metavar="PATH",
        help="read Spotify's 'Download your data' export or Exportify CSVs (folder or zip)",
    )
    command.parser.add_option(
        "--force",
        action="store_true",
        help="run even though the beets library is empty or less than half its last size",
    )
    command.parser.add_option(
        "--no-progress",
        action="store_true",
        help="plain log lines instead of progress bars, even on a terminal",
    )


def run_extract(config, lib: Library, opts) -> None:
    from spotify_extract import extract

    request = extract.RunRequest(
        dry_run=bool(opts.dry_run),
        from_export=opts.from_export,
        verbose=bool(getattr(opts, "verbose", False)),
        progress=False if opts.no_progress else None,
        force=bool(opts.force),
    )
    extract.run(config, lib, request)
