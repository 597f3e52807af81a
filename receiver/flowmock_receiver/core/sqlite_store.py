"""The SQLite store: the default for `flowmock serve`; survives restarts and is shared by worker processes.

WAL mode lets readers work while a write commits. Records go through one writer thread per process, which
commits every record waiting at that moment in one transaction (group commit), because SQLite's tail latency
under concurrency comes from threads fighting over the database lock (and, in Python, over the GIL each SQLite
call releases), not from the commit itself. `record` returns only once its
batch is committed, so the trigger never answers before its record is on disk. `synchronous=NORMAL` (the WAL
default) survives a killed process; set FLOWMOCK_SQLITE_SYNCHRONOUS=FULL to survive power loss too.
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

from .flows import Flow
from .jsontext import storage_json
from .records import CallRecord

_SCHEMA = """
CREATE TABLE IF NOT EXISTS flows (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS calls (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    flow_id TEXT NOT NULL,
    run_id TEXT,
    status TEXT NOT NULL,
    doc TEXT NOT NULL,
    body BLOB NOT NULL,
    run TEXT
);
CREATE INDEX IF NOT EXISTS calls_flow ON calls (flow_id, seq);
DROP INDEX IF EXISTS calls_run;
"""
# Every page a commit touches is written to the WAL and later copied back by a checkpoint, so the calls table has
# only the indexes reads need: no AUTOINCREMENT (its sqlite_sequence row is one more page per insert; `seq` only
# orders calls) and no index on run_id (no query looks a run up by it; flowmock 0.1 databases had one).
# `run` holds an imported flow's run (status, actions) as JSON: it is rewritten while the run goes on, so it is a
# column of its own rather than part of `doc` (databases from before it get the column added when opened).


_encode = json.JSONEncoder(separators=(",", ":")).encode  # built once: json.dumps builds one per call
_INSERT = "INSERT INTO calls (id, flow_id, run_id, status, doc, body, run) VALUES (?, ?, ?, ?, ?, ?, ?)"


def _load(seq: int, doc: str, body: bytes, run: str | None) -> CallRecord:
    record = CallRecord.from_storage(json.loads(doc), bytes(body), seq)
    if run is not None:
        record.run = json.loads(run)
    return record


class _Pending:
    """A record on its way to disk; `done` is set once its batch is committed (None: committed by its own
    thread, which then needs no event to wait on)."""

    __slots__ = ("call", "done", "error")

    def __init__(self, call: CallRecord, done: threading.Event | None = None) -> None:
        self.call = call
        self.done = done
        self.error: BaseException | None = None


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
        # Serving threads come and go (Werkzeug's stock server starts one per connection, gunicorn's gthread worker
        # has its own), so connections are pooled, not per thread: one writer (used under the write lock) and a few
        # readers, opened once and reused.
        self._write_lock = threading.Lock()
        self._writer = self._connect()
        self._writer.executescript(_SCHEMA)
        columns = {row[1] for row in self._writer.execute("PRAGMA table_info(calls)")}
        if "run" not in columns:
            self._writer.execute("ALTER TABLE calls ADD COLUMN run TEXT")
        self._readers: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._reader_slots = threading.BoundedSemaphore(readers)
        self._opened: list[sqlite3.Connection] = [self._writer]
        self._pending: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._opened_lock = threading.Lock()
        # Flows are read on every call. One process that owns the file keeps them in memory and updates them as it
        # writes them; processes sharing the file (`serve --workers`) read them from SQLite each time instead, so a
        # key regenerated through one worker is checked by all.
        self.shared = shared
        # Each cached flow carries the generation it was read in; every flow write bumps the generation under the
        # write lock after it commits. A read that started before a write commits may return the old flow, but it
        # can no longer cache it over the new one (a regenerated key would otherwise stay valid in this process).
        self._flows: dict[str, tuple[int, Flow | None]] = {}
        self._flow_generation = 0
        self._flow_cache: dict[str, tuple[str, Flow]] = {}
        self._closed = False
        self._checkpoint_waiting = False
        self._stop = threading.Event()
        self._writer_thread = threading.Thread(target=self._write_loop, name="flowmock-writer", daemon=True)
        self._writer_thread.start()
        self._checkpointer = threading.Thread(target=self._checkpoint_loop, name="flowmock-checkpoint", daemon=True)
        self._checkpointer.start()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute(f"PRAGMA synchronous={self._synchronous}")
        conn.execute("PRAGMA busy_timeout=30000")
        # Checkpoints run in a background thread, not inside some unlucky request's commit.
        conn.execute("PRAGMA wal_autocheckpoint=0")
        return conn

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
                        self._checkpoint_waiting = True  # requests stop taking the lock themselves meanwhile
                        try:
                            with self._write_lock:
                                conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchall()
                        finally:
                            self._checkpoint_waiting = False
        finally:
            conn.close()

    # flows -----------------------------------------------------------------------------------------------
    def get_flow(self, flow_id: str) -> Flow | None:
        if self.shared:
            return self._read_flow(flow_id)
        generation = self._flow_generation  # before the read: a write committed after it makes this entry stale
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
            conn.execute("DELETE FROM calls WHERE flow_id = ?", (flow_id,))
            conn.execute("DELETE FROM flows WHERE id = ?", (flow_id,))
            conn.execute("COMMIT")
            self._flows_changed()

    # calls -----------------------------------------------------------------------------------------------
    def record(self, call: CallRecord) -> None:
        """Hand the record to the writer thread and return once the batch it is in is committed."""
        if self._closed:
            raise sqlite3.ProgrammingError("the store is closed")
        # With nobody else writing, commit right here: handing a lone record to the writer thread and waiting to
        # be woken costs two thread switches, which is most of a call's time at one connection. When a commit is
        # slow (synchronous=FULL on a slow disk), the server's watchdog hands serving on after 5 ms, the next calls
        # find the lock taken and queue, and the writer commits them together. (Handing serving on at once when a
        # call queues measured 5-10% slower here, where an fsync takes about 0.1 ms.)
        if not self._checkpoint_waiting and self._pending.empty() and self._write_lock.acquire(blocking=False):
            pending = _Pending(call)
            try:
                self._commit_locked([pending])
            finally:
                self._write_lock.release()
        else:
            done = threading.Event()
            pending = _Pending(call, done)
            self._pending.put(pending)
            done.wait()
        if pending.error is not None:
            raise pending.error

    def _write_loop(self) -> None:
        """One writer commits every record waiting at that moment in one transaction (group commit): request
        threads make no SQLite calls of their own, so they neither fight over the database lock nor over the GIL
        that each SQLite call gives up and must take back."""
        while True:
            first = self._pending.get()
            if first is None:
                return
            batch = [first]
            while True:
                try:
                    more = self._pending.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._commit(batch)
                    return
                batch.append(more)
            self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        with self._write_lock:
            self._commit_locked(batch)

    def _commit_locked(self, batch: list[_Pending]) -> None:
        """Insert a batch in one transaction (the write lock is held) and wake everyone in it."""
        conn = self._writer
        rows = [
            (
                p.call.id,
                p.call.flow_id,
                p.call.run_id,
                p.call.status,
                storage_json(_encode, p.call.to_storage()),
                p.call.body,
                None if p.call.run is None else storage_json(_encode, p.call.run),
            )
            for p in batch
        ]
        try:
            if len(rows) == 1:  # one statement is its own transaction: no BEGIN and COMMIT round trips
                conn.execute(_INSERT, rows[0])
            else:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(_INSERT, rows)
                conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            for p in batch:
                p.error = exc
        for p in batch:
            if p.done is not None:
                p.done.set()

    def update_run(self, call_id: str, run: dict[str, Any]) -> None:
        """Rewrite an imported flow's run as it goes on (the call itself was committed before its answer)."""
        doc = storage_json(_encode, run)
        with self._write_lock:
            if self._closed:
                raise sqlite3.ProgrammingError("the store is closed")
            self._writer.execute("UPDATE calls SET run = ? WHERE id = ?", (doc, call_id))

    @staticmethod
    def _where(flow_id: str | None, runs_only: bool, status: str | None) -> tuple[str, list[Any]]:
        clauses, params = [], []
        if flow_id is not None:
            clauses.append("flow_id = ?")
            params.append(flow_id)
        if runs_only:
            clauses.append("run_id IS NOT NULL")
        if status is not None:
            clauses.append("status = ?")
            params.append(status)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def calls(
        self,
        flow_id: str | None = None,
        *,
        runs_only: bool = False,
        status: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[CallRecord]:
        where, params = self._where(flow_id, runs_only, status)
        query = f"SELECT seq, doc, body, run FROM calls{where} ORDER BY seq DESC LIMIT ? OFFSET ?"
        with self._reader() as conn:
            rows = conn.execute(query, (*params, limit, offset)).fetchall()
        return [_load(*row) for row in rows]

    def count(self, flow_id: str | None = None, *, runs_only: bool = False, status: str | None = None) -> int:
        where, params = self._where(flow_id, runs_only, status)
        with self._reader() as conn:
            (n,) = conn.execute(f"SELECT COUNT(*) FROM calls{where}", params).fetchone()
        return int(n)

    def get_call(self, call_id: str) -> CallRecord | None:
        with self._reader() as conn:
            row = conn.execute("SELECT seq, doc, body, run FROM calls WHERE id = ?", (call_id,)).fetchone()
        return None if row is None else _load(*row)

    def clear(self, flow_id: str | None = None) -> None:
        with self._write_lock:
            if flow_id is None:
                self._writer.execute("DELETE FROM calls")
            else:
                self._writer.execute("DELETE FROM calls WHERE flow_id = ?", (flow_id,))

    def reset(self) -> None:
        with self._write_lock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM calls")
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
        self._pending.put(None)
        self._writer_thread.join(timeout=10)
        self._checkpointer.join(timeout=5)
        with self._write_lock, self._opened_lock:
            with contextlib.suppress(sqlite3.Error):
                self._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            for conn in self._opened:
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
