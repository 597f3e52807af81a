"""The runner: one run of a definition's actions, in `runAfter` order, with the service's status rules.

Order. Within one action set, an action runs once every action in its `runAfter` has finished, and only if each
finished in one of the statuses listed for it (`Succeeded`, `Failed`, `Skipped`, `TimedOut`); otherwise it is
Skipped with the service's `ActionConditionFailed` message ("The execution of template action 'B' is skipped: the
'runAfter' condition for action 'A' is not satisfied. Expected status values 'Succeeded' and actual value
'Failed'."). Parallel branches (actions waiting on the same predecessor) run one after another in definition order:
deterministic, and the same results as the service's unless branches race on a variable.

Status. From "Handle errors and exceptions in Azure Logic Apps" (learn.microsoft.com/azure/logic-apps/
logic-apps-exception-handling, "Catch and handle failures by changing run after behavior"): "When an action throws
an unhandled error or exception, the action is marked Failed, and any successor action is marked Skipped. [...] if
a branch ends with a Skipped action, that branch's completion status is based on that skipped action's predecessor
status. After the logic app run completes, the engine determines the entire run's status by evaluating all the
branch statuses. If any branch ends in failure, the entire logic app run is marked Failed." The same rule gives a
Scope's status ("If the final action in a scope results as Failed or Aborted, the scope's status is marked
Failed"). A Terminate action sets the run's status outright; actions it stops are recorded as Cancelled.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any

from flowmock_receiver.workflow.engine import builtin, control, data, external, response, skips, variables
from flowmock_receiver.workflow.engine.base import (
    BLOCK_FAILED_MESSAGE,
    CANCELLED,
    FAILED,
    SUCCEEDED,
    ActionFailure,
    Handler,
    as_mapping,
)
from flowmock_receiver.workflow.engine.clock import VirtualClock
from flowmock_receiver.workflow.engine.conditions import ConditionShapeError, condition_text
from flowmock_receiver.workflow.engine.graph import run_after, set_status
from flowmock_receiver.workflow.engine.options import RunOptions
from flowmock_receiver.workflow.engine.records import ActionRecord, RunRecord, hide_secure_data
from flowmock_receiver.workflow.engine.response import ResponseOutcome, accepted, no_response, timed_out
from flowmock_receiver.workflow.engine.validation import has_asynchronous_response, has_response_action
from flowmock_receiver.workflow.errors import EngineError
from flowmock_receiver.workflow.expressions import ExpressionError, evaluate, evaluate_template
from flowmock_receiver.workflow.expressions.values import type_name
from flowmock_receiver.workflow.mocks import ActionMock

HANDLERS: dict[str, Handler] = {
    **control.HANDLERS,
    **data.HANDLERS,
    **variables.HANDLERS,
    **response.HANDLERS,
    **external.HANDLERS,
    **builtin.HANDLERS,
}
"""Action handlers by lower-cased type; a type not here is treated as one that calls out (mocked)."""

ENGINE_FAILURE = "FlowmockEngineFailure"
"""The error code of an action the engine itself could not run (not a service behaviour: a flowmock limit or bug)."""

CONTAINERS = frozenset({"scope", "if", "switch", "foreach", "until"})


class Run:
    """One run in progress. Build it with `run_flow`/`start_run` (package API); the action families see it
    through the `Runner` protocol."""

    def __init__(
        self,
        definition: Mapping[str, Any],
        trigger_outputs: Mapping[str, Any],
        mocks: Mapping[str, ActionMock],
        *,
        parameters: Mapping[str, Any],
        clock: VirtualClock,
        options: RunOptions,
        on_response: Callable[[ResponseOutcome], None] | None,
        on_update: Callable[[RunRecord], None] | None,
        cancel: threading.Event | None,
        trigger_name: str = "manual",
    ) -> None:
        self.definition = definition
        self.mocks = mocks
        self.clock = clock
        self.options = options
        self.strict_mocks = options.strict_mocks
        self.response_timeout = options.response_timeout
        self.variables: dict[str, Any] = {}
        self.variable_types: dict[str, str] = {}
        self.record = RunRecord()
        self._on_response = on_response
        self._on_update = on_update
        self._cancel = cancel
        self._calls: dict[str, int] = {}
        self._executed = 0
        self._terminated: tuple[str, dict[str, str] | None] | None = None
        self.outcome: ResponseOutcome | None = None
        self._elements: list[Any] = []
        self._current: str | None = None
        self._asynchronous = False
        self.context: dict[str, Any] = {
            "trigger": dict(trigger_outputs),
            "trigger_name": trigger_name,
            "actions": {},
            "variables": self.variables,
            "parameters": dict(parameters),
            "items": {},
            "iteration_indexes": {},
            "results": {},
            "workflow": dict(options.workflow or {}),
            "now": clock.now(),
        }
        if options.callback_url is not None:
            self.context["callback_url"] = options.callback_url

    # -- the run -------------------------------------------------------------------------------------------------

    def execute(self) -> RunRecord:
        self.record.start_time = self.clock.iso()
        if not has_response_action(self.definition):
            # "If your workflow doesn't include a Response action, your workflow immediately returns the 202
            # ACCEPTED status to the caller" (connectors-native-reqres).
            self._report(accepted())
        elif has_asynchronous_response(self.definition):
            # An asynchronous Response: the caller gets 202 at once and polls for the answer (§2.4 of the notes).
            self._asynchronous = True
            self._report(ResponseOutcome("asynchronous", 202))
        self._update()
        actions, status = self.run_actions(as_mapping(self.definition.get("actions")), None, top=True)
        self.record.actions = actions
        if self._terminated is not None:
            self.record.status, self.record.error = self._terminated
        elif status == FAILED:
            # A failed run carries the same error as a failed Scope in the service's run history.
            self.record.status = FAILED
            self.record.error = {"code": "ActionFailed", "message": BLOCK_FAILED_MESSAGE}
        else:
            self.record.status = SUCCEEDED
        self.record.outputs = self._workflow_outputs()
        if self._asynchronous and self.record.response_action is None:
            self._report(no_response())  # what the poll answers when the run never responds
        elif self.outcome is None:
            late = self.clock.elapsed() > self.response_timeout
            self._report(timed_out(self.options.timeout_status) if late else no_response())
        self.record.end_time = self.clock.iso()
        self._update()
        return self.record

    def _workflow_outputs(self) -> dict[str, Any]:
        """The definition's `outputs`, each `{"type", "value"}` evaluated; one that fails shows its error."""
        declared = as_mapping(self.definition.get("outputs"))
        values: dict[str, Any] = {}
        for name, spec in declared.items():
            try:
                values[name] = {
                    "type": as_mapping(spec).get("type"),
                    "value": self.evaluate(as_mapping(spec).get("value")),
                }
            except ExpressionError as exc:
                values[name] = {
                    "type": as_mapping(spec).get("type"),
                    "error": {"code": exc.code, "message": exc.message},
                }
        return values

    def _update(self) -> None:
        if self._on_update is not None:
            self._on_update(self.record)

    def _report(self, outcome: ResponseOutcome) -> None:
        self.outcome = outcome
        if self._on_response is not None:
            self._on_response(outcome)

    # -- action sets ---------------------------------------------------------------------------------------------

    def run_actions(
        self, actions: Mapping[str, Any], branch: str | None, *, top: bool = False
    ) -> tuple[list[ActionRecord], str]:
        statuses: dict[str, str] = {}  # in execution order, a topological order of runAfter
        order = list(actions)
        after = {name: run_after(as_mapping(spec)) for name, spec in actions.items()}
        records: dict[str, ActionRecord] = {}
        pending = list(order)
        while pending:
            name = next((n for n in pending if all(p in statuses for p in after[n])), None)
            if name is None:
                raise EngineError(f"runAfter cycle or unknown predecessor among: {', '.join(pending)}")
            pending.remove(name)
            spec = as_mapping(actions[name])
            if self._cancel is not None and self._cancel.is_set() and self._terminated is None:
                self.terminate(CANCELLED, None)
            if self._terminated is not None:
                record = self._stopped(name, spec)
            else:
                blocker = next(((p, s) for p, s in after[name].items() if statuses[p] not in s), None)
                if blocker is None:
                    record = self._run_action(name, spec)
                else:
                    record = self._skipped_by(name, spec, blocker, statuses[blocker[0]])
            record.branch = branch
            records[name] = record
            statuses[name] = record.status
            if top and self._on_update is not None:
                # Progress for a live run view: the top-level actions finished so far, in definition order.
                self.record.actions = [records[n] for n in order if n in records]
                self._update()
        return [records[name] for name in order], set_status(after, statuses)

    def _run_action(self, name: str, spec: Mapping[str, Any]) -> ActionRecord:
        kind = str(spec.get("type", ""))
        record = ActionRecord(name=name, type=kind, start_time=self.clock.iso())
        self._executed += 1
        if self._executed > self.options.max_actions:
            self.terminate(
                FAILED,
                {
                    "code": "ActionLimitExceeded",
                    "message": f"The run executed more than {self.options.max_actions} actions.",
                },
            )
            return self._stopped(name, spec)
        handler = HANDLERS.get(kind.lower(), external.call_external)
        self.context["actions"][name] = self.cloud_record(record)
        outer, self._current = self._current, name
        outer_action = self.context.get("action")
        self.context["action"] = self.context["actions"][name]  # what action() returns inside this action
        try:
            handler(self, name, spec, record)
            record.status = SUCCEEDED
        except ActionFailure as failure:
            record.status = failure.status
            record.error = {"code": failure.code, "message": failure.message}
            record.code = failure.result_code or record.code or failure.code
            if failure.outputs is not None:
                record.outputs = failure.outputs
        except ExpressionError as exc:
            record.status = FAILED
            record.error = {"code": exc.code, "message": _in_action(exc, name)}
            record.code = "BadRequest"
        except ConditionShapeError as exc:
            record.status = FAILED
            record.error = {
                "code": "InvalidTemplate",
                "message": f"The condition of action '{name}' is not valid: {exc}.",
            }
            record.code = "BadRequest"
        except Exception as exc:  # a bug or an input beyond Python's range: fail the action, never the server
            record.status = FAILED
            record.error = {
                "code": ENGINE_FAILURE,
                "message": f"flowmock could not run action '{name}': {type(exc).__name__}: {exc}",
            }
            record.code = ENGINE_FAILURE
        finally:
            self._current = outer
            self.context["action"] = outer_action
        if kind.lower() in CONTAINERS and record.status == SUCCEEDED and record.code is None:
            record.code = "NotSpecified"
        self.clock.step()
        record.end_time = self.clock.iso()
        self.context["actions"][name] = self.cloud_record(record)
        hide_secure_data(spec, record)
        self._check_timeout()
        return record

    def _check_timeout(self) -> None:
        """A caller still waiting once the virtual clock passes the response timeout has been answered 504."""
        if self.outcome is None and self.options.caller_waiting and self.clock.elapsed() > self.response_timeout:
            self._report(timed_out(self.options.timeout_status))

    def _skipped_by(
        self, name: str, spec: Mapping[str, Any], blocker: tuple[str, tuple[str, ...]], actual: str
    ) -> ActionRecord:
        predecessor, expected = blocker
        record = skips.skipped(name, spec, self.clock.iso())
        record.error = skips.run_after_error(name, predecessor, expected, actual)
        self._register(record)
        return record

    def skip_actions(self, actions: Mapping[str, Any], branch: str | None, reason: str) -> list[ActionRecord]:
        records = skips.skipped_set(actions, branch, self.clock.iso(), branch_not_taken=reason == "branch")
        for record in records:
            self._register(record)
        return records

    def _register(self, record: ActionRecord) -> None:
        """What `actions()` sees of a record that did not run, and of everything nested in it."""
        for each in record.walk():
            self.context["actions"][each.name] = each.cloud()

    def _stopped(self, name: str, spec: Mapping[str, Any]) -> ActionRecord:
        """An action a Terminate (or a cancel) stopped before it started."""
        now = self.clock.iso()
        record = ActionRecord(name, str(spec.get("type", "")), CANCELLED, now, now, code="Terminated")
        self.context["actions"][name] = self.cloud_record(record)
        return record

    # -- what handlers call --------------------------------------------------------------------------------------

    def evaluate(self, value: Any) -> Any:
        self.context["now"] = self.clock.now()
        try:
            return evaluate_template(value, self.context, action=self._current)
        except ExpressionError:
            raise
        except Exception:
            # Wording the error for the action failed inside the expression package: evaluate again without the
            # action, so the run still fails the action with the expression's own error instead of crashing.
            return evaluate_template(value, self.context)

    def evaluate_condition(self, expression: Any, *, kind: str | None = None) -> bool:
        self.context["now"] = self.clock.now()
        text = condition_text(expression, self.evaluate)
        value = evaluate(text, self.context)
        if kind is not None and not isinstance(value, bool):
            raise ActionFailure(
                "InvalidTemplate",
                f"The execution of template action '{self._current}' failed: the result of the evaluation of "
                f"'{kind}' action expression '{expression}' is not valid. It is of type '{type_name(value)}' but is "
                "expected to be a value of type 'Boolean'.",
            )
        return value is True

    def show_inputs(self, name: str, inputs: Any) -> None:
        self.context["actions"][name]["inputs"] = inputs

    def mock_for(self, name: str) -> tuple[ActionMock | None, int]:
        mock = self.mocks.get(name)
        call = self._calls.get(name, 0)
        self._calls[name] = call + 1
        return mock, call

    def set_results(self, name: str, results: list[dict[str, Any]]) -> None:
        self.context["results"][name] = results

    def enter_item(self, loop: str, item: Any, index: int) -> None:
        items = self.context["items"]
        items.pop(loop, None)
        items[loop] = item
        self.context["iteration_indexes"][loop] = index

    def enter_iteration(self, loop: str, index: int) -> None:
        self.context["iteration_indexes"][loop] = index

    def leave_item(self, loop: str) -> None:
        self.context["items"].pop(loop, None)
        self.context["iteration_indexes"].pop(loop, None)

    def enter_element(self, element: Any) -> None:
        if "item" in self.context:
            self._elements.append(self.context["item"])
        else:
            self._elements.append(_NO_ELEMENT)
        self.context["item"] = element

    def leave_element(self) -> None:
        previous = self._elements.pop() if self._elements else _NO_ELEMENT
        if previous is _NO_ELEMENT:
            self.context.pop("item", None)
        else:
            self.context["item"] = previous

    def terminate(self, status: str, error: dict[str, str] | None) -> None:
        if self._terminated is None:
            self._terminated = (status, error)

    @property
    def terminated(self) -> bool:
        return self._terminated is not None

    def respond(self, name: str, status_code: int, headers: dict[str, str], body: Any) -> None:
        pending = None if self._asynchronous and self.record.response_action is None else self.outcome
        refusal = response.refusal(
            name, self.options.caller_waiting, pending, self.record.response_action, self.options.timeout_status
        )
        if refusal is not None:
            raise refusal
        self.record.response_action = name
        self._report(ResponseOutcome("response", status_code, headers, body, action=name))

    def cloud_record(self, record: ActionRecord) -> dict[str, Any]:
        return record.cloud()


_NO_ELEMENT = object()


def _in_action(error: ExpressionError, action: str) -> str:
    """The expression error as a failed action reports it (the expression package words it when it knew the
    action; conditions and loop expressions are evaluated without one)."""
    if error.message.startswith("Unable to process template language expressions"):
        return error.message
    return (
        f"Unable to process template language expressions for action '{action}' at line '1' and column '0': "
        f"'{getattr(error, 'detail', error.message)}'."
    )
