"""The `Store` protocol and its in-memory implementation (tests, the pytest fixture).

Every store keeps flows and call records; records are written before the trigger answers, so a 202 always has its
run. Readers page newest first, as Power Automate's run history does. An imported flow's run goes on after its
answer, so its part of the record (`CallRecord.run`) is written again as it changes (`update_run`).
"""

from __future__ import annotations

import marshal
import threading
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol, runtime_checkable

from .flows import Flow
from .jsontext import marshal_dumps
from .records import CallRecord


@runtime_checkable
class Store(Protocol):
    kind: str

    def get_flow(self, flow_id: str) -> Flow | None: ...
    def list_flows(self, *, include_deleted: bool = False) -> list[Flow]: ...
    def save_flow(self, flow: Flow) -> None: ...
    def delete_flow(self, flow_id: str) -> None: ...
    def record(self, call: CallRecord) -> None: ...
    def update_run(self, call_id: str, run: dict[str, Any]) -> None: ...
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


def _matches(call: CallRecord | _Stored, flow_id: str | None, runs_only: bool, status: str | None) -> bool:
    return (
        (flow_id is None or call.flow_id == flow_id)
        and (not runs_only or call.run_id is not None)
        and (status is None or call.status == status)
    )


class _Stored(NamedTuple):
    """A record as the memory store keeps it: strings and bytes only, so the garbage collector never walks it
    (keeping records as Python objects made collector pauses of tens of ms under load). The document is in
    `marshal`'s format, not JSON: it never leaves the process, and encoding it is 7x cheaper (1.5 against 11 µs)."""

    seq: int
    id: str
    flow_id: str
    run_id: str | None
    status: str
    doc: bytes
    body: bytes

    def load(self, run: bytes | None = None) -> CallRecord:
        record = CallRecord.from_storage(marshal.loads(self.doc), self.body, self.seq)
        if run is not None:
            record.run = marshal.loads(run)
        return record


class MemoryStore:
    """Everything in this process's memory: fast, and gone when the process ends."""

    kind = "memory"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._flows: dict[str, Flow] = {}
        self._calls: list[_Stored] = []
        self._by_id: dict[str, _Stored] = {}
        self._runs: dict[str, bytes] = {}  # call id -> the run's latest document (imported flows only)
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
            self._keep(lambda c: c.flow_id != flow_id)

    def _keep(self, predicate: Callable[[_Stored], bool]) -> None:
        self._calls = [c for c in self._calls if predicate(c)]
        self._by_id = {c.id: c for c in self._calls}
        self._runs = {key: run for key, run in self._runs.items() if key in self._by_id}

    def record(self, call: CallRecord) -> None:
        doc = marshal_dumps(call.to_storage())
        with self._lock:
            self._seq += 1
            call.seq = self._seq
            stored = _Stored(self._seq, call.id, call.flow_id, call.run_id, call.status, doc, call.body)
            self._calls.append(stored)
            self._by_id[call.id] = stored
            if call.run is not None:
                self._runs[call.id] = marshal_dumps(call.run)

    def update_run(self, call_id: str, run: dict[str, Any]) -> None:
        doc = marshal_dumps(run)
        with self._lock:
            if call_id in self._by_id:
                self._runs[call_id] = doc

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
        return [c.load(self._runs.get(c.id)) for c in found[offset : offset + limit]]

    def count(self, flow_id: str | None = None, *, runs_only: bool = False, status: str | None = None) -> int:
        with self._lock:
            return sum(1 for c in self._calls if _matches(c, flow_id, runs_only, status))

    def get_call(self, call_id: str) -> CallRecord | None:
        stored = self._by_id.get(call_id)
        return stored.load(self._runs.get(call_id)) if stored is not None else None

    def clear(self, flow_id: str | None = None) -> None:
        with self._lock:
            if flow_id is None:
                self._calls, self._by_id, self._runs = [], {}, {}
            else:
                self._keep(lambda c: c.flow_id != flow_id)

    def reset(self) -> None:
        with self._lock:
            self._flows.clear()
            self._calls, self._by_id, self._runs = [], {}, {}

    def close(self) -> None:
        pass
