"""Schema errors phrased the way Power Automate phrases them.

The real trigger validates with Json.NET Schema (Newtonsoft), so its `TriggerInputSchemaMismatch` message is a list
of Newtonsoft phrases ("Invalid type. Expected Integer but got String.", "Required properties are missing from
object: a, b."). jsonschema finds the same violations with other words; this module rewords them, groups the
per-property `required` errors per object as Newtonsoft does, and orders them in document order with an object's
missing properties after its children (the order seen in real responses).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jsonschema import ValidationError

from .jsonpath import format_path

_MAX_VALUE_CHARS = 120


@dataclass(frozen=True)
class SchemaError:
    """One violation: where (`$.metrics.errors`), what (a Newtonsoft phrase), and which keyword caught it.

    `hint` names the closest failing branch for `oneOf`/`anyOf` errors, whose own phrase says little; it is for
    people (CLI, sender errors) and never part of the trigger's error message.
    """

    path: str
    message: str
    keyword: str
    hint: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}

    def __str__(self) -> str:
        text = f"{self.path}: {self.message}"
        return f"{text} (closest: {self.hint})" if self.hint else text


def json_type_name(value: Any) -> str:
    """Newtonsoft's JSchemaType name of a JSON value."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Number"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    return "Object"


def _schema_type_names(types: Any) -> str:
    if isinstance(types, str):
        types = [types]
    return ", ".join(str(t).capitalize() for t in types)


def _short(text: str) -> str:
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 3] + "..."


def _json(value: Any) -> str:
    try:
        return _short(json.dumps(value, ensure_ascii=False))
    except (TypeError, ValueError, RecursionError):
        return "<value>"


def _number_word(value: Any) -> str:
    return "Integer" if isinstance(value, int) and not isinstance(value, bool) else "Float"


def _limit(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _additional_properties(error: ValidationError) -> list[str]:
    instance = error.instance if isinstance(error.instance, dict) else {}
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    declared = schema.get("properties", {}) or {}
    patterns = list((schema.get("patternProperties", {}) or {}).keys())
    extras = []
    for name in instance:
        if name in declared or any(re.search(p, name) for p in patterns):
            continue
        extras.append(name)
    return extras


def _phrase(error: ValidationError) -> str:
    """The Newtonsoft wording for one jsonschema error (not used for `required` and `additionalProperties`)."""
    kw, val = error.validator, error.validator_value
    inst: Any = error.instance
    if kw == "type":
        return f"Invalid type. Expected {_schema_type_names(val)} but got {json_type_name(inst)}."
    if kw == "pattern":
        return f"String '{_short(str(inst))}' does not match regex pattern '{val}'."
    if kw == "minLength":
        return f"String '{_short(str(inst))}' is less than minimum length of {val}."
    if kw == "maxLength":
        return f"String '{_short(str(inst))}' exceeds maximum length of {val}."
    if kw == "enum":
        return f"Value {_json(inst)} is not defined in enum."
    if kw == "const":
        return f"Value {_json(inst)} does not match const."
    if kw == "minimum":
        exclusive = bool(error.schema.get("exclusiveMinimum")) if isinstance(error.schema, Mapping) else False
        if exclusive and inst == val:
            return f"{_number_word(inst)} {_limit(inst)} equals minimum value of {_limit(val)}."
        return f"{_number_word(inst)} {_limit(inst)} is less than minimum value of {_limit(val)}."
    if kw == "maximum":
        exclusive = bool(error.schema.get("exclusiveMaximum")) if isinstance(error.schema, Mapping) else False
        if exclusive and inst == val:
            return f"{_number_word(inst)} {_limit(inst)} equals maximum value of {_limit(val)}."
        return f"{_number_word(inst)} {_limit(inst)} exceeds maximum value of {_limit(val)}."
    if kw == "multipleOf":
        return f"{_number_word(inst)} {_limit(inst)} is not a multiple of {_limit(val)}."
    if kw == "minItems":
        return f"Array item count {len(inst)} is less than minimum count of {val}."
    if kw == "maxItems":
        return f"Array item count {len(inst)} exceeds maximum count of {val}."
    if kw == "uniqueItems":
        return "Non-unique array item."
    if kw == "minProperties":
        return f"Object property count {len(inst)} is less than minimum count of {val}."
    if kw == "maxProperties":
        return f"Object property count {len(inst)} exceeds maximum count of {val}."
    if kw == "format":
        return f"String '{_short(str(inst))}' does not validate against format '{val}'."
    if kw == "oneOf":
        return "JSON is valid against no schemas from 'oneOf'."
    if kw == "anyOf":
        return "JSON does not match any schemas from 'anyOf'."
    if kw == "allOf":
        return "JSON does not match all schemas from 'allOf'."
    if kw == "not":
        return "JSON is valid against schema from 'not'."
    if kw == "additionalItems":
        return "Index has not been defined and the schema does not allow additional items."
    if kw == "dependencies":
        return f"Dependencies failed. {error.message}."
    message = str(error.message)
    return message if message.endswith(".") else message + "."


def _deepest(errors: Iterable[ValidationError]) -> ValidationError | None:
    """The most specific error of a failed `oneOf`/`anyOf`: the branch that got furthest into the document."""
    found: ValidationError | None = None
    for error in errors:
        candidate = _deepest(error.context) if error.context else error
        candidate = candidate or error
        if found is None or len(candidate.absolute_path) > len(found.absolute_path):
            found = candidate
    return found


def _hint(error: ValidationError) -> str | None:
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return None
    closest = _deepest(error.context)
    if closest is None:
        return None
    found = translate(None, [closest])
    return str(found[0]) if found else None


_AFTER_CHILDREN = 1 << 62


def _document_position(instance: Any, parts: Sequence[str | int], trailing: bool) -> tuple[int, ...]:
    """Positions of a path's steps in the instance, so errors sort in the order a reader meets them."""
    key: list[int] = []
    node = instance
    for part in parts:
        if isinstance(node, dict) and isinstance(part, str):
            keys = list(node)
            key.append(keys.index(part) if part in node else len(keys))
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int):
            key.append(part)
            node = node[part] if 0 <= part < len(node) else None
        else:
            key.append(0)
    if trailing:
        key.append(_AFTER_CHILDREN)
    return tuple(key)


def translate(instance: Any, errors: Iterable[ValidationError]) -> list[SchemaError]:
    """Turn jsonschema errors into Newtonsoft-worded SchemaErrors, grouped and in document order."""
    keyed: list[tuple[tuple[int, ...], SchemaError]] = []
    missing: dict[tuple[str | int, ...], list[str]] = {}
    for error in errors:
        parts = tuple(error.absolute_path)
        if error.validator == "required":
            names = missing.setdefault(parts, [])
            present = error.instance if isinstance(error.instance, dict) else {}
            wanted: Any = error.validator_value
            for name in wanted:
                if name not in present and name not in names:
                    names.append(name)
        elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
            for name in _additional_properties(error):
                message = f"Property '{name}' has not been defined and the schema does not allow additional properties."
                path = (*parts, name)
                item = SchemaError(format_path(path), message, "additionalProperties")
                keyed.append((_document_position(instance, path, False), item))
        else:
            item = SchemaError(format_path(parts), _phrase(error), str(error.validator), _hint(error))
            keyed.append((_document_position(instance, parts, False), item))
    for parts, names in missing.items():
        message = f"Required properties are missing from object: {', '.join(names)}."
        item = SchemaError(format_path(parts), message, "required")
        keyed.append((_document_position(instance, parts, True), item))
    keyed.sort(key=lambda pair: pair[0])
    return [item for _, item in keyed]


def mismatch_details(errors: Sequence[SchemaError]) -> str:
    """The `Error details` part of TriggerInputSchemaMismatch: phrases joined by ',' with no space."""
    return ",".join(error.message for error in errors)
