"""What a run records: every action with its status, times, evaluated inputs and outputs, nested as defined.

The JSON shape is fixed by design.md ("Runs with actions"), because the admin API, the run page and the pytest
handle read it: `{name, type, status, start_time, end_time, inputs, outputs, error, mocked, children, repetitions}`,
with `branch` on children (`"actions"`, `"else"`, a Switch case name or `"default"`) and `repetitions` as
`[{index, status, actions}]`. `to_json`/`from_json` round-trip it exactly, so a stored run reads back equal.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

ActionStatus = Literal["Running", "Succeeded", "Failed", "Skipped", "TimedOut", "Cancelled"]
RunStatus = Literal["Running", "Succeeded", "Failed", "Cancelled"]
Mocked = bool | Literal["default"]


@dataclass
class Repetition:
    """One iteration of a Foreach or Until: its index and the actions it ran."""

    index: int
    status: str
    actions: list[ActionRecord] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "status": self.status, "actions": [a.to_json() for a in self.actions]}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Repetition:
        return cls(value["index"], value["status"], [ActionRecord.from_json(a) for a in value.get("actions", [])])


@dataclass
class ActionRecord:
    """One action of a run. `code` is the service's result code (`OK`, `NotFound`, `ActionSkipped`, ...) that
    `actions()` and `result()` expose; it is kept for those functions and stored with the record."""

    name: str
    type: str
    status: str = "Running"
    start_time: str | None = None
    end_time: str | None = None
    inputs: Any = None
    outputs: Any = None
    error: dict[str, str] | None = None
    mocked: Mocked = False
    children: list[ActionRecord] = field(default_factory=list)
    repetitions: list[Repetition] = field(default_factory=list)
    branch: str | None = None
    code: str | None = None

    def to_json(self) -> dict[str, Any]:
        value: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "status": self.status,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "error": self.error,
            "mocked": self.mocked,
            "children": [child.to_json() for child in self.children],
            "repetitions": [repetition.to_json() for repetition in self.repetitions],
        }
        if self.branch is not None:
            value["branch"] = self.branch
        if self.code is not None:
            value["code"] = self.code
        return value

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> ActionRecord:
        return cls(
            name=value["name"],
            type=value["type"],
            status=value["status"],
            start_time=value.get("start_time"),
            end_time=value.get("end_time"),
            inputs=value.get("inputs"),
            outputs=value.get("outputs"),
            error=value.get("error"),
            mocked=value.get("mocked", False),
            children=[cls.from_json(child) for child in value.get("children", [])],
            repetitions=[Repetition.from_json(r) for r in value.get("repetitions", [])],
            branch=value.get("branch"),
            code=value.get("code"),
        )

    def cloud(self) -> dict[str, Any]:
        """The action as `actions()` and `result()` show it in the service: `name, inputs, outputs, startTime,
        endTime, status, code`, and `error` when there is one."""
        value: dict[str, Any] = {
            "name": self.name,
            "inputs": self.inputs,
            "outputs": self.outputs,
            "startTime": self.start_time,
            "endTime": self.end_time,
            "status": self.status,
            "code": self.code,
        }
        if self.error is not None:
            value["error"] = self.error
        return value

    def walk(self) -> Iterator[ActionRecord]:
        """This record, then every record nested in it (children, then each repetition's actions), depth first."""
        yield self
        for child in self.children:
            yield from child.walk()
        for repetition in self.repetitions:
            for action in repetition.actions:
                yield from action.walk()


@dataclass
class RunRecord:
    """A run of a flow's actions: the workflow status as the service reports it, and every action."""

    status: str = "Running"
    start_time: str | None = None
    end_time: str | None = None
    actions: list[ActionRecord] = field(default_factory=list)
    response_action: str | None = None
    error: dict[str, str] | None = None
    outputs: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "error": self.error,
            "response_action": self.response_action,
            "outputs": self.outputs,
            "actions": [action.to_json() for action in self.actions],
        }

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> RunRecord:
        return cls(
            status=value["status"],
            start_time=value.get("start_time"),
            end_time=value.get("end_time"),
            actions=[ActionRecord.from_json(a) for a in value.get("actions", [])],
            response_action=value.get("response_action"),
            error=value.get("error"),
            outputs=value.get("outputs") or {},
        )

    def walk(self) -> Iterator[ActionRecord]:
        for action in self.actions:
            yield from action.walk()

    def find(self, name: str) -> ActionRecord | None:
        """The first record of the action `name` at any depth (inside a loop: its first repetition's)."""
        return next((record for record in self.walk() if record.name == name), None)


SECURED = {"secured": True, "message": "Content not shown due to security configuration."}
"""What the run history holds instead of secured inputs or outputs (the designer's wording for them)."""


def hide_secure_data(spec: Mapping[str, Any], record: ActionRecord) -> None:
    """`runtimeConfiguration.secureData.properties` ("inputs", "outputs") keeps those values out of the run history;
    later actions still read them through `actions()`/`body()`, as in the service."""
    secure = runtime = spec.get("runtimeConfiguration")
    secure_data = runtime.get("secureData") if isinstance(runtime, Mapping) else None
    secure = secure_data.get("properties") if isinstance(secure_data, Mapping) else None
    if not isinstance(secure, list):
        return
    if "inputs" in secure and record.inputs is not None:
        record.inputs = dict(SECURED)
    if "outputs" in secure and record.outputs is not None:
        record.outputs = dict(SECURED)
