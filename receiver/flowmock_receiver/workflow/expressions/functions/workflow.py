"""Workflow functions, bound to a run through the context: trigger, triggerBody, triggerOutputs,
triggerFormDataValue, triggerFormDataMultiValues, triggerMultipartBody, body, outputs, actions, action, actionBody,
actionOutputs, formDataValue, formDataMultiValues, multipartBody, variables, parameters, item, items,
iterationIndexes, result, workflow, listCallbackUrl.

Form data is read from the service's `$formdata` list when the body has one, else from the content itself
(`application/x-www-form-urlencoded`, or `multipart/form-data` parsed with the standard library's MIME parser, or
the service's `$multipart` list of parts).

Action names are looked up as written, then with spaces as underscores (expressions name `Get items` as
`Get_items`), then case-insensitively, as the service's action names are case-insensitive.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from ..scope import Scope
from ..values import content, content_bytes, is_content
from .base import Function, fail, int_arg, registrar, text_arg

FUNCTIONS: dict[str, Function] = {}
function = registrar(FUNCTIONS)


def _named(scope: Scope, function_name: str, section: str, name: Any, missing: str) -> Any:
    """The entry `name` of a context section that a loop or scope fills (`items`, `iteration_indexes`, `results`),
    or the function's error saying which enclosing loop or scope it refers to."""
    key = text_arg(function_name, name)
    found, value = _lookup(scope.section(section), key)
    if not found:
        fail(function_name, f"refers to {missing.format(key)}.")
    return value


def _lookup(section: Mapping[str, Any], name: str) -> tuple[bool, Any]:
    if name in section:
        return True, section[name]
    underscored = name.replace(" ", "_")
    if underscored in section:
        return True, section[underscored]
    folded = underscored.casefold()
    for key, value in section.items():
        if key.replace(" ", "_").casefold() == folded:
            return True, value
    return False, None


# -- trigger ---------------------------------------------------------------------------------------------------


def _trigger_record(scope: Scope) -> Mapping[str, Any]:
    """The context's `trigger` is either the trigger's outputs or a whole trigger record holding `outputs`."""
    trigger = scope.section("trigger")
    if "outputs" in trigger:
        return trigger
    name = scope.context.get("trigger_name", "manual")
    return {"name": name, "inputs": {}, "outputs": dict(trigger), "status": "Succeeded"}


def _trigger_outputs(scope: Scope) -> Any:
    trigger = scope.section("trigger")
    return trigger.get("outputs", trigger)


def _trigger_body(scope: Scope) -> Any:
    outputs = _trigger_outputs(scope)
    return outputs.get("body") if isinstance(outputs, Mapping) else None


@function("trigger", 0, bound=True)
def trigger(scope: Scope) -> Any:
    return dict(_trigger_record(scope))


@function("triggerOutputs", 0, bound=True)
def trigger_outputs(scope: Scope) -> Any:
    return _trigger_outputs(scope)


@function("triggerBody", 0, bound=True)
def trigger_body(scope: Scope) -> Any:
    return _trigger_body(scope)


def _form_data(name: str, body: Any) -> list[tuple[str, Any]]:
    """Key-value pairs of a form-encoded or multipart/form-data body, as the service exposes them."""
    if isinstance(body, Mapping) and isinstance(body.get("$formdata"), list):
        return [(str(p.get("key")), p.get("value")) for p in body["$formdata"] if isinstance(p, Mapping)]
    if is_content(body):
        kind = str(body.get("$content-type", "")).lower()
        data = content_bytes(body)
        if kind.startswith("application/x-www-form-urlencoded"):
            return urllib.parse.parse_qsl(data.decode("utf-8"), keep_blank_values=True)
        if kind.startswith("multipart/"):
            return [(str(part_name), value) for part_name, value, _ in _multipart(body) if part_name is not None]
    fail(
        name,
        "expects the trigger's body to be form data ('application/x-www-form-urlencoded' or 'multipart/form-data').",
    )
    raise AssertionError("unreachable")


def _multipart(body: Any) -> list[tuple[str | None, Any, dict[str, str]]]:
    """(form field name, body, headers) of each part of a multipart content object."""
    if isinstance(body.get("$multipart"), list):
        parts = []
        for part in body["$multipart"]:
            headers = dict(part.get("headers") or {}) if isinstance(part, Mapping) else {}
            parts.append((_field_name(headers.get("Content-Disposition", "")), part.get("body"), headers))
        return parts
    raw = b"Content-Type: " + str(body.get("$content-type", "")).encode() + b"\r\n\r\n" + content_bytes(body)
    message = BytesParser(policy=HTTP).parsebytes(raw)
    result: list[tuple[str | None, Any, dict[str, str]]] = []
    for part in message.iter_parts():
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        headers = {k: str(v) for k, v in part.items()}
        kind = part.get_content_type()
        value: Any = data.decode("utf-8", errors="replace") if kind.startswith("text/") else content(data, kind)
        result.append((part.get_param("name", header="content-disposition"), value, headers))  # type: ignore[arg-type]
    return result


def _field_name(disposition: str) -> str | None:
    for piece in disposition.split(";"):
        key, _, value = piece.strip().partition("=")
        if key.lower() == "name":
            return value.strip('"')
    return None


def _single_value(function_name: str, body: Any, key: Any) -> Any:
    field = text_arg(function_name, key)
    values = [v for k, v in _form_data(function_name, body) if k == field]
    if len(values) > 1:
        fail(function_name, f"found more than one value for the key '{field}': the key must match a single value.")
    return values[0] if values else None


@function("triggerFormDataValue", 1, bound=True, expects="one parameter: the key name")
def trigger_form_data_value(scope: Scope, key: Any) -> Any:
    return _single_value("triggerFormDataValue", _trigger_body(scope), key)


@function("triggerFormDataMultiValues", 1, bound=True, expects="one parameter: the key name")
def trigger_form_data_multi_values(scope: Scope, key: Any) -> list[Any]:
    name = text_arg("triggerFormDataMultiValues", key)
    return [v for k, v in _form_data("triggerFormDataMultiValues", _trigger_body(scope)) if k == name]


def _part(name: str, body: Any, index: Any) -> Any:
    position = int_arg(name, index)
    if not (isinstance(body, Mapping) and (isinstance(body.get("$multipart"), list) or is_content(body))):
        fail(name, "expects a body that has multiple parts.")
    parts = _multipart(body)
    if not 0 <= position < len(parts):
        fail(name, f"was given the index '{position}', but the body has '{len(parts)}' part(s).")
    return parts[position][1]


@function("triggerMultipartBody", 1, bound=True, expects="one parameter: the index of the part")
def trigger_multipart_body(scope: Scope, index: Any) -> Any:
    return _part("triggerMultipartBody", _trigger_body(scope), index)


# -- actions ---------------------------------------------------------------------------------------------------


def _action(scope: Scope, function_name: str, name: Any) -> Mapping[str, Any]:
    action_name = text_arg(function_name, name)
    found, record = _lookup(scope.section("actions"), action_name)
    if not found:
        # flowmock's wording: the service refuses such a reference when the flow is saved.
        fail(
            function_name, f"refers to the action '{action_name}', which is not defined in the workflow or has not run."
        )
    if not isinstance(record, Mapping):
        return {}
    return record


@function("actions", 1, bound=True, expects="one parameter: the name of the action")
def actions(scope: Scope, name: Any) -> Any:
    record = dict(_action(scope, "actions", name))
    record.setdefault("name", text_arg("actions", name))
    return record


@function("outputs", 1, bound=True, expects="one parameter: the name of the action")
def outputs(scope: Scope, name: Any) -> Any:
    return _action(scope, "outputs", name).get("outputs")


@function("actionOutputs", 1, bound=True, expects="one parameter: the name of the action")
def action_outputs(scope: Scope, name: Any) -> Any:
    return _action(scope, "actionOutputs", name).get("outputs")


def _body_of(record: Mapping[str, Any]) -> Any:
    result = record.get("outputs")
    return result.get("body") if isinstance(result, Mapping) else None


@function("body", 1, bound=True, expects="one parameter: the name of the action")
def body(scope: Scope, name: Any) -> Any:
    return _body_of(_action(scope, "body", name))


@function("actionBody", 1, bound=True, expects="one parameter: the name of the action")
def action_body(scope: Scope, name: Any) -> Any:
    return _body_of(_action(scope, "actionBody", name))


@function("multipartBody", 2, bound=True, expects="two parameters: the name of the action and the index of the part")
def multipart_body(scope: Scope, name: Any, index: Any) -> Any:
    return _part("multipartBody", _body_of(_action(scope, "multipartBody", name)), index)


@function("formDataValue", 2, bound=True, expects="two parameters: the name of the action and the key name")
def form_data_value(scope: Scope, name: Any, key: Any) -> Any:
    body = _body_of(_action(scope, "formDataValue", name))
    return _single_value("formDataValue", body, key)


@function("formDataMultiValues", 2, bound=True, expects="two parameters: the name of the action and the key name")
def form_data_multi_values(scope: Scope, name: Any, key: Any) -> list[Any]:
    body = _body_of(_action(scope, "formDataMultiValues", name))
    field = text_arg("formDataMultiValues", key, 1)
    return [v for k, v in _form_data("formDataMultiValues", body) if k == field]


@function("action", 0, bound=True)
def action(scope: Scope) -> Any:
    current = scope.context.get("action")
    if not isinstance(current, Mapping):
        fail(
            "action",
            "can only be used where the current action's result exists (tracked properties, run-time settings).",
        )
    return dict(current)  # type: ignore[arg-type]


# -- variables, parameters, loops, run ---------------------------------------------------------------------------


@function("variables", 1, bound=True, expects="one parameter: the name of the variable")
def variables(scope: Scope, name: Any) -> Any:
    variable = text_arg("variables", name)
    found, value = _lookup(scope.section("variables"), variable)
    if not found:
        fail("variables", f"refers to the variable '{variable}', which is not initialized in the workflow.")
    return value


@function("parameters", 1, bound=True, expects="one parameter: the name of the parameter")
def parameters(scope: Scope, name: Any) -> Any:
    parameter = text_arg("parameters", name)
    section = scope.section("parameters")
    if parameter in section:
        value = section[parameter]
    else:
        found, value = _lookup(section, parameter)
        if not found:
            fail("parameters", f"refers to the workflow parameter '{parameter}', which is not defined.")
    # A parameter declared as {"type": ..., "value"/"defaultValue": ...} yields its value.
    if isinstance(value, Mapping) and "type" in value and ("value" in value or "defaultValue" in value):
        return value.get("value", value.get("defaultValue"))
    return value


@function("item", 0, bound=True)
def item(scope: Scope) -> Any:
    if "item" in scope.context:
        return scope.context["item"]
    loops = scope.section("items")
    if not loops:
        fail("item", "can only be used inside a 'foreach' loop or an array operation (Select, Filter array).")
    return list(loops.values())[-1]


@function("items", 1, bound=True, expects="one parameter: the name of the enclosing 'foreach' loop")
def items(scope: Scope, name: Any) -> Any:
    return _named(scope, "items", "items", name, "the loop '{}', which is not a 'foreach' loop enclosing this action")


@function("iterationIndexes", 1, bound=True, expects="one parameter: the name of the enclosing 'until' loop")
def iteration_indexes(scope: Scope, name: Any) -> Any:
    return _named(
        scope, "iterationIndexes", "iteration_indexes", name, "the loop '{}', which is not a loop enclosing this action"
    )


@function("result", 1, bound=True, expects="one parameter: the name of the scoped action (Scope, For each, Until)")
def result(scope: Scope, name: Any) -> Any:
    return _named(scope, "result", "results", name, "the action '{}', which is not a scoped action that has run")


@function("workflow", 0, bound=True)
def workflow(scope: Scope) -> Any:
    return dict(scope.section("workflow"))


@function("listCallbackUrl", 0, bound=True)
def list_callback_url(scope: Scope) -> Any:
    url = scope.context.get("callback_url")
    if url is None:
        fail("listCallbackUrl", "can only be used in a workflow whose trigger has a callback URL (a Request trigger).")
    return url
