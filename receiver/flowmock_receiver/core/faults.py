"""Faults a flow is configured with: throttling (429 with Retry-After), latency and server errors.

They let a sender's retry logic be tested against the failures the real service produces. Counters live in the
process: with several workers, each enforces its own throttle window (the README says so).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from http import HTTPStatus
from typing import Any

from .errors import TriggerError
from .flows import Flow


def _window_text(seconds: float) -> str:
    total = int(seconds)
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


class FaultState:
    def __init__(self, rng: random.Random | None = None) -> None:
        self._lock = threading.Lock()
        self._windows: dict[str, deque[float]] = {}
        self._failed: dict[tuple[str, str], int] = {}
        self._rng = rng or random.Random()

    def forget(self, flow_id: str | None = None) -> None:
        with self._lock:
            if flow_id is None:
                self._windows.clear()
                self._failed.clear()
            else:
                self._windows.pop(flow_id, None)
                for key in [k for k in self._failed if k[0] == flow_id]:
                    del self._failed[key]

    def apply(self, flow: Flow, tracking_id: str) -> None:
        """Raise the configured fault for this call, or sleep the configured latency and return."""
        faults: dict[str, Any] = flow.faults or {}
        if not faults:
            return
        throttle = faults.get("throttle")
        if throttle:
            self._throttle(flow, throttle)
        latency = faults.get("latency_ms")
        if latency:
            time.sleep(latency / 1000)
        status = int(faults.get("failure_status", 500))
        fail = False
        fail_next = int(faults.get("fail_next", 0))
        if fail_next:
            key = (flow.id, flow.version)
            with self._lock:
                used = self._failed.get(key, 0)
                if used < fail_next:
                    self._failed[key] = used + 1
                    fail = True
        rate = float(faults.get("failure_rate", 0.0))
        if not fail and rate and self._rng.random() < rate:
            fail = True
        if fail:
            try:
                code = HTTPStatus(status).phrase.replace(" ", "")
            except ValueError:  # a 5xx without a standard name
                code = "ServerError"
            raise TriggerError(
                "injected_failure",
                status=status,
                status_code=status,
                code=code,
                flow_id=flow.id,
                tracking_id=tracking_id,
            )

    def _throttle(self, flow: Flow, throttle: dict[str, Any]) -> None:
        limit = int(throttle["limit"])
        window = float(throttle.get("window_seconds", 300))
        now = time.monotonic()
        with self._lock:
            calls = self._windows.setdefault(flow.id, deque())
            while calls and calls[0] <= now - window:
                calls.popleft()
            if len(calls) >= limit:
                wait = calls[0] + window - now if calls else window
                retry_after = throttle.get("retry_after")
                seconds = int(retry_after) if retry_after is not None else max(1, math.ceil(wait))
                raise TriggerError(
                    "throttled",
                    headers={"Retry-After": str(seconds)},
                    name=flow.name,
                    limit=limit,
                    window=_window_text(window),
                )
            calls.append(now)
