"""The `beet wishlist` command: its options, the dispatch to subcommands, and the
subcommands that only read or edit entries (list, dismiss, restore, retry, export, stats)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from beets import ui
from beets.library import Library
from beets.util.functemplate import Template

from spotify_extract import spotdl
from spotify_extract.hooks import ImportListener
from spotify_extract.wishlist.add import cmd_add
from spotify_extract.wishlist.download import cmd_download
from spotify_extract.wishlist.entries import STATUSES, _native, open_store
from spotify_extract.wishlist.importing import cmd_import
from spotify_extract.wishlist.query import (
    DEFAULT_FORMAT,
    EXPORT_KINDS,
    entry_values,
    export_entries,
    page_of,
    select_entries,
    totals_line,
)

ACTIONS = ("list", "add", "dismiss", "restore", "retry", "export", "stats", "download", "import")

# --------------------------------------------------------------------------------------
# Commands


def wishlist_command(plugin_config, listener: ImportListener) -> ui.Subcommand:
    command = ui.Subcommand(
        "wishlist",
        help="the Spotify tracks you do not own yet: list, download with spotDL, import",
    )
    command.parser.usage = (
        "%prog [list] [options] [QUERY...]\n"
        "       %prog add SPOTIFY-URL|SPOTIFY-URI|'ARTIST - TITLE'...\n"
        "       %prog dismiss|restore|retry [QUERY...]\n"
        "       %prog export [csv|json|urls] [-o FILE] [QUERY...]\n"
        "       %prog stats\n"
        "       %prog download [--limit N] [--playlist NAME]\n"
        "       %prog import [--interactive]"
    )
    command.parser.description = (
        "Every Spotify track no item of your library matches is a wishlist entry: "
        "pending -> downloading -> downloaded -> imported, or failed (with the error and "
        "a retry count), or dismissed. `download` hands pending entries to spotDL and "
        "then (import_after_download) to beets' importer; any import that brings a "
        "wanted track in closes its entry and refreshes the playlists that wanted it."
    )
    parser = command.parser
    parser.add_option(
        "-s",
        "--status",
        action="append",
        metavar="STATUS",
        help="only entries with this status (repeat or comma-separate): " + ", ".join(STATUSES),
    )
    parser.add_option(
        "-p", "--playlist", metavar="NAME", help="only tracks this playlist (name or id) wants"
    )
    parser.add_option(
        "-n",
        "--limit",
        type="int",
        metavar="N",
        help="list: N entries per page; download: at most N tracks",
    )
    parser.add_option("--page", type="int", metavar="P", help="list: show page P (with --limit)")
    parser.add_option(
        "-f",
        "--format",
        metavar="FMT",
        help="list: print each entry with this template, like `beet ls -f` "
        "($artist $title $album $status $playlists $url $isrc $error $retries $id ...)",
    )
    parser.add_option("-o", "--output", metavar="FILE", help="export: write to FILE, not stdout")
    parser.add_option(
        "-i",
        "--interactive",
        action="store_true",
        help="import: your usual interactive beets import instead of the quiet one",
    )
    parser.add_option(
        "--no-import",
        action="store_true",
        help="download: do not import afterwards (overrides import_after_download)",
    )

    def run(lib: Library, opts, args: list[str]) -> None:
        action = "list"
        if args and args[0] in ACTIONS:
            action, args = args[0], args[1:]
        handler = {
            "list": cmd_list,
            "add": cmd_add,
            "dismiss": cmd_dismiss,
            "restore": cmd_restore,
            "retry": cmd_retry,
            "export": cmd_export,
            "stats": cmd_stats,
            "download": cmd_download,
            "import": cmd_import,
        }[action]
        native = _native()
        try:
            handler(plugin_config, listener, lib, opts, args)
        except native.SpotifyExtractError as error:
            raise ui.UserError(str(error)) from error
        except spotdl.SpotdlError as error:
            raise ui.UserError(str(error)) from error

    command.func = run
    return command


def cmd_list(plugin_config, listener, lib, opts, args) -> None:
    store = open_store(plugin_config)
    entries = select_entries(store, opts, args)
    template = Template(opts.format or DEFAULT_FORMAT)
    for entry in page_of(entries, opts):
        ui.print_(template.substitute(entry_values(entry), {}))
    shown = len(page_of(entries, opts))
    if opts.limit and len(entries) > shown:
        page = max(1, opts.page or 1)
        pages = (len(entries) + opts.limit - 1) // opts.limit
        ui.print_(f"page {page} of {pages} ({len(entries)} entries match)")
    if not opts.format:
        ui.print_(totals_line(store))


def _require_matches(store, opts, args, statuses: Sequence[str], what: str) -> list[Any]:
    if not args and not opts.playlist and not opts.status:
        raise ui.UserError(f"{what}: name the entries (a query, --playlist or --status)")
    if not opts.status:
        opts.status = [",".join(statuses)]
    entries = select_entries(store, opts, args)
    if not entries:
        raise ui.UserError(f"{what}: no matching entries")
    return entries


def cmd_dismiss(plugin_config, listener, lib, opts, args) -> None:
    store = open_store(plugin_config)
    entries = _require_matches(store, opts, args, ("pending", "failed", "downloaded"), "dismiss")
    for entry in entries:
        store.dismiss_wishlist_entry(entry.spotify_track_id)
        ui.print_(f"dismissed: {entry.artist} - {entry.title}")


def cmd_restore(plugin_config, listener, lib, opts, args) -> None:
    store = open_store(plugin_config)
    entries = _require_matches(store, opts, args, ("dismissed",), "restore")
    for entry in entries:
        store.restore_wishlist_entry(entry.spotify_track_id)
        ui.print_(f"restored: {entry.artist} - {entry.title}")


def cmd_retry(plugin_config, listener, lib, opts, args) -> None:
    store = open_store(plugin_config)
    if not args and not opts.playlist:
        count = store.retry_wishlist("")
    else:
        opts.status = ["failed"]
        count = sum(
            store.retry_wishlist(e.spotify_track_id) for e in select_entries(store, opts, args)
        )
    ui.print_(f"{count} failed entr{'y' if count == 1 else 'ies'} back to pending")


def cmd_export(plugin_config, listener, lib, opts, args) -> None:
    kind = "csv"
    if args and args[0] in EXPORT_KINDS:
        kind, args = args[0], args[1:]
    store = open_store(plugin_config)
    text = export_entries(select_entries(store, opts, args), kind)
    if opts.output:
        path = Path(opts.output).expanduser()
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise ui.UserError(f"cannot write {path}: {error.strerror}") from error
    else:
        sys.stdout.write(text)


def cmd_stats(plugin_config, listener, lib, opts, args) -> None:
    store = open_store(plugin_config)
    stats = store.get_wishlist_stats()
    by = dict(stats.by_status)
    done = by.get("downloaded", 0) + by.get("imported", 0)
    tried = done + by.get("failed", 0)
    rate = f"{100.0 * done / tried:.0f}%" if tried else "n/a"
    ui.print_(totals_line(store))
    ui.print_(f"queue: {by.get('pending', 0) + by.get('downloading', 0)} to download")
    ui.print_(
        f"success rate: {rate} ({done} of {tried} downloads; {stats.failed_attempts} retries)"
    )
    ui.print_(
        f"this week: {stats.downloaded_last_week} downloaded, {stats.imported_last_week} imported"
    )
