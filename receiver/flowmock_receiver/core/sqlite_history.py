"""The call history in SQLite: writing rows compactly, reading pages by index, counting from counters.

Functions of a connection, so the store decides which connection (the writer under its lock, or a pooled reader)
and when a transaction begins. See `sqlite_schema` for the layout and why.
"""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from typing import Any

from .disk_space import is_full_disk_error
from .entry_lines import EntryShape, StoredRow
from .history_codec import pack, unpack
from .jsontext import storage_json
from .records import LIST_BODY_LIMIT, PREVIEW_BYTES, CallRecord, epoch
from .sqlite_schema import INLINE_BODY, NEXT_SEQ, keep_seq_mark, newest_seq
from .store import StoreFull

SHARED_LIMIT = 50_000  # distinct parts the `shared` table holds; past it, new parts stay in their rows
SHARED_CACHED = 4_096  # parts each process keeps at hand, each way (text -> number, number -> value)
BLOB_CHUNK = 1 << 20  # a large body is written to its blob this many bytes at a time
log = logging.getLogger("flowmock")
_INSERT = (
    "INSERT INTO calls (seq, id, flow, ok, run, valid, t, size, doc, head, run_doc) "
    f"VALUES ({NEXT_SEQ}, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_COLUMNS = "seq, id, flow, ok, run, size, doc, head, run_doc"
_encode = json.JSONEncoder(separators=(",", ":")).encode
STATUS_CODES = {"Failed": 0, "Succeeded": 1}  # anything else (Skipped) is 2
VALID_CODES: dict[bool | None, int] = {False: 0, True: 1, None: 2}  # 2: never checked


def _begin(conn: sqlite3.Connection) -> None:
    if not conn.in_transaction:
        conn.execute("BEGIN IMMEDIATE")


def store_error(exc: BaseException, path: str) -> BaseException:
    """A full disk (or a database size limit, or a read-only file) as a `StoreFull` that says so plainly;
    anything else as it is."""
    code = getattr(exc, "sqlite_errorcode", None)
    if is_full_disk_error(exc, path):
        return StoreFull(f"the disk holding {path} is full")
    if code is not None and code & 0xFF == sqlite3.SQLITE_READONLY:
        return StoreFull(f"{path} is read-only")
    return exc


class History:
    """Caches of what rows refer to by number (flow numbers, shared parts): numbers never change meaning, so
    they are safe to cache in every process sharing the file."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flow_numbers: dict[str, int] = {}
        self._flow_ids: dict[int, str] = {}
        self._shared_numbers: dict[str, int] = {}
        self._shared_values: dict[int, Any] = {}
        self._fresh: list[tuple[str, int]] = []  # cached during the current write, forgotten if it rolls back
        self.shared_full = False  # the shared table reached SHARED_LIMIT (said once in the log)

    # numbering -------------------------------------------------------------------------------------------
    def flow_number(self, conn: sqlite3.Connection, flow_id: str, *, create: bool) -> int | None:
        number = self._flow_numbers.get(flow_id)
        if number is not None:
            return number
        row = conn.execute("SELECT no FROM flow_numbers WHERE id = ?", (flow_id,)).fetchone()
        if row is None:
            if not create:
                return None
            _begin(conn)
            conn.execute("INSERT OR IGNORE INTO flow_numbers (id) VALUES (?)", (flow_id,))
            row = conn.execute("SELECT no FROM flow_numbers WHERE id = ?", (flow_id,)).fetchone()
            self._fresh.append(("flow", row[0]))
        with self._lock:
            self._flow_numbers[flow_id], self._flow_ids[row[0]] = row[0], flow_id
        return int(row[0])

    def flow_id(self, conn: sqlite3.Connection, number: int) -> str:
        flow_id = self._flow_ids.get(number)
        if flow_id is None:
            (flow_id,) = conn.execute("SELECT id FROM flow_numbers WHERE no = ?", (number,)).fetchone()
            with self._lock:
                self._flow_ids[number] = flow_id
        return flow_id

    def _intern(self, conn: sqlite3.Connection, text: str) -> int | None:
        """The shared number of a part, stored once; None keeps it in the call's row. Senders that vary what calls
        share (a query string or path per call, an error message quoting each body) would otherwise grow the table
        and every process's cache without end: the table stops at `SHARED_LIMIT` parts (parts already in it are
        still shared, new ones stay in their rows: a few KB more per call, said in the log once), and the caches
        keep the `SHARED_CACHED` parts seen last (a part not at hand is looked up by its unique index)."""
        number = self._shared_numbers.get(text)
        if number is not None:
            return number
        row = conn.execute("SELECT no FROM shared WHERE doc = ?", (text,)).fetchone()
        if row is None:
            (stored,) = conn.execute("SELECT coalesce(max(no), 0) FROM shared").fetchone()  # never deleted
            if stored >= SHARED_LIMIT:
                if not self.shared_full:
                    self.shared_full = True
                    log.warning(
                        "the shared-parts table is full (%d distinct parts): parts of calls not seen before are now "
                        "kept in each call's row, a few KB more per call",
                        stored,
                    )
                return None
            _begin(conn)
            conn.execute("INSERT OR IGNORE INTO shared (doc) VALUES (?)", (text,))
            row = conn.execute("SELECT no FROM shared WHERE doc = ?", (text,)).fetchone()
            self._fresh.append((text, row[0]))
        self._remember(self._shared_numbers, text, row[0])
        return int(row[0])

    def _remember(self, cache: dict[Any, Any], key: Any, value: Any) -> None:
        """Cache `value`, forgetting the part cached longest ago when the cache is full."""
        with self._lock:
            if len(cache) >= SHARED_CACHED:
                cache.pop(next(iter(cache)), None)
            cache[key] = value

    def _shared_value(self, conn: sqlite3.Connection, number: int) -> Any:
        """A shared part, parsed once while at hand (records read it; nothing changes it)."""
        value = self._shared_values.get(number, self)
        if value is self:
            (text,) = conn.execute("SELECT doc FROM shared WHERE no = ?", (number,)).fetchone()
            value = json.loads(text)
            self._remember(self._shared_values, number, value)
        return value

    def rolled_back(self) -> None:
        """Forget what was cached during a write that did not commit (its rows do not exist)."""
        with self._lock:
            for key, number in self._fresh:
                if key == "flow":
                    self._flow_numbers.pop(self._flow_ids.pop(number, ""), None)
                else:
                    self._shared_numbers.pop(key, None)
            self._fresh.clear()

    def committed(self) -> None:
        self._fresh.clear()

    # writing ---------------------------------------------------------------------------------------------
    def insert(self, conn: sqlite3.Connection, calls: list[CallRecord]) -> None:
        """Insert records (the caller commits). One plain INSERT when nothing else must be written with it, which
        is its own transaction; otherwise everything goes into one (rows, bodies, new shared parts, numbers)."""
        rows: list[tuple[Any, ...]] = []
        big: list[tuple[int, bytes]] = []
        for call in calls:
            flow = self.flow_number(conn, call.flow_id, create=True)
            doc = pack(call, lambda text: self._intern(conn, text))
            body = call.body
            head = body if len(body) <= INLINE_BODY else body[:PREVIEW_BYTES]
            if head is not body:
                big.append((len(rows), body))
            rows.append(
                (
                    call.seq or None,
                    call.id,
                    flow,
                    STATUS_CODES.get(call.status, 2),
                    int(call.run_id is not None),
                    VALID_CODES.get(call.contract_valid, 2),
                    int(epoch(call.time) * 1000),
                    len(body),
                    doc,
                    head,
                    None if call.run is None else storage_json(_encode, call.run),
                )
            )
        if len(rows) == 1 and not big and not conn.in_transaction:
            cursor = conn.execute(_INSERT, rows[0])
            calls[0].seq = int(cursor.lastrowid or 0)
            return
        _begin(conn)
        for index, row in enumerate(rows):
            cursor = conn.execute(_INSERT, row)
            calls[index].seq = int(cursor.lastrowid or 0)
        for index, body in big:
            _write_body(conn, calls[index].seq, body)

    def delete(self, conn: sqlite3.Connection, where: str, params: tuple[Any, ...]) -> int:
        """Delete the calls matching `where` with their bodies and counts, in the caller's transaction."""
        _begin(conn)
        groups = conn.execute(
            f"SELECT flow, ok, run, valid, count(*) FROM calls WHERE {where} GROUP BY 1, 2, 3, 4", params
        ).fetchall()
        newest = newest_seq(conn)
        conn.execute(f"DELETE FROM bodies WHERE seq IN (SELECT seq FROM calls WHERE {where})", params)
        conn.execute(f"DELETE FROM calls WHERE {where}", params)
        keep_seq_mark(conn, newest)
        conn.executemany(
            "UPDATE counts SET n = n - ? WHERE flow = ? AND ok = ? AND run = ? AND valid = ?",
            [(n, flow, ok, run, valid) for flow, ok, run, valid, n in groups],
        )
        conn.execute("DELETE FROM counts WHERE n <= 0")
        return sum(g[4] for g in groups)

    def clear(self, conn: sqlite3.Connection, flow_id: str | None) -> None:
        """Delete every call, or one flow's, with bodies and counts (in the caller's transaction)."""
        newest = newest_seq(conn)
        if flow_id is None:
            for table in ("bodies", "calls", "counts"):
                conn.execute(f"DELETE FROM {table}")
        elif (number := self.flow_number(conn, flow_id, create=False)) is not None:
            conn.execute("DELETE FROM bodies WHERE seq IN (SELECT seq FROM calls WHERE flow = ?)", (number,))
            conn.execute("DELETE FROM calls WHERE flow = ?", (number,))
            conn.execute("DELETE FROM counts WHERE flow = ?", (number,))
        keep_seq_mark(conn, newest)

    def expire(self, conn: sqlite3.Connection, older_than: float | None, max_calls: int | None, batch: int) -> int:
        """Delete up to `batch` calls older than `older_than` or beyond the newest `max_calls` (the caller
        commits); the number deleted."""
        seqs: set[int] = set()
        if max_calls is not None:
            over = self.count(conn, None, False, None, None) - max_calls
            if over > 0:
                rows = conn.execute("SELECT seq FROM calls ORDER BY seq LIMIT ?", (min(over, batch),))
                seqs.update(seq for (seq,) in rows)
        if older_than is not None and len(seqs) < batch:
            rows = conn.execute(
                "SELECT seq FROM calls INDEXED BY calls_time WHERE t < ? ORDER BY t LIMIT ?",
                (int(older_than * 1000), batch - len(seqs)),
            )
            seqs.update(seq for (seq,) in rows)
        if not seqs:
            return 0
        return self.delete(conn, "seq IN (SELECT value FROM json_each(?))", ("[" + ",".join(map(str, seqs)) + "]",))

    # reading ---------------------------------------------------------------------------------------------
    def load(
        self, conn: sqlite3.Connection, row: tuple[Any, ...], body_limit: int | None, derive: bool = True
    ) -> CallRecord:
        seq, call_id, flow, ok, run, size, doc, head, run_doc = row
        body = bytes(head)
        if len(body) < size and (body_limit is None or size <= body_limit):
            (whole,) = conn.execute("SELECT body FROM bodies WHERE seq = ?", (seq,)).fetchone()
            body = bytes(whole)
        elif body_limit is not None and size > body_limit:
            body = body[:PREVIEW_BYTES]
        document = unpack(doc, lambda n: self._shared_value(conn, n), call_id, self.flow_id(conn, flow), ok, run)
        record = CallRecord.from_storage(document, body, seq, size, derive=derive)
        record.run = None if run_doc is None else json.loads(run_doc)
        return record

    def select(
        self,
        conn: sqlite3.Connection,
        flow_id: str | None,
        *,
        runs_only: bool = False,
        status: str | None = None,
        valid: bool | None = None,
        limit: int = 100,
        offset: int = 0,
        before: int | None = None,
        after: int | None = None,
        body_limit: int | None = None,
        with_outputs: bool = True,
    ) -> list[CallRecord]:
        clauses, params, index = [], [], "calls_flow"
        if flow_id is not None:
            number = self.flow_number(conn, flow_id, create=False)
            if number is None:
                return []
            clauses.append("flow = ?")
            params.append(number)
        ok = 1 if runs_only else None if status is None else STATUS_CODES.get(status, 2)
        if ok is not None:
            clauses.append("ok = ?")
            params.append(ok)
            index = "calls_flow_ok" if flow_id is not None else "calls_ok"
        if runs_only:
            clauses.append("run = 1")
        if valid is not None:
            clauses.append("valid = ?")
            params.append(VALID_CODES[valid])
            if ok is None:
                index = "calls_flow_valid" if flow_id is not None else "calls_valid"
        if flow_id is None and ok is None and valid is None:
            index = ""  # the table itself, by seq
        if before is not None:
            clauses.append("seq < ?")
            params.append(before)
        if after is not None:
            clauses.append("seq > ?")
            params.append(after)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        order = "ASC" if after is not None and before is None else "DESC"
        indexed = f" INDEXED BY {index}" if index else ""
        # The page's seqs from the index alone (an offset walks index entries, not rows), then its rows.
        seqs = conn.execute(
            f"SELECT seq FROM calls{indexed}{where} ORDER BY seq {order} LIMIT ? OFFSET ?", (*params, limit, offset)
        ).fetchall()
        if not seqs:
            return []
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM calls WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq DESC",
            ("[" + ",".join(str(s) for (s,) in seqs) + "]",),
        ).fetchall()
        return [self.load(conn, row, body_limit, with_outputs) for row in rows]

    def export_lines(
        self, conn: sqlite3.Connection, flow_id: str | None, shape: EntryShape, after: int, limit: int
    ) -> tuple[list[str], int]:
        """Up to `limit` calls after seq `after`, oldest first, as lines of `runs export` (`entry_lines`), spliced
        from the stored rows; and the last seq read (`after` when none)."""
        if flow_id is None:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM calls WHERE seq > ? ORDER BY seq LIMIT ?", (after, limit))
        else:
            number = self.flow_number(conn, flow_id, create=False)
            if number is None:
                return [], after
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM calls INDEXED BY calls_flow WHERE flow = ? AND seq > ? ORDER BY seq LIMIT ?",
                (number, after, limit),
            )
        lines: list[str] = []
        shared = functools.partial(self._shared_value, conn)
        for row in rows.fetchall():
            seq, call_id, flow, ok, run, size, doc, head, run_doc = row
            line = None
            if len(head) >= size or size > LIST_BODY_LIMIT:  # what a list shows of the body is in the row
                body = bytes(head) if size <= LIST_BODY_LIMIT else bytes(head[:PREVIEW_BYTES])
                stored = StoredRow(seq, call_id, self.flow_id(conn, flow), ok == 1, bool(run), size, doc, body, run_doc)
                line = shape.row_line(stored, shared)
            lines.append(line or shape.record_line(self.load(conn, row, LIST_BODY_LIMIT, derive=False)))
            after = seq
        return lines, after

    def get(self, conn: sqlite3.Connection, call_id: str, body_limit: int | None) -> CallRecord | None:
        row = conn.execute(f"SELECT {_COLUMNS} FROM calls WHERE id = ?", (call_id,)).fetchone()
        return self.load(conn, row, body_limit) if row is not None else None

    def count(
        self,
        conn: sqlite3.Connection,
        flow_id: str | None,
        runs_only: bool = False,
        status: str | None = None,
        valid: bool | None = None,
    ) -> int:
        clauses, params = [], []
        if flow_id is not None:
            number = self.flow_number(conn, flow_id, create=False)
            if number is None:
                return 0
            clauses.append("flow = ?")
            params.append(number)
        if runs_only:
            clauses.append("run = 1")
        if status is not None:
            clauses.append("ok = ?")
            params.append(STATUS_CODES.get(status, 2))
        if valid is not None:
            clauses.append("valid = ?")
            params.append(VALID_CODES[valid])
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        (n,) = conn.execute(f"SELECT coalesce(sum(n), 0) FROM counts{where}", params).fetchone()
        return int(n)


def _write_body(conn: sqlite3.Connection, seq: int, body: bytes) -> None:
    """Write a large body in place through the blob API. Bound as a parameter, SQLite would copy it whole, and the
    cached statement would keep that copy (up to 100 MB) until the next large call."""
    conn.execute("INSERT INTO bodies (seq, body) VALUES (?, zeroblob(?))", (seq, len(body)))
    view = memoryview(body)
    with conn.blobopen("bodies", "body", seq) as blob:
        for start in range(0, len(view), BLOB_CHUNK):
            blob.write(view[start : start + BLOB_CHUNK])


def body_chunks(conn: sqlite3.Connection, call_id: str, chunk_size: int) -> Iterator[bytes] | None:
    """The whole body of one call in chunks; a large one is read from its blob piece by piece, never whole."""
    row = conn.execute("SELECT seq, size, head FROM calls WHERE id = ?", (call_id,)).fetchone()
    if row is None:
        return None
    seq, size, head = row
    if len(head) >= size:
        head = bytes(head)
        return iter([head[i : i + chunk_size] for i in range(0, len(head), chunk_size)])

    def stream() -> Iterator[bytes]:
        with conn.blobopen("bodies", "body", seq, readonly=True) as blob:
            while chunk := blob.read(chunk_size):
                yield chunk

    return stream()
