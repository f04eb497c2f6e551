"""Ctrl-C around a long native call: the call runs in a worker thread, and the main thread
(the only one Python delivers SIGINT to) asks the engine to stop.

A native call that waits with the GIL released never sees KeyboardInterrupt itself, so
without this Ctrl-C would only be noticed when the call returns on its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")

# The shell's status for "ended by SIGINT" (128 + 2): not 0, so cron and scripts see it.
INTERRUPTED_STATUS = 130


class Interrupted(SystemExit):
    """Ends the command after Ctrl-C with status 130 and no further lines (beets' own
    handler would exit 0 on a KeyboardInterrupt)."""

    def __init__(self) -> None:
        super().__init__(INTERRUPTED_STATUS)


def run_cancellable(
    work: Callable[[], T],
    cancel: Callable[[], None],
    on_interrupt: Callable[[], None] = lambda: None,
    *,
    name: str = "spotify-extract",
) -> T:
    """work() in a thread. The first Ctrl-C calls on_interrupt() then cancel() and waits
    for work() to return or raise (the engine stops at its next check); a second Ctrl-C
    leaves at once (Interrupted). Returns work()'s result or raises its exception."""
    outcome: dict[str, Any] = {}
    finished = threading.Event()

    def target() -> None:
        try:
            outcome["result"] = work()
        except BaseException as error:  # handed to the main thread
            outcome["error"] = error
        finally:
            finished.set()

    # Waiting on an Event (not Thread.join, whose state a KeyboardInterrupt can upset).
    worker = threading.Thread(target=target, name=name, daemon=True)
    worker.start()
    interrupted = False
    while not finished.is_set():
        try:
            finished.wait(0.2)
        except KeyboardInterrupt:
            if interrupted:
                raise Interrupted() from None  # the state database stays consistent
            interrupted = True
            on_interrupt()
            cancel()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
