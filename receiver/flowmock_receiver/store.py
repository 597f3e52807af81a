"""The `Store` protocol and its in-memory implementation (tests, the pytest fixture).

Every store keeps flows and call records; records are written before the trigger answers, so a 202 always has its
run. Readers page newest first, as Power Automate's run history does.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Protocol, runtime_checkable

from .flows import Flow
from .records import CallRecord


@runtime_checkable
class Store(Protocol):
    kind: str

    def get_flow(self, flow_id: str) -> Flow | None: ...
    def list_flows(self, *, include_deleted: bool = False) -> list[Flow]: ...
    def save_flow(self, flow: Flow) -> None: ...
    def delete_flow(self, flow_id: str) -> None: ...
    def record(self, call: CallRecord) -> None: ...
    def calls(
        self,
        flow_id: str | None = None,
        *,
        runs_only: bool = False,
        status: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[CallRecord]: ...
    def count(self, flow_id: str | None = None, *, runs_only: bool = False, status: str | None = None) -> int: ...
    def get_call(self, call_id: str) -> CallRecord | None: ...
    def clear(self, flow_id: str | None = None) -> None: ...
    def reset(self) -> None: ...
    def close(self) -> None: ...


def _matches(call: CallRecord, flow_id: str | None, runs_only: bool, status: str | None) -> bool:
    return (
        (flow_id is None or call.flow_id == flow_id)
        and (not runs_only or call.run_id is not None)
        and (status is None or call.status == status)
    )


class MemoryStore:
    """Everything in this process's memory: fast, and gone when the process ends."""

    kind = "memory"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flows: dict[str, Flow] = {}
        self._calls: list[CallRecord] = []
        self._by_id: dict[str, CallRecord] = {}
        self._seq = 0

    def get_flow(self, flow_id: str) -> Flow | None:
        return self._flows.get(flow_id)

    def list_flows(self, *, include_deleted: bool = False) -> list[Flow]:
        with self._lock:
            return [f for f in self._flows.values() if include_deleted or not f.deleted]

    def save_flow(self, flow: Flow) -> None:
        with self._lock:
            self._flows[flow.id] = flow

    def delete_flow(self, flow_id: str) -> None:
        with self._lock:
            self._flows.pop(flow_id, None)
            self._drop(c for c in self._calls if c.flow_id == flow_id)

    def _drop(self, calls: Iterable[CallRecord]) -> None:
        gone = {id(c) for c in calls}
        self._calls = [c for c in self._calls if id(c) not in gone]
        self._by_id = {c.id: c for c in self._calls}

    def record(self, call: CallRecord) -> None:
        with self._lock:
            self._seq += 1
            call.seq = self._seq
            self._calls.append(call)
            self._by_id[call.id] = call

    def calls(
        self,
        flow_id: str | None = None,
        *,
        runs_only: bool = False,
        status: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[CallRecord]:
        with self._lock:
            snapshot = list(self._calls)
        found = [c for c in reversed(snapshot) if _matches(c, flow_id, runs_only, status)]
        return found[offset : offset + limit]

    def count(self, flow_id: str | None = None, *, runs_only: bool = False, status: str | None = None) -> int:
        with self._lock:
            return sum(1 for c in self._calls if _matches(c, flow_id, runs_only, status))

    def get_call(self, call_id: str) -> CallRecord | None:
        return self._by_id.get(call_id)

    def clear(self, flow_id: str | None = None) -> None:
        with self._lock:
            if flow_id is None:
                self._calls, self._by_id = [], {}
            else:
                self._drop(c for c in self._calls if c.flow_id == flow_id)

    def reset(self) -> None:
        with self._lock:
            self._flows.clear()
            self._calls, self._by_id = [], {}

    def close(self) -> None:
        pass
