"""The receiver's service: the one object through which every change to flows and history goes.

The admin API, the web page, the CLI (through the admin API) and the pytest plugin all call it, so a rule such as
"a changed flow's fault counters start afresh" or "a deleted flow stays as a tombstone" lives in one place. It
knows nothing of HTTP: it wires the store, the fault counters and the trigger pipeline together, and the web layer
translates requests into its calls. Reads go straight to `store`; only changes need the service's rules.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

from .core import ids
from .core.errors import (
    JSON_CONTENT_TYPE,
    CallNotFound,
    FlowAlreadyExists,
    FlowDefinitionError,
    FlowNotFound,
    InvalidMocks,
    TriggerError,
)
from .core.faults import FaultState
from .core.flowrun import encode_answer
from .core.flows import Flow, check_definition, new_flow
from .core.headers import check_public_url, check_region, run_headers
from .core.jsontext import body_bytes
from .core.records import CallRecord
from .core.retention import Retention
from .core.signing import poll_permission, signed_for
from .core.store import Store, StoreFull
from .core.trigger import Trigger, TriggerOutcome, TriggerResponse, bare_error, match_trigger_path
from .core.trigger_request import TriggerRequest
from .flow_import import FlowToSave, checked_mocks, mock_notes, read_bytes, read_file, to_save
from .flow_runner import EngineRunner, poll_answer, poll_headers

DEFAULT_FLOWS: tuple[dict[str, Any], ...] = (
    {"name": "Backup a collection", "schema": "backup-collection", "schema_validation": True},
    {"name": "Post collection activity", "schema": "collection-activity", "schema_validation": True},
    {"name": "Post monitoring results", "schema": "monitor-results", "schema_validation": True},
    {"name": "Post team activity", "schema": "team-activity", "schema_validation": True},
)
KEY_TYPES = ("primary", "secondary")
# Headers a replay must not copy: the transport sets them again for the new request.
_TRANSPORT_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})


def default_flow_id(schema: str) -> str:
    return ids.stable_flow_id(f"default:{schema}")


class ErrorLog:
    """Internal errors, for the pytest plugin to re-raise in the test that caused them.

    Bounded: an exception's traceback keeps every frame's locals, request bodies included, and a server that kept
    them all grew by 245 MB over 600 failed 200 KB calls. The plugin needs only the errors since its test began,
    so the last `size` are kept, with their frames' locals cleared, and `total` counts every one.
    """

    def __init__(self, size: int = 20) -> None:
        self._kept: deque[BaseException] = deque(maxlen=size)
        self._lock = threading.Lock()
        self.total = 0

    def append(self, exc: BaseException) -> None:
        traceback.clear_frames(exc.__traceback__)
        with self._lock:
            self._kept.append(exc)
            self.total += 1

    def since(self, count: int) -> list[BaseException]:
        """The errors after the first `count` ever appended (those still kept)."""
        with self._lock:
            new = self.total - count
            return list(self._kept)[-new:] if new > 0 else []

    def __len__(self) -> int:
        return len(self._kept)

    def __iter__(self) -> Iterator[BaseException]:
        return iter(list(self._kept))

    def __getitem__(self, index: int) -> BaseException:
        return self._kept[index]

    def __eq__(self, other: object) -> bool:  # `receiver.errors == []` in tests reads as it did with a list
        return list(self._kept) == other if isinstance(other, list) else NotImplemented

    __hash__ = None  # type: ignore[assignment]


class Receiver:
    """One receiver's state and rules: its store, its declared flows, fault counters and the waiters for runs.

    Settings come as the app config's keys (`REGION`, `FLOWS`, `PUBLIC_URL`, `ADMIN_ALLOW_REMOTE`, `ADMIN_TOKEN`,
    `MAX_PAGE`); two receivers share nothing.
    """

    def __init__(self, store: Store, config: Mapping[str, Any]) -> None:
        self.store = store
        self.region = check_region(config.get("REGION") or "westus")
        self.faults = FaultState()
        self.public_url: str | None = check_public_url(config.get("PUBLIC_URL"))
        self.admin_allow_remote = bool(config.get("ADMIN_ALLOW_REMOTE"))
        token = config.get("ADMIN_TOKEN")
        self.admin_token: str | None = str(token) if token not in (None, "") else None
        if self.admin_allow_remote and self.admin_token is None:
            # A remote admin API without a token lets anyone on the network read every body and rewrite flows.
            raise ValueError("a remote admin API (--admin-remote) needs a token: --admin-token or FLOWMOCK_ADMIN_TOKEN")
        self.max_page = int(config.get("MAX_PAGE") or 1000)
        declared = config.get("FLOWS")
        if declared is None:
            self.declared = [dict(d, id=default_flow_id(d["schema"])) for d in DEFAULT_FLOWS]
            self.declared_origin = "default"
        else:
            self.declared = [dict(d) for d in declared]
            self.declared_origin = "config"
        self.errors = ErrorLog()  # internal errors, for the pytest plugin to re-raise in the test that caused them
        days = config.get("RETENTION_DAYS")
        max_calls = config.get("MAX_CALLS")
        self.retention = Retention(
            store, 28.0 if days is None else float(days), None if max_calls is None else int(max_calls)
        )
        self.runner = EngineRunner(store, self.region, self.public_url)
        self.trigger = Trigger(store, self.faults, self.region, self.record, self.runner)
        self._changed = threading.Condition()
        self._waiters = 0  # waking nobody still costs a lock round trip on every call

    # Flows --------------------------------------------------------------------------------------------------------
    def flow(self, flow_id: str) -> Flow:
        """A live flow; raises FlowNotFound for an unknown or deleted one."""
        flow = self.store.get_flow(flow_id)
        if flow is None or flow.deleted:
            raise FlowNotFound(flow_id)
        return flow

    def create_flow(self, definition: Mapping[str, Any]) -> Flow:
        """Check and save a new flow; raises FlowDefinitionError or FlowAlreadyExists (a deleted id may be reused)."""
        flow = new_flow(definition)
        existing = self.store.get_flow(flow.id)
        if existing is not None and not existing.deleted:
            raise FlowAlreadyExists(flow.id)
        self.store.save_flow(flow)
        return flow

    def change_flow(self, flow_id: str, changes: Mapping[str, Any]) -> Flow:
        """Check and apply a partial definition. Fault counters start afresh: a new `faults` or state is a new
        experiment. The id and the keys are not definition fields here (keys change by `regenerate_key`)."""
        flow = self.flow(flow_id)
        if isinstance(changes, Mapping) and {"id", "primary_key", "secondary_key"} & set(changes):
            raise FlowDefinitionError("'id' and the keys cannot be changed (use regenerate-key).")
        checked = check_definition(changes, partial=True)
        if "allowed_users" in checked:
            checked["allowed_users"] = tuple(checked["allowed_users"])
        return self._save_changed(flow, **checked)

    def regenerate_key(self, flow_id: str, key_type: str = "primary") -> Flow:
        """A new primary or secondary key: URLs signed with it stop working, those signed with the other do not."""
        if key_type not in KEY_TYPES:
            raise ValueError("'key_type' must be 'primary' or 'secondary'.")
        return self._save_changed(self.flow(flow_id), **{f"{key_type}_key": ids.new_key()})

    def delete_flow(self, flow_id: str) -> None:
        """Remove a flow and its history; it stays as a tombstone so old URLs answer 'Deleted' as the real ones do."""
        flow = self.flow(flow_id)
        self.store.delete_flow(flow.id)
        self._save_changed(flow, deleted=True)

    def _save_changed(self, flow: Flow, **changes: Any) -> Flow:
        updated = flow.with_changes(**changes)
        self.store.save_flow(updated)
        self.faults.forget(flow.id)
        return updated

    def install_declared(self, *, previous: Mapping[str, Flow] | None = None) -> list[Flow]:
        """(Re)create the declared flows as declared; a flow that existed keeps its keys, so its URLs stay valid.
        A declared `definition` (a file to import) gives one flow per flow in the file."""
        made = []
        for declared in self.declared:
            for values, save in self._expand(declared):
                values.setdefault("id", ids.stable_flow_id(f"config:{values.get('name', '')}"))
                prior = (previous or {}).get(values["id"]) or self.store.get_flow(values["id"])
                if prior is not None:
                    values.setdefault("primary_key", prior.primary_key)
                    values.setdefault("secondary_key", prior.secondary_key)
                if save is None:
                    flow = new_flow(values, origin=self.declared_origin)
                else:
                    flow = new_flow(values, origin=self.declared_origin, workflow=save.workflow, mocks=save.mocks)
                try:
                    self.store.save_flow(flow)
                except StoreFull:  # started read-only on a full disk: the flows stored before stay as they were
                    continue
                made.append(flow)
        return made

    @staticmethod
    def _expand(declared: Mapping[str, Any]) -> list[tuple[dict[str, Any], FlowToSave | None]]:
        if "definition" not in declared:
            return [(dict(declared), None)]
        path = str(declared["definition"])
        overrides = {k: v for k, v in declared.items() if k not in ("definition", "mocks")}
        expanded: list[tuple[dict[str, Any], FlowToSave | None]] = []
        for imported in read_file(path):
            save = to_save(imported, declared.get("mocks"))
            values = {**save.definition, **overrides}
            values.setdefault("id", ids.stable_flow_id(f"config:{path}:{imported.display_name}"))
            expanded.append((values, save))
        return expanded

    # Imported flows -----------------------------------------------------------------------------------------------
    def import_flows(
        self, data: bytes, *, source: str = "upload", mocks: Any = None
    ) -> list[tuple[Flow, tuple[str, ...]]]:
        """Import every flow of an exported file (zip or JSON) as a new flow, all or none: FlowDefinitionError
        names the file and the flow when one cannot run or would be refused by the service."""
        saves = [to_save(imported, mocks) for imported in read_bytes(data, source=source)]
        made = []
        for save in saves:
            flow = new_flow(save.definition, workflow=save.workflow, mocks=save.mocks)
            self.store.save_flow(flow)
            made.append((flow, save.notes))
        return made

    def set_mocks(self, flow_id: str, mocks: Any) -> tuple[Flow, list[str]]:
        """Replace an imported flow's mocks (`{}` removes them); returns the flow and a note per mocked name no
        action has. InvalidMocks for a wrong shape, or a flow without actions."""
        flow = self.flow(flow_id)
        if flow.workflow is None:
            raise InvalidMocks(f"The flow '{flow_id}' was not imported: it has no actions to mock.")
        checked = checked_mocks(mocks)
        return self._save_changed(flow, mocks=checked), mock_notes(checked, flow.workflow)

    # History ------------------------------------------------------------------------------------------------------
    def handle(self, request: TriggerRequest, flow_id: str, trigger: str, relative: str = "") -> TriggerOutcome:
        """A call to a trigger URL, through the whole pipeline; the outcome carries the record it left."""
        return self.trigger.handle(request, flow_id, trigger, relative)

    def poll(
        self, flow_id: str, run_id: str, operation: str, query: Mapping[str, str], base_url: str
    ) -> TriggerResponse:
        """A GET of the `Location` an asynchronous Response's 202 carried: 202 (with the same `Location`) while the
        run goes on, then what the Response answers, as the caller would have had it."""
        flow = self.store.get_flow(flow_id)
        sp, sv, sig = query.get("sp", ""), query.get("sv", ""), query.get("sig", "")
        if flow is None:
            return bare_error(TriggerError("flow_not_found", flow_id=flow_id))
        if not signed_for(flow.keys, sp, sv, sig, None, poll_permission(run_id, operation)):
            return bare_error(TriggerError("bad_signature"))
        call = self.store.get_call(run_id, body_limit=0)  # the run and its ids: never the body
        if call is None or call.run_id != run_id or call.flow_id != flow_id:
            return bare_error(TriggerError("run_not_found", run_id=run_id))
        headers = run_headers(flow, operation, self.region, run_id, call.client_tracking_id or run_id)
        answer = poll_answer(call.run, operation)
        if answer is None:
            location = flow.poll_url(self.public_url or base_url, run_id, operation)
            return TriggerResponse(202, [*headers.items(), *poll_headers(location).items()], b"")
        status, declared, value, error = answer
        if error:
            return TriggerResponse(status, [*headers.items(), ("Content-Type", JSON_CONTENT_TYPE)], body_bytes(value))
        kept, body, content_type = encode_answer(declared, value, call.method.upper())
        kept.update(headers)
        if content_type:
            kept["Content-Type"] = content_type
        return TriggerResponse(status, list(kept.items()), body)

    def replay(self, call_id: str) -> CallRecord | None:
        """Send a recorded call to its flow again through the whole pipeline: the same method, path, query, headers
        and body. Returns the new history entry, or None when the call reached no flow this time (its flow was
        removed by a reset). Raises CallNotFound for an unknown id."""
        call = self.store.get_call(call_id)
        if call is None:
            raise CallNotFound(call_id)
        route = match_trigger_path(call.path)
        if route is None:  # pragma: no cover - only trigger calls are recorded
            return None
        headers = [(k, v) for k, v in call.headers if k.lower() not in _TRANSPORT_HEADERS]
        request = TriggerRequest.from_bytes(call.method, call.path, urlencode(call.query), headers, call.body)
        return self.handle(request, *route).record

    def record(self, call: CallRecord) -> None:
        self.store.record(call)
        self.recorded()

    def recorded(self) -> None:
        """After a record is in the store (`record`, or the server's event loop, which writes its own)."""
        self.retention.start()  # with the first call: an app that records nothing needs no clean-up thread
        self.notify()

    def clear_history(self, flow_id: str | None = None) -> None:
        """Forget one flow's calls (its fault counters too), or every flow's."""
        if flow_id is not None:
            self.flow(flow_id)
        self.store.clear(flow_id)
        self.faults.forget(flow_id)

    def reset(self) -> None:
        """Forget every flow and call; declared flows come back with the keys they had (URLs stay valid)."""
        before = {f.id: f for f in self.store.list_flows(include_deleted=True)}
        self.store.reset()
        self.faults.forget()
        self.install_declared(previous=before)
        self.notify()

    def counts(self, flow_id: str) -> tuple[int, int]:
        """(runs, failed calls) of a flow, as the flow list and the web page show them."""
        return self.store.count(flow_id, runs_only=True), self.store.count(flow_id, status="Failed")

    @property
    def waiters(self) -> int:
        """How many `wait_for_runs` are waiting: waking them takes a lock their store counts run under."""
        return self._waiters

    def notify(self) -> None:
        if self._waiters:
            with self._changed:
                self._changed.notify_all()

    def wait_for_runs(self, flow_id: str, count: int, timeout: float) -> int:
        """Block until the flow has `count` runs or `timeout` passes. A run recorded here wakes the waiters at once
        (`notify`); runs recorded by other worker processes sharing the store are found by polling it, four times
        a second, so a hundred long polls cost the store 400 counts a second rather than thousands."""
        deadline = time.monotonic() + timeout
        poll = 0.25 if getattr(self.store, "shared", False) else 1.0
        with self._changed:
            self._waiters += 1
        try:
            with self._changed:  # counted under the lock, so a notify cannot slip in between count and wait
                while True:
                    have = self.store.count(flow_id, runs_only=True)
                    remaining = deadline - time.monotonic()
                    if have >= count or remaining <= 0:
                        return have
                    self._changed.wait(min(remaining, poll))
        finally:
            with self._changed:
                self._waiters -= 1
