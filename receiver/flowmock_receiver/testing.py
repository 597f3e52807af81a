"""The handle the pytest fixtures give a test: create flows, read what arrived, assert on it.

Everything goes through the admin API, so a test reads the same against the in-thread server and against an
external `flowmock serve`. Assertion failures say what did arrive, closest first, as pytest-httpserver's "similar
requests" do: a person should be able to fix the sender from the message alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .client import AdminClient


class FlowmockTimeout(AssertionError):
    """`wait_for_runs` ran out of time; the message lists what did arrive."""


def _short(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def differences(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Where `actual` fails to contain `expected` (dicts: a subset; everything else: equal)."""
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return [f"{path}: expected an object, got {_short(actual, 80)}"]
        found: list[str] = []
        for key, want in expected.items():
            if key not in actual:
                found.append(f"{path}.{key}: missing")
            else:
                found.extend(differences(want, actual[key], f"{path}.{key}"))
        return found
    if expected != actual or type(expected) is not type(actual):
        return [f"{path}: expected {_short(expected, 80)}, got {_short(actual, 80)}"]
    return []


class Flow:
    """One flow on the receiver, seen from a test."""

    def __init__(self, client: AdminClient, data: dict[str, Any]) -> None:
        self._client = client
        self._data = data

    def __repr__(self) -> str:
        return f"<flowmock Flow {self.name!r} {self.id}>"

    @property
    def id(self) -> str:
        return str(self._data["id"])

    @property
    def name(self) -> str:
        return str(self._data["name"])

    @property
    def url(self) -> str:
        """The signed callback URL (primary key): give it to the code under test."""
        return str(self._data["callback_url"])

    @property
    def secondary_url(self) -> str:
        return str(self._data["secondary_callback_url"])

    @property
    def definition(self) -> dict[str, Any]:
        return dict(self._data)

    @property
    def runs(self) -> list[dict[str, Any]]:
        """Accepted calls, oldest first."""
        data = self._client.get(f"/flows/{self.id}/runs", params={"limit": 1000})
        return list(reversed(data["runs"]))

    @property
    def trigger_history(self) -> list[dict[str, Any]]:
        """Every call, accepted or refused, oldest first."""
        data = self._client.get(f"/flows/{self.id}/triggers", params={"limit": 1000})
        return list(reversed(data["triggers"]))

    @property
    def bodies(self) -> list[Any]:
        """The trigger body of each run, oldest first."""
        return [run["outputs"]["body"] for run in self.runs]

    def wait_for_runs(self, n: int = 1, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Block until the flow has at least `n` runs; fail with what did arrive after `timeout` seconds."""
        data = self._client.get(f"/flows/{self.id}/runs", params={"wait": n, "timeout": timeout}, timeout=timeout + 10)
        if data["wait"]["timed_out"]:
            refused = [t for t in self.trigger_history if t["status"] != "Succeeded"]
            lines = [f"flow {self.name!r} received {data['wait']['have']} of {n} expected runs in {timeout:g} s"]
            for entry in refused[-5:]:
                lines.append(f"  refused: {entry['http_status']} {entry['code']}: {entry['message']}")
            raise FlowmockTimeout("\n".join(lines))
        return list(reversed(data["runs"]))

    def _update(self, **changes: Any) -> Flow:
        self._data = self._client.patch(f"/flows/{self.id}", json=changes)
        return self

    def update(self, **changes: Any) -> Flow:
        """Change any definition field (`state`, `schema_validation`, `response`, `faults`, ...)."""
        return self._update(**changes)

    def disable(self) -> Flow:
        return self._update(state="disabled")

    def enable(self) -> Flow:
        return self._update(state="enabled")

    def set_faults(self, **faults: Any) -> Flow:
        """e.g. `set_faults(throttle={"limit": 1, "retry_after": 1})`, `set_faults(fail_next=2)`."""
        return self._update(faults=faults or None)

    def regenerate_key(self, key_type: str = "primary") -> Flow:
        self._data = self._client.post(f"/flows/{self.id}/regenerate-key", json={"key_type": key_type})
        return self

    def clear(self) -> None:
        self._client.delete(f"/flows/{self.id}/runs")

    # Assertions ------------------------------------------------------------------------------------------------
    def assert_received(self, count: int | None = 1, *, body_contains: Mapping[str, Any] | None = None) -> list[Any]:
        """Assert that `count` runs (None: at least one) have a body containing `body_contains`.

        Returns the matching runs. On failure the message shows the calls that did arrive, closest first, with
        what differs in each.
        """
        runs = self.runs
        if body_contains is None:
            matching = runs
        else:
            matching = [r for r in runs if not differences(body_contains, r["outputs"]["body"])]
        if (count is None and matching) or len(matching) == count:
            return matching
        wanted = "at least one call" if count is None else f"{count} call{'s' if count != 1 else ''}"
        lines = [
            f"flow {self.name!r} expected {wanted}"
            + (f" with a body containing {_short(body_contains)}" if body_contains is not None else "")
            + f", got {len(matching)} (of {len(runs)} runs)."
        ]
        if body_contains is not None and runs:
            ranked = sorted(runs, key=lambda r: len(differences(body_contains, r["outputs"]["body"])))
            lines.append("Closest calls that did arrive:")
            for run in ranked[:3]:
                diffs = differences(body_contains, run["outputs"]["body"])
                lines.append(f"  run {run['run_id']} at {run['start_time']}: {_short(run['outputs']['body'])}")
                lines.extend(f"    {d}" for d in diffs[:5])
        refused = [t for t in self.trigger_history if t["status"] != "Succeeded"]
        if refused:
            lines.append(f"{len(refused)} call(s) were refused:")
            for entry in refused[-3:]:
                lines.append(f"  {entry['http_status']} {entry['code']}: {entry['message']}")
        raise AssertionError("\n".join(lines))

    def assert_all_conform(self) -> None:
        """Assert that every call's body conformed to the flow's schema (listing each error by path)."""
        bad = [t for t in self.trigger_history if not t["contract"]["valid"]]
        if not bad:
            return
        lines = [f"{len(bad)} call(s) to flow {self.name!r} did not conform to its schema:"]
        for entry in bad[:10]:
            lines.append(f"  call {entry['id']} at {entry['time']} ({entry['http_status']}):")
            lines.extend(f"    {e['path']}: {e['message']}" for e in entry["contract"]["errors"][:10])
        raise AssertionError("\n".join(lines))


class Flowmock:
    """The `flowmock` fixture: a handle on a live receiver, cleared before each test."""

    def __init__(self, base_url: str, client: AdminClient | None = None) -> None:
        self.url = base_url.rstrip("/")
        self.client = client or AdminClient(self.url)

    def reset(self) -> None:
        self.client.post("/reset")

    def create_flow(self, schema: str | dict[str, Any] | None = None, **definition: Any) -> Flow:
        """Create a flow (`name` defaults to the schema name) and return its handle."""
        if schema is not None:
            definition["schema"] = schema
        definition.setdefault("name", schema if isinstance(schema, str) else "flowmock test flow")
        return Flow(self.client, self.client.post("/flows", json=definition))

    def flow(self, flow_id: str) -> Flow:
        return Flow(self.client, self.client.get(f"/flows/{flow_id}"))

    @property
    def flows(self) -> list[Flow]:
        return [Flow(self.client, data) for data in self.client.get("/flows")["flows"]]

    @property
    def default_flows(self) -> dict[str, Flow]:
        """The declared flows keyed by schema name: `flowmock.default_flows["monitor-results"].url`."""
        return {
            str(f.definition["schema"]): f
            for f in self.flows
            if f.definition.get("origin") in ("default", "config") and isinstance(f.definition.get("schema"), str)
        }

    def nonconforming_calls(self) -> list[dict[str, Any]]:
        return [t for t in self.client.all_triggers() if not t["contract"]["valid"]]
