"""The actions of an imported flow's run, as a test reads them, and `assert_action`'s message.

A run's `actions` (the admin API's JSON, shaped as design.md's "Runs with actions") nest as the definition does:
scopes' and branches' actions in `children`, a loop's in each repetition. A test names an action and wants its
status, inputs and outputs, wherever it sits; when an assertion fails, it wants to see how the run got there: the
path from the trigger to the action, each step's status, as the service's run history shows it.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

UNSET: Any = object()
"""An argument not given (None is a value an action's inputs may be compared with)."""

_Level = tuple[Sequence[Mapping[str, Any]], Mapping[str, Any], int | None]
"""A container on the way to an action: its siblings, its record and the repetition index (loops)."""


@dataclass(frozen=True)
class ActionResult:
    """One action of a run (inside a loop: one repetition's). `containers` names the scopes, branches and loops
    it sits in, outermost first; `repetition` is the innermost loop's index."""

    name: str
    type: str
    status: str
    inputs: Any
    outputs: Any
    error: dict[str, str] | None
    mocked: bool | str
    start_time: str | None
    end_time: str | None
    code: str | None
    containers: tuple[str, ...]
    repetition: int | None
    data: dict[str, Any] = field(repr=False, compare=False)
    trail: tuple[_Level, ...] = field(default=(), repr=False, compare=False)
    siblings: Sequence[Mapping[str, Any]] = field(default=(), repr=False, compare=False)

    @classmethod
    def from_json(
        cls, value: Mapping[str, Any], trail: tuple[_Level, ...] = (), siblings: Sequence[Mapping[str, Any]] = ()
    ) -> ActionResult:
        return cls(
            name=value["name"],
            type=value.get("type", ""),
            status=value.get("status", ""),
            inputs=value.get("inputs"),
            outputs=value.get("outputs"),
            error=value.get("error"),
            mocked=value.get("mocked", False),
            start_time=value.get("start_time"),
            end_time=value.get("end_time"),
            code=value.get("code"),
            containers=tuple(level[1]["name"] for level in trail),
            repetition=trail[-1][2] if trail else None,
            data=dict(value),
            trail=trail,
            siblings=siblings,
        )


def walk(
    records: Sequence[Mapping[str, Any]], trail: tuple[_Level, ...] = ()
) -> Iterator[tuple[Mapping[str, Any], tuple[_Level, ...], Sequence[Mapping[str, Any]]]]:
    """Every action record, depth first in definition order, with the containers above it and its siblings."""
    for record in records:
        yield record, trail, records
        children = record.get("children") or []
        if children:
            yield from walk(children, (*trail, (records, record, None)))
        for repetition in record.get("repetitions") or []:
            yield from walk(repetition.get("actions") or [], (*trail, (records, record, repetition.get("index"))))


def action_results(actions: Sequence[Mapping[str, Any]]) -> list[ActionResult]:
    return [ActionResult.from_json(record, trail, siblings) for record, trail, siblings in walk(actions)]


def short(value: Any, limit: int = 300) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def differences(expected: Any, actual: Any, path: str = "$") -> list[str]:
    """Where `actual` fails to contain `expected` (dicts: a subset; everything else: equal)."""
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return [f"{path}: expected an object, got {short(actual, 80)}"]
        found: list[str] = []
        for key, want in expected.items():
            if key not in actual:
                found.append(f"{path}.{key}: missing")
            else:
                found.extend(differences(want, actual[key], f"{path}.{key}"))
        return found
    if expected != actual or type(expected) is not type(actual):
        return [f"{path}: expected {short(expected, 80)}, got {short(actual, 80)}"]
    return []


def _set_of(spec: Mapping[str, Any], branch: str | None) -> Mapping[str, Any]:
    """The definition's action set a child with `branch` belongs to, in a container's `spec`."""
    if branch in (None, "actions"):
        found = spec.get("actions")
    elif branch in ("else", "default"):
        found = (spec.get(branch) or {}).get("actions")
    else:
        found = ((spec.get("cases") or {}).get(branch) or {}).get("actions")
    return found if isinstance(found, Mapping) else {}


def _chain(actions: Mapping[str, Any], name: str) -> list[str]:
    """The runAfter chain from the first action of a set to `name`, following each action's first predecessor."""
    chain, seen = [name], {name}
    while True:
        spec = actions.get(chain[0])
        after = spec.get("runAfter") if isinstance(spec, Mapping) else None
        previous = next(iter(after), None) if isinstance(after, Mapping) else None
        if previous is None or previous in seen:
            return chain
        chain.insert(0, previous)
        seen.add(previous)


def path_to(result: ActionResult, definition: Mapping[str, Any] | None, trigger: str) -> str:
    """`trigger manual → Try [Failed] → in Try: Create_order [Failed]`: the steps that led to the action, with
    their statuses (the runAfter chain at each level, then into the containers)."""
    levels: list[tuple[Mapping[str, Any], Sequence[Mapping[str, Any]], Mapping[str, Any]]] = []
    actions: Mapping[str, Any] = (definition or {}).get("actions") or {}
    on_path = [level[1] for level in result.trail] + [result.data]
    for depth, (siblings, container, _index) in enumerate(result.trail):
        levels.append((actions, siblings, container))
        spec = actions.get(container["name"]) if isinstance(actions, Mapping) else None
        actions = _set_of(spec if isinstance(spec, Mapping) else {}, on_path[depth + 1].get("branch"))
    parts = [f"trigger {trigger}"]
    steps = [(a, s, c["name"]) for a, s, c in levels] + [(actions, result.siblings, result.name)]
    for depth, (action_set, siblings, name) in enumerate(steps):
        statuses = {record["name"]: record.get("status", "?") for record in siblings}
        chain = _chain(action_set, name) if isinstance(action_set, Mapping) else [name]
        rendered = [f"{step} [{statuses.get(step, 'not run')}]" for step in chain]
        if depth:
            rendered[0] = f"in {steps[depth - 1][2]}: {rendered[0]}"
        parts.extend(rendered)
    return " → ".join(parts)


def failure_message(
    *,
    flow_name: str,
    run_id: str,
    name: str,
    found: list[ActionResult],
    every: list[ActionResult],
    wanted: list[str],
    differences: Any,
    definition: Mapping[str, Any] | None,
    trigger: str,
) -> str:
    """What `assert_action` says: the closest match and what differs, and the path from the trigger to it."""
    lines = [f"flow {flow_name!r} run {run_id}: expected action {name!r}" + (f" {', '.join(wanted)}" if wanted else "")]
    if not found:
        names = sorted({r.name for r in every})
        close = difflib.get_close_matches(name, names, n=1)
        lines.append(f"no action {name!r} in this run" + (f"; closest name: {close[0]!r}" if close else ""))
        target = next((r for r in every if close and r.name == close[0]), None)
        if target is not None:
            lines.append(f"  {target.name} [{target.status}]: {path_to(target, definition, trigger)}")
        lines.append("actions of the run: " + ", ".join(f"{r.name} [{r.status}]" for r in every[:40]))
        return "\n".join(lines)
    ranked = sorted(found, key=lambda r: len(differences(r)))
    closest = ranked[0]
    where = f" (repetition {closest.repetition} of {closest.containers[-1]})" if closest.repetition is not None else ""
    lines.append(f"closest: {closest.name} [{closest.status}]{where}, of {len(found)} run(s) of it")
    lines.extend(f"  {line}" for line in differences(closest)[:8])
    if closest.error:
        lines.append(f"  error: {closest.error.get('code')}: {closest.error.get('message')}")
    lines.append(f"path: {path_to(closest, definition, trigger)}")
    return "\n".join(lines)


def check_action(
    flow: Mapping[str, Any],
    run: Any,
    name: str,
    *,
    status: str | None,
    inputs_contain: Any,
    outputs_contain: Any,
) -> ActionResult:
    """`FlowHandle.assert_action`: the first run of the action that matches, or AssertionError with the closest."""
    __tracebackhide__ = True  # a failing test shows the message, not flowmock's own source

    def differing(result: ActionResult) -> list[str]:
        found = [] if status in (None, result.status) else [f"status: expected {status}, got {result.status}"]
        if inputs_contain is not UNSET:
            found += [d.replace("$", "$.inputs", 1) for d in differences(inputs_contain, result.inputs)]
        if outputs_contain is not UNSET:
            found += [d.replace("$", "$.outputs", 1) for d in differences(outputs_contain, result.outputs)]
        return found

    every: list[ActionResult] = run.action_results
    found = [r for r in every if r.name == name]
    matching = next((r for r in found if not differing(r)), None)
    if matching is not None:
        return matching
    wanted = [f"with status {status}"] if status is not None else []
    if inputs_contain is not UNSET:
        wanted.append(f"inputs containing {short(inputs_contain, 120)}")
    if outputs_contain is not UNSET:
        wanted.append(f"outputs containing {short(outputs_contain, 120)}")
    imported = flow.get("imported") or {}
    raise AssertionError(
        failure_message(
            flow_name=str(flow.get("name")),
            run_id=run.run_id,
            name=name,
            found=found,
            every=every,
            wanted=wanted,
            differences=differing,
            definition=imported.get("definition"),
            trigger=str(flow.get("trigger_name") or "manual"),
        )
    )
