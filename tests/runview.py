"""Runs with actions for the run-view tests, from a real imported flow: fixtures/runview/ship-order.json (a Try
scope whose courier call fails, a Catch scope answering 502, a loop over order lines with a condition inside),
imported through the admin API, its mocks set, and called over its callback URL, so the page, the admin API and the
CLI read the run the receiver stored.

`ship_order_run` is the same run made by the engine alone (no receiver), for tests of the reading functions;
`record_run` stores any run JSON (a hostile one, a Running one) for a recorded call, through the store's
`update_run`, as the receiver does while a run goes on.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from flowmock_receiver import create_app
from flowmock_receiver.core.store import MemoryStore, Store
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
PLAIN = "Plain hook"


def make_app(store: Store | None = None) -> Flask:
    """A receiver with one flow defined in flowmock's terms (no actions) and the Ship order flow imported."""
    app = create_app({"FLOWS": [{"name": PLAIN}]}, store=store or MemoryStore())
    client = app.test_client()
    imported = client.post(
        "/_flowmock/api/flows/import",
        data=SHIP_ORDER_FILE.read_bytes(),
        content_type="application/json",
        query_string={"filename": SHIP_ORDER_FILE.name},
    )
    assert imported.status_code == 201, imported.get_json()
    [flow] = imported.get_json()["flows"]
    mocked = client.put(f"/_flowmock/api/flows/{flow['id']}/mocks", json=SHIP_ORDER_MOCKS)
    assert mocked.status_code == 200, mocked.get_json()
    return app


def _flow(app: Flask, name: str) -> Any:
    return next(f for f in app.extensions["flowmock"].store.list_flows() if f.name == name)


def ship_order(app: Flask, body: Any = None) -> str:
    """Call the imported Ship order flow with `body` (the order above by default); the run id."""
    answer = call_flow(app.test_client(), _flow(app, "Ship order").callback_url("http://localhost"), body or ORDER)
    assert "x-ms-workflow-run-id" in answer.headers, answer.get_data(as_text=True)
    run_id: str = answer.headers["x-ms-workflow-run-id"]
    return run_id


def stored_run(app: Flask, run_id: str) -> dict[str, Any]:
    found: dict[str, Any] = app.test_client().get(f"/_flowmock/api/runs/{run_id}").get_json()
    return found


def record_run(app: Flask, run: dict[str, Any], run_id: str | None = None) -> str:
    """Store `run` (the engine's JSON shape) as the run of `run_id`, or of a new call to the plain flow."""
    if run_id is None:
        answer = call_flow(app.test_client(), _flow(app, PLAIN).callback_url("http://localhost"), ORDER)
        run_id = str(answer.headers["x-ms-workflow-run-id"])
    app.extensions["flowmock"].store.update_run(run_id, run)
    return run_id


def trigger_outputs(body: Any) -> dict[str, Any]:
    return {"headers": {"Content-Type": "application/json"}, "body": body, "queries": {}, "relativePathParameters": {}}


def ship_order_run(body: Any = None, mocks: dict[str, Any] | None = None) -> dict[str, Any]:
    """The engine's run of the Ship order flow, as JSON (no receiver involved)."""
    record = run_flow(SHIP_ORDER, trigger_outputs(body or ORDER), SHIP_ORDER_MOCKS if mocks is None else mocks)
    return record.to_json()
