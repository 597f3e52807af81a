"""Manipulation functions, JSON and XML: coalesce, addProperty, setProperty, removeProperty, xml, xpath.

The property functions return a new object and leave their argument alone: the same object may be read again
later in the run (a variable, an action's outputs), and the service never changes those behind a flow's back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .base import Function, fail, object_arg, registrar, text_arg
from .xmljson import to_xml, xpath

FUNCTIONS: dict[str, Function] = {}
function = registrar(FUNCTIONS)


@function("coalesce", 1, None)
def coalesce(*values: Any) -> Any:
    return next((value for value in values if value is not None), None)


def _existing_key(target: Mapping[str, Any], name: str) -> str | None:
    if name in target:
        return name
    folded = name.casefold()
    return next((key for key in target if key.casefold() == folded), None)


@function("addProperty", 3, expects="three parameters: the object, the name of the property to add and its value")
def add_property(target: Any, name: Any, value: Any) -> dict[str, Any]:
    source = object_arg("addProperty", target, 0)
    key = text_arg("addProperty", name, 1)
    if _existing_key(source, key) is not None:
        fail("addProperty", f"cannot add the property '{key}' because it already exists in the object.")
    return {**source, key: value}


@function("setProperty", 3, expects="three parameters: the object, the name of the property to set and its value")
def set_property(target: Any, name: Any, value: Any) -> dict[str, Any]:
    source = object_arg("setProperty", target, 0)
    key = text_arg("setProperty", name, 1)
    existing = _existing_key(source, key)
    return {**source, (existing if existing is not None else key): value}


@function("removeProperty", 2, expects="two parameters: the object and the name of the property to remove")
def remove_property(target: Any, name: Any) -> dict[str, Any]:
    source = object_arg("removeProperty", target, 0)
    key = text_arg("removeProperty", name, 1)
    existing = _existing_key(source, key)
    return {k: v for k, v in source.items() if k != existing}


@function("xml", 1, expects="one parameter: the string or object to convert to XML")
def xml(value: Any) -> dict[str, str]:
    return to_xml("xml", value)


@function("xpath", 2, expects="two parameters: the XML and the XPath expression")
def xpath_(document: Any, expression: Any) -> Any:
    return xpath("xpath", document, expression)
