"""Opening the SQLite store's connections: read-write in WAL mode, or read-only when the disk is full.

Every connection is shared between threads (the store serialises the writer and pools the readers), and none
checkpoints by itself: the store's checkpoint thread does, not some unlucky request's commit. Deleted history is
not overwritten (see `connect`): a cleared body can stay in the file's free pages until they are reused.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def connect(path: str, synchronous: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA synchronous={synchronous}")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    # Debian's SQLite overwrites every freed page with zeros by default (secure_delete=ON): clearing history then
    # wrote as much to the WAL as it freed, which a full disk cannot take. FAST zeroes only within pages written
    # anyway, so a clear or an expiry writes a few pages per thousand calls.
    conn.execute("PRAGMA secure_delete=FAST")
    return conn


def connect_read_only(path: str) -> sqlite3.Connection:
    """A read-only connection. On a disk with no room for the WAL's shared-memory file, SQLite cannot open a WAL
    database even read-only; it then reads the database file as it is (without what a crashed process may have
    left in the WAL), which is safe because no connection of this store writes."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=30.0, isolation_level=None, check_same_thread=False)
    try:
        conn.execute("PRAGMA busy_timeout=30000").execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        conn.close()
        conn = sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None, check_same_thread=False)
    return conn
