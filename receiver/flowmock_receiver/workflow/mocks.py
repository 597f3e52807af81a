"""Mocks: what an action that would reach outside the run (HTTP, a connector, a child flow) returns instead.

The mapping, per flow (design.md "Runs with actions"), keyed by action name:

    {"Get_customer": {"statusCode": 200, "headers": {"x": "1"}, "body": {"id": "@{triggerBody()?['id']}"}},
     "Send_mail":    {"status": "Succeeded", "outputs": {"body": {"id": "m-1"}}},
     "Flaky_call":   {"sequence": [{"statusCode": 503}, {"statusCode": 200, "body": "ok"}]},
     "Broken":       {"status": "Failed", "error": {"code": "NotFound", "message": "no such row"}}}

- `outputs` gives the action's outputs as is; `statusCode`, `headers` and `body` build the HTTP-shaped outputs
  (`{"statusCode", "headers", "body"}`) that Http and connector actions have. The two forms exclude each other.
- `status` is `Succeeded`, `Failed` or `TimedOut`. When absent it follows `statusCode` as the HTTP action does (2xx
  and 3xx succeed, 4xx and 5xx fail), or `error` (Failed), else Succeeded.
- `sequence` lists one mock per call, for actions in loops and for retries: a retried call takes the next entry.
  Past the end, the last entry repeats.
- Any string may hold an expression (`@...`, `@{...}`); it is evaluated when the action runs, in the run's context,
  where `action()['inputs']` is the action's own evaluated inputs (an echo mock: `{"body": "@action()['inputs']"}`).

`parse_mocks` checks the shape once, when mocks are set, so a wrong mock fails with its path instead of in a run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flowmock_receiver.workflow.errors import MockError

MOCK_STATUSES = ("Succeeded", "Failed", "TimedOut")
_KEYS = ("status", "outputs", "statusCode", "headers", "body", "error", "sequence")


@dataclass(frozen=True)
class ActionMock:
    """One mocked result. `has_outputs`/`has_body` tell an absent value from an explicit null."""

    status: str | None = None
    outputs: Any = None
    has_outputs: bool = False
    status_code: int | str | None = None
    headers: Any = None
    body: Any = None
    has_body: bool = False
    error: dict[str, Any] | None = None
    sequence: tuple[ActionMock, ...] = ()

    @property
    def http_shaped(self) -> bool:
        return self.status_code is not None or self.headers is not None or self.has_body

    def for_call(self, call: int) -> ActionMock:
        """The mock for the `call`-th call (0-based) of this action: the sequence entry, the last one past its end."""
        if not self.sequence:
            return self
        return self.sequence[min(call, len(self.sequence) - 1)]

    def to_json(self) -> dict[str, Any]:
        if self.sequence:
            return {"sequence": [entry.to_json() for entry in self.sequence]}
        value: dict[str, Any] = {}
        if self.status is not None:
            value["status"] = self.status
        if self.has_outputs:
            value["outputs"] = self.outputs
        if self.status_code is not None:
            value["statusCode"] = self.status_code
        if self.headers is not None:
            value["headers"] = self.headers
        if self.has_body:
            value["body"] = self.body
        if self.error is not None:
            value["error"] = self.error
        return value


Mocks = dict[str, ActionMock]


def parse_mocks(value: Any) -> Mocks:
    """Validate a mock mapping (parsed JSON or TOML) and return it as `ActionMock` values; `MockError` says where."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise MockError(f"mocks must be an object keyed by action name, not {_kind(value)}")
    mocks: Mocks = {}
    for name, spec in value.items():
        if not isinstance(name, str) or not name:
            raise MockError("action names must be non-empty strings")
        mocks[name] = _parse_one(spec, f"$.{name}", allow_sequence=True)
    return mocks


def unknown_mock_names(mocks: Mapping[str, ActionMock], definition: Mapping[str, Any]) -> list[str]:
    """Mocked names that no action of `definition` has (at any depth): usually a typo worth reporting."""
    names: set[str] = set()
    stack = [definition.get("actions")]
    while stack:
        actions = stack.pop()
        if not isinstance(actions, Mapping):
            continue
        for name, action in actions.items():
            names.add(name)
            if isinstance(action, Mapping):
                stack.append(action.get("actions"))
                else_branch = action.get("else")
                stack.append(else_branch.get("actions") if isinstance(else_branch, Mapping) else None)
                default = action.get("default")
                stack.append(default.get("actions") if isinstance(default, Mapping) else None)
                cases = action.get("cases")
                if isinstance(cases, Mapping):
                    stack.extend(case.get("actions") for case in cases.values() if isinstance(case, Mapping))
    return sorted(set(mocks) - names)


def _parse_one(spec: Any, path: str, *, allow_sequence: bool) -> ActionMock:
    if not isinstance(spec, Mapping):
        raise MockError(f"a mock must be an object with some of {', '.join(_KEYS)}, not {_kind(spec)}", path=path)
    unknown = [key for key in spec if key not in _KEYS]
    if unknown:
        raise MockError(f"unknown key {unknown[0]!r}; a mock has {', '.join(_KEYS)}", path=path)
    if "sequence" in spec:
        if not allow_sequence:
            raise MockError("a sequence entry cannot hold another sequence", path=f"{path}.sequence")
        if len(spec) > 1:
            raise MockError("a mock with a sequence has nothing else: put the values in its entries", path=path)
        entries = spec["sequence"]
        if not isinstance(entries, list) or not entries:
            raise MockError("sequence must be a non-empty list of mocks", path=f"{path}.sequence")
        parsed = tuple(
            _parse_one(entry, f"{path}.sequence[{index}]", allow_sequence=False) for index, entry in enumerate(entries)
        )
        return ActionMock(sequence=parsed)
    http_keys = [key for key in ("statusCode", "headers", "body") if key in spec]
    if "outputs" in spec and http_keys:
        raise MockError(f"give either outputs or statusCode/headers/body, not both ({http_keys[0]})", path=path)
    status = spec.get("status")
    if status is not None and status not in MOCK_STATUSES:
        raise MockError(f"status must be one of {', '.join(MOCK_STATUSES)}, not {status!r}", path=f"{path}.status")
    status_code = spec.get("statusCode")
    if status_code is not None:
        if isinstance(status_code, bool) or not isinstance(status_code, int | str):
            raise MockError(f"statusCode must be an integer, not {_kind(status_code)}", path=f"{path}.statusCode")
        if isinstance(status_code, int) and not 100 <= status_code <= 599:
            raise MockError(f"statusCode must be between 100 and 599, not {status_code}", path=f"{path}.statusCode")
        if isinstance(status_code, str) and not status_code.startswith("@"):
            raise MockError("statusCode must be an integer or an expression", path=f"{path}.statusCode")
    headers = spec.get("headers")
    if headers is not None and not isinstance(headers, Mapping) and not _is_expression(headers):
        raise MockError(f"headers must be an object, not {_kind(headers)}", path=f"{path}.headers")
    error = spec.get("error")
    if error is not None:
        if not isinstance(error, Mapping):
            raise MockError(f"error must be an object with code and message, not {_kind(error)}", path=f"{path}.error")
        extra = [key for key in error if key not in ("code", "message")]
        if extra:
            raise MockError(f"unknown key {extra[0]!r}; an error has code and message", path=f"{path}.error")
        for key in ("code", "message"):
            if key in error and not isinstance(error[key], str):
                raise MockError(f"{key} must be a string", path=f"{path}.error.{key}")
        if status == "Succeeded":
            raise MockError("a Succeeded mock has no error", path=f"{path}.error")
    return ActionMock(
        status=status,
        outputs=spec.get("outputs"),
        has_outputs="outputs" in spec,
        status_code=status_code,
        headers=dict(headers) if isinstance(headers, Mapping) else headers,
        body=spec.get("body"),
        has_body="body" in spec,
        error=dict(error) if error is not None else None,
    )


def _is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("@")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)
