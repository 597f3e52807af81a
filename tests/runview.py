"""Runs with actions for the run-view tests: the engine runs a real imported flow (fixtures/runview/ship-order.json:
a Try scope whose courier call fails, a Catch scope answering 502, a loop over order lines with a condition
inside), and the run's JSON (`RunRecord.to_json()`, design.md "Runs with actions") is what the page, the admin API
and the CLI then read for a recorded call.

The receiver does not run imported flows itself yet (branch `flows`), so `EngineRunStore` attaches an engine run to
a call the trigger recorded: `run_json()` of that call then carries `status`, `actions` and `response_action` as a
stored run of an imported flow will.
"""

from __future__ import annotations

import json
from copy import deepcopy
from typing import Any

from flowmock_receiver.core.action_tree import walk
from flowmock_receiver.core.records import CallRecord
from flowmock_receiver.core.store import MemoryStore
from flowmock_receiver.workflow.definitions import load_flows
from flowmock_receiver.workflow.engine import run_flow
from tests.conftest import FIXTURES
from tests.helpers import call_flow

SHIP_ORDER_FILE = FIXTURES / "runview" / "ship-order.json"
SHIP_ORDER_MOCKS: dict[str, Any] = json.loads((FIXTURES / "runview" / "ship-order.mocks.json").read_text())
[SHIP_ORDER] = load_flows(SHIP_ORDER_FILE)
ORDER: dict[str, Any] = {
    "orderId": "A-17",
    "note": "fragile",
    "lines": [{"sku": "KB-1", "qty": 2}, {"sku": "MS-2", "qty": 0}, {"sku": "PAD", "qty": 1}],
}


def trigger_outputs(body: Any) -> dict[str, Any]:
    return {"headers": {"Content-Type": "application/json"}, "body": body, "queries": {}, "relativePathParameters": {}}


def ship_order_run(body: Any = None, mocks: dict[str, Any] | None = None) -> dict[str, Any]:
    """The engine's run of the Ship order flow, as JSON."""
    record = run_flow(
        SHIP_ORDER, trigger_outputs(ORDER if body is None else body), SHIP_ORDER_MOCKS if mocks is None else mocks
    )
    return record.to_json()


class _RunCall(CallRecord):
    attached: dict[str, Any]

    def run_json(self) -> dict[str, Any]:
        return {**super().run_json(), **deepcopy(self.attached)}


class EngineRunStore(MemoryStore):
    """A memory store whose calls can carry an engine run (status, actions, response_action), as stored runs of
    imported flows will."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: dict[str, dict[str, Any]] = {}

    def attach(self, call_id: str, run: dict[str, Any]) -> None:
        self.runs[call_id] = {
            k: v
            for k, v in run.items()
            if k in ("status", "start_time", "end_time", "actions", "response_action", "error")
        }

    def _wrap(self, call: CallRecord | None) -> CallRecord | None:
        if call is None or call.id not in self.runs:
            return call
        wrapped = _RunCall(**{f: getattr(call, f) for f in call.__dataclass_fields__})
        wrapped.attached = self.runs[call.id]
        return wrapped

    def get_call(self, call_id: str) -> CallRecord | None:
        return self._wrap(super().get_call(call_id))

    def calls(self, *args: Any, **kwargs: Any) -> list[CallRecord]:
        return [c for c in (self._wrap(call) for call in super().calls(*args, **kwargs)) if c is not None]


def record_run(app: Any, run: dict[str, Any], body: Any = None) -> str:
    """Post `body` to the app's first flow and attach `run` to the recorded call; returns the call (run) id. The
    flow answers what the run's Response action computed, as the receiver will for an imported flow."""
    receiver = app.extensions["flowmock"]
    store: EngineRunStore = receiver.store
    flow = next(f for f in store.list_flows() if f.schema is None or not f.schema_validation)
    answered = [a for a in walk(run.get("actions") or []) if a.action.get("name") == run.get("response_action")]
    answer = answered[0].action.get("inputs") if answered else None
    if isinstance(answer, dict):
        response = {"status": answer.get("statusCode", 200), "headers": answer.get("headers") or {}}
        receiver.change_flow(flow.id, {"response": {**response, "body": answer.get("body")}})
    client = app.test_client()
    answer = call_flow(client, flow.callback_url("http://localhost"), ORDER if body is None else body)
    assert "x-ms-workflow-run-id" in answer.headers, answer.get_data(as_text=True)  # accepted: a run was recorded
    run_id = answer.headers["x-ms-workflow-run-id"]
    store.attach(run_id, run)
    return run_id
