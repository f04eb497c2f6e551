"""The `beet spotify-extract` command: options, usage checks and dispatch."""

from __future__ import annotations

import optparse
from collections.abc import Sequence

from beets import ui
from beets.library import Library

from spotify_extract import _native, library
from spotify_extract import settings as plugin_settings
from spotify_extract.interrupt import Interrupted
from spotify_extract.settings import Settings

# Options that each select a job of their own; at most one, and alone.
ACTIONS = ("login", "logout", "status", "review", "library_info", "report")
# Options that fit every job (cron lines may always pass them).
NEUTRAL = ("no_progress", "write")


def spotify_extract_command(config) -> ui.Subcommand:
    command = ui.Subcommand(
        "spotify-extract",
        help="fetch your Spotify library, match it against beets, mirror playlists as m3u",
    )
    add_flag(
        command,
        "--library-info",
        help="only load the beets library with the native reader and show what it holds",
    )
    add_account_options(command)

    add_extract_options(command)
    add_flag(
        command,
        "--review",
        help="decide the matches below min_confidence (accept, pick another, reject)",
    )
    add_flag(
        command,
        "--report",
        help="overlap, duplicates, weights, coverage and match methods of your playlists: "
        "an HTML report with pictures in state_dir/reports/",
    )

    def run(lib: Library, opts, args) -> None:
        check_usage(command.parser, opts, args, ACTIONS, NEUTRAL)
        if opts.write and not opts.login:
            usage_error(command.parser, "--write goes with --login")
        settings = plugin_settings.load(config)
        try:
            dispatch(settings, lib, opts)
        except KeyboardInterrupt:  # outside the engine's own cancel points
            ui.print_("Cancelled.")
            raise Interrupted() from None

    def dispatch(settings: Settings, lib: Library, opts) -> None:
        if opts.review:
            from spotify_extract import review

            review.run_review(settings, lib)
            return
        if run_account_option(settings, opts):
            return
        if opts.report:
            from spotify_extract import report

            report.run_report(settings)
            return
        if not opts.library_info:
            run_extract(settings, lib, opts)
            return
        try:
            summary = library.summarize(lib)
        except _native.SpotifyExtractError as error:
            raise ui.UserError(str(error)) from error
        for line in summary.lines():
            ui.print_(line)

    command.func = run
    return command


def add_flag(command: ui.Subcommand, *names: str, help: str) -> None:
    """An option that is off unless given."""
    command.parser.add_option(*names, action="store_true", help=help)


def usage_error(parser: optparse.OptionParser, message: str) -> None:
    """optparse's usage error (exit status 2), in one line: the usage text is `-h`."""
    parser.exit(2, f"{parser.get_prog_name()}: error: {message}\n")


def _flag(parser: optparse.OptionParser, dest: str) -> str:
    for option in parser.option_list:
        if option.dest == dest:
            return option.get_opt_string()
    return "--" + dest.replace("_", "-")


def check_usage(
    parser: optparse.OptionParser,
    opts,
    args: Sequence[str],
    actions: Sequence[str],
    neutral: Sequence[str] = (),
) -> None:
    """No positional arguments; at most one of `actions`, and none of the other options
    beside it (`--login --dry-run` would silently ignore --dry-run) but `neutral` ones."""
    if args:
        usage_error(parser, f"unexpected argument {ui_text(args[0])!r} (see -h)")
    given = [
        option.dest
        for option in parser.option_list
        if option.dest
        and getattr(opts, option.dest, None) not in (None, False)
        and getattr(opts, option.dest, None) != parser.defaults.get(option.dest)
    ]
    chosen = [dest for dest in given if dest in actions]
    if len(chosen) > 1:
        usage_error(
            parser, f"{_flag(parser, chosen[0])} and {_flag(parser, chosen[1])} exclude each other"
        )
    if chosen:
        others = [dest for dest in given if dest not in actions and dest not in neutral]
        if others:
            usage_error(
                parser,
                f"{_flag(parser, chosen[0])} cannot be combined with {_flag(parser, others[0])}",
            )


def ui_text(text: str) -> str:
    from spotify_extract.display import printable

    return printable(text)


def add_account_options(command: ui.Subcommand) -> None:
    """--login / --logout / --status (the Spotify account; see spotify_extract.auth)."""
    add_flag(command, "--login", help="connect your Spotify account (opens the browser)")
    add_flag(
        command,
        "--write",
        help="with --login: also allow changing the playlists this tool creates "
        "(spotify-master, spotify-push)",
    )
    add_flag(command, "--logout", help="forget the saved Spotify login")
    add_flag(command, "--status", help="show which Spotify account is connected")


def run_account_option(settings: Settings, opts) -> bool:
    """Handles --login/--logout/--status; False when none was given."""
    from spotify_extract import auth

    try:
        if getattr(opts, "login", False):
            user = auth.login(settings, echo=ui.print_, write=bool(getattr(opts, "write", False)))
            ui.print_(f"Connected to Spotify as {auth.describe(user)}.")
            return True
        if getattr(opts, "logout", False):
            removed = auth.logout(settings)
            ui.print_("Logged out of Spotify." if removed else "Not logged in to Spotify.")
            return True
        if getattr(opts, "status", False):
            user = auth.status(settings)
            ui.print_(f"Connected to Spotify as {auth.describe(user)}.")
            from spotify_extract import artwork

            ui.print_(artwork.disk_usage(settings).line())
            return True
    except _native.SpotifyExtractError as error:
        raise ui.UserError(str(error)) from error
    return False


def add_extract_options(command: ui.Subcommand) -> None:
    """The main action's options (see spotify_extract.extract)."""
    add_flag(
        command,
        "-n",
        "--dry-run",
        help="fetch and match, but write no playlist file (only the state database)",
    )
    command.parser.add_option(
        "--from-export",
        metavar="PATH",
        help="read Spotify's 'Download your data' export or Exportify CSVs (folder or zip)",
    )
    add_flag(
        command,
        "--force",
        help="run even though the beets library is empty or less than half its last size",
    )
    add_flag(
        command,
        "--ignore-cooldowns",
        help="fetch every phase even when it ran within its cooldown (the cooldowns key)",
    )
    add_flag(
        command,
        "--no-progress",
        help="plain log lines instead of progress bars, even on a terminal",
    )


def run_extract(settings: Settings, lib: Library, opts) -> None:
    from spotify_extract import extract

    request = extract.RunRequest(
        dry_run=bool(opts.dry_run),
        from_export=opts.from_export,
        verbose=extract.verbose(),
        progress=False if opts.no_progress else None,
        force=bool(opts.force),
        ignore_cooldowns=bool(opts.ignore_cooldowns),
    )
    extract.run(settings, lib, request)
