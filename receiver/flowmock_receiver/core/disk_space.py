"""Room on the disk under the SQLite store: a call is recorded only while enough stays free to clear history.

A full disk traps SQLite in WAL mode: a checkpoint copies committed pages from the WAL into the database file,
which must grow to take them, and deleting rows writes pages to the WAL first; with no byte free neither can run,
so history could not be cleared and nothing could be recorded again (found on a real, tiny tmpfs: the simulated
full disk of a size-limited database never showed it). So a record that would leave less than `KEEP_FREE` bytes
is refused as `StoreFull` (the caller answers 503), pages the database has already freed counting as room, and the
margin is what a clear and the checkpoints around it write.

On a disk with no room at all, SQLite cannot even create the shared-memory file of a WAL database and reports a
disk I/O error; `is_full_disk_error` tells that apart from a failing disk.
"""

from __future__ import annotations

import functools
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

KEEP_FREE = 4 * 1024 * 1024  # a clear of a million calls writes well under this to the WAL
RECORD_OVERHEAD = 16 * 1024  # a record's row, index entries and counts beyond its body, with room to spare
NO_ROOM = 1024 * 1024  # below this, an I/O error is taken for a full disk


@functools.lru_cache(maxsize=16)
def _folder(path: str) -> str:
    return str(Path(path).resolve().parent)  # resolved once: it costs more than the statvfs on every record


def disk_free(path: str) -> int | None:
    """Bytes free to this process on the filesystem holding `path`; None when it cannot be known."""
    try:
        stat = os.statvfs(_folder(path))
    except OSError:
        return None
    return stat.f_bavail * stat.f_frsize


def _wal_size(path: str) -> int:
    try:
        return os.stat(f"{path}-wal").st_size
    except OSError:
        return 0


def lacks_room(path: str, body_size: int, reusable: Callable[[], int], *, records: int = 1) -> str | None:
    """Why `records` records with `body_size` bytes of bodies in all must be refused, or None. They are written
    twice (to the WAL, then into the database); `reusable` (the database's free pages, in bytes) is asked only
    when the disk alone is short.

    The WAL's size counts too: that much may be waiting to be copied into the database by a checkpoint that lags
    behind (a loaded machine), and a checkpoint that runs out of room mid-way has already grown the database
    file into the margin, leaving no byte for a clear."""
    need = KEEP_FREE + 2 * (body_size + records * RECORD_OVERHEAD) + _wal_size(path)
    free = disk_free(path)
    if free is None or free >= need or free + reusable() >= need:
        return None
    return (
        f"the disk holding {path} is full ({free // 1024:,} KB free; flowmock keeps {KEEP_FREE // (1024 * 1024)} MB "
        "free so that history can still be cleared)"
    )


def is_full_disk_error(exc: BaseException, path: str) -> bool:
    """SQLITE_FULL, or an I/O error on a disk with (next to) no room left."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code == sqlite3.SQLITE_FULL:
        return True
    if code is None or code & 0xFF != sqlite3.SQLITE_IOERR or path == ":memory:":
        return False
    free = disk_free(path)
    return free is not None and free < NO_ROOM
