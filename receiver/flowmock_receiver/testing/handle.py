"""The handle the pytest fixtures give a test: create flows, call them, read what arrived, assert on it.

Everything goes through the admin API, so a test reads the same against the in-thread server, an external
`flowmock serve` and an app in process (`Flowmock.in_process(app)`, over Flask's test client). Assertion failures
say what did arrive, closest first, as pytest-httpserver's "similar requests" do: a person should be able to fix
the sender from the message alone.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import json
import json as _json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import requests
from flask import Flask

from ..core.content import ContentError, trigger_body
from .actions import UNSET, ActionResult, check_action, differences, short
from .transport import HttpTransport, InProcessTransport, Transport
from .values import Answer, Run, TriggerEntry

_UNSET: Any = object()


class FlowmockTimeout(AssertionError):
    """`wait_for_runs` ran out of time; the message lists what did arrive."""


def _refused(history: Sequence[TriggerEntry]) -> list[TriggerEntry]:
    return [t for t in history if t.status == "Failed"]


class FlowHandle:
    """One flow on the receiver, seen from a test (the definition itself is `flowmock_receiver.Flow`)."""

    def __init__(self, transport: Transport, data: dict[str, Any]) -> None:
        self._transport = transport
        self._client = transport.admin
        self._data = data

    def __repr__(self) -> str:
        return f"<flowmock FlowHandle {self.name!r} {self.id}>"

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

    # Calling it ----------------------------------------------------------------------------------------------
    def post(
        self,
        body: Any = _UNSET,
        *,
        json: Any = _UNSET,
        data: bytes | None = None,
        content_type: str | None = "application/json",
        headers: Mapping[str, str] | None = None,
        method: str = "POST",
        key: Literal["primary", "secondary"] = "primary",
        url: str | None = None,
    ) -> Answer:
        """Call the flow as a sender would: `body` (or `json=`) as JSON, or `data` as raw bytes, to its callback URL
        (or `url`, e.g. a URL with a parameter removed). Returns the receiver's answer, refusals included; its `run`
        is the run the call started (an imported flow's: status and actions), read once it has finished."""
        if json is not _UNSET:
            body = json
        if data is None:
            data = b"" if body is _UNSET else _json.dumps(body).encode()
        sent = dict(headers or {})
        if content_type is not None:
            sent.setdefault("Content-Type", content_type)
        target = url or (self.url if key == "primary" else self.secondary_url)
        answer = self._transport.send(method, target, body=data, headers=sent)
        return dataclasses.replace(answer, load_run=self._run_of)

    def _run_of(self, answer: Answer, timeout: float = 10.0) -> Run | None:
        """The run an answer started, once no longer Running. Without a run id header (the flow suppresses its
        workflow headers) the flow's newest run is taken, as nothing else names it."""
        run_id = answer.run_id
        if run_id is None:
            if answer.status >= 400 or not self._data.get("suppress_workflow_headers"):
                return None
            newest = self._client.get(f"/flows/{self.id}/runs", params={"limit": 1})["runs"]
            if not newest:
                return None
            run_id = newest[0]["run_id"]
        deadline = time.monotonic() + timeout
        while True:
            data = self._client.get(f"/runs/{run_id}")
            if data["status"] != "Running" or time.monotonic() > deadline:
                return Run.from_api(data)
            time.sleep(0.01)

    # What arrived --------------------------------------------------------------------------------------------
    @property
    def runs(self) -> list[Run]:
        """Every accepted call, oldest first."""
        return [Run.from_api(self._whole(r, "runs")) for r in self._client.all_runs(self.id)]

    @property
    def trigger_history(self) -> list[TriggerEntry]:
        """Every call, accepted or refused, oldest first."""
        return [TriggerEntry.from_api(self._whole(t, "triggers")) for t in self._client.all_triggers(self.id)]

    def _whole(self, data: dict[str, Any], kind: str) -> dict[str, Any]:
        """A listed call with its whole body: lists carry only a preview of a large one."""
        request = data.get("request") or {}
        if not request.get("body_truncated") or "body_url" not in request:
            return data
        raw = self._client.body(kind, data["run_id"] if kind == "runs" else data["id"])
        try:
            text: str | None = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        whole = {**request, "body": text, "body_base64": base64.b64encode(raw).decode(), "body_truncated": False}
        data = {**data, "request": whole}
        if kind == "runs" and isinstance(data.get("outputs"), dict):
            headers = data["outputs"].get("headers") or {}
            content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), None)
            with contextlib.suppress(ContentError):
                data["outputs"] = {**data["outputs"], "body": trigger_body(raw, content_type)}
        return data

    @property
    def bodies(self) -> list[Any]:
        """The trigger body of each run, oldest first."""
        return [run.body for run in self.runs]

    def wait_for_runs(self, n: int = 1, timeout: float = 5.0) -> list[Run]:
        """Block until the flow has at least `n` runs; fail with what did arrive after `timeout` seconds."""
        __tracebackhide__ = True  # a failing test shows the message, not flowmock's own source
        data = self._client.get(f"/flows/{self.id}/runs", params={"wait": n, "timeout": timeout}, timeout=timeout + 10)
        if data["wait"]["timed_out"]:
            lines = [f"flow {self.name!r} received {data['wait']['have']} of {n} expected runs in {timeout:g} s"]
            lines.extend(
                f"  refused: {t.http_status} {t.code}: {t.message}" for t in _refused(self.trigger_history)[-5:]
            )
            raise FlowmockTimeout("\n".join(lines))
        if data["total"] > len(data["runs"]):
            return self.runs
        return [Run.from_api(self._whole(r, "runs")) for r in reversed(data["runs"])]

    # Changing it ---------------------------------------------------------------------------------------------
    def _update(self, **changes: Any) -> FlowHandle:
        self._data = self._client.patch(f"/flows/{self.id}", json=changes)
        return self

    def update(self, **changes: Any) -> FlowHandle:
        """Change any definition field (`state`, `schema_validation`, `response`, `faults`, ...); the receiver
        refuses unknown fields with the list of known ones."""
        return self._update(**changes)

    def disable(self) -> FlowHandle:
        return self._update(state="disabled")

    def enable(self) -> FlowHandle:
        return self._update(state="enabled")

    def set_faults(self, **faults: Any) -> FlowHandle:
        """e.g. `set_faults(throttle={"limit": 1, "retry_after": 1})`, `set_faults(fail_next=2)`."""
        return self._update(faults=faults or None)

    def regenerate_key(self, key_type: Literal["primary", "secondary"] = "primary") -> FlowHandle:
        self._data = self._client.post(f"/flows/{self.id}/regenerate-key", json={"key_type": key_type})
        return self

    def set_mocks(self, mocks: Mapping[str, Any] | None) -> list[str]:
        """Replace an imported flow's mocks (design.md's shape, by action name; None or {} removes them). Returns
        the notes: a mocked name that no action has, usually a typo."""
        answer = self._client.put(f"/flows/{self.id}/mocks", json=_json.loads(_json.dumps(dict(mocks or {}))))
        notes: list[str] = answer.pop("notes", [])
        self._data = answer
        return notes

    def clear(self) -> None:
        self._client.delete(f"/flows/{self.id}/runs")

    def delete(self) -> None:
        self._client.delete(f"/flows/{self.id}")

    # Assertions ------------------------------------------------------------------------------------------------
    def assert_received(self, count: int | None = 1, *, body_contains: Mapping[str, Any] | None = None) -> list[Run]:
        """Assert that `count` runs (None: at least one) have a body containing `body_contains`.

        Returns the matching runs. On failure the message shows the calls that did arrive, closest first, with
        what differs in each.
        """
        __tracebackhide__ = True  # a failing test shows the message, not flowmock's own source
        runs = self.runs
        matching = runs if body_contains is None else [r for r in runs if not differences(body_contains, r.body)]
        if (count is None and matching) or len(matching) == count:
            return matching
        wanted = "at least one call" if count is None else f"{count} call{'s' if count != 1 else ''}"
        lines = [
            f"flow {self.name!r} expected {wanted}"
            + (f" with a body containing {short(body_contains)}" if body_contains is not None else "")
            + f", got {len(matching)} (of {len(runs)} runs)."
        ]
        if body_contains is not None and runs:
            ranked = sorted(runs, key=lambda r: len(differences(body_contains, r.body)))
            lines.append("Closest calls that did arrive:")
            for run in ranked[:3]:
                diffs = differences(body_contains, run.body)
                lines.append(f"  run {run.run_id} at {run.start_time}: {short(run.body)}")
                lines.extend(f"    {d}" for d in diffs[:5])
        refused = _refused(self.trigger_history)
        if refused:
            lines.append(f"{len(refused)} call(s) were refused:")
            lines.extend(f"  {t.http_status} {t.code}: {t.message}" for t in refused[-3:])
        raise AssertionError("\n".join(lines))

    def assert_all_conform(self) -> None:
        """Assert that every call's body conformed to the flow's schema (listing each error by path)."""
        __tracebackhide__ = True  # a failing test shows the message, not flowmock's own source
        bad = [t for t in self.trigger_history if not t.conforms]
        if not bad:
            return
        lines = [f"{len(bad)} call(s) to flow {self.name!r} did not conform to its schema:"]
        for entry in bad[:10]:
            lines.append(f"  call {entry.id} at {entry.time} ({entry.http_status}):")
            lines.extend(f"    {e.path}: {e.message}" for e in entry.schema_errors[:10])
        raise AssertionError("\n".join(lines))

    def assert_action(
        self,
        run: Run,
        name: str,
        *,
        status: str | None = None,
        inputs_contain: Any = UNSET,
        outputs_contain: Any = UNSET,
    ) -> ActionResult:
        """Assert that the run has an action `name` (at any depth; in a loop, any repetition) with `status` and
        inputs and outputs containing the given values (objects: a subset; anything else: equal). Returns it.

        On failure the message shows the closest match and what differs, and the path from the trigger to it with
        each step's status (`trigger manual → Try [Failed] → in Try: Create_order [Failed]`)."""
        __tracebackhide__ = True  # a failing test shows the message, not flowmock's own source
        return check_action(
            self._data, run, name, status=status, inputs_contain=inputs_contain, outputs_contain=outputs_contain
        )


class Flowmock:
    """The `flowmock` fixture: a handle on a receiver, cleared before each test.

    `Flowmock(url)` talks to a live server over HTTP; `Flowmock.in_process(app)` to an app through Flask's test
    client (no socket, no thread), with the same methods.
    """

    def __init__(
        self, base_url: str, *, session: requests.Session | None = None, transport: Transport | None = None
    ) -> None:
        self.url = base_url.rstrip("/")
        self.transport: Transport = transport or HttpTransport(self.url, session=session)
        self.client = self.transport.admin

    @classmethod
    def in_process(cls, app: Flask) -> Flowmock:
        """A handle on an app in this process (`create_app(...)`, or the `flowmock_app` fixture)."""
        return cls("http://localhost", transport=InProcessTransport(app))

    def reset(self) -> None:
        self.client.post("/reset")

    def create_flow(
        self,
        *,
        name: str | None = None,
        schema: str | Mapping[str, Any] | None = None,
        schema_validation: bool | None = None,
        method: str | None = None,
        relative_path: str | None = None,
        auth: Literal["sas", "tenant", "user"] | None = None,
        tenant_id: str | None = None,
        allowed_users: Sequence[str] | None = None,
        host: Literal["logic", "powerplatform"] | None = None,
        state: Literal["enabled", "disabled"] | None = None,
        response: Mapping[str, Any] | None = None,
        faults: Mapping[str, Any] | None = None,
        max_body_bytes: int | None = None,
        trigger_name: str | None = None,
        suppress_workflow_headers: bool | None = None,
        include_authorization_headers: bool | None = None,
        id: str | None = None,
        primary_key: str | None = None,
        secondary_key: str | None = None,
    ) -> FlowHandle:
        """Create a flow and return its handle. Every field is keyword-only, so a misspelt one is a TypeError
        here rather than a flow that silently lacks it. `name` defaults to the schema name."""
        given = {key: value for key, value in locals().items() if key != "self" and value is not None}
        if isinstance(schema, str):
            given.setdefault("name", schema)
        given.setdefault("name", "flowmock test flow")
        for key in ("schema", "response", "faults"):
            if key in given:
                given[key] = json.loads(json.dumps(given[key]))  # a plain JSON document, whatever mapping came in
        if "allowed_users" in given:
            given["allowed_users"] = list(given["allowed_users"])
        return FlowHandle(self.transport, self.client.post("/flows", json=given))

    def import_flows(self, path: str | Path, *, mocks: Mapping[str, Any] | None = None) -> list[FlowHandle]:
        """Import every flow of an exported file (export package or solution zip, definition JSON, ARM template,
        Logic Apps Standard workflow.json), each with `mocks` (by action name) when given."""
        path = Path(path)
        source = f"{path.parent.name}/{path.name}" if path.name == "workflow.json" else path.name
        handles = [
            FlowHandle(self.transport, data) for data in self.client.import_file(path.read_bytes(), filename=source)
        ]
        if mocks:
            for handle in handles:
                handle.set_mocks(mocks)
        return handles

    def import_flow(
        self, path: str | Path, *, mocks: Mapping[str, Any] | None = None, name: str | None = None
    ) -> FlowHandle:
        """Import an exported flow and return its handle: `flow.post(json=...)` runs its actions with `mocks` and
        answers with its Response. A file of several flows (a solution) needs the display `name` of the one wanted."""
        handles = self.import_flows(path, mocks=mocks)
        chosen = [h for h in handles if h.name == name] if name is not None else handles[: len(handles) == 1]
        if len(chosen) != 1:
            names = ", ".join(repr(h.name) for h in handles)
            wanted = f"no flow named {name!r}" if name is not None else f"{len(handles)} flows: pass name="
            raise ValueError(f"{path}: {wanted} (the file holds {names})")
        return chosen[0]

    def flow(self, flow_id: str) -> FlowHandle:
        return FlowHandle(self.transport, self.client.get(f"/flows/{flow_id}"))

    @property
    def flows(self) -> list[FlowHandle]:
        return [FlowHandle(self.transport, data) for data in self.client.get("/flows")["flows"]]

    @property
    def default_flows(self) -> dict[str, FlowHandle]:
        """The declared flows keyed by schema name: `flowmock.default_flows["monitor-results"].url`."""
        return {
            str(f.definition["schema"]): f
            for f in self.flows
            if f.definition.get("origin") in ("default", "config") and isinstance(f.definition.get("schema"), str)
        }

    def nonconforming_calls(self) -> list[TriggerEntry]:
        """Every call whose body broke its flow's schema, oldest first: the server's `valid=false` filter (an index)
        instead of the whole history filtered here."""
        found = self.client.iterate("/triggers", "triggers", params={"valid": "false"})
        return [TriggerEntry.from_api(t) for t in found]
