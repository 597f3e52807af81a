"""The SQLite store: the default for `flowmock serve`; survives restarts and is shared by worker processes.

WAL mode lets readers work while a write commits. Records are committed in batches, one transaction each, by the
event loop that answered their calls or by a writer thread (`sqlite_recorder`). `record` returns, and
`record_async` resumes its coroutine, only once its batch is committed, so the trigger never answers before its
record is on disk. `synchronous=NORMAL` (the WAL default) survives a killed process; set
FLOWMOCK_SQLITE_SYNCHRONOUS=FULL to survive power loss too.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .disk_space import is_full_disk_error
from .entry_lines import EntryShape
from .flow_signal import open_signal
from .flows import Flow
from .jsontext import storage_json
from .records import CallRecord
from .sqlite_connection import connect, connect_read_only
from .sqlite_history import History, body_chunks
from .sqlite_history import store_error as _store_error
from .sqlite_recorder import Recorder
from .sqlite_schema import prepare
from .store import StoreFull


class SQLiteStore:
    """Flows and calls in one SQLite file (WAL); safe under many threads and several processes."""

    kind = "sqlite"

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        synchronous: str | None = None,
        readers: int = 8,
        shared: bool = False,
    ) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._synchronous = (synchronous or os.environ.get("FLOWMOCK_SQLITE_SYNCHRONOUS") or "NORMAL").upper()
        if self._synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"unknown SQLite synchronous mode {self._synchronous!r}")
        # Connections are pooled, not per thread (the server's pool threads come and go): one writer (used under
        # the write lock) and a few readers, opened once and reused.
        self._write_lock = threading.Lock()
        self._history = History()
        self.read_only_reason: str | None = None
        try:
            self._writer = self._connect()
            prepare(self._writer, self._history.insert)
        except sqlite3.OperationalError as exc:
            # A full disk must not stop the server from starting: history stays readable, calls get 503.
            reason = _store_error(exc, self.path)
            if not isinstance(reason, StoreFull) or self.path == ":memory:":
                raise
            self.read_only_reason = f"{reason}: history is read-only and calls are answered 503"
            self._writer = self._connect(read_only=True)
        self._readers: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._reader_slots = threading.BoundedSemaphore(readers)
        self._opened: list[sqlite3.Connection] = [self._writer]
        self._opened_lock = threading.Lock()
        # Flows are read on every call, so each process keeps them in memory and drops them when it writes one.
        # Processes sharing the file (`serve --workers`) also drop them when another process writes one, which it
        # signals through `flow_signal`, so a key regenerated through one worker is checked by all.
        self.shared = shared
        # Each cached flow carries the generation it was read in; every flow write bumps the generation under the
        # write lock after it commits. A read that started before a write commits may return the old flow, but it
        # can no longer cache it over the new one (a regenerated key would otherwise stay valid in this process).
        self._flows: dict[str, tuple[tuple[int, bytes], Flow | None]] = {}
        self._flow_generation = 0
        # A store that does not share still signals its flow changes to any that do (a file they made).
        self._signal = open_signal(self.path, create=shared)
        self._flow_cache: dict[str, tuple[str, Flow]] = {}
        self._closed = False
        self._stop = threading.Event()
        self._recorder = Recorder(
            self._write_lock, self._writer, self._history, self.path, self._reusable, on_loop=not shared
        )
        self._checkpointer = threading.Thread(target=self._checkpoint_loop, name="flowmock-checkpoint", daemon=True)
        self._checkpointer.start()

    def _connect(self, *, read_only: bool = False) -> sqlite3.Connection:
        if read_only or self.read_only_reason is not None:
            return connect_read_only(self.path)
        return connect(self.path, self._synchronous)

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection]:
        self._reader_slots.acquire()
        try:
            try:
                conn = self._readers.get_nowait()
            except queue.Empty:
                conn = self._connect()
                with self._opened_lock:
                    self._opened.append(conn)
            try:
                yield conn
            finally:
                self._readers.put(conn)
        finally:
            self._reader_slots.release()

    def _checkpoint_loop(self) -> None:
        """Fold the WAL back into the database ten times a second, on a connection of its own.

        A long WAL makes every commit slower (SQLite searches its index of WAL frames for each page it reads) and
        a checkpoint that runs alongside a writer that never pauses never catches up with it, so the WAL would only
        grow. So the bulk is copied while writers carry on (PASSIVE), and the few frames written meanwhile with
        writers held off (RESTART: this process's under the write lock, other processes' by SQLite's lock), after
        which the next commit starts the WAL from the beginning again.
        """
        conn = self._connect()
        conn.execute("PRAGMA busy_timeout=1000")  # busy for longer: the next round tries again
        try:
            while not self._stop.wait(0.1):
                with contextlib.suppress(sqlite3.Error):
                    _busy, frames, _copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    if frames > 0:
                        self._recorder.checkpoint_waiting = True  # requests stop taking the lock themselves meanwhile
                        try:
                            with self._write_lock:
                                conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
                        finally:
                            self._recorder.checkpoint_waiting = False
        finally:
            conn.close()

    # flows -----------------------------------------------------------------------------------------------
    def get_flow(self, flow_id: str) -> Flow | None:
        if self.shared and self._signal is None:
            return self._read_flow(flow_id)
        # Before the read: a write committed after it makes this entry stale (another process's, through the signal).
        generation = (self._flow_generation, self._signal.token() if self.shared and self._signal else b"")
        cached = self._flows.get(flow_id)
        if cached is not None and cached[0] == generation:
            return cached[1]
        flow = self._read_flow(flow_id)
        self._flows[flow_id] = (generation, flow)
        return flow

    def _flows_changed(self) -> None:
        """Called under the write lock once a flow write has committed."""
        self._flow_generation += 1
        self._flows.clear()
        if self._signal is not None:
            self._signal.changed()

    def _read_flow(self, flow_id: str) -> Flow | None:
        with self._reader() as conn:
            row = conn.execute("SELECT doc FROM flows WHERE id = ?", (flow_id,)).fetchone()
        if row is None:
            return None
        doc: str = row[0]
        cached = self._flow_cache.get(flow_id)
        if cached is not None and cached[0] == doc:
            return cached[1]
        flow = Flow.from_storage(json.loads(doc))
        self._flow_cache[flow_id] = (doc, flow)
        return flow

    def list_flows(self, *, include_deleted: bool = False) -> list[Flow]:
        with self._reader() as conn:
            rows = conn.execute("SELECT doc FROM flows ORDER BY created, rowid").fetchall()
        flows = [Flow.from_storage(json.loads(doc)) for (doc,) in rows]
        return [f for f in flows if include_deleted or not f.deleted]

    def save_flow(self, flow: Flow) -> None:
        doc = json.dumps(flow.to_storage())  # key order kept: an imported definition runs in its order
        if self.read_only_reason is not None:
            raise StoreFull(self.read_only_reason)
        with self._write_lock:
            self._writer.execute(
                "INSERT INTO flows (id, doc, created) VALUES (?, ?, strftime('%s','now')) "
                "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc",
                (flow.id, doc),
            )
            self._flows_changed()

    def delete_flow(self, flow_id: str) -> None:
        with self._write_lock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            self._history.clear(conn, flow_id)
            conn.execute("DELETE FROM flows WHERE id = ?", (flow_id,))
            conn.execute("COMMIT")
            self._flows_changed()

    # calls -----------------------------------------------------------------------------------------------
    def record(self, call: CallRecord) -> None:
        """Return once the record is committed (`sqlite_recorder`)."""
        self._check_writable()
        self._recorder.record(call)

    async def record_async(self, call: CallRecord) -> None:
        """`record` for a coroutine on an event loop, which goes on with other calls until the record's batch is
        committed (by the loop itself at the end of its turn, or by the writer thread)."""
        self._check_writable()
        await self._recorder.record_async(call)

    def _check_writable(self) -> None:
        if self._closed:
            raise sqlite3.ProgrammingError("the store is closed")
        if self.read_only_reason is not None:
            raise StoreFull(self.read_only_reason)

    def update_run(self, call_id: str, run: dict[str, Any]) -> None:
        """Rewrite an imported flow's run as it goes on (the call itself was committed before its answer)."""
        doc = storage_json(json.JSONEncoder(separators=(",", ":")).encode, run)  # big numbers kept as text
        with self._write_lock:
            if self._closed:
                raise sqlite3.ProgrammingError("the store is closed")
            self._writer.execute("UPDATE calls SET run_doc = ? WHERE id = ?", (doc, call_id))

    def record_many(self, calls: list[CallRecord]) -> None:
        """Record many calls in one transaction (an import, `make bench` filling a history)."""
        self._recorder.record_many(calls)

    def calls(self, flow_id: str | None = None, **page: Any) -> list[CallRecord]:
        """A page of calls, newest first (the arguments are `Store.calls`'s)."""
        with self._reader() as conn:
            return self._history.select(conn, flow_id, **page)

    def export_lines(
        self, flow_id: str | None, shape: EntryShape, *, after: int = 0, limit: int = 1000
    ) -> tuple[list[str], int]:
        with self._reader() as conn:
            return self._history.export_lines(conn, flow_id, shape, after, limit)

    def count(self, flow_id: str | None = None, **filters: Any) -> int:  # `Store.count`'s filters
        with self._reader() as conn:
            return self._history.count(conn, flow_id, **filters)

    def get_call(self, call_id: str, *, body_limit: int | None = None) -> CallRecord | None:
        with self._reader() as conn:
            return self._history.get(conn, call_id, body_limit)

    def body_chunks(self, call_id: str, chunk_size: int = 65536) -> Iterator[bytes] | None:
        """The body in chunks, read from SQLite as they are sent (a reader is held until the stream ends)."""
        with self._reader() as conn:
            if conn.execute("SELECT 1 FROM calls WHERE id = ?", (call_id,)).fetchone() is None:
                return None

        def stream() -> Iterator[bytes]:
            with self._reader() as conn:
                yield from body_chunks(conn, call_id, chunk_size) or ()

        return stream()

    def expire(self, *, older_than: float | None = None, max_calls: int | None = None, batch: int = 500) -> int:
        """Forget up to `batch` calls recorded before `older_than` (seconds since 1970) or beyond the newest
        `max_calls`, in one short transaction; the number forgotten (0: nothing left to do)."""
        with self._write_lock:
            conn = self._writer
            try:
                removed = self._history.expire(conn, older_than, max_calls, batch)
                if conn.in_transaction:
                    conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            return removed

    def oldest_time(self) -> float | None:
        with self._reader() as conn:
            (t,) = conn.execute("SELECT min(t) FROM calls").fetchone()
        return None if t is None else t / 1000

    def clear(self, flow_id: str | None = None) -> None:
        """Forget calls. On a full disk, the WAL is folded back and emptied first and the delete tried again:
        freeing history must work when nothing else can be written."""
        for attempt in (1, 2):
            try:
                self._clear_once(flow_id)
                break
            except sqlite3.OperationalError as exc:
                if attempt == 2 or not is_full_disk_error(exc, self.path):
                    raise _store_error(exc, self.path) from exc
                with self._write_lock, contextlib.suppress(sqlite3.Error):
                    self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        with self._write_lock, contextlib.suppress(sqlite3.Error):  # the WAL's space back to the disk
            self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def _reusable(self) -> int:
        """Bytes of pages the database has freed (a cleared history), which it fills before growing."""
        with self._reader() as conn:
            (pages, size), *_ = conn.execute("SELECT * FROM pragma_freelist_count, pragma_page_size").fetchall()
        return int(pages * size)

    def _clear_once(self, flow_id: str | None) -> None:
        with self._write_lock:
            conn = self._writer
            try:
                conn.execute("BEGIN IMMEDIATE")
                self._history.clear(conn, flow_id)
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def reset(self) -> None:
        with self._write_lock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            self._history.clear(conn, None)
            conn.execute("DELETE FROM flows")
            conn.execute("COMMIT")
            self._flow_cache.clear()
            self._flows_changed()

    def close(self) -> None:
        """Checkpoint the WAL and close every connection this store opened."""
        with self._write_lock:
            if self._closed:
                return
            self._closed = True
        self._stop.set()
        self._recorder.close()
        self._checkpointer.join(timeout=5)
        with self._write_lock, self._opened_lock:
            with contextlib.suppress(sqlite3.Error):
                self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            for conn in self._opened:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            if self._signal is not None:
                self._signal.close()
