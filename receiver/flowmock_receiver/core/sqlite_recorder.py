"""How a SQLite store's records reach the file: which thread commits them, and in what batches.

Three ways, one transaction per batch, and never an answer before its batch has committed:

- A record made on an event loop (the server answers small trigger calls there) joins the loop's current turn: the
  records of every call that turn handled are committed together by the loop itself once the turn's callbacks have
  run (`_commit_turn`). Handing them to the writer thread instead made the loop and that thread take the GIL from
  each other around every SQLite statement, which cost more than the statements (measured: 195-235 µs of CPU per
  call through the writer thread, 155-178 µs committed on the loop, at eight concurrent calls). The loop does not
  wait for anyone to do this: when another thread holds the write lock (a clear, retention, the checkpoint), or
  records already wait for the writer thread, the turn's batch goes to the writer thread and the loop carries on.
- A record made on any other thread is committed by that thread when nobody else is writing, or else by the
  writer thread (`sqlite_writer`), which commits everything waiting at once.
- A store shared by worker processes (`serve --workers`) commits loop records on the writer thread as before:
  other processes take SQLite's own lock at any moment, and an event loop must not wait for them. (A store that
  does not share is the only writer of its file as flowmock runs it; should another process write it anyway, the
  loop waits for SQLite's lock while that process holds it, a commit's few milliseconds.)
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable

from .records import CallRecord
from .sqlite_history import History
from .sqlite_history import store_error as _store_error
from .sqlite_writer import Pending, wake, with_room, write_loop


class Recorder:
    """The write path of one `SQLiteStore`: `lock` is the store's write lock, `writer` its writing connection."""

    def __init__(
        self,
        lock: threading.Lock,
        writer: sqlite3.Connection,
        history: History,
        path: str,
        reusable: Callable[[], int],
        *,
        on_loop: bool,
    ) -> None:
        self._lock = lock
        self._writer = writer
        self._history = history
        self._path = path
        self._reusable = reusable
        self._on_loop = on_loop
        self.checkpoint_waiting = False  # the checkpoint wants the write lock: nobody else takes it unasked
        self._pending: queue.SimpleQueue[Pending | None] = queue.SimpleQueue()
        self._turns: dict[asyncio.AbstractEventLoop, list[Pending]] = {}
        self._thread = threading.Thread(
            target=write_loop, args=(self._pending, self._commit), name="flowmock-writer", daemon=True
        )
        self._thread.start()

    def _commit_here(self, batch: list[Pending]) -> bool:
        """Commit `batch` in this thread when nobody is writing or waiting to; False, having done nothing, when
        someone is (the caller hands it to the writer thread)."""
        if self.checkpoint_waiting or not self._pending.empty() or not self._lock.acquire(blocking=False):
            return False
        try:
            self._commit_locked(batch, keep_room=True)
        finally:
            self._lock.release()
        return True

    def record(self, call: CallRecord) -> None:
        """Commit the record and return once it is on disk (in this thread when nobody else is writing: handing a
        lone record to the writer thread costs two thread switches, most of a call's time at one connection)."""
        pending = Pending(call)
        if not self._commit_here([pending]):
            pending.done = threading.Event()
            self._pending.put(pending)
            pending.done.wait()
        if pending.error is not None:
            raise pending.error

    async def record_async(self, call: CallRecord) -> None:
        """`record` for a coroutine: it resumes once its turn's batch (or the writer thread's) is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        pending = Pending(call, future=future, loop=loop)
        if not self._on_loop:
            self._pending.put(pending)
        else:
            turn = self._turns.get(loop)
            if turn is None:
                turn = self._turns[loop] = []
                loop.call_soon(self._commit_turn, loop)  # after the callbacks already queued: this turn's calls
            turn.append(pending)
        await future
        if pending.error is not None:
            raise pending.error

    def _commit_turn(self, loop: asyncio.AbstractEventLoop) -> None:
        batch = self._turns.pop(loop)
        if self._commit_here(batch):
            return
        if self._thread.is_alive():
            for pending in batch:
                self._pending.put(pending)
        else:  # the store closed during the turn: nobody is left to commit them
            for pending in batch:
                pending.error = sqlite3.ProgrammingError("the store is closed")
            wake(batch)

    def record_many(self, calls: list[CallRecord]) -> None:
        """Record many calls in one transaction (an import, `make bench` filling a history)."""
        batch = [Pending(call) for call in calls]
        with self._lock:
            self._commit_locked(batch)
        for pending in batch[:1]:
            if pending.error is not None:
                raise pending.error

    def _commit(self, batch: list[Pending]) -> None:
        """The writer thread's commit of a batch."""
        with self._lock:
            self._commit_locked(batch, keep_room=True)

    def _commit_locked(self, batch: list[Pending], *, keep_room: bool = False) -> None:
        """Insert a batch in one transaction (the write lock is held) and wake everyone in it. With `keep_room`,
        a record that would leave the disk without room to clear history is refused (`StoreFull`), not written;
        checked by the thread that writes, once per batch."""
        conn = self._writer
        writing = batch
        try:
            if keep_room:
                writing = with_room(batch, self._path, self._reusable)
            if writing:
                self._history.insert(conn, [p.call for p in writing])
            if conn.in_transaction:
                conn.execute("COMMIT")
            self._history.committed()
        except BaseException as exc:
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            self._history.rolled_back()
            for p in writing:
                p.error = _store_error(exc, self._path)
        wake(batch)

    def close(self) -> None:
        """Stop the writer thread once it has committed what waits for it."""
        self._pending.put(None)
        self._thread.join(timeout=10)
