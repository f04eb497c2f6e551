"""`beet spotify-analyze`: Essentia over the library's files, in parallel processes.

Each file is analysed in a worker process (one per core: Essentia holds the GIL while it
works); beets' own process picks the items, writes the results through beets' API (one
transaction per item, so a crash or kill -9 loses at most the files in flight) and draws
the progress. An item is done when its file's mtime equals the `analyzed_mtime` recorded
when it was analysed, so a second run resumes where the first stopped.
"""

from __future__ import annotations

import concurrent.futures as futures
import contextlib
import importlib.util
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from beets import logging, ui
from beets.dbcore.query import InvalidQueryError
from beets.library import Library

from spotify_extract.analyze import fields
from spotify_extract.analyze.features import Analysis, analyse_or_reason, init_worker
from spotify_extract.display import printable
from spotify_extract.interrupt import Interrupted, run_cancellable
from spotify_extract.progress import ProgressReporter

log = logging.getLogger("beets.spotifyextract")

PHASE = "Audio analysis"
RESUME_HINT = "what was analysed is kept: run `beet spotify-analyze` again to resume"
NO_ESSENTIA = (
    "Essentia is not installed in beets' Python environment: `pip install essentia` "
    "(a wheel for Linux x86_64, Python 3.11), then run this again"
)


@dataclass(frozen=True)
class Job:
    item_id: int
    path: str  # what the worker opens (beets' bytes path, decoded as the OS does)
    mtime: float


@dataclass
class Outcome:
    analysed: int = 0
    changed_items: int = 0
    unchanged_items: int = 0  # analysed, nothing to write (values equal, or not ours)
    kept: int = 0  # field values left alone because the person or Spotify set them
    failed: list[str] = field(default_factory=list)  # files that could not be decoded
    already_done: int = 0
    missing: list[str] = field(default_factory=list)  # files not on disk
    changes: list[fields.Change] = field(default_factory=list)  # dry run: what would be
    cancelled: bool = False


@dataclass
class Request:
    query: Sequence[str] | str = ()
    force: bool = False
    dry_run: bool = False
    progress: bool | None = None  # None: bars when stderr is a terminal
    workers: int | None = None
    item_ids: list[int] | None = None  # instead of the query (the import hook)


def essentia_available() -> bool:
    return importlib.util.find_spec("essentia") is not None


def worker_count(jobs: int) -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, jobs))


def items_of(lib: Library, request: Request) -> list[Any]:
    if request.item_ids is not None:
        found = (lib.get_item(item_id) for item_id in request.item_ids)
        return [item for item in found if item is not None]
    try:
        return list(lib.items(request.query))
    except InvalidQueryError as error:
        raise ui.UserError(f"spotify-analyze: {error}") from None


def select(items: Iterable[Any], *, force: bool) -> tuple[list[Job], Outcome]:
    """The items to analyse: those whose file is not analysed at its current mtime (all
    of them with force) and that have a field the analysis may still fill."""
    outcome = Outcome()
    jobs = []
    for item in items:
        path = os.fsdecode(item.path)
        mtime = fields.file_mtime(item.path)
        if mtime is None:
            outcome.missing.append(path)
            continue
        if not force and (fields.is_done(item, mtime) or not fields.free_fields(item, force=False)):
            outcome.already_done += 1
            continue
        jobs.append(Job(item.id, path, mtime))
    return jobs, outcome


CRASHED = "the decoder crashed on this file (its worker process died)"


def analyse_jobs(
    jobs: Sequence[Job],
    handle: Callable[[Job, Analysis | str], None],
    *,
    stop: threading.Event,
    progress: Callable[[int, int, str], None] = lambda done, total, detail: None,
    workers: int | None = None,
    analyse: Callable[[str], Analysis | str] = analyse_or_reason,
) -> bool:
    """Analyses every job in worker processes, calling handle(job, result) in this thread
    as each finishes (at most two per worker in flight). Returns False when `stop` was set
    before all were submitted (the ones in flight are still handled).

    A file that kills its worker (a decoder crash on a hostile file) breaks the whole
    pool: the files that were in flight are then tried again one at a time, so only the
    culprit is reported (as undecodable) and the run goes on with a new pool."""
    if not jobs:
        return True
    count = workers or worker_count(len(jobs))
    remaining = deque(jobs)
    done = 0

    def finish(job: Job, result: Analysis | str) -> None:
        nonlocal done
        handle(job, result)
        done += 1
        progress(done, len(jobs), os.path.basename(job.path))

    while remaining and not stop.is_set():
        in_flight = _run_pool(remaining, count, analyse, finish, stop)
        for job in in_flight:
            if stop.is_set():
                remaining.appendleft(job)  # only to report the run as unfinished
                break
            if _run_pool(deque([job]), 1, analyse, finish, stop):
                finish(job, CRASHED)
    return not remaining


def _run_pool(
    queue: deque[Job],
    count: int,
    analyse: Callable[[str], Analysis | str],
    finish: Callable[[Job, Analysis | str], None],
    stop: threading.Event,
) -> list[Job]:
    """Runs jobs from the queue in a pool of `count` workers until it is empty or stop is
    set; returns the jobs that were in flight when a worker died ([] otherwise)."""
    context = multiprocessing.get_context("spawn")  # no fork of beets' threads and sqlite
    with futures.ProcessPoolExecutor(count, mp_context=context, initializer=init_worker) as pool:
        pending: dict[futures.Future, Job] = {}
        while True:
            while queue and not stop.is_set() and len(pending) < 2 * count:
                job = queue.popleft()
                try:
                    pending[pool.submit(analyse, job.path)] = job
                except BrokenProcessPool:  # a worker died since the last wait
                    return [job, *pending.values()]
            if not pending:
                return []
            finished, _ = futures.wait(pending, timeout=0.2, return_when=futures.FIRST_COMPLETED)
            for future in finished:
                job = pending.pop(future)
                try:
                    result = future.result()
                except BrokenProcessPool:
                    return [job, *pending.values()]
                finish(job, result)


def _describe(item: Any) -> str:
    return printable(f"{item.get('artist') or '?'} - {item.get('title') or '?'}")


class Writer:
    """Turns each analysis into beets changes (or, dry run, lines saying what they would
    be) in the thread that runs the pool."""

    def __init__(
        self,
        lib: Library,
        outcome: Outcome,
        *,
        force: bool,
        dry_run: bool,
        note: Callable[[str], None],
    ) -> None:
        self.lib, self.outcome, self.force, self.dry_run, self.note = (
            lib,
            outcome,
            force,
            dry_run,
            note,
        )

    def __call__(self, job: Job, result: Analysis | str) -> None:
        if isinstance(result, str):
            self.outcome.failed.append(job.path)
            self.note(f"cannot decode {printable(job.path, None)}: {result}; skipped")
            return
        self.outcome.analysed += 1
        values = fields.values_of(result)
        with self.lib.transaction():
            item = self.lib.get_item(job.item_id)
            if item is None:  # removed from the library meanwhile
                return
            changes = fields.plan(item, values, force=self.force)
            self.outcome.kept += len(fields.kept(item, values, force=self.force))
            if changes:
                self.outcome.changed_items += 1
            else:
                self.outcome.unchanged_items += 1
            if self.dry_run:
                self.outcome.changes.extend(changes)
                for change in changes:
                    self.note(
                        f"{_describe(item)}: would set {change.field} = {change.new!r} "
                        f"(was {change.old!r})"
                    )
                return
            fields.apply(item, values, changes, job.mtime)
            item.store()


def run(
    lib: Library,
    request: Request,
    *,
    lock: Callable[[], contextlib.AbstractContextManager[Any]],
    echo: Callable[[str], None] = ui.print_,
) -> Outcome:
    """One `beet spotify-analyze`: select, analyse in parallel, write, summarise."""
    if not essentia_available():
        raise ui.UserError(NO_ESSENTIA)
    guard = contextlib.nullcontext() if request.dry_run else lock()
    with guard:
        jobs, outcome = select(items_of(lib, request), force=request.force)
        for path in outcome.missing:
            echo(f"file missing, skipped: {printable(path, None)}")
        stop = threading.Event()

        def on_interrupt() -> None:
            stop.set()
            echo(
                f"Cancelled: finishing the files in hand; {RESUME_HINT} "
                "(Ctrl-C again to quit at once)"
            )

        with ProgressReporter(tty=request.progress) as reporter:
            writer = Writer(
                lib, outcome, force=request.force, dry_run=request.dry_run, note=reporter.note
            )
            if jobs:
                reporter(PHASE, 0, len(jobs), "")
            finished = run_cancellable(
                lambda: analyse_jobs(
                    jobs,
                    writer,
                    stop=stop,
                    progress=lambda done, total, detail: reporter(PHASE, done, total, detail),
                    workers=request.workers,
                ),
                stop.set,
                on_interrupt,
                name="spotify-analyze",
            )
            outcome.cancelled = not finished
            if outcome.cancelled:
                reporter.discard()
    for line in summary_lines(outcome, dry_run=request.dry_run):
        echo(line)
    if outcome.cancelled:
        raise Interrupted()
    return outcome


def summary_lines(outcome: Outcome, *, dry_run: bool) -> Iterable[str]:
    verb = "would change" if dry_run else "changed"
    yield (
        f"Analysed {outcome.analysed} file(s): {verb} {outcome.changed_items} item(s), "
        f"{outcome.unchanged_items} unchanged; {outcome.already_done} done before"
    )
    if outcome.kept:
        yield (
            f"{outcome.kept} value(s) kept because you or Spotify set them (--force replaces them)"
        )
    if outcome.failed:
        yield f"{len(outcome.failed)} file(s) could not be decoded (named above)"
    if outcome.missing:
        yield f"{len(outcome.missing)} file(s) missing on disk (named above)"
