"""How processes sharing a SQLite file (`serve --workers`) learn that a flow changed, without a read per call.

A worker must check every call against the flows as they are now: a key regenerated through one worker must stop
working in all of them at once. Reading each call's flow from SQLite did that, but on the event loop the read gives
up the GIL and waits to get it back from the writer thread: in one process, it made a call cost 325-555 µs of CPU
against 211-252 with the flow cached. So every process maps a small file beside the database into memory, and
whoever commits a change to a flow then writes a fresh random token into it; a process keeps its flows cached for
as long as the token it cached them under is still there. Reading the token is a memory read (no system call, the
GIL kept). A random token, not a counter: two processes writing at once cannot write back the value a reader
already saw, so no change can go unnoticed, and no lock is needed.
"""

from __future__ import annotations

import contextlib
import mmap
import os

TOKEN_BYTES = 8


class FlowSignal:
    """The token file of one database (`<database>-flowmock-flows`), mapped into memory."""

    def __init__(self, database: str, *, create: bool) -> None:
        fd = os.open(f"{database}-flowmock-flows", os.O_RDWR | (os.O_CREAT if create else 0), 0o644)
        try:
            if os.fstat(fd).st_size < TOKEN_BYTES:
                os.ftruncate(fd, TOKEN_BYTES)
            self._map = mmap.mmap(fd, TOKEN_BYTES)
        finally:
            os.close(fd)

    def token(self) -> bytes:
        return self._map[:TOKEN_BYTES]

    def changed(self) -> None:
        """Tell every process: call this after the change to a flow has committed."""
        self._map[:TOKEN_BYTES] = os.urandom(TOKEN_BYTES)

    def close(self) -> None:
        with contextlib.suppress(BufferError, ValueError):
            self._map.close()


def open_signal(database: str, *, create: bool) -> FlowSignal | None:
    """The database's signal, made if `create`; None where there is none (not made, a read-only directory, an
    in-memory database): a store that shares the file then reads each call's flow from SQLite."""
    if database == ":memory:":
        return None
    try:
        return FlowSignal(database, create=create)
    except (OSError, ValueError):
        return None
