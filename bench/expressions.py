"""Expression cost: parsing and evaluating a typical Response body of ten expressions.

The body is what a flow answering Postman's monitor results would send back: the run's verdict, counts, a summary
line with interpolations, a header-like timestamp. "Parse" clears the caches first, so it is what the first call
of a flow pays; "evaluate" is every later call (trees cached, a fresh context each time, as each run has its own).
Goal: the cached evaluation under 50 µs. Run alone with `python -m bench.expressions`.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

from flowmock_receiver.workflow.expressions import evaluate_template, parse
from flowmock_receiver.workflow.expressions.templates import compile_string

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD = json.loads((ROOT / "fixtures" / "payloads" / "monitor-results" / "valid" / "failing-run.json").read_text())

# Ten expressions, the shapes real Response actions use: selection with ?, comparisons, if, interpolation,
# arithmetic, a workflow function and the clock.
BODY: dict[str, Any] = {
    "verdict": "@if(greater(triggerBody()?['metrics']?['failedTests'], 0), 'failed', 'passed')",
    "monitor": "@triggerBody()?['monitor_name']",
    "collection": "@toUpper(triggerBody()?['collection_name'])",
    "tests": {
        "passed": "@triggerBody()?['metrics']?['passedTests']",
        "total": "@add(triggerBody()?['metrics']?['passedTests'], triggerBody()?['metrics']?['failedTests'])",
    },
    "summary": "Monitor @{triggerBody()?['monitor_name']} on @{triggerBody()?['environment_name']}",
    "isProduction": "@equals(triggerBody()?['environment_name'], 'Production')",
    "runId": "@workflow()?['run']?['name']",
    "user": "@coalesce(triggerBody()?['user_name'], 'unknown')",
    "receivedAt": "@utcNow()",
}
EXPRESSION_COUNT = 10


def _context() -> dict[str, Any]:
    return {
        "trigger": {"headers": {"Content-Type": "application/json"}, "body": PAYLOAD, "queries": {}},
        "workflow": {"name": "0c1a5e1f", "run": {"name": "08585126097002631194816968720CU18"}},
        "now": "2024-05-06T07:08:09.123456Z",
    }


def _median_us(fn: Any, repeat: int, number: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - start) / number * 1e6)
    return statistics.median(samples)


def run(repeat: int = 7, number: int = 2000) -> dict[str, float]:
    """Median µs per body: cold parse (caches cleared) and cached evaluation."""

    def cold() -> None:
        parse.cache_clear()
        compile_string.cache_clear()
        evaluate_template(BODY, _context())

    def warm() -> None:
        evaluate_template(BODY, _context())

    evaluate_template(BODY, _context())  # checks the body evaluates before timing it
    context_only = _median_us(_context, repeat, number)
    return {
        "expressions": EXPRESSION_COUNT,
        "parse_and_first_evaluation_us": _median_us(cold, repeat, max(number // 10, 50)),
        "cached_evaluation_us": _median_us(warm, repeat, number) - context_only,
        "goal_cached_evaluation_us": 50.0,
    }


def report(result: dict[str, float]) -> str:
    verdict = "met" if result["cached_evaluation_us"] < result["goal_cached_evaluation_us"] else "NOT met"
    return (
        f"\nExpressions: a Response body of {result['expressions']} expressions: parse and first evaluation "
        f"{result['parse_and_first_evaluation_us']:.0f} µs, cached evaluation {result['cached_evaluation_us']:.1f} µs "
        f"(goal < {result['goal_cached_evaluation_us']:.0f} µs: {verdict})"
    )


if __name__ == "__main__":
    print(report(run()))
