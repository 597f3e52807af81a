"""The flow engine's cost, in process (no HTTP): per action by kind, a run of a 20-action flow with a Response, and
a run of a flow without actions, so the HTTP end-to-end figures can later be split into engine and serving.

`python -m bench.engine` prints a table; `make bench` includes it. Each figure is the median of BENCH_ENGINE_ROUNDS
rounds (default 5) of at least BENCH_ENGINE_SECONDS (default 0.5) each; these 2-core machines are noisy, so read
ratios between rows rather than absolute values.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any

from flowmock_receiver.workflow.engine import VirtualClock, run_flow
from flowmock_receiver.workflow.mocks import parse_mocks

ROUNDS = int(os.environ.get("BENCH_ENGINE_ROUNDS", "5"))
SECONDS = float(os.environ.get("BENCH_ENGINE_SECONDS", "0.5"))
CHAIN = 200
TRIGGER = {"manual": {"type": "Request", "kind": "Http", "inputs": {}}}
OUTPUTS = {
    "headers": {"Content-Type": "application/json"},
    "body": {"id": "A-1", "items": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 2}, {"sku": "c", "qty": 3}]},
    "queries": {},
    "relativePathParameters": {},
}


def _chain(make: Callable[[int], dict[str, Any]], count: int, prefix: dict[str, Any] | None = None) -> dict[str, Any]:
    """`count` actions, each after the one before (after the `prefix` actions, if any)."""
    actions: dict[str, Any] = dict(prefix or {})
    previous = list(actions)[-1] if actions else None
    for index in range(count):
        name = f"A{index}"
        action = make(index)
        action["runAfter"] = {previous: ["Succeeded"]} if previous else {}
        actions[name] = action
        previous = name
    return {"triggers": TRIGGER, "actions": actions}


INIT = {
    "Init": {
        "type": "InitializeVariable",
        "inputs": {"variables": [{"name": "n", "type": "integer", "value": 0}]},
        "runAfter": {},
    }
}
KINDS: dict[str, tuple[Callable[[int], dict[str, Any]], dict[str, Any] | None]] = {
    "Compose (literal)": (lambda i: {"type": "Compose", "inputs": {"n": i}}, None),
    "Compose (expression)": (
        lambda i: {"type": "Compose", "inputs": "@concat(triggerBody()?['id'], '-', string(add(1, 2)))"},
        None,
    ),
    "IncrementVariable": (lambda i: {"type": "IncrementVariable", "inputs": {"name": "n", "value": 1}}, INIT),
    "Http (mocked)": (
        lambda i: {"type": "Http", "inputs": {"method": "GET", "uri": "https://x/@{triggerBody()?['id']}"}},
        None,
    ),
    "Http (not mocked)": (
        lambda i: {"type": "OpenApiConnection", "inputs": {"parameters": {"id": "@triggerBody()?['id']"}}},
        None,
    ),
    "If": (
        lambda i: {"type": "If", "expression": {"and": [{"equals": ["@triggerBody()?['id']", "A-1"]}]}, "actions": {}},
        None,
    ),
}


def twenty_actions() -> dict[str, Any]:
    """A realistic flow: variables, a parse, a loop with a mocked call per item, a condition, a Select, a Response."""
    actions: dict[str, Any] = {
        "Init_total": {
            "type": "InitializeVariable",
            "inputs": {"variables": [{"name": "total", "type": "integer", "value": 0}]},
        },
        "Init_log": {
            "type": "InitializeVariable",
            "inputs": {"variables": [{"name": "log", "type": "string", "value": ""}]},
        },
        "Parse": {
            "type": "ParseJson",
            "inputs": {"content": "@triggerBody()", "schema": {"type": "object", "required": ["id"]}},
        },
        "Get_customer": {"type": "Http", "inputs": {"method": "GET", "uri": "https://crm/x/@{body('Parse')?['id']}"}},
        "Loop": {
            "type": "Foreach",
            "foreach": "@body('Parse')?['items']",
            "actions": {
                "Price": {
                    "type": "Http",
                    "inputs": {"method": "GET", "uri": "https://p/@{items('Loop')?['sku']}"},
                    "runAfter": {},
                },
                "Add": {
                    "type": "IncrementVariable",
                    "inputs": {"name": "total", "value": "@items('Loop')?['qty']"},
                    "runAfter": {"Price": ["Succeeded"]},
                },
                "Log": {
                    "type": "AppendToStringVariable",
                    "inputs": {"name": "log", "value": "@{items('Loop')?['sku']};"},
                    "runAfter": {"Add": ["Succeeded"]},
                },
            },
        },
        "Big": {
            "type": "If",
            "expression": "@greater(variables('total'), 5)",
            "actions": {"Flag": {"type": "Compose", "inputs": "big", "runAfter": {}}},
            "else": {"actions": {"Small": {"type": "Compose", "inputs": "small", "runAfter": {}}}},
        },
        "Skus": {"type": "Select", "inputs": {"from": "@body('Parse')?['items']", "select": "@item()?['sku']"}},
        "Joined": {"type": "Join", "inputs": {"from": "@body('Skus')", "joinWith": ","}},
        "Summary": {
            "type": "Compose",
            "inputs": {"id": "@body('Parse')?['id']", "total": "@variables('total')", "skus": "@body('Joined')"},
        },
        "Notify": {"type": "OpenApiConnection", "inputs": {"parameters": {"text": "@{outputs('Summary')}"}}},
        "Response": {"type": "Response", "inputs": {"statusCode": 200, "body": "@outputs('Summary')"}},
    }
    previous = None
    for name, action in actions.items():
        action["runAfter"] = {previous: ["Succeeded"]} if previous else {}
        previous = name
    # Top-level 11 + 3 in the loop (run 3 times) + 1 taken branch + the Response's predecessors: 20 actions executed.
    return {"triggers": TRIGGER, "actions": actions}


MOCKS = parse_mocks(
    {
        "Get_customer": {"statusCode": 200, "body": {"name": "Ada"}},
        "Price": {"statusCode": 200, "body": {"price": 2}},
        **{f"A{i}": {"statusCode": 200, "body": {"i": i}} for i in range(CHAIN)},
    }
)


def _per_run(definition: dict[str, Any]) -> float:
    """Median seconds per run."""
    run_flow(definition, OUTPUTS, MOCKS, clock=VirtualClock())  # warm caches (parsed expressions)
    medians = []
    for _ in range(ROUNDS):
        runs, started = 0, time.perf_counter()
        while True:
            run_flow(definition, OUTPUTS, MOCKS, clock=VirtualClock())
            runs += 1
            elapsed = time.perf_counter() - started
            if elapsed >= SECONDS:
                break
        medians.append(elapsed / runs)
    return statistics.median(medians)


def measure() -> dict[str, Any]:
    empty = _per_run({"triggers": TRIGGER, "actions": {}})
    per_action = {}
    for label, (make, prefix) in KINDS.items():
        seconds = _per_run(_chain(make, CHAIN, prefix))
        per_action[label] = (seconds - empty) / CHAIN * 1e6
    flow = twenty_actions()
    record = run_flow(flow, OUTPUTS, MOCKS, clock=VirtualClock())
    executed = sum(1 for _ in record.walk()) - sum(1 for a in record.walk() if a.status == "Skipped")
    twenty = _per_run(flow)
    return {
        "empty_flow_us": empty * 1e6,
        "per_action_us": per_action,
        "twenty_action_flow": {"actions_executed": executed, "run_ms": twenty * 1e3, "runs_per_second": 1 / twenty},
    }


def report(results: dict[str, Any]) -> None:
    empty = results["empty_flow_us"]
    print(f"\nFlow engine, in process (median of {ROUNDS} rounds): a flow without actions {empty:.0f} µs")
    for label, micros in results["per_action_us"].items():
        print(f"  {label:28} {micros:7.1f} µs per action")
    t = results["twenty_action_flow"]
    print(
        f"  20-action flow with a Response ({t['actions_executed']} actions executed): {t['run_ms']:.2f} ms per run, "
        f"{t['runs_per_second']:.0f} runs/s on one core"
    )


def main() -> None:
    report(measure())


if __name__ == "__main__":
    main()
