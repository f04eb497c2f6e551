"""The `beet spotify-sync` command: options, usage checks and dispatch."""

from __future__ import annotations

from beets import ui
from beets.library import Library

from spotify_extract import settings as plugin_settings
from spotify_extract.commands import usage_error
from spotify_extract.sync import cycle, schedule

DEFAULT_EVERY = "6h"


def sync_command(plugin_config, listener) -> ui.Subcommand:
    command = ui.Subcommand(
        "spotify-sync",
        help="the whole cycle for cron/systemd: extract, download, import, refresh players",
    )
    parser = command.parser
    parser.description = (
        "Runs `beet spotify-extract`, downloads up to --max-downloads missing tracks "
        "(`beet wishlist download`, with its import), then refreshes the players listed "
        "under `refresh:`. Exit status: 0 nothing wrong, 1 failed, 3 finished but some "
        "tracks failed or some playlists could not be written."
    )
    parser.add_option(
        "-q",
        "--quiet",
        action="store_true",
        help="print nothing unless something changed or failed; then a short digest",
    )
    parser.add_option(
        "--max-downloads",
        type="int",
        metavar="N",
        help="download at most N tracks (default: downloads_per_hour; 0: none)",
    )
    parser.add_option(
        "--print-schedule",
        action="store_true",
        help="print a systemd user service + timer and a cron line that run this sync",
    )
    parser.add_option(
        "--every",
        metavar="DURATION",
        help=f"with --print-schedule: how often (30m, 6h, 1d; default {DEFAULT_EVERY})",
    )

    def run(lib: Library, opts, args) -> None:
        if args:
            usage_error(parser, f"unexpected argument {args[0]!r} (see -h)")
        if opts.every is not None and not opts.print_schedule:
            usage_error(parser, "--every goes with --print-schedule")
        if opts.max_downloads is not None and opts.max_downloads < 0:
            usage_error(parser, "--max-downloads must be 0 or more")
        if opts.print_schedule:
            minutes = schedule.parse_every(opts.every or DEFAULT_EVERY)
            arguments = ["--quiet"]
            if opts.max_downloads is not None:
                arguments += ["--max-downloads", str(opts.max_downloads)]
            ui.print_(schedule.schedule_text(minutes, arguments), end="")
            return
        settings = plugin_settings.load(plugin_config)
        request = cycle.SyncRequest(quiet=bool(opts.quiet), max_downloads=opts.max_downloads)
        status = cycle.run_sync(settings, lib, listener, request, plugin_config=plugin_config)
        if status != cycle.OK:
            raise SystemExit(status)

    command.func = run
    return command
