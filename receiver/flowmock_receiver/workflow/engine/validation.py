"""Checks a definition must pass before it runs: the ones the service makes when a flow is saved.

The service refuses to save a definition whose `runAfter` names an action outside the same action set, or whose
`runAfter` graph has a cycle; such a definition cannot run, so the engine refuses it too (`EngineError`), and the
import path can call `validate_definition` to refuse it at import with the same sentences.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

MAX_NESTING = 32
"""Deepest nesting of containers the engine runs (the service allows 8; this only keeps hostile input off the stack)."""


class _TooDeep(Exception):
    pass


def _sets(actions: Any, where: str, depth: int = 0) -> Iterator[tuple[str, Any]]:
    """Every action set in the definition, with a path for messages (`actions`, `Scope.actions`, `If.else`, ...)."""
    if depth > MAX_NESTING:
        raise _TooDeep(where)
    yield where, actions
    if not isinstance(actions, Mapping):
        return
    for name, spec in actions.items():
        if not isinstance(spec, Mapping):
            continue
        if "actions" in spec:
            yield from _sets(spec["actions"], f"{name}.actions", depth + 1)
        branch = spec.get("else")
        if isinstance(branch, Mapping) and "actions" in branch:
            yield from _sets(branch["actions"], f"{name}.else", depth + 1)
        default = spec.get("default")
        if isinstance(default, Mapping) and "actions" in default:
            yield from _sets(default["actions"], f"{name}.default", depth + 1)
        cases = spec.get("cases")
        if isinstance(cases, Mapping):
            for case_name, case in cases.items():
                if isinstance(case, Mapping) and "actions" in case:
                    yield from _sets(case["actions"], f"{name}.cases.{case_name}", depth + 1)


def validate_definition(definition: Mapping[str, Any]) -> list[str]:
    """Problems that stop the definition from running, one sentence each; empty when it can run."""
    problems: list[str] = []
    if not isinstance(definition, Mapping):
        return ["the definition is not an object"]
    try:
        sets = list(_sets(definition.get("actions", {}), "actions"))
    except _TooDeep as deep:
        return [f"actions are nested deeper than {MAX_NESTING} levels at {deep.args[0]}"]
    for where, actions in sets:
        if not isinstance(actions, Mapping):
            problems.append(f"{where} is not an object")
            continue
        graph: dict[str, list[str]] = {}
        for name, spec in actions.items():
            if not isinstance(spec, Mapping):
                problems.append(f"action '{name}' in {where} is not an object")
                continue
            if not isinstance(spec.get("type", ""), str):
                problems.append(f"action '{name}' has a type that is not a string")
            after = spec.get("runAfter") or {}
            if not isinstance(after, Mapping):
                problems.append(f"action '{name}' has a runAfter that is not an object")
                continue
            graph[name] = list(after)
            for predecessor in after:
                if predecessor not in actions:
                    problems.append(f"action '{name}' runs after '{predecessor}', which is not in {where}")
        problems.extend(_cycles(graph, where))
    return problems


def _cycles(graph: dict[str, list[str]], where: str) -> list[str]:
    state: dict[str, int] = {}
    for start in graph:
        if state.get(start):
            continue
        stack: list[tuple[str, int]] = [(start, 0)]
        state[start] = 1
        while stack:
            node, index = stack[-1]
            successors = [p for p in graph.get(node, []) if p in graph]
            if index < len(successors):
                stack[-1] = (node, index + 1)
                nxt = successors[index]
                if state.get(nxt) == 1:
                    return [f"the runAfter of '{nxt}' in {where} forms a cycle"]
                if not state.get(nxt):
                    state[nxt] = 1
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                stack.pop()
    return []


def has_response_action(definition: Mapping[str, Any]) -> bool:
    """True when a Response action appears anywhere in the definition (the caller then waits for it)."""
    try:
        sets = list(_sets(definition.get("actions", {}) if isinstance(definition, Mapping) else {}, "actions"))
    except _TooDeep:
        return False
    for _, actions in sets:
        if isinstance(actions, Mapping) and any(
            isinstance(spec, Mapping) and str(spec.get("type", "")).lower() == "response" for spec in actions.values()
        ):
            return True
    return False


def has_asynchronous_response(definition: Mapping[str, Any]) -> bool:
    """True when a Response action has the "Asynchronous response" setting (`operationOptions: Asynchronous`)."""
    try:
        sets = list(_sets(definition.get("actions", {}) if isinstance(definition, Mapping) else {}, "actions"))
    except _TooDeep:
        return False
    return any(
        isinstance(spec, Mapping)
        and str(spec.get("type", "")).lower() == "response"
        and "asynchronous" in str(spec.get("operationOptions", "")).lower()
        for _, actions in sets
        if isinstance(actions, Mapping)
        for spec in actions.values()
    )


def save_time_refusals(definition: Mapping[str, Any]) -> list[str]:
    """What the service refuses when a flow is saved, beyond what stops a run: a Response action inside a For each or
    Until loop ("not inside For each, Until, or parallel branches", connectors-native-reqres), a literal Response
    status that is not 2xx, 4xx or 5xx, and an Initialize variable action below the top level (the designer allows
    it only there). The engine runs such definitions anyway; the import path may refuse them as the service would."""
    refusals: list[str] = []
    if not isinstance(definition, Mapping):
        return refusals
    stack: list[tuple[Any, int, bool]] = [(definition.get("actions"), 0, False)]
    while stack:
        actions, depth, in_loop = stack.pop()
        if not isinstance(actions, Mapping) or depth > MAX_NESTING:
            continue
        for name, spec in actions.items():
            if not isinstance(spec, Mapping):
                continue
            kind = str(spec.get("type", "")).lower()
            if kind == "response":
                if in_loop:
                    refusals.append(f"the Response action '{name}' is inside a For each or Until loop")
                status = as_mapping(spec.get("inputs")).get("statusCode")
                if isinstance(status, int) and not (200 <= status <= 299 or 400 <= status <= 599):
                    refusals.append(f"the Response action '{name}' has status code {status}: use 2xx, 4xx or 5xx")
            if kind == "initializevariable" and depth > 0:
                refusals.append(f"the Initialize variable action '{name}' is not at the top level of the workflow")
            looping = in_loop or kind in ("foreach", "until")
            for nested in _nested_sets(spec):
                stack.append((nested, depth + 1, looping))
    return refusals


def _nested_sets(spec: Mapping[str, Any]) -> list[Any]:
    nested = [spec.get("actions"), as_mapping(spec.get("else")).get("actions")]
    nested.append(as_mapping(spec.get("default")).get("actions"))
    nested.extend(as_mapping(case).get("actions") for case in as_mapping(spec.get("cases")).values())
    return [actions for actions in nested if actions is not None]


def as_mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}
