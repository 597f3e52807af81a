"""Control actions: Scope, If (Condition), Switch, Foreach, Until, Terminate, and Wait (Delay, Delay until).

A container's status follows the service's rule for scopes ("Handle errors and exceptions in Azure Logic Apps",
learn.microsoft.com/azure/logic-apps/logic-apps-exception-handling): it is decided by the branch ends of its
actions, a skipped end counting as its predecessor's outcome; a failed container reports `ActionFailed`, "An action
failed. No dependent actions succeeded." Branches not taken (the other side of an If, the other Switch cases) are
recorded as Skipped with `ActionBranchingConditionNotSatisfied`, as the service's run history shows them.

Loops run their repetitions one after another, in order, whatever their concurrency setting (the setting is
recorded in the loop's inputs): results are the same as the service's for loops whose repetitions do not race on
variables, and deterministic for those that do.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flowmock_receiver.workflow.engine.base import (
    BLOCK_FAILED_MESSAGE,
    FAILED,
    SUCCEEDED,
    TIMED_OUT,
    ActionFailure,
    Handler,
    Runner,
    as_mapping,
)
from flowmock_receiver.workflow.engine.clock import UNIT_SECONDS, parse_duration, parse_time
from flowmock_receiver.workflow.engine.data import MAX_ITEMS
from flowmock_receiver.workflow.engine.records import ActionRecord, Repetition
from flowmock_receiver.workflow.expressions.values import type_name

UNTIL_DEFAULT_COUNT = 60
UNTIL_DEFAULT_TIMEOUT = "PT1H"
UNTIL_MAX_COUNT = 5000
FOREACH_DEFAULT_CONCURRENCY = 20
MAX_DELAY_SECONDS = 90 * 86400.0
"""A run lasts at most 90 days in Logic Apps (30 in Power Automate): no Delay can be longer."""


def _finish_container(record: ActionRecord, status: str) -> None:
    if status in (FAILED, TIMED_OUT):
        raise ActionFailure("ActionFailed", BLOCK_FAILED_MESSAGE, result_code="ActionFailed")
    record.code = "NotSpecified"


def scope(run: Runner, name: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    children, status = run.run_actions(as_mapping(spec.get("actions")), "actions")
    record.children = children
    run.set_results(name, [run.cloud_record(child) for child in children])
    _finish_container(record, status)


def condition(run: Runner, name: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    outcome = run.evaluate_condition(spec.get("expression"), kind="if")
    record.inputs = {"expressionResult": outcome}
    taken, other = ("actions", "else") if outcome else ("else", "actions")
    taken_actions = _branch_actions(spec, taken)
    other_actions = _branch_actions(spec, other)
    skipped = run.skip_actions(other_actions, other, "branch")
    children, status = run.run_actions(taken_actions, taken)
    record.children = [*children, *skipped] if taken == "actions" else [*skipped, *children]
    run.set_results(name, [run.cloud_record(child) for child in children])
    _finish_container(record, status)


def _branch_actions(spec: Mapping[str, Any], branch: str) -> Mapping[str, Any]:
    if branch == "actions":
        return as_mapping(spec.get("actions"))
    return as_mapping(as_mapping(spec.get("else")).get("actions"))


def switch(run: Runner, name: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    """The first case whose `case` equals the value, with the same type (the service compares with
    `strongEquals`: the string "1" does not match the integer 1); otherwise `default`."""
    value = run.evaluate(spec.get("expression"))
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ActionFailure(
            "ExpressionEvaluationFailed",
            f"The execution of template action '{name}' failed: The result of the evaluation of 'scope' action "
            f"expression '{spec.get('expression')}' is not valid. It is of type '{type_name(value)}' but is expected "
            "to be a value of type 'String, Integer'.",
        )
    record.inputs = {"expressionResult": value}
    cases = as_mapping(spec.get("cases"))
    chosen: str | None = None
    for case_name, case in cases.items():
        expected = as_mapping(case).get("case")
        if type(expected) is type(value) and expected == value:
            chosen = case_name
            break
    children: list[ActionRecord] = []
    status = SUCCEEDED
    for case_name, case in cases.items():
        actions = as_mapping(as_mapping(case).get("actions"))
        if case_name == chosen:
            ran, status = run.run_actions(actions, case_name)
            children.extend(ran)
            run.set_results(name, [run.cloud_record(child) for child in ran])
        else:
            children.extend(run.skip_actions(actions, case_name, "branch"))
    default = as_mapping(as_mapping(spec.get("default")).get("actions"))
    if chosen is None:
        ran, status = run.run_actions(default, "default")
        children.extend(ran)
        run.set_results(name, [run.cloud_record(child) for child in ran])
    else:
        children.extend(run.skip_actions(default, "default", "branch"))
    record.children = children
    _finish_container(record, status)


def foreach(run: Runner, name: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    """One repetition per element of `foreach`, with `items(name)` the element. The loop fails when any repetition
    failed, as the service's For each does; a Terminate inside stops it."""
    items = run.evaluate(spec.get("foreach"))
    if not isinstance(items, list):
        raise ActionFailure(
            "InvalidTemplate",
            f"The execution of template action '{name}' failed: the result of the evaluation of 'foreach' expression "
            f"'{spec.get('foreach')}' is of type '{type_name(items)}'. The result must be a valid array.",
        )
    if len(items) > MAX_ITEMS:
        raise ActionFailure(
            "InvalidTemplate", f"A For each takes at most {MAX_ITEMS} items; this one has {len(items)}."
        )
    options = str(spec.get("operationOptions", ""))
    concurrency = as_mapping(as_mapping(spec.get("runtimeConfiguration")).get("concurrency")).get("repetitions")
    sequential = "sequential" in options.lower() or concurrency == 1
    record.inputs = {
        "foreach": items,
        "concurrency": 1 if sequential else concurrency or FOREACH_DEFAULT_CONCURRENCY,
        "executed": "sequentially",
    }
    actions = as_mapping(spec.get("actions"))
    failed = False
    for index, item in enumerate(items):
        if run.terminated:
            break
        run.enter_item(name, item, index)
        try:
            children, status = run.run_actions(actions, None)
        finally:
            run.leave_item(name)
        record.repetitions.append(Repetition(index, status, children))
        failed = failed or status in (FAILED, TIMED_OUT)
    _loop_results(run, name, record)
    _finish_container(record, FAILED if failed else SUCCEEDED)


def until(run: Runner, name: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    """Repeat the actions, then test `expression`; stop when it is true, after `limit.count` repetitions (default
    60) or once `limit.timeout` (default PT1H) has passed on the run's clock. Reaching a limit ends the loop as
    Succeeded; its status is the last repetition's (a poll that failed and then succeeded ends well)."""
    limit = as_mapping(spec.get("limit"))
    count = limit.get("count", UNTIL_DEFAULT_COUNT)
    count = run.evaluate(count)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        count = UNTIL_DEFAULT_COUNT
    count = min(count, UNTIL_MAX_COUNT)
    timeout_text = run.evaluate(limit.get("timeout", UNTIL_DEFAULT_TIMEOUT))
    try:
        timeout = parse_duration(str(timeout_text))
    except ValueError as exc:
        raise ActionFailure(
            "InvalidTemplate", f"The Until limit timeout '{timeout_text}' is not an ISO 8601 duration."
        ) from exc
    started = run.clock.elapsed()
    actions = as_mapping(spec.get("actions"))
    status = SUCCEEDED
    reason = "count"
    for index in range(count):
        if run.terminated:
            reason = "terminated"
            break
        run.enter_iteration(name, index)
        try:
            children, status = run.run_actions(actions, None)
        finally:
            run.leave_item(name)
        record.repetitions.append(Repetition(index, status, children))
        if run.terminated:
            reason = "terminated"
            break
        if run.evaluate_condition(spec.get("expression"), kind="until"):
            reason = "expression"
            break
        if run.clock.elapsed() - started >= timeout:
            reason = "timeout"
            break
    record.inputs = {"limit": {"count": count, "timeout": timeout_text}, "stopped_by": reason}
    _loop_results(run, name, record)
    _finish_container(record, status)


def _loop_results(run: Runner, name: str, record: ActionRecord) -> None:
    """`result(loop)`: one entry per first-level action, its `outputs` listing that action in every repetition."""
    by_name: dict[str, list[dict[str, Any]]] = {}
    statuses: dict[str, str] = {}
    for repetition in record.repetitions:
        for child in repetition.actions:
            by_name.setdefault(child.name, []).append(run.cloud_record(child))
            if statuses.get(child.name) != FAILED:
                statuses[child.name] = child.status
    run.set_results(
        name,
        [{"name": child, "status": statuses[child], "outputs": entries} for child, entries in by_name.items()],
    )


def terminate(run: Runner, name: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    """End the run with `runStatus` (Succeeded, Failed or Cancelled) and, for Failed, `runError`."""
    inputs = as_mapping(run.evaluate(spec.get("inputs")))
    status = str(inputs.get("runStatus", FAILED))
    canonical = {s.lower(): s for s in (SUCCEEDED, FAILED, "Cancelled")}.get(status.lower())
    if canonical is None:
        raise ActionFailure(
            "InvalidTemplate", f"The Terminate run status '{status}' is not one of Succeeded, Failed, Cancelled."
        )
    error = as_mapping(inputs.get("runError"))
    run_error = None
    if canonical == FAILED:
        run_error = {"code": str(error.get("code", "Terminated")), "message": str(error.get("message", ""))}
    record.inputs = dict(inputs)
    record.code = "NotSpecified"
    run.terminate(canonical, run_error)


def wait(run: Runner, name: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    """Delay (`interval: {count, unit}`) or Delay until (`until: {timestamp}`), on the virtual clock."""
    inputs = as_mapping(run.evaluate(spec.get("inputs")))
    record.inputs = dict(inputs)
    if "until" in inputs:
        stamp = as_mapping(inputs["until"]).get("timestamp")
        try:
            moment: datetime = parse_time(str(stamp))
        except ValueError as exc:
            raise ActionFailure("InvalidTemplate", f"The Delay until timestamp '{stamp}' is not valid.") from exc
        run.clock.advance_to(moment)
    else:
        interval = as_mapping(inputs.get("interval"))
        unit = str(interval.get("unit", "Second")).lower()
        amount = interval.get("count", 0)
        if unit not in UNIT_SECONDS or isinstance(amount, bool) or not isinstance(amount, int | float) or amount < 0:
            raise ActionFailure("InvalidTemplate", f"The Delay interval {dict(interval)} is not valid.")
        seconds = float(amount) * UNIT_SECONDS[unit]
        if seconds > MAX_DELAY_SECONDS:
            raise ActionFailure("InvalidTemplate", f"The Delay of {dict(interval)} is longer than a run can last.")
        run.clock.advance(seconds)
    record.code = "OK"


HANDLERS: dict[str, Handler] = {
    "scope": scope,
    "if": condition,
    "switch": switch,
    "foreach": foreach,
    "until": until,
    "terminate": terminate,
    "wait": wait,
}
