"""Reading Newman JSON reports (newman run -r json), from Newman 3 to 6, into monitor metrics.

The metrics mean what Postman's monitor integrations say they mean: `requestCount` is the requests of the run,
`failedTests`/`passedTests` its failed and passed assertions, `errors` its failed requests plus failed scripts (a
run that could not complete, Postman's "Error"). `totalLatency` is the sum of the response times of the executions
that got a response, not `responseAverage x n`: Newman's running mean divides by every request, including those
that never got an answer, so it is biased as soon as one request errors. Newman has no warnings: `warnings` is 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import InputError


@dataclass(frozen=True)
class RunSummary:
    collection_name: str
    collection_id: str | None
    environment_name: str
    environment_id: str | None
    metrics: dict[str, int]

    @property
    def succeeded(self) -> bool:
        """Postman's "Successful" run: no failed test and no error."""
        return self.metrics["failedTests"] == 0 and self.metrics["errors"] == 0


def _stat(stats: dict[str, Any], name: str, key: str) -> int:
    value = stats.get(name, {})
    if not isinstance(value, dict):
        return 0
    number = value.get(key, 0)
    return int(number) if isinstance(number, int | float) and not isinstance(number, bool) else 0


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def summarise(report: Any) -> RunSummary:
    """The metrics of one Newman run; InputError names what is missing when it is not a Newman report."""
    if not isinstance(report, dict) or not isinstance(report.get("run"), dict):
        raise InputError("not a Newman JSON report: no 'run' object (create one with `newman run -r json`)")
    run = report["run"]
    stats = run.get("stats")
    if not isinstance(stats, dict) or "requests" not in stats:
        raise InputError("not a Newman JSON report: 'run.stats.requests' is missing")
    executions = run.get("executions") or []
    if not isinstance(executions, list):
        raise InputError("not a Newman JSON report: 'run.executions' is not a list")
    latency = 0.0
    for execution in executions:
        response = execution.get("response") if isinstance(execution, dict) else None
        if isinstance(response, dict):
            time = response.get("responseTime")
            if isinstance(time, int | float) and not isinstance(time, bool):
                latency += time
    if "scripts" in stats:
        script_failures = _stat(stats, "scripts", "failed")
    else:  # older reports count test and pre-request scripts separately
        script_failures = _stat(stats, "testScripts", "failed") + _stat(stats, "prerequestScripts", "failed")
    assertions_total = _stat(stats, "assertions", "total")
    assertions_failed = _stat(stats, "assertions", "failed")
    metrics = {
        "errors": _stat(stats, "requests", "failed") + script_failures,
        "failedTests": assertions_failed,
        "passedTests": max(0, assertions_total - assertions_failed),
        "requestCount": _stat(stats, "requests", "total"),
        "totalLatency": round(latency),
        "warnings": 0,  # Newman has no warnings, and Postman never defines one
    }
    collection = _object(report.get("collection"))
    info = _object(collection.get("info"))
    environment = _object(report.get("environment"))
    collection_id = info.get("_postman_id") or info.get("id") or _object(collection.get("_")).get("postman_id")
    return RunSummary(
        collection_name=str(info.get("name") or ""),
        collection_id=str(collection_id) if collection_id else None,
        environment_name=str(environment.get("name") or ""),
        environment_id=str(environment["id"]) if environment.get("id") else None,
        metrics=metrics,
    )
