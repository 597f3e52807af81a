"""Property: any definition drawn from the supported action types runs to a final status, without a Python
exception, with one answer for the caller and a record that survives JSON.

Definitions are generated with unique action names, `runAfter` on earlier siblings only (the service refuses cycles
at save time), nested containers up to three levels, expressions that may fail, and random mocks; shrinking removes
actions and simplifies values."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from flowmock_receiver.workflow.engine import RunRecord, run_flow
from tests.workflow.engine.flows import definition

STATUSES = ["Succeeded", "Failed", "Skipped", "TimedOut"]
EXPRESSIONS = [
    "@triggerBody()",
    "@add(1, 2)",
    "@concat('a', string(length(createArray(1, 2))))",
    "@variables('v0')",
    "@div(1, 0)",
    "@body('A1')",
    "@outputs('A0')",
    "@utcNow()",
    "n=@{add(2, 3)}",
    "@item()",
    "@result('A0')",
    "@triggerBody()?['missing']?['deeper']",
]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text(max_size=5) | st.sampled_from(EXPRESSIONS),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=3), children, max_size=3),
    max_leaves=6,
)
CONDITIONS = st.sampled_from(
    [
        "@true",
        "@false",
        "@equals(1, 1)",
        "@div(1, 0)",
        {"and": [{"equals": ["@add(1, 1)", 2]}]},
        {"bogus": []},
        "@triggerBody()",
    ]
)
ARRAYS = st.sampled_from(
    ["@createArray(1, 2)", "@createArray()", "@triggerBody()", "@createArray('a', 'b', 'c')", "@variables('v1')"]
)
VARIABLES = st.sampled_from(["v0", "v1", "v2"])
MOCKS = st.one_of(
    st.fixed_dictionaries(
        {"statusCode": st.sampled_from([200, 201, 404, 408, 429, 500, 503])}, optional={"body": JSON}
    ),
    st.fixed_dictionaries({"status": st.sampled_from(["Succeeded", "Failed", "TimedOut"])}),
    st.fixed_dictionaries(
        {
            "sequence": st.lists(
                st.fixed_dictionaries({"statusCode": st.sampled_from([200, 500, 429])}), min_size=1, max_size=3
            )
        }
    ),
)


@st.composite
def leaf(draw: Any) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            [
                "Compose",
                "Http",
                "ApiConnection",
                "OpenApiConnection",
                "Workflow",
                "InitializeVariable",
                "SetVariable",
                "IncrementVariable",
                "DecrementVariable",
                "AppendToArrayVariable",
                "AppendToStringVariable",
                "ParseJson",
                "Query",
                "Select",
                "Join",
                "Table",
                "Wait",
                "Response",
                "Terminate",
                "UnknownType",
            ]
        )
    )
    if kind == "Compose":
        return {"type": kind, "inputs": draw(JSON)}
    if kind in ("Http", "ApiConnection", "OpenApiConnection", "Workflow", "UnknownType"):
        inputs: dict[str, Any] = {"uri": "https://example.com", "body": draw(JSON)}
        if draw(st.booleans()):
            inputs["retryPolicy"] = draw(
                st.sampled_from(
                    [
                        {"type": "none"},
                        {"type": "fixed", "count": 2, "interval": "PT1S"},
                        {"type": "exponential", "count": 2, "interval": "PT2S"},
                        {"type": "bogus"},
                    ]
                )
            )
        return {"type": kind, "inputs": inputs}
    if kind == "InitializeVariable":
        variable = {
            "name": draw(VARIABLES),
            "type": draw(st.sampled_from(["integer", "string", "array", "float", "boolean", "object"])),
        }
        if draw(st.booleans()):
            variable["value"] = draw(JSON)
        return {"type": kind, "inputs": {"variables": [variable]}}
    if kind in (
        "SetVariable",
        "IncrementVariable",
        "DecrementVariable",
        "AppendToArrayVariable",
        "AppendToStringVariable",
    ):
        return {"type": kind, "inputs": {"name": draw(VARIABLES), "value": draw(JSON)}}
    if kind == "ParseJson":
        return {
            "type": kind,
            "inputs": {
                "content": draw(JSON),
                "schema": draw(
                    st.sampled_from([{}, {"type": "object"}, {"type": "array", "items": {"type": "integer"}}])
                ),
            },
        }
    if kind == "Query":
        return {"type": kind, "inputs": {"from": draw(ARRAYS), "where": draw(CONDITIONS)}}
    if kind == "Select":
        return {"type": kind, "inputs": {"from": draw(ARRAYS), "select": draw(JSON)}}
    if kind == "Join":
        return {
            "type": kind,
            "inputs": {"from": draw(ARRAYS), "joinWith": draw(st.sampled_from([",", "", "@string(1)"]))},
        }
    if kind == "Table":
        return {"type": kind, "inputs": {"from": draw(ARRAYS), "format": draw(st.sampled_from(["CSV", "HTML", "XML"]))}}
    if kind == "Wait":
        return {
            "type": kind,
            "inputs": {
                "interval": {
                    "count": draw(st.integers(0, 200)),
                    "unit": draw(st.sampled_from(["Second", "Minute", "Day", "Eon"])),
                }
            },
        }
    if kind == "Expression":
        return {
            "type": kind,
            "kind": draw(st.sampled_from(["CurrentTime", "AddToTime", "ConvertTimeZone", "Mystery"])),
            "inputs": {
                "baseTime": draw(st.sampled_from(["2026-01-01T00:00:00Z", "@utcNow()", "nope"])),
                "interval": draw(st.integers(-3, 3)),
                "timeUnit": "Day",
                "sourceTimeZone": "UTC",
                "destinationTimeZone": "UTC",
            },
        }
    if kind == "Response":
        return {
            "operationOptions": draw(st.sampled_from(["", "Asynchronous"])),
            "type": kind,
            "inputs": {
                "statusCode": draw(st.sampled_from([200, 201, 400, 500, 302, "@add(200, 2)", "x"])),
                "headers": draw(st.sampled_from([{}, {"X": "@add(1, 1)"}])),
                "body": draw(JSON),
            },
        }
    return {
        "type": "Terminate",
        "inputs": {
            "runStatus": draw(st.sampled_from(["Succeeded", "Failed", "Cancelled", "Weird"])),
            "runError": {"code": "X", "message": "y"},
        },
    }


class Names:
    def __init__(self) -> None:
        self.count = 0

    def next(self) -> str:
        name = f"A{self.count}"
        self.count += 1
        return name


@st.composite
def action_set(draw: Any, names: Names, depth: int) -> dict[str, Any]:
    actions: dict[str, Any] = {}
    for _ in range(draw(st.integers(0 if depth else 1, 4))):
        name = names.next()
        kinds = ["leaf"] * 3 + (["Scope", "If", "Switch", "Foreach", "Until"] if depth < 3 else [])
        kind = draw(st.sampled_from(kinds))
        if kind == "leaf":
            action = draw(leaf())
        elif kind == "Scope":
            action = {"type": "Scope", "actions": draw(action_set(names, depth + 1))}
        elif kind == "If":
            action = {
                "type": "If",
                "expression": draw(CONDITIONS),
                "actions": draw(action_set(names, depth + 1)),
                "else": {"actions": draw(action_set(names, depth + 1))},
            }
        elif kind == "Switch":
            action = {
                "type": "Switch",
                "expression": draw(st.sampled_from(["@triggerBody()", "@add(0, 1)", "a", "@createArray()"])),
                "cases": {
                    "C1": {"case": 1, "actions": draw(action_set(names, depth + 1))},
                    "C2": {"case": "a", "actions": draw(action_set(names, depth + 1))},
                },
                "default": {"actions": draw(action_set(names, depth + 1))},
            }
        elif kind == "Foreach":
            action = {"type": "Foreach", "foreach": draw(ARRAYS), "actions": draw(action_set(names, depth + 1))}
        else:
            action = {
                "type": "Until",
                "expression": draw(CONDITIONS),
                "limit": {"count": draw(st.integers(1, 3)), "timeout": "PT1H"},
                "actions": draw(action_set(names, depth + 1)),
            }
        if draw(st.integers(0, 9)) == 0:
            action["runtimeConfiguration"] = {"secureData": {"properties": ["inputs", "outputs"]}}
        earlier = list(actions)
        after = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2)) if earlier else []
        action["runAfter"] = {
            p: draw(st.lists(st.sampled_from(STATUSES), min_size=1, max_size=4, unique=True)) for p in after
        }
        actions[name] = action
    return actions


@st.composite
def flows(draw: Any) -> tuple[dict[str, Any], dict[str, Any], Any]:
    names = Names()
    actions = draw(action_set(names, 0))
    mocks = {f"A{i}": draw(MOCKS) for i in range(names.count) if draw(st.booleans())}
    body = draw(st.one_of(JSON, st.just([1, 2, 3])))
    return definition(actions), mocks, body


FINAL_ACTION_STATUSES = {"Succeeded", "Failed", "Skipped", "TimedOut", "Cancelled"}


@given(flows())
def test_any_generated_definition_runs_to_a_final_status_without_a_python_exception(flow):
    actions, mocks, body = flow
    outcomes = []
    record = run_flow(actions, {"headers": {}, "body": body, "queries": {}}, mocks, on_response=outcomes.append)
    assert record.status in ("Succeeded", "Failed", "Cancelled")
    assert len(outcomes) == 1 or (len(outcomes) == 2 and outcomes[0].kind == "asynchronous")
    assert outcomes[0].status_code in (202, 502, 504) or 200 <= outcomes[0].status_code < 600
    assert all(action.status in FINAL_ACTION_STATUSES for action in record.walk())
    assert not [a.error for a in record.walk() if a.error and a.error["code"] == "FlowmockEngineFailure"]
    again = RunRecord.from_json(json.loads(json.dumps(record.to_json())))
    assert again.to_json() == record.to_json()
