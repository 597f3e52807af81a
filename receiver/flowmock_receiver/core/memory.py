"""Memory after large calls: a bound on how many large bodies are in memory at once, and giving it back after.

A 50 MB JSON body costs about three times its size while its call runs: the bytes, the text decoded from them and
the string parsed out of that. Ten such calls at once took the process to 1.2 GB, for no gain in speed: parsing
and validation hold the GIL, so calls parsed side by side finish no sooner than calls parsed in turn. So a large
body is spooled to disk while it arrives (costing no memory however many arrive at once) and only
`LARGE_BODIES_AT_ONCE` calls at a time read theirs into memory; the others wait for a slot and are answered in
turn, never refused.

Once freed, glibc keeps heap pages for reuse, so memory stayed high long after the calls ended. `malloc_trim`
returns free heap pages; it runs when a large call ends, where its cost (a walk of the heap) is small next to the
call's. On a C library without it, nothing is trimmed.

Both are the process's, not an app's: every app in a process (the pytest fixture's server and a test's own app)
shares its memory.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

LARGE_BODY = 1024 * 1024  # bodies above this are spooled to disk while read, and memory is trimmed after
LARGE_BODIES_AT_ONCE = 1  # parsing holds the GIL: two at once finished ten 50 MB calls no sooner (make bench)


@functools.cache
def _libc() -> ctypes.CDLL | None:
    """The C library, found once (`find_library` runs ldconfig); None where there is none to load."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name) if name else None
    except OSError:
        return None


def _libc_function(name: str) -> Any:
    """A function of the C library, or None when it has none of that name (not glibc)."""
    return getattr(_libc(), name, None)


def _trimmer() -> Callable[[], None]:
    trim = _libc_function("malloc_trim")
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
        """Trim now, and once more a second later: a large call that ended while another trim ran (concurrent
        large calls end together) is returned too."""
        trim_now()
        later = threading.Timer(1.0, trim_now)
        later.daemon = True
        later.start()

    return release


release_memory = _trimmer()

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


def keep_large_blocks_mapped() -> None:
    """Have glibc give every block of `LARGE_BODY` or more a mapping of its own, returned to the system when freed.

    By default glibc raises that threshold to the size of the largest block freed so far (up to 32 MB), so after one
    large call the next ones' bodies come from the heap. Whether they did depended on which threads had run before:
    a server whose pool threads were all new when four 20 MB calls arrived at once (the small calls before them were
    answered on the event loop) peaked 40 MB higher and kept 40 MB after, in 2 runs out of 5; with the threshold set
    (which turns the adjustment off), 5 runs out of 5 peaked at +62 MB and kept 2 MB. Process-wide, so a server calls
    it when it starts, not at import; with a C library that has no `mallopt`, nothing changes."""
    mallopt = _libc_function("mallopt")
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, LARGE_BODY)


_slots = threading.BoundedSemaphore(LARGE_BODIES_AT_ONCE)


@contextmanager
def large_body_slot() -> Iterator[Callable[[], None]]:
    """One call's claim on the large-body slots: calling what it yields (once the body is known to be large, and
    before it is read into memory) waits for a slot, which the call keeps until it ends: its body, the parsed
    value and the record are alive until then. Memory is trimmed before the slot goes to the next call."""
    held = False

    def admit() -> None:
        nonlocal held
        if not held:
            _slots.acquire()
            held = True

    try:
        yield admit
    finally:
        if held:
            release_memory()
            _slots.release()
