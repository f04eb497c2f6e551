"""The `beet wishlist` command: its options, the dispatch to subcommands, and the
subcommands that only read or edit entries (list, dismiss, restore, retry, export, stats)."""

from __future__ import annotations

import difflib
import re
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from beets import ui
from beets.library import Library
from beets.util.functemplate import Template

from spotify_extract import downloaders
from spotify_extract import settings as plugin_settings
from spotify_extract.hooks import ImportListener
from spotify_extract.wishlist.add import cmd_add
from spotify_extract.wishlist.download import cmd_download
from spotify_extract.wishlist.entries import (
    OUTSTANDING,
    STATUSES,
    _native,
    list_entries,
    open_store,
    run_lock,
)
from spotify_extract.wishlist.importing import cmd_import
from spotify_extract.wishlist.query import (
    DEFAULT_FORMAT,
    EXPORT_KINDS,
    entry_values,
    export_entries,
    is_filtered,
    page_of,
    select_entries,
    totals_line,
)

ACTIONS = ("list", "add", "dismiss", "restore", "retry", "export", "stats", "download", "import")
# Subcommands that change the wishlist (or the library): one at a time, like extract runs.
WRITERS = frozenset({"add", "dismiss", "restore", "retry", "download", "import"})
# A bare word this close to a subcommand's name is a typo, not a query.
_TYPO_CUTOFF = 0.75


def split_action(args: list[str]) -> tuple[str, list[str]]:
    """The subcommand and the rest; a misspelt subcommand is an error, not a query."""
    if args and args[0] in ACTIONS:
        return args[0], args[1:]
    if args and re.fullmatch(r"[A-Za-z]+", args[0]):
        close = difflib.get_close_matches(args[0].lower(), ACTIONS, n=1, cutoff=_TYPO_CUTOFF)
        if close:
            raise ui.UserError(
                f"unknown wishlist subcommand {args[0]!r} (did you mean {close[0]}?); "
                f"subcommands: {', '.join(ACTIONS)} (to search for the word: list {args[0]})"
            )
    return "list", args


def check_paging(opts) -> None:
    """--limit and --page are counts from 1: 0 or less is a usage error, not "all"."""
    for name in ("limit", "page"):
        value = getattr(opts, name)
        if value is not None and value < 1:
            raise ui.UserError(f"--{name} must be 1 or more, not {value}")


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
        "--all",
        action="store_true",
        help="export: every entry (default: those still wanted, not imported or dismissed)",
    )
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
        action, args = split_action(args)
        check_paging(opts)
        # Every key checked before any work (a bad import_mode stops a download early).
        settings = plugin_settings.of(plugin_config)
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
            if action in WRITERS:
                with run_lock(settings, f"beet wishlist {action}"):
                    handler(settings, listener, lib, opts, args)
            else:
                handler(settings, listener, lib, opts, args)
        except native.SpotifyExtractError as error:
            raise ui.UserError(str(error)) from error
        except downloaders.DownloaderError as error:
            raise ui.UserError(str(error)) from error
        except KeyboardInterrupt:
            # beets would leave quietly with exit status 0.
            raise ui.UserError(f"wishlist {action}: stopped (Ctrl-C)") from None

    command.func = run
    return command


def cmd_list(plugin_config, listener, lib, opts, args) -> None:
    store = open_store(plugin_config)
    entries = select_entries(store, opts, args)
    template = Template(opts.format or DEFAULT_FORMAT)
    for entry in page_of(entries, opts):
        ui.print_(template.substitute(entry_values(entry, store), {}))
    shown = len(page_of(entries, opts))
    if opts.limit and len(entries) > shown:
        page = max(1, opts.page or 1)
        pages = (len(entries) + opts.limit - 1) // opts.limit
        ui.print_(f"page {page} of {pages} ({len(entries)} entries match)")
    if not opts.format:
        everything = store.count_wishlist() if is_filtered(opts, args) else None
        ui.print_(totals_line(entries, everything))


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
    elif args and _looks_like_a_format(args[0]):
        raise ui.UserError(
            f"unknown export format {args[0]!r}; formats: {', '.join(EXPORT_KINDS)} "
            f"(to search for the word, name the format first: export csv {args[0]})"
        )
    store = open_store(plugin_config)
    # What is still wanted, unless asked for more: imported and dismissed tracks are done.
    statuses = () if opts.all else OUTSTANDING
    text = export_entries(select_entries(store, opts, args, statuses), kind)
    if opts.output:
        path = Path(opts.output).expanduser()
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise ui.UserError(f"cannot write {path}: {error.strerror}") from error
    else:
        sys.stdout.write(text)


# Words a person may mean as an export format; anything else first is a query.
_FILE_FORMATS = frozenset(
    {
        "xml",
        "yaml",
        "yml",
        "tsv",
        "txt",
        "text",
        "html",
        "htm",
        "m3u",
        "m3u8",
        "xspf",
        "md",
        "toml",
        "xlsx",
        "xls",
        "ods",
        "jsonl",
        "ndjson",
        "url",
        "uri",
        "uris",
        "links",
    }
)


def _looks_like_a_format(word: str) -> bool:
    word = word.lower()
    return word in _FILE_FORMATS or bool(
        re.fullmatch(r"[a-z0-9]+", word)
        and difflib.get_close_matches(word, EXPORT_KINDS, n=1, cutoff=_TYPO_CUTOFF)
    )


def cmd_stats(plugin_config, listener, lib, opts, args) -> None:
    store = open_store(plugin_config)
    entries = list_entries(store)
    by = Counter(entry.status for entry in entries)
    # Downloads this plugin made (spotDL finished): downloaded, imported after one, or
    # failed at the import. Entries closed because the library has the track (matched by
    # an extract, or imported by hand) never went through spotDL: counted apart.
    downloaded = sum(
        1 for e in entries if e.downloaded_at and e.status in ("downloaded", "imported")
    )
    closed_by_library = sum(1 for e in entries if e.status == "imported" and not e.downloaded_at)
    tried = downloaded + by["failed"]
    rate = f"{100.0 * downloaded / tried:.0f}%" if tried else "n/a"
    retries = sum(entry.retries for entry in entries)
    stats = store.get_wishlist_stats()
    ui.print_(totals_line(entries))
    ui.print_(
        f"to download: {by['pending'] + by['downloading']} pending; "
        f"to import: {by['downloaded']} downloaded"
    )
    ui.print_(
        f"downloads: {rate} succeeded ({downloaded} of {tried} tried; {by['failed']} failed "
        f"now, {retries} retries)"
    )
    ui.print_(f"already in your library (closed without a download): {closed_by_library}")
    ui.print_(
        f"this week: {stats.downloaded_last_week} downloaded, {stats.imported_last_week} imported"
    )
