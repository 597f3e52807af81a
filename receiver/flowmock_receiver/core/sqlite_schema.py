"""The SQLite store's tables, and the migration of databases written by flowmock 0.1 (one JSON document per call).

Reads a person or a test makes must not grow with the history (issue 18), so:
- every list is an index range read newest first: `(flow, seq)` for a flow's calls, `(flow, ok, seq)` for a status
  (and runs: accepted calls), `(flow, valid, seq)` for a contract verdict, `(ok, seq)` and `(valid, seq)` across
  flows; a cursor (`seq < ?`) starts a page anywhere in O(log n);
- counts come from `counts`, one row per (flow, ok, run, valid), changed in the same transaction as the calls
  (inserts by a trigger, deletions by the store), so `total` is exact and costs a handful of rows;
- flows are numbered (`flow_numbers`): 8 bytes per row and index entry instead of a 32-character id;
- a body up to `INLINE_BODY` bytes lives in its row (`head`); a larger one in `bodies`, with its first
  `PREVIEW_BYTES` in `head`, so a list never reads a large body and one call's body can be streamed;
- `t` (milliseconds since 1970) is indexed for retention;
- `run_doc` holds an imported flow's run (status, actions) as JSON, a column of its own because it is rewritten while
  the run goes on;
- `ok` is 1 for a call the trigger accepted, 0 for a refused one, 2 for a skipped one (trigger conditions false);
  `valid` is 1 when the body conformed, 0 when it did not, 2 when it was never checked;
- a call's `seq` is never handed out twice in the life of the file, so a client's `after=` cursor cannot miss the
  calls made after it: an insert takes one more than the larger of max(seq) and `seq_mark.high`, the highest seq a
  deletion took away with it (written, in the deletion's transaction, only when it removed the newest call). Every
  process sharing the file computes it in the INSERT itself, under SQLite's write lock. AUTOINCREMENT would do the
  same at a higher cost per insert (it updates `sqlite_sequence` with every insert: one more page each commit) and
  could not be added to an existing table without copying it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

from .records import CallRecord

VERSION = 3  # 3: seq_mark
INLINE_BODY = 16 * 1024

SCHEMA = """
CREATE TABLE IF NOT EXISTS flows (id TEXT PRIMARY KEY, doc TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS flow_numbers (no INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS calls (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    flow INTEGER NOT NULL,
    ok INTEGER NOT NULL,
    run INTEGER NOT NULL,
    valid INTEGER NOT NULL,
    t INTEGER NOT NULL,
    size INTEGER NOT NULL,
    doc TEXT NOT NULL,
    head BLOB NOT NULL,
    run_doc TEXT
);
CREATE TABLE IF NOT EXISTS bodies (seq INTEGER PRIMARY KEY, body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS shared (no INTEGER PRIMARY KEY AUTOINCREMENT, doc TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS counts (
    flow INTEGER NOT NULL, ok INTEGER NOT NULL, run INTEGER NOT NULL, valid INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (flow, ok, run, valid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS calls_flow ON calls (flow, seq);
CREATE INDEX IF NOT EXISTS calls_flow_ok ON calls (flow, ok, seq);
CREATE INDEX IF NOT EXISTS calls_flow_valid ON calls (flow, valid, seq);
CREATE INDEX IF NOT EXISTS calls_ok ON calls (ok, seq);
CREATE INDEX IF NOT EXISTS calls_valid ON calls (valid, seq);
CREATE INDEX IF NOT EXISTS calls_time ON calls (t);
CREATE TABLE IF NOT EXISTS seq_mark (one INTEGER PRIMARY KEY CHECK (one = 1), high INTEGER NOT NULL);
INSERT OR IGNORE INTO seq_mark (one, high) VALUES (1, 0);
CREATE TRIGGER IF NOT EXISTS calls_counted AFTER INSERT ON calls BEGIN
    INSERT INTO counts (flow, ok, run, valid, n) VALUES (new.flow, new.ok, new.run, new.valid, 1)
    ON CONFLICT (flow, ok, run, valid) DO UPDATE SET n = n + 1;
END;
"""


# The seq of a call being inserted, from the statement's first parameter (a migrated call keeps its own seq, taken
# only when it is above the others). The INSERT holds the write lock from its start, so this is read under it.
NEXT_SEQ = "max(coalesce(?, 0), (SELECT coalesce(max(seq), 0) FROM calls) + 1, (SELECT high FROM seq_mark) + 1)"


def newest_seq(conn: sqlite3.Connection) -> int:
    (seq,) = conn.execute("SELECT coalesce(max(seq), 0) FROM calls").fetchone()
    return int(seq)


def keep_seq_mark(conn: sqlite3.Connection, newest: int) -> None:
    """After a deletion, in its transaction (`newest`: `newest_seq` before it): when it took the newest call,
    remember that call's seq, so the next insert numbers on from it. Expiring the oldest calls writes nothing."""
    if newest_seq(conn) < newest:
        conn.execute("UPDATE seq_mark SET high = ? WHERE high < ?", (newest, newest))


def _columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


def prepare(conn: sqlite3.Connection, insert: Callable[[sqlite3.Connection, list[CallRecord]], None]) -> None:
    """Create the tables, migrating a flowmock 0.1 database in place (its calls keep their order and ids).

    `insert` writes records as the store does. The migration runs once, in one transaction, at start-up."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        old = "flow_id" in _columns(conn, "calls")
        if old:
            conn.execute("DROP INDEX IF EXISTS calls_flow")
            conn.execute("DROP INDEX IF EXISTS calls_run")
            conn.execute("ALTER TABLE calls RENAME TO calls_v1")
        for statement in _statements(SCHEMA):
            conn.execute(statement)
        if old:
            last = 0
            run = "run" if "run" in _columns(conn, "calls_v1") else "NULL"
            while True:
                rows = conn.execute(
                    f"SELECT seq, doc, body, {run} FROM calls_v1 WHERE seq > ? ORDER BY seq LIMIT 1000", (last,)
                ).fetchall()
                if not rows:
                    break
                insert(conn, [_old_record(*row) for row in rows])
                last = rows[-1][0]
            # flowmock 0.1 numbered calls with AUTOINCREMENT: its newest calls may have been deleted since
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone():
                conn.execute(
                    "UPDATE seq_mark SET high = max(high, "
                    "(SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'calls_v1'))"
                )
            conn.execute("DROP TABLE calls_v1")
        conn.execute(f"PRAGMA user_version = {VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def _old_record(seq: int, doc: str, body: bytes, run: str | None) -> CallRecord:
    record = CallRecord.from_storage(json.loads(doc), bytes(body), seq)
    record.run = None if run is None else json.loads(run)
    return record


def _statements(script: str) -> list[str]:
    """The script's statements (a trigger body holds semicolons, so split on complete statements)."""
    out, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            out.append(current.strip())
            current = ""
    return [s for s in out if s]
