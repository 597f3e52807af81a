"""Records of actions that do not run, with the service's reasons.

The service's run history shows an action skipped by its `runAfter` with `ActionConditionFailed` ("The execution of
template action 'B' is skipped: the 'runAfter' condition for action 'A' is not satisfied. Expected status values
'Succeeded' and actual value 'Failed'."), and one on the side of an If or Switch that was not taken with
`ActionBranchingConditionNotSatisfied` ("The execution of template action 'B' skipped: the branching condition for
this action is not satisfied."); both with the result code `ActionSkipped`. The actions inside a container that did
not run are recorded Skipped too (without an error), so a run view can show the whole tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowmock_receiver.workflow.engine.base import SKIPPED, as_mapping
from flowmock_receiver.workflow.engine.records import ActionRecord


def run_after_error(name: str, predecessor: str, expected: tuple[str, ...], actual: str) -> dict[str, str]:
    return {
        "code": "ActionConditionFailed",
        "message": f"The execution of template action '{name}' is skipped: the 'runAfter' condition for action "
        f"'{predecessor}' is not satisfied. Expected status values '{', '.join(expected)}' and actual value "
        f"'{actual}'.",
    }


def branch_error(name: str) -> dict[str, str]:
    return {
        "code": "ActionBranchingConditionNotSatisfied",
        "message": f"The execution of template action '{name}' skipped: the branching condition for this action is "
        "not satisfied.",
    }


def skipped(name: str, spec: Mapping[str, Any], now: str) -> ActionRecord:
    """A Skipped record for `name`, with its container's actions (if it is one) Skipped inside it."""
    record = ActionRecord(name, str(spec.get("type", "")), SKIPPED, now, now, code="ActionSkipped")
    record.children = _nested(spec, now)
    return record


def skipped_set(
    actions: Mapping[str, Any], branch: str | None, now: str, *, branch_not_taken: bool
) -> list[ActionRecord]:
    records = []
    for name, spec in actions.items():
        record = skipped(name, as_mapping(spec), now)
        if branch_not_taken:
            record.error = branch_error(name)
        record.branch = branch
        records.append(record)
    return records


def _nested(spec: Mapping[str, Any], now: str) -> list[ActionRecord]:
    kind = str(spec.get("type", "")).lower()
    if kind == "scope":
        return skipped_set(as_mapping(spec.get("actions")), "actions", now, branch_not_taken=False)
    if kind == "if":
        return [
            *skipped_set(as_mapping(spec.get("actions")), "actions", now, branch_not_taken=False),
            *skipped_set(as_mapping(as_mapping(spec.get("else")).get("actions")), "else", now, branch_not_taken=False),
        ]
    if kind == "switch":
        nested: list[ActionRecord] = []
        for case_name, case in as_mapping(spec.get("cases")).items():
            actions = as_mapping(as_mapping(case).get("actions"))
            nested.extend(skipped_set(actions, case_name, now, branch_not_taken=False))
        default = as_mapping(as_mapping(spec.get("default")).get("actions"))
        return [*nested, *skipped_set(default, "default", now, branch_not_taken=False)]
    return []  # a loop that did not run has no repetitions
