"""Retention: history is kept as long as Power Automate keeps run history (28 days by default), optionally capped
at a number of calls, and trimmed in the background.

A server left running as a team's webhook endpoint collects calls for weeks; without a limit its history grows
until the disk is full. Old calls are removed in small batches, each its own short transaction with a pause
between, so a call being recorded waits at most for one batch, never for the whole clean-up.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from typing import Any

from .store import Store

log = logging.getLogger("flowmock")
DAY = 86_400.0


class Retention:
    """The policy (`days`, 0 keeps everything; `max_calls`, None for no cap) and what it has done so far."""

    def __init__(
        self, store: Store, days: float, max_calls: int | None, *, batch: int = 200, pause: float = 0.005
    ) -> None:
        if days < 0 or (max_calls is not None and max_calls < 0):
            raise ValueError("retention days and max calls cannot be negative")
        self.store = store
        self.days = days
        self.max_calls = max_calls
        self.batch = batch
        self.pause = pause
        self.removed = 0
        self.last_run: float | None = None
        self.last_error: str | None = None
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._stop = threading.Event()

    @property
    def active(self) -> bool:
        return self.days > 0 or self.max_calls is not None

    def run_once(self, now: float | None = None) -> int:
        """Remove everything over the limits now, batch by batch; the number of calls removed."""
        older_than = (now if now is not None else time.time()) - self.days * DAY if self.days > 0 else None
        removed = 0
        while not self._stop.is_set():
            n = self.store.expire(older_than=older_than, max_calls=self.max_calls, batch=self.batch)
            removed += n
            if n < self.batch:
                break
            time.sleep(self.pause)  # let waiting calls be recorded between batches
        self.removed += removed
        self.last_run = time.time()
        return removed

    def start(self, interval: float = 1.0) -> None:
        """Run in a daemon thread every `interval` seconds, once; the thread ends with the store or when this
        object is no longer referenced."""
        if not self.active or self._thread is not None:  # asked after every call: no lock once it runs
            return
        with self._start_lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(
                target=_loop, args=(weakref.ref(self), self._stop, interval), name="flowmock-retention", daemon=True
            )
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def status(self) -> dict[str, Any]:
        return {
            "retention_days": self.days,
            "max_calls": self.max_calls,
            "removed": self.removed,
            "last_run": _iso(self.last_run),
            "last_error": self.last_error,
        }


def _iso(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def _loop(ref: weakref.ref[Retention], stop: threading.Event, interval: float) -> None:
    while True:
        retention = ref()
        if retention is None:
            return
        try:
            retention.run_once()
            retention.last_error = None
        except Exception as exc:  # a closed store ends the loop; a full disk is tried again next time
            retention.last_error = f"{type(exc).__name__}: {exc}"
            if "closed" in str(exc):
                return
            log.warning("flowmock retention: %s", retention.last_error)
        del retention
        if stop.wait(interval):
            return
