"""Imports downloaded files through beets' own importer, and accounts for every file.

beets' quiet mode drops files silently: a weak autotag match is skipped
(`quiet_fallback: skip`) and a duplicate is skipped (`duplicate_action: ask` means skip
when quiet). For our import the defaults are `quiet_fallback: asis` and
`duplicate_action: keep`, so a downloaded file with no strong match goes in with its own
tags. Every imported item gets the `spotify_track_id` of the wishlist entry it came from
(a plugin import stage, `tag_imported_items`, does that before files are moved), and
afterwards each file is checked: it became an item, or it is reported with the reason.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import beets
from beets.library import Item, Library
from beets.util import displayable_path, normpath

TRACK_ID_FIELD = "spotify_track_id"


@dataclass(frozen=True)
class ImportRequest:
    """One downloaded file and the Spotify track it was downloaded for."""

    path: Path
    track_id: str
    label: str = ""


@dataclass
class ImportReport:
    imported: dict[str, Item] = field(default_factory=dict)  # track id -> new item
    not_imported: list[tuple[ImportRequest, str]] = field(default_factory=list)  # reasons

    def reason(self, track_id: str) -> str | None:
        for request, reason in self.not_imported:
            if request.track_id == track_id:
                return reason
        return None


@dataclass(frozen=True)
class ImportOptions:
    singletons: bool | None = None  # None: beets' import.singletons
    interactive: bool = False  # the person's usual import, prompts and all
    autotag: bool | None = None  # None: beets' import.autotag
    quiet_fallback: str = "asis"
    duplicate_action: str = "keep"


# Source path (normalised bytes) -> track id of the import running now; read by the
# plugin's import stage on beets' pipeline threads.
_lock = threading.Lock()
_pending: dict[bytes, str] = {}
_tagged: dict[str, int] = {}


def _key(path: Path | bytes | str) -> bytes:
    raw = path if isinstance(path, bytes) else os.fsencode(os.fspath(path))
    return normpath(raw)


def tag_imported_items(session, task) -> None:
    """Plugin import stage: give items from our downloads their `spotify_track_id`.

    Runs after the items were added to the library and before files move, so the
    item's path is still the downloaded file's path.
    """
    with _lock:
        if not _pending:
            return
        for item in task.imported_items():
            track_id = _pending.get(_key(item.path))
            if track_id is None:
                continue
            item[TRACK_ID_FIELD] = track_id
            item.store()
            if item.id is not None:
                _tagged[track_id] = item.id


class _CaptureHandler(logging.Handler):
    """Collects beets' import log ("skip PATH", "duplicate-skip PATH") and warnings."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):
            self.lines.append(record.getMessage())


@contextlib.contextmanager
def _import_config(overrides: dict) -> Iterator[None]:
    """beets' import config with our overrides, restored afterwards."""
    sources = list(beets.config.sources)
    try:
        beets.config["import"].set(overrides)
        yield
    finally:
        beets.config.sources[:] = sources


def _unreadable_reason(path: Path) -> str | None:
    from mediafile import MediaFile

    if not path.is_file():
        return "the downloaded file is gone"
    try:
        MediaFile(os.fsencode(path))
    except Exception as error:
        return f"beets cannot read it as audio ({type(error).__name__})"
    return None


def _album_key(path: Path) -> tuple[str, str]:
    from mediafile import MediaFile

    try:
        media = MediaFile(os.fsencode(path))
    except Exception:
        return ("", path.name)
    return ((media.albumartist or media.artist or "").lower(), (media.album or "").lower())


def _copies_or_moves() -> bool:
    config = beets.config["import"]
    return bool(
        config["copy"].get(bool) or config["move"].get(bool) or config["link"].get(bool)
    ) or bool(config["hardlink"].get(bool) or config["reflink"].get())


def _terminal_session_class():
    try:
        from beets.ui.commands.import_.session import TerminalImportSession
    except ImportError:  # beets < 2.13
        from beets.ui.commands import TerminalImportSession  # type: ignore[attr-defined]
    return TerminalImportSession


def _actions():
    try:
        from beets.importer import Action, DuplicateAction
    except ImportError:  # older beets
        from beets.importer import action as Action  # type: ignore[attr-defined]

        DuplicateAction = None
    return Action, DuplicateAction


def _task_paths(task) -> list[bytes]:
    item = getattr(task, "item", None)
    if item is not None:
        return [item.path]
    return [item.path for item in getattr(task, "items", None) or []]


def _recording_session(base, decisions: dict[bytes, str], interactive: bool):
    """beets' terminal import session that remembers why it dropped each file."""
    action, duplicate_action = _actions()
    skipped = (
        "skipped by you in the interactive import"
        if interactive
        else "skipped: no strong autotag match and the import fell back to skip"
    )

    class RecordingSession(base):
        def _record(self, task, reason: str) -> None:
            for path in _task_paths(task):
                decisions.setdefault(_key(path), reason)

        def choose_match(self, task):
            choice = super().choose_match(task)
            if choice == action.SKIP:
                self._record(task, skipped)
            return choice

        def choose_item(self, task):
            choice = super().choose_item(task)
            if choice == action.SKIP:
                self._record(task, skipped)
            return choice

        def get_duplicate_action(self, task, found_duplicates):
            chosen = super().get_duplicate_action(task, found_duplicates)
            if duplicate_action is not None and chosen is duplicate_action.SKIP:
                self._record(task, "skipped as a duplicate of an item already in the library")
            return chosen

    return RecordingSession


def _reason(source: Path, decisions: dict[bytes, str], lines: Sequence[str]) -> str:
    decided = decisions.get(_key(source))
    if decided:
        return decided
    name = displayable_path(os.fsencode(source))
    for line in lines:
        if name in line and not line.startswith(("asis ", "import started")):
            return line
    return "not added to the library (beets gave no reason)"


def import_downloads(
    lib: Library, requests: Sequence[ImportRequest], options: ImportOptions | None = None
) -> ImportReport:
    """Run beets' importer on the downloaded files and check what became of each."""
    from beets import plugins

    options = options or ImportOptions()
    report = ImportReport()
    candidates: list[ImportRequest] = []
    for request in requests:
        problem = _unreadable_reason(request.path)
        if problem:
            report.not_imported.append((request, problem))
        else:
            candidates.append(request)
    if not candidates:
        return report

    if not any(tag_imported_items in plugin.import_stages for plugin in plugins.find_plugins()):
        raise RuntimeError("the spotifyextract plugin must be loaded to import downloads")

    singletons = (
        beets.config["import"]["singletons"].get(bool)
        if options.singletons is None
        else options.singletons
    )
    overrides: dict[str, object] = {
        "singletons": singletons,
        "resume": False,
        "incremental": False,
        "pretend": False,
        "search_ids": [],
        "group_albums": False,
    }
    if options.autotag is not None:
        overrides["autotag"] = options.autotag
    if not options.interactive:
        overrides.update(
            quiet=True,
            timid=False,
            quiet_fallback=options.quiet_fallback,
            duplicate_action=options.duplicate_action,
        )

    # Which path beets sees for each request (album mode groups hardlinks by album).
    source_of: dict[str, Path] = {request.track_id: request.path for request in candidates}
    batch_dirs: list[Path] = []
    paths: list[bytes] = []
    capture = _CaptureHandler()
    decisions: dict[bytes, str] = {}
    session_class = _recording_session(_terminal_session_class(), decisions, options.interactive)
    beets_log = logging.getLogger("beets")
    with _import_config(overrides):
        if singletons or not _copies_or_moves():
            paths = [os.fsencode(request.path) for request in candidates]
        else:
            groups: dict[tuple[str, str], list[ImportRequest]] = defaultdict(list)
            for request in candidates:
                groups[_album_key(request.path)].append(request)
            for members in groups.values():
                batch = members[0].path.parent.parent / f"_import-{uuid.uuid4().hex[:12]}"
                batch.mkdir(parents=True)
                batch_dirs.append(batch)
                for request in members:
                    link = batch / f"{request.track_id}-{request.path.name}"
                    try:
                        os.link(request.path, link)
                    except OSError:
                        shutil.copy2(request.path, link)
                    source_of[request.track_id] = link
                paths.append(os.fsencode(batch))

        with _lock:
            _tagged.clear()
            _pending.clear()
            _pending.update({_key(source_of[r.track_id]): r.track_id for r in candidates})
        beets_log.addHandler(capture)
        try:
            session = session_class(lib, loghandler=capture, paths=paths, query=None)
            # The import log ("skip PATH") is INFO; beets' level may hide it otherwise.
            level = session.logger.level
            session.logger.setLevel(logging.DEBUG)
            try:
                session.run()
            finally:
                session.logger.setLevel(level)
        finally:
            beets_log.removeHandler(capture)
            with _lock:
                tagged = dict(_tagged)
                _pending.clear()
                _tagged.clear()
            for batch in batch_dirs:
                shutil.rmtree(batch, ignore_errors=True)

    for request in candidates:
        item_id = tagged.get(request.track_id)
        item = lib.get_item(item_id) if item_id is not None else None
        if item is not None and os.path.exists(item.path):
            report.imported[request.track_id] = item
        else:
            reason = _reason(source_of[request.track_id], decisions, capture.lines)
            report.not_imported.append((request, reason))
    return report
