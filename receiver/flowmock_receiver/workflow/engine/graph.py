"""An action set as a graph: `runAfter` read in the service's spelling, and the set's status by the service's rule.

The rule, from "Handle errors and exceptions in Azure Logic Apps" (learn.microsoft.com/azure/logic-apps/
logic-apps-exception-handling): "if a branch ends with a Skipped action, that branch's completion status is based on
that skipped action's predecessor status [...] If any branch ends in failure, the entire logic app run is marked
Failed"; a Scope's status is decided the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowmock_receiver.workflow.engine.base import FAILED, RUN_AFTER_STATUSES, SKIPPED, SUCCEEDED, TIMED_OUT

_STATUS_NAMES = {status.lower(): status for status in RUN_AFTER_STATUSES}


def run_after(spec: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """An action's `runAfter` with statuses in the service's spelling (the definition may write them in any case);
    an empty list means Succeeded."""
    value = spec.get("runAfter")
    if not isinstance(value, Mapping):
        return {}
    result: dict[str, tuple[str, ...]] = {}
    for predecessor, statuses in value.items():
        names = statuses if isinstance(statuses, list) else [statuses]
        canonical = tuple(_STATUS_NAMES.get(str(s).lower(), str(s)) for s in names)
        result[predecessor] = canonical or (SUCCEEDED,)
    return result


def set_status(after: Mapping[str, Mapping[str, tuple[str, ...]]], statuses: Mapping[str, str]) -> str:
    """The status of an action set by the service's branch rule (see the module docstring): Failed if any branch
    end is Failed or TimedOut, a Skipped end counting as its predecessors' outcome; Succeeded otherwise.

    `statuses` is in execution order, which is a topological order of `runAfter`, so each action's outcome is
    computed after its predecessors' without recursion (a 500-action chain must not exhaust the stack)."""
    successors = {predecessor for preds in after.values() for predecessor in preds}
    outcomes: dict[str, bool] = {}  # True: the branch through this action ends failed
    for name, status in statuses.items():
        if status in (FAILED, TIMED_OUT):
            outcomes[name] = True
        elif status == SKIPPED:
            outcomes[name] = any(outcomes.get(p, False) for p in after.get(name, {}))
        else:
            outcomes[name] = False
    ends = [name for name in after if name not in successors]
    return FAILED if any(outcomes.get(name, False) for name in ends) else SUCCEEDED
