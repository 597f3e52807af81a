"""The flow engine: runs an imported definition's actions with mocks and a virtual clock, as the service would.

The public API is `run_flow`, `start_run`, `RunHandle`, `decide_trigger_for`, `has_response_action`,
`validate_definition`, `save_time_refusals`, `RunOptions`, `RunRecord`, `ActionRecord`, `Repetition`,
`ResponseOutcome`, `TriggerDecision` and `VirtualClock`; everything else may change. Flows come from
`workflow.definitions` (`load_flows`, `import_flows`, `import_value` -> `ImportedFlow`) and mocks from
`workflow.mocks` (`parse_mocks`). No Flask import anywhere below: the HTTP layer calls in.

How the HTTP layer uses it, for one accepted call to an imported flow:

    problems = validate_definition(flow.definition)               # at import: refuse what cannot run,
    refusals = save_time_refusals(flow.definition)                # and, if wanted, what the service refuses
    decision = decide_trigger_for(flow, trigger_outputs)          # trigger conditions, before any run
    if not decision.fired:
        ...  # trigger history: decision.status (Skipped, or Failed with decision.error); no run
    handle = start_run(flow, trigger_outputs, mocks, options=RunOptions(...), on_update=store_progress)
    outcome = handle.response(timeout=...)                        # known at once for most flows
    if outcome.kind in ("accepted", "response"):
        answer(outcome.status_code, outcome.headers, outcome.body)  # the trigger's headers and dropped-header rules
    else:                                                         # "no_response" 502, "timeout" 504 (or 408)
        answer(outcome.status_code, {}, outcome.error_body(tracking_id))
    record = handle.result()                                      # the finished run: status, actions, ...

`run_flow` is the same run, synchronous, returning the `RunRecord`; `on_response` is called once (twice for an
asynchronous Response: "asynchronous" 202 at the start, then what the caller's poll gets): with
`kind="accepted"` (202, empty body) as the run starts when the flow has no Response action; with the Response
action's evaluated answer when it runs (the run then goes on); or with a 502 `NoResponse` (the run ended without a
Response: it failed, or every Response was skipped) or a 504 `ResponseTimeout` (no Response within
`RunOptions.response_timeout` virtual seconds). `on_update` gets the `RunRecord` at the start, after each top-level
action and at the end (`record.to_json()` is the stored shape).

Time is virtual (`VirtualClock`): retries, Delay and Wait advance it instead of sleeping, so a run finishes in
milliseconds of real time with the start and end times the service would have recorded. Runs execute one action
at a time in a deterministic order (parallel branches and loop repetitions sequentially).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Mapping
from typing import Any

from flowmock_receiver.workflow.definitions import ImportedFlow
from flowmock_receiver.workflow.engine.clock import VirtualClock
from flowmock_receiver.workflow.engine.conditions import TriggerDecision, decide_trigger
from flowmock_receiver.workflow.engine.options import RunOptions
from flowmock_receiver.workflow.engine.records import ActionRecord, Repetition, RunRecord
from flowmock_receiver.workflow.engine.response import ResponseOutcome
from flowmock_receiver.workflow.engine.runner import Run
from flowmock_receiver.workflow.engine.validation import has_response_action, save_time_refusals, validate_definition
from flowmock_receiver.workflow.errors import EngineError
from flowmock_receiver.workflow.mocks import ActionMock, parse_mocks

__all__ = [
    "ActionRecord",
    "Repetition",
    "ResponseOutcome",
    "RunHandle",
    "RunOptions",
    "RunRecord",
    "TriggerDecision",
    "VirtualClock",
    "decide_trigger_for",
    "has_response_action",
    "run_flow",
    "save_time_refusals",
    "start_run",
    "validate_definition",
]

FlowLike = ImportedFlow | Mapping[str, Any]
"""An imported flow, or a bare workflow definition (`{"triggers", "actions", ...}`)."""


def _parts(flow: FlowLike) -> tuple[Mapping[str, Any], dict[str, Any], tuple[str, ...], str, str]:
    """(definition, parameter defaults, trigger conditions, trigger name, display name) of a flow value."""
    if isinstance(flow, ImportedFlow):
        trigger = flow.trigger
        return (
            flow.definition,
            dict(flow.parameters),
            trigger.conditions if trigger else (),
            trigger.name if trigger else "manual",
            flow.display_name,
        )
    if not isinstance(flow, Mapping):
        raise EngineError(f"a flow is an ImportedFlow or a definition mapping, not {type(flow).__name__}")
    parameters = {
        name: spec["defaultValue"]
        for name, spec in (flow.get("parameters") or {}).items()
        if isinstance(spec, Mapping) and "defaultValue" in spec
    }
    declared = flow.get("triggers")
    triggers: Mapping[str, Any] = declared if isinstance(declared, Mapping) else {}
    name, spec = next(iter(triggers.items()), ("manual", {}))
    conditions = tuple(
        str(c["expression"])
        for c in (spec.get("conditions") or [] if isinstance(spec, Mapping) else [])
        if isinstance(c, Mapping) and "expression" in c
    )
    return flow, parameters, conditions, str(name), "flow"


def decide_trigger_for(
    flow: FlowLike,
    trigger_outputs: Mapping[str, Any],
    *,
    clock: VirtualClock | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> TriggerDecision:
    """Evaluate the trigger's `conditions` against the call's outputs: fire, or record Skipped (a false condition)
    or Failed (one that cannot be evaluated), with no run in either case."""
    _, defaults, conditions, trigger_name, _ = _parts(flow)
    now = (clock or VirtualClock()).now()
    context = {
        "trigger": dict(trigger_outputs),
        "trigger_name": trigger_name,
        "parameters": {**defaults, **(parameters or {})},
        "now": now,
    }
    return decide_trigger(conditions, context)


def run_flow(
    flow: FlowLike,
    trigger_outputs: Mapping[str, Any],
    mocks: Mapping[str, ActionMock] | Mapping[str, Any] | None = None,
    *,
    clock: VirtualClock | None = None,
    options: RunOptions | None = None,
    on_response: Callable[[ResponseOutcome], None] | None = None,
    on_update: Callable[[RunRecord], None] | None = None,
    cancel: threading.Event | None = None,
) -> RunRecord:
    """Run the flow's actions for one trigger firing and return the finished run.

    `trigger_outputs` is what the trigger exposes (`{"headers", "body", "queries", "relativePathParameters"}`);
    `mocks` maps action names to mocks (parsed `ActionMock`s, or the raw mapping, validated here). `on_update` is
    called with the run's record when the run starts, after each top-level action (a container's nested actions
    appear when it finishes) and when it ends; `cancel` set from another thread ends the run Cancelled before its next
    action. Raises `EngineError` only for a definition that cannot run at all (see `validate_definition`)."""
    definition, defaults, _, trigger_name, display = _parts(flow)
    problems = validate_definition(definition)
    if problems:
        raise EngineError("; ".join(problems))
    parsed = _mocks(mocks)
    options = options or RunOptions()
    workflow = dict(options.workflow or {"name": display, "run": {"name": ""}})
    run = Run(
        definition,
        trigger_outputs,
        parsed,
        parameters={**defaults, **(options.parameters or {})},
        clock=clock or VirtualClock(),
        options=dataclasses.replace(options, workflow=workflow),
        on_response=on_response,
        on_update=on_update,
        cancel=cancel,
        trigger_name=trigger_name,
    )
    return run.execute()


def _mocks(mocks: Mapping[str, Any] | None) -> dict[str, ActionMock]:
    if not mocks:
        return {}
    if all(isinstance(value, ActionMock) for value in mocks.values()):
        return dict(mocks)
    return parse_mocks(mocks)


class RunHandle:
    """A run going on in a background thread: `response()` waits for the caller's answer, `result()` for the run.

    Exceptions raised inside the run (an `EngineError`, or a bug) are re-raised by `response()` and `result()`."""

    def __init__(self) -> None:
        self._response = threading.Event()
        self._done = threading.Event()
        self._cancel = threading.Event()
        self._outcome: ResponseOutcome | None = None
        self._record: RunRecord | None = None
        self._error: BaseException | None = None
        self.thread: threading.Thread | None = None

    def _answered(self, outcome: ResponseOutcome) -> None:
        self._outcome = outcome
        self._response.set()

    def response(self, timeout: float | None = None) -> ResponseOutcome | None:
        """The outcome for the HTTP caller, once known (None if `timeout` real seconds passed first)."""
        self._response.wait(timeout)
        if self._error is not None:
            raise self._error
        return self._outcome

    def result(self, timeout: float | None = None) -> RunRecord:
        """The finished run (raises TimeoutError if it is still going after `timeout` real seconds)."""
        if not self._done.wait(timeout):
            raise TimeoutError("the run is still going")
        if self._error is not None:
            raise self._error
        assert self._record is not None
        return self._record

    def cancel(self) -> None:
        """Cancel the run: it ends Cancelled before its next action."""
        self._cancel.set()

    @property
    def done(self) -> bool:
        return self._done.is_set()


def start_run(
    flow: FlowLike,
    trigger_outputs: Mapping[str, Any],
    mocks: Mapping[str, ActionMock] | Mapping[str, Any] | None = None,
    *,
    clock: VirtualClock | None = None,
    options: RunOptions | None = None,
    on_response: Callable[[ResponseOutcome], None] | None = None,
    on_update: Callable[[RunRecord], None] | None = None,
) -> RunHandle:
    """`run_flow` in a daemon thread; returns at once with a handle."""
    handle = RunHandle()

    def answered(outcome: ResponseOutcome) -> None:
        handle._answered(outcome)
        if on_response is not None:
            on_response(outcome)

    def target() -> None:
        try:
            handle._record = run_flow(
                flow,
                trigger_outputs,
                mocks,
                clock=clock,
                options=options,
                on_response=answered,
                on_update=on_update,
                cancel=handle._cancel,
            )
        except BaseException as exc:  # handed to the caller through response()/result()
            handle._error = exc
        finally:
            handle._response.set()
            handle._done.set()

    handle.thread = threading.Thread(target=target, name="flowmock-run", daemon=True)
    handle.thread.start()
    return handle
