"""One way for every engine test to build a definition and run it: actions in, the run and the caller's answer out."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flowmock_receiver.workflow.engine import ResponseOutcome, RunOptions, RunRecord, VirtualClock, run_flow
from flowmock_receiver.workflow.engine.records import ActionRecord

START = datetime(2026, 3, 1, 9, 0, 0, tzinfo=UTC)


def definition(actions: dict[str, Any], *, trigger: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
        "contentVersion": "1.0.0.0",
        "triggers": {"manual": trigger or {"type": "Request", "kind": "Http", "inputs": {}}},
        "actions": actions,
        **extra,
    }


def run(
    actions: dict[str, Any],
    body: Any = None,
    *,
    mocks: dict[str, Any] | None = None,
    options: RunOptions | None = None,
    headers: dict[str, str] | None = None,
    queries: dict[str, str] | None = None,
    path: dict[str, str] | None = None,
    **extra: Any,
) -> tuple[RunRecord, list[ResponseOutcome], VirtualClock]:
    """Run `actions` for a request with `body`; returns the run, every outcome reported, and the clock."""
    clock = VirtualClock(START)
    outcomes: list[ResponseOutcome] = []
    outputs = {
        "headers": headers or {"Content-Type": "application/json"},
        "body": body,
        "queries": queries or {},
        "relativePathParameters": path or {},
    }
    record = run_flow(
        definition(actions, **extra), outputs, mocks, clock=clock, options=options, on_response=outcomes.append
    )
    return record, outcomes, clock


def act(record: RunRecord, name: str) -> ActionRecord:
    found = record.find(name)
    assert found is not None, f"no action {name!r} in {[a.name for a in record.walk()]}"
    return found


def compose(value: Any, after: dict[str, list[str]] | None = None) -> dict[str, Any]:
    return {"type": "Compose", "inputs": value, "runAfter": after or {}}


def http(after: dict[str, list[str]] | None = None, **inputs: Any) -> dict[str, Any]:
    return {
        "type": "Http",
        "inputs": {"method": "GET", "uri": "https://example.com/x", **inputs},
        "runAfter": after or {},
    }


def response(
    status: Any = 200, body: Any = None, after: dict[str, list[str]] | None = None, **inputs: Any
) -> dict[str, Any]:
    return {
        "type": "Response",
        "kind": "Http",
        "inputs": {"statusCode": status, "body": body, **inputs},
        "runAfter": after or {},
    }


def seconds_between(start: str | None, end: str | None) -> float:
    assert start and end
    parse = lambda text: datetime.strptime(text[:26], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=UTC)  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()
