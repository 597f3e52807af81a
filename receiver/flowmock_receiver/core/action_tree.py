"""Reading a run's recorded actions: the JSON tree of design.md "Runs with actions", as people look at it.

The run page, `flowmock runs show` and the reports all read the same tree (`{name, type, status, start_time,
end_time, inputs, outputs, error, mocked, children, repetitions}`, with `branch` on children). What they need from it
is the same too, so it is answered here once, from the JSON alone (no import of the engine: a run read back from a
store or fetched over the admin API is all there is): where an action sits (`walk`, with the path from the trigger),
how long it took, and why it was skipped, in the words of the service's own `ActionConditionFailed` and
`ActionBranchingConditionNotSatisfied` errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

Action = Mapping[str, Any]

_RUN_AFTER = re.compile(
    r"the 'runAfter' condition for action '(?P<predecessor>.*)' is not satisfied\. "
    r"Expected status values '(?P<expected>[^']*)' and actual value '(?P<actual>[^']*)'",
    re.DOTALL,
)
_TIME = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)?$")


@dataclass(frozen=True)
class Located:
    """An action and where it sits: the names from the run's top level down to it, with a loop's repetition as
    `Loop[2]` (0-based, as `iterationIndexes()` counts), and the depth for indenting."""

    action: Action
    path: tuple[str, ...]

    @property
    def depth(self) -> int:
        return len(self.path) - 1

    @property
    def key(self) -> str:
        """A stable identifier of this action in this run (a page keeps a card's open state across updates)."""
        return "/".join(self.path)


def has_actions(run: Mapping[str, Any]) -> bool:
    """Whether a run (admin API JSON) is an imported flow's run with actions to show: some recorded, or still
    Running. Runs of flows defined in flowmock's own terms carry an empty `actions` list, or none."""
    actions = run.get("actions")
    return isinstance(actions, list) and (bool(actions) or run.get("status") == "Running")


def walk(actions: Sequence[Action], path: tuple[str, ...] = ()) -> Iterator[Located]:
    """Every action, depth first in recorded order: an action, then its children, then each repetition's actions."""
    for action in actions:
        here = (*path, str(action.get("name", "")))
        yield Located(action, here)
        yield from walk(action.get("children") or [], here)
        for repetition in action.get("repetitions") or []:
            yield from walk(repetition.get("actions") or [], (*path, f"{here[-1]}[{repetition.get('index', 0)}]"))


def find(actions: Sequence[Action], name: str) -> list[Located]:
    """Every record of the action `name` (one per repetition inside a loop), in order."""
    return [located for located in walk(actions) if located.action.get("name") == name]


def parse_time(value: object) -> datetime | None:
    """A recorded timestamp (the service's seven fractional digits included), or None when there is none."""
    if not isinstance(value, str):
        return None
    match = _TIME.match(value.strip())
    if match is None:
        return None
    seconds, fraction, zone = match.groups()
    micro = (fraction or "")[:6].ljust(6, "0")
    offset = "+00:00" if zone in (None, "Z") else zone
    try:
        return datetime.fromisoformat(f"{seconds}.{micro}{offset}")
    except ValueError:
        return None


def duration_ms(action: Mapping[str, Any]) -> float | None:
    """Milliseconds from `start_time` to `end_time`; None while the action runs or when a time is missing."""
    start, end = parse_time(action.get("start_time")), parse_time(action.get("end_time"))
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds() * 1000)


def format_duration(ms: float | None) -> str:
    """As the run history shows durations: `0 ms`, `12 ms`, `1.5 s`, `2 min 5 s`, `1 h 3 min`; `–` when unknown."""
    if ms is None:
        return "–"
    if ms < 1000:
        return f"{ms:.0f} ms"
    seconds = ms / 1000
    if seconds < 60:
        return f"{seconds:.1f} s".replace(".0 s", " s")
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def skip_reason(action: Mapping[str, Any], parent: Mapping[str, Any] | None = None) -> str | None:
    """Why a Skipped action did not run, in a few words (`waited for 'A' to be Succeeded; it was Failed`); None
    for an action that was not skipped.

    The engine records the service's errors: `ActionConditionFailed` names the predecessor, the statuses the action
    waited for and the one it got; `ActionBranchingConditionNotSatisfied` is the side of a condition or switch that
    was not taken. An action without either sits in a container that did not run itself."""
    if action.get("status") != "Skipped":
        return None
    error = action.get("error") or {}
    code, message = error.get("code"), str(error.get("message") or "")
    if code == "ActionConditionFailed":
        match = _RUN_AFTER.search(message)
        if match:
            expected = " or ".join(s.strip() for s in match["expected"].split(",") if s.strip())
            return f"waited for '{match['predecessor']}' to be {expected}; it was {match['actual']}"
        return message or "its runAfter condition was not satisfied"
    if code == "ActionBranchingConditionNotSatisfied":
        return "its branch was not taken"
    if parent is not None and parent.get("status") == "Skipped":
        return f"'{parent.get('name')}', which holds it, was skipped"
    return message or "it did not run"


def branch_label(parent_type: str, branch: str | None) -> str | None:
    """The heading of a group of children, as the designer names it: `If yes`/`If no` under a condition, `Case X`
    and `Default` under a switch; None for a scope's own actions (no heading needed)."""
    kind = parent_type.lower()
    if branch is None:
        return None
    if kind == "if":
        return {"actions": "If yes", "else": "If no"}.get(branch, branch)
    if kind == "switch":
        return "Default" if branch == "default" else f"Case {branch}"
    return None if branch == "actions" else branch


def mock_label(mocked: object) -> str | None:
    """`not mocked` for an outside call that took the default result (nothing was configured for it), `mocked` for
    one that took its mock, None for a built-in action (Compose, Scope, ...) that never reaches outside."""
    if mocked == "default":
        return "not mocked"
    if mocked is True:
        return "mocked"
    return None
