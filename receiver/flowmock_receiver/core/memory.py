"""Giving memory back to the system after a large call.

A 50 MB body becomes a bytes object and then Python objects when parsed; once they are freed, glibc keeps the heap
pages for reuse, so ten concurrent 50 MB calls left the process at 1.1 GB long after they ended. `malloc_trim`
returns free heap pages; it is called only after a large call, where its cost (a walk of the heap) is small next
to the call's. On a C library without it, nothing happens.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Callable

LARGE_BODY = 1024 * 1024  # bodies above this are spooled to disk while read, and memory is trimmed after


def _trimmer() -> Callable[[], None]:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        trim = libc.malloc_trim if libc is not None else None
    except (OSError, AttributeError):
        trim = None
    if trim is None:
        return lambda: None
    lock = threading.Lock()

    def trim_now() -> None:
        if lock.acquire(blocking=False):  # one trim at a time is enough
            try:
                trim(0)
            finally:
                lock.release()

    def release() -> None:
        """Trim now, and once more a second later: calls that ended meanwhile (concurrent large calls end
        together, while one trim runs) and buffers the server frees after the answer are returned too."""
        trim_now()
        later = threading.Timer(1.0, trim_now)
        later.daemon = True
        later.start()

    return release


release_memory = _trimmer()
