"""Variables: Initialize, Set, Increment, Decrement, Append to array, Append to string.

The service types a variable when it is initialized (`Boolean`, `Integer`, `Float`, `String`, `Array`, `Object`)
and refuses later values of another type; increments need a number, appends an array or a string. The action
outputs follow the service's run history: `Set`, `Increment`, `Decrement` and the appends show the variable's new
value in `outputs.body` (`{"name", "value"}`); `Initialize` shows only its inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowmock_receiver.workflow.engine.base import ActionFailure, Handler, Runner, as_mapping
from flowmock_receiver.workflow.engine.data import text_of
from flowmock_receiver.workflow.engine.records import ActionRecord

TYPES = {
    "boolean": "Boolean",
    "integer": "Integer",
    "float": "Float",
    "string": "String",
    "array": "Array",
    "object": "Object",
}
_DEFAULTS: dict[str, Any] = {"Boolean": False, "Integer": 0, "Float": 0.0, "String": "", "Array": [], "Object": {}}


def _fits(kind: str, value: Any) -> bool:
    if value is None:
        return True  # the service accepts null for any type
    if kind == "Boolean":
        return isinstance(value, bool)
    if kind == "Integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "Float":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "String":
        return isinstance(value, str)
    if kind == "Array":
        return isinstance(value, list)
    return isinstance(value, Mapping)


def _kind_of(value: Any) -> str:
    for kind in ("Boolean", "Integer", "Float", "String", "Array", "Object"):
        if value is not None and _fits(kind, value):
            return kind
    return "Null"


def _check(name: str, kind: str, value: Any) -> None:
    if not _fits(kind, value):
        raise ActionFailure(
            "InvalidVariableValue",
            f"The variable '{name}' of type '{kind}' cannot be initialized or updated with value of type "
            f"'{_kind_of(value)}'. The variable '{name}' only supports values of types '{kind}'.",
        )


def _declared(run: Runner, name: Any) -> str:
    if not isinstance(name, str) or name not in run.variables:
        raise ActionFailure("InvalidTemplate", f"The variable '{name}' has not been initialized.")
    return run.variable_types[name]


def initialize_variable(run: Runner, action: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    inputs = as_mapping(spec.get("inputs"))
    declared = inputs.get("variables")
    if not isinstance(declared, list):
        raise ActionFailure("InvalidTemplate", "An InitializeVariable action needs 'inputs.variables', a list.")
    shown: list[dict[str, Any]] = []
    for entry in declared:
        entry = as_mapping(entry)
        name, kind_text = entry.get("name"), str(entry.get("type", "")).lower()
        if not isinstance(name, str) or not name:
            raise ActionFailure("InvalidTemplate", "A variable needs a name.")
        if kind_text not in TYPES:
            raise ActionFailure("InvalidTemplate", f"The variable '{name}' has the unknown type '{entry.get('type')}'.")
        if name in run.variables:
            raise ActionFailure("InvalidTemplate", f"The variable '{name}' is already initialized.")
        kind = TYPES[kind_text]
        value = run.evaluate(entry["value"]) if "value" in entry else _fresh(kind)
        if kind == "Float" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        _check(name, kind, value)
        run.variables[name] = value
        run.variable_types[name] = kind
        shown.append({"name": name, "type": kind_text, "value": value})
    record.inputs = {"variables": shown}
    record.code = "NotSpecified"


def _fresh(kind: str) -> Any:
    default = _DEFAULTS[kind]
    return type(default)() if isinstance(default, list | dict) else default


def set_variable(run: Runner, action: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    inputs = as_mapping(spec.get("inputs"))
    name = inputs.get("name")
    kind = _declared(run, name)
    value = run.evaluate(inputs.get("value"))
    if kind == "Float" and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    _check(str(name), kind, value)
    run.variables[str(name)] = value
    _done(record, str(name), value)


def _step(sign: int) -> Handler:
    def handler(run: Runner, action: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
        inputs = as_mapping(spec.get("inputs"))
        name = inputs.get("name")
        kind = _declared(run, name)
        if kind not in ("Integer", "Float"):
            raise ActionFailure(
                "InvalidTemplate", f"The variable '{name}' of type '{kind}' cannot be incremented or decremented."
            )
        amount = run.evaluate(inputs.get("value", 1))
        if isinstance(amount, bool) or not isinstance(amount, int | float):
            raise ActionFailure("InvalidTemplate", f"The increment value must be a number, not '{_kind_of(amount)}'.")
        if kind == "Integer" and isinstance(amount, float):
            raise ActionFailure(
                "InvalidTemplate", f"The variable '{name}' of type 'Integer' cannot take a Float increment."
            )
        current = run.variables[str(name)] or 0
        run.variables[str(name)] = current + sign * amount
        _done(record, str(name), run.variables[str(name)], shown_value=amount)

    return handler


def append_to_array(run: Runner, action: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    inputs = as_mapping(spec.get("inputs"))
    name = inputs.get("name")
    kind = _declared(run, name)
    if kind != "Array":
        raise ActionFailure("InvalidTemplate", f"The variable '{name}' of type '{kind}' is not an array.")
    value = run.evaluate(inputs.get("value"))
    current = run.variables[str(name)]
    run.variables[str(name)] = [*(current or []), value]
    _done(record, str(name), run.variables[str(name)], shown_value=value)


def append_to_string(run: Runner, action: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    inputs = as_mapping(spec.get("inputs"))
    name = inputs.get("name")
    kind = _declared(run, name)
    if kind != "String":
        raise ActionFailure("InvalidTemplate", f"The variable '{name}' of type '{kind}' is not a string.")
    value = run.evaluate(inputs.get("value"))
    run.variables[str(name)] = (run.variables[str(name)] or "") + text_of(value)
    _done(record, str(name), run.variables[str(name)], shown_value=value)


def _done(record: ActionRecord, name: str, value: Any, *, shown_value: Any = None) -> None:
    record.inputs = {"name": name, "value": value if shown_value is None else shown_value}
    record.outputs = {"body": {"name": name, "value": value}}
    record.code = "NotSpecified"


HANDLERS: dict[str, Handler] = {
    "initializevariable": initialize_variable,
    "setvariable": set_variable,
    "incrementvariable": _step(1),
    "decrementvariable": _step(-1),
    "appendtoarrayvariable": append_to_array,
    "appendtostringvariable": append_to_string,
}
