"""What a test reads back from the receiver: runs and trigger-history entries as typed values, not raw dicts.

Built from the admin API's JSON, so they read the same in process and against an external server; `data` keeps
the whole document for fields these values do not name yet.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .actions import ActionResult, action_results


@dataclass(frozen=True)
class SchemaViolation:
    """One schema error of a call's body, by JSON path (`$.metrics.errors`)."""

    path: str
    message: str


def _violations(contract: Mapping[str, Any]) -> tuple[SchemaViolation, ...]:
    return tuple(SchemaViolation(e["path"], e["message"]) for e in contract.get("errors", ()))


def _conforms(contract: Mapping[str, Any]) -> bool:
    """False only for a body found not to conform: a body never checked (a 413, a refused GET) is not a break."""
    return contract.get("valid") is not False


def _strict(contract: Mapping[str, Any]) -> tuple[bool | None, tuple[SchemaViolation, ...]]:
    """The strict verdict recorded beside the flow's own for the documented schemas; None where there is none."""
    strict = contract.get("strict")
    if not strict:
        return None, ()
    return bool(strict["valid"]), _violations(strict)


def _raw(request: Mapping[str, Any]) -> bytes:
    return base64.b64decode(request.get("body_base64") or "")


@dataclass(frozen=True)
class Run:
    """An accepted call: the trigger outputs the flow saw and the response it sent."""

    run_id: str
    flow_id: str
    status: str
    start_time: str
    end_time: str
    client_tracking_id: str | None
    body: Any  # the trigger body as Power Automate exposes it (parsed JSON, text, or $content)
    headers: dict[str, str]
    queries: dict[str, str]
    relative_path_parameters: dict[str, str]
    response: dict[str, Any]
    conforms: bool
    schema_errors: tuple[SchemaViolation, ...]
    method: str
    path: str
    raw_body: bytes = field(repr=False)
    data: dict[str, Any] = field(repr=False, compare=False)
    # The `.strict` variant's verdict for a documented schema (None for other schemas), beside the flow's own.
    strict_conforms: bool | None = None
    strict_errors: tuple[SchemaViolation, ...] = ()
    response_action: str | None = None
    error: dict[str, str] | None = None

    @cached_property
    def action_results(self) -> list[ActionResult]:
        """Every action the run recorded, depth first in definition order (a loop's actions once per repetition)."""
        return action_results(self.data.get("actions") or [])

    @cached_property
    def actions(self) -> dict[str, ActionResult]:
        """An imported flow's actions by name, at any depth (inside a loop: the first repetition's):
        `run.actions["Send_an_email"].status`, `.inputs`, `.outputs`. Empty for a flow without actions."""
        found: dict[str, ActionResult] = {}
        for result in self.action_results:
            found.setdefault(result.name, result)
        return found

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Run:
        outputs = data.get("outputs") or {}
        request = data.get("request") or {}
        return cls(
            run_id=data["run_id"],
            flow_id=data["flow_id"],
            status=data["status"],
            start_time=data["start_time"],
            end_time=data["end_time"],
            client_tracking_id=data.get("client_tracking_id"),
            body=outputs.get("body"),
            headers=dict(outputs.get("headers") or {}),
            queries=dict(outputs.get("queries") or {}),
            relative_path_parameters=dict(outputs.get("relativePathParameters") or {}),
            response=dict(data.get("response") or {}),
            conforms=_conforms(data["contract"]),
            schema_errors=_violations(data["contract"]),
            method=request.get("method", ""),
            path=request.get("path", ""),
            raw_body=_raw(request),
            data=dict(data),
            strict_conforms=_strict(data["contract"])[0],
            strict_errors=_strict(data["contract"])[1],
            response_action=data.get("response_action"),
            error=data.get("error"),
        )


@dataclass(frozen=True)
class TriggerEntry:
    """Any call that reached a flow, accepted or refused, with the reason it was refused."""

    id: str
    flow_id: str
    time: str
    status: str  # "Succeeded" or "Failed"
    http_status: int
    code: str | None
    message: str | None
    run_id: str | None
    client_tracking_id: str | None
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    conforms: bool
    schema_errors: tuple[SchemaViolation, ...]
    response: dict[str, Any]
    raw_body: bytes = field(repr=False)
    data: dict[str, Any] = field(repr=False, compare=False)
    strict_conforms: bool | None = None  # as on `Run`
    strict_errors: tuple[SchemaViolation, ...] = ()

    @property
    def checked(self) -> bool:
        """Whether the body was checked at all (not for a 413, or a bodiless call refused before the check)."""
        return self.data["contract"].get("valid") is not None

    @property
    def accepted(self) -> bool:
        return self.status == "Succeeded"

    @property
    def skipped(self) -> bool:
        """An imported flow's trigger conditions were false: recorded, answered 202, no run."""
        return self.status == "Skipped"

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> TriggerEntry:
        request = data.get("request") or {}
        return cls(
            id=data["id"],
            flow_id=data["flow_id"],
            time=data["time"],
            status=data["status"],
            http_status=int(data["http_status"]),
            code=data.get("code"),
            message=data.get("message"),
            run_id=data.get("run_id"),
            client_tracking_id=data.get("client_tracking_id"),
            method=request.get("method", ""),
            path=request.get("path", ""),
            query=tuple((k, v) for k, v in request.get("query", ())),
            headers=tuple((k, v) for k, v in request.get("headers", ())),
            conforms=_conforms(data["contract"]),
            schema_errors=_violations(data["contract"]),
            response=dict(data.get("response") or {}),
            raw_body=_raw(request),
            data=dict(data),
            strict_conforms=_strict(data["contract"])[0],
            strict_errors=_strict(data["contract"])[1],
        )


@dataclass(frozen=True)
class Answer:
    """What the receiver answered a call the handle made (`FlowHandle.post`)."""

    status: int
    headers: dict[str, str]
    body: bytes
    load_run: Callable[[Answer], Run | None] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def run(self) -> Run | None:
        """The run this call started, once it has finished (None for a refused or Skipped call): its `status`,
        `actions`, `response_action`. Fetched from the receiver when first read."""
        return self.load_run(self) if self.load_run is not None else None

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def run_id(self) -> str | None:
        return next((v for k, v in self.headers.items() if k.lower() == "x-ms-workflow-run-id"), None)

    @property
    def error_code(self) -> str | None:
        """The Power Automate error code of a refusal (`DirectApiInvalidAuthorizationSignature`), else None."""
        if self.status < 400:
            return None
        try:
            code = self.json()["error"]["code"]
        except (ValueError, KeyError, TypeError):
            return None
        return str(code)
