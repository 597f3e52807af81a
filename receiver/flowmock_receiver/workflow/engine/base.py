"""What the runner and the action families share: the handler signature, the runner's interface, failures.

Each action family (`control`, `data`, `variables`, `external`, `response`) registers handlers by action type. A
handler gets the runner (through the `Runner` protocol, so families never import the runner module and there is no
import cycle), the action's name, its definition and its record; it fills the record's inputs and outputs, or
raises `ActionFailure`. Expression errors raised while a handler evaluates become the action's `InvalidTemplate`
failure in the runner, as the service reports them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from flowmock_receiver.workflow.engine.clock import VirtualClock
from flowmock_receiver.workflow.engine.records import ActionRecord
from flowmock_receiver.workflow.mocks import ActionMock

SUCCEEDED, FAILED, SKIPPED, TIMED_OUT, CANCELLED = "Succeeded", "Failed", "Skipped", "TimedOut", "Cancelled"
RUN_AFTER_STATUSES = (SUCCEEDED, FAILED, SKIPPED, TIMED_OUT)

BLOCK_FAILED_MESSAGE = "An action failed. No dependent actions succeeded."
"""The service's error on a Scope, condition or loop whose actions failed (code `ActionFailed`)."""


class ActionFailure(Exception):
    """An action ends Failed (or `status`, e.g. TimedOut) with the service's error code and message."""

    def __init__(
        self, code: str, message: str, *, status: str = FAILED, outputs: Any = None, result_code: str | None = None
    ):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status
        self.outputs = outputs
        self.result_code = result_code


class Runner(Protocol):
    """The runner as action handlers see it."""

    clock: VirtualClock
    variables: dict[str, Any]
    variable_types: dict[str, str]
    strict_mocks: bool
    response_timeout: float

    def evaluate(self, value: Any) -> Any:
        """Evaluate a JSON value holding `@...` / `@{...}` expressions in the run's current context."""

    def evaluate_condition(self, expression: Any, *, kind: str | None = None) -> bool:
        """An If/Until/Filter array condition: an expression string or the `{"and": [{"equals": [a, b]}]}` object
        form. With `kind` ("if", "until"), a result that is not a Boolean fails the action as the service does."""

    def run_actions(self, actions: Mapping[str, Any], branch: str | None) -> tuple[list[ActionRecord], str]:
        """Run a nested action set (a scope's or a branch's); returns its records and its status by the service's
        rule for scopes."""

    def skip_actions(self, actions: Mapping[str, Any], branch: str | None, reason: str) -> list[ActionRecord]:
        """Skipped records for a set that does not run: `reason` "branch" (an If side or Switch case not taken,
        with the service's `ActionBranchingConditionNotSatisfied`) or "parent" (inside a container that did not
        run)."""

    def show_inputs(self, name: str, inputs: Any) -> None:
        """Make the running action's evaluated inputs visible to `action()` (a mock can echo them)."""

    def mock_for(self, name: str) -> tuple[ActionMock | None, int]:
        """The mock given for action `name` and how many times it was called before (for `sequence`)."""

    def set_results(self, name: str, results: list[dict[str, Any]]) -> None:
        """What `result(name)` returns for a container action."""

    def enter_item(self, loop: str, item: Any, index: int) -> None:
        """Make `items(loop)`/`item()` and `iterationIndexes(loop)` see this repetition."""

    def enter_iteration(self, loop: str, index: int) -> None:
        """Make `iterationIndexes(loop)` see an Until loop's current repetition."""

    def leave_item(self, loop: str) -> None: ...

    def enter_element(self, element: Any) -> None:
        """Make `item()` see the current element of an array operation (Select, Filter array, Table columns)."""

    def leave_element(self) -> None: ...

    def terminate(self, status: str, error: dict[str, str] | None) -> None:
        """End the run now with the Terminate action's status."""

    @property
    def terminated(self) -> bool: ...

    def respond(self, name: str, status_code: int, headers: dict[str, str], body: Any) -> None:
        """A Response action's answer: raises `ActionFailure` when the caller was already answered or gave up."""

    def cloud_record(self, record: ActionRecord) -> dict[str, Any]:
        """An action as `actions()`/`result()` show it (`name, inputs, outputs, startTime, endTime, status, code,
        error`)."""


Handler = Callable[[Runner, str, Mapping[str, Any], ActionRecord], None]
"""Runs one action: fills `record.inputs`, `record.outputs`, `record.code` (and children), or raises."""


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def require(condition: bool, code: str, message: str) -> None:
    if not condition:
        raise ActionFailure(code, message)
