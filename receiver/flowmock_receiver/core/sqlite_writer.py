"""The SQLite store's writer thread: group commit, and waking whoever waits for a batch.

Records that cannot be committed where they were made (see `sqlite_recorder`) queue up for one writer thread,
which commits every record waiting at that moment in one transaction: SQLite's tail latency under concurrency comes
from threads fighting over the database lock (and, in Python, over the GIL each SQLite call releases), not from the
commit itself. A record's sender is woken once its batch is on disk: a thread through its own `threading.Event`,
and a call waiting on an event loop through an asyncio future, settled for the whole batch with one
`call_soon_threadsafe` per loop (or at once, when the loop made the commit itself), so records from many concurrent
calls share one commit and one wake-up of the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable

from .disk_space import lacks_room
from .records import CallRecord
from .store import StoreFull


class Pending:
    """A record on its way to disk. `done` is set once its batch is committed, or `future` settled on `loop`;
    neither: committed by its own thread, which needs nothing to wait on."""

    __slots__ = ("call", "done", "error", "future", "loop")

    def __init__(
        self,
        call: CallRecord,
        done: threading.Event | None = None,
        future: asyncio.Future[None] | None = None,
        loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.call = call
        self.done = done
        self.future = future
        self.loop = loop
        self.error: BaseException | None = None


def wake(batch: list[Pending]) -> None:
    """Tell everyone in a committed (or failed) batch: `error` is already set on each when it failed. A coroutine
    resumes on its own loop, woken from another thread, or at once when that loop made the commit."""
    loops: dict[asyncio.AbstractEventLoop, list[Pending]] = {}
    for p in batch:
        if p.done is not None:
            p.done.set()
        elif p.loop is not None:
            loops.setdefault(p.loop, []).append(p)
    try:
        here: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()  # a batch its own loop committed
    except RuntimeError:
        here = None
    for loop, waiting in loops.items():
        if loop is here:
            _settle(waiting)
            continue
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is left to answer
            loop.call_soon_threadsafe(_settle, waiting)


def _settle(waiting: list[Pending]) -> None:
    for p in waiting:
        if p.future is not None and not p.future.done():  # a cancelled call (server shutdown) wants no result
            p.future.set_result(None)


def with_room(batch: list[Pending], path: str, reusable: Callable[[], int]) -> list[Pending]:
    """The records of `batch` the disk under `path` has room for (`disk_space`); the others get their `StoreFull`.
    The disk is asked once for the whole batch, and about each record only when the batch as a whole does not fit."""
    if (
        path == ":memory:"
        or lacks_room(path, sum(len(p.call.body) for p in batch), reusable, records=len(batch)) is None
    ):
        return batch
    writing = []
    for p in batch:
        if reason := lacks_room(path, len(p.call.body), reusable):
            p.error = StoreFull(reason)
        else:
            writing.append(p)
    return writing


def write_loop(pending: queue.SimpleQueue[Pending | None], commit: Callable[[list[Pending]], None]) -> None:
    """Commit batches until the queue yields None (`close` asking the writer to stop): each batch is everything
    waiting when the writer looks, so under load one transaction (and one wake-up per waiting loop) serves many
    calls."""
    closing = False
    while not closing:
        waiting = [pending.get()]
        with contextlib.suppress(queue.Empty):
            while waiting[-1] is not None:
                waiting.append(pending.get_nowait())
        closing = waiting[-1] is None
        batch = [p for p in waiting if p is not None]
        if batch:
            commit(batch)
        # Dropped before waiting for the next: the records hold bodies of up to 100 MB each, which would otherwise
        # stay alive for as long as the server stays quiet.
        del waiting, batch
