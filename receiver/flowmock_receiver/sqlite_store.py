"""The SQLite store: the default for `flowmock serve`; survives restarts and is shared by worker processes.

WAL mode lets readers work while a write commits. Writes go through one writer per process and a batch of
waiting records is committed in one transaction (group commit), because SQLite's tail latency under concurrency
comes from threads fighting over the database lock, not from the commit itself. `record` returns only once its
batch is committed, so the trigger never answers before its record is on disk. `synchronous=NORMAL` (the WAL
default) survives a killed process; set FLOWMOCK_SQLITE_SYNCHRONOUS=FULL to survive power loss too.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

from .flows import Flow
from .records import CallRecord

_SCHEMA = """
CREATE TABLE IF NOT EXISTS flows (
    id TEXT PRIMARY KEY,
    doc TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS calls (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    flow_id TEXT NOT NULL,
    run_id TEXT,
    status TEXT NOT NULL,
    doc TEXT NOT NULL,
    body BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS calls_flow ON calls (flow_id, seq);
CREATE INDEX IF NOT EXISTS calls_run ON calls (run_id) WHERE run_id IS NOT NULL;
"""


class _Pending:
    __slots__ = ("call", "done", "error")

    def __init__(self, call: CallRecord) -> None:
        self.call = call
        self.done = threading.Event()
        self.error: BaseException | None = None


class SQLiteStore:
    """Flows and calls in one SQLite file (WAL); safe under many threads and several processes."""

    kind = "sqlite"

    def __init__(self, path: str | os.PathLike[str], *, synchronous: str | None = None) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._synchronous = (synchronous or os.environ.get("FLOWMOCK_SQLITE_SYNCHRONOUS") or "NORMAL").upper()
        if self._synchronous not in ("OFF", "NORMAL", "FULL", "EXTRA"):
            raise ValueError(f"unknown SQLite synchronous mode {self._synchronous!r}")
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._queue: list[_Pending] = []
        self._queue_lock = threading.Lock()
        self._flow_cache: dict[str, tuple[str, Flow]] = {}
        self._closed = False
        with self._write_lock:
            conn = self._conn()
            conn.executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={self._synchronous}")
            conn.execute("PRAGMA busy_timeout=30000")
            self._local.conn = conn
            with self._queue_lock:
                self._all_conns = [*getattr(self, "_all_conns", []), conn]
        return conn

    # flows -----------------------------------------------------------------------------------------------
    def get_flow(self, flow_id: str) -> Flow | None:
        row = self._conn().execute("SELECT doc FROM flows WHERE id = ?", (flow_id,)).fetchone()
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
        rows = self._conn().execute("SELECT doc FROM flows ORDER BY created, rowid").fetchall()
        flows = [Flow.from_storage(json.loads(doc)) for (doc,) in rows]
        return [f for f in flows if include_deleted or not f.deleted]

    def save_flow(self, flow: Flow) -> None:
        doc = json.dumps(flow.to_storage(), sort_keys=True)
        with self._write_lock:
            self._conn().execute(
                "INSERT INTO flows (id, doc, created) VALUES (?, ?, strftime('%s','now')) "
                "ON CONFLICT(id) DO UPDATE SET doc = excluded.doc",
                (flow.id, doc),
            )

    def delete_flow(self, flow_id: str) -> None:
        with self._write_lock:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM calls WHERE flow_id = ?", (flow_id,))
            conn.execute("DELETE FROM flows WHERE id = ?", (flow_id,))
            conn.execute("COMMIT")

    # calls -----------------------------------------------------------------------------------------------
    def record(self, call: CallRecord) -> None:
        """Queue the record and return once a writer has committed the batch it is in."""
        pending = _Pending(call)
        with self._queue_lock:
            self._queue.append(pending)
        while not pending.done.is_set():
            # Whoever gets the write lock commits everything queued so far, its own record included.
            if self._write_lock.acquire(timeout=0.05):
                try:
                    if not pending.done.is_set():
                        self._commit_queued()
                finally:
                    self._write_lock.release()
        if pending.error is not None:
            raise pending.error

    def _commit_queued(self) -> None:
        with self._queue_lock:
            batch, self._queue = self._queue, []
        if not batch:
            return
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
            cursor = conn.executemany(
                "INSERT INTO calls (id, flow_id, run_id, status, doc, body) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        p.call.id,
                        p.call.flow_id,
                        p.call.run_id,
                        p.call.status,
                        json.dumps(p.call.to_storage(), separators=(",", ":")),
                        p.call.body,
                    )
                    for p in batch
                ],
            )
            del cursor
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            for p in batch:
                p.error = exc
        for p in batch:
            p.done.set()

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
        rows = (
            self._conn()
            .execute(
                f"SELECT seq, doc, body FROM calls{where} ORDER BY seq DESC LIMIT ? OFFSET ?",
                (*params, limit, offset),
            )
            .fetchall()
        )
        return [CallRecord.from_storage(json.loads(doc), bytes(body), seq) for seq, doc, body in rows]

    def count(self, flow_id: str | None = None, *, runs_only: bool = False, status: str | None = None) -> int:
        where, params = self._where(flow_id, runs_only, status)
        (n,) = self._conn().execute(f"SELECT COUNT(*) FROM calls{where}", params).fetchone()
        return int(n)

    def get_call(self, call_id: str) -> CallRecord | None:
        row = self._conn().execute("SELECT seq, doc, body FROM calls WHERE id = ?", (call_id,)).fetchone()
        if row is None:
            return None
        return CallRecord.from_storage(json.loads(row[1]), bytes(row[2]), row[0])

    def clear(self, flow_id: str | None = None) -> None:
        with self._write_lock:
            if flow_id is None:
                self._conn().execute("DELETE FROM calls")
            else:
                self._conn().execute("DELETE FROM calls WHERE flow_id = ?", (flow_id,))

    def reset(self) -> None:
        with self._write_lock:
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM calls")
            conn.execute("DELETE FROM flows")
            conn.execute("COMMIT")
            self._flow_cache.clear()

    def close(self) -> None:
        """Checkpoint the WAL and close every connection this store opened."""
        if self._closed:
            return
        self._closed = True
        with self._write_lock:
            for conn in getattr(self, "_all_conns", []):
                try:
                    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    conn.close()
                except sqlite3.Error:
                    pass
