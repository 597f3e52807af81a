"""The JSON Schema subset the generators understand (anything else is refused at once, naming the keyword), how a
schema is read (a name or an object, local `$ref`s, implied types), and the JSON values used where a schema allows
anything."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..registry import _prepare, load_schema, validator_for

SUPPORTED = frozenset(
    {
        "type",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "enum",
        "const",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "format",
        "$ref",
        "definitions",
        "id",
        "$schema",
        "title",
        "description",
        "default",
        "oneOf",
        "anyOf",
    }
)
FORMATS = ("date-time", "uuid", "email", "uri")
JSON_TYPES = ("object", "array", "string", "integer", "number", "boolean", "null")
MAX_SAFE_INT = 2**53 - 1
MAX_DEPTH = 6

text_chars = st.characters(exclude_categories=["Cs"])
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INT, MAX_SAFE_INT)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(text_chars, max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(text_chars, max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def resolve_input(name_or_schema: str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(name_or_schema, str):
        return load_schema(name_or_schema)
    if not isinstance(name_or_schema, Mapping):
        raise InvalidArgument(f"expected a schema name or a JSON schema object, got {type(name_or_schema).__name__}")
    return dict(name_or_schema)


def check_keywords(schema: Any, where: str = "#") -> None:
    if isinstance(schema, bool):
        return
    if not isinstance(schema, Mapping):
        raise InvalidArgument(f"{where}: a schema must be an object, got {type(schema).__name__}")
    for key, value in schema.items():
        if key not in SUPPORTED:
            raise InvalidArgument(f"{where}: the keyword {key!r} is not supported by flowmock's generator")
        if key in ("properties", "definitions"):
            for name, sub in value.items():
                check_keywords(sub, f"{where}/{key}/{name}")
        elif key in ("additionalProperties",) and isinstance(value, Mapping):
            check_keywords(value, f"{where}/{key}")
        elif key == "items":
            for index, sub in enumerate(value if isinstance(value, list) else [value]):
                check_keywords(sub, f"{where}/items/{index}")
        elif key in ("oneOf", "anyOf"):
            for index, sub in enumerate(value):
                check_keywords(sub, f"{where}/{key}/{index}")
        elif key == "format" and value not in FORMATS:
            raise InvalidArgument(f"{where}: format {value!r} is not supported (supported: {', '.join(FORMATS)})")
        elif key == "$ref" and not (isinstance(value, str) and value.startswith("#")):
            raise InvalidArgument(f"{where}: only local $refs ('#/definitions/...') are supported, got {value!r}")


class Context:
    def __init__(self, root: dict[str, Any]) -> None:
        self.root = root

    def resolve(self, ref: str) -> dict[str, Any]:
        node: Any = self.root
        for part in ref.lstrip("#").strip("/").split("/"):
            if not part:
                continue
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or part not in node:
                raise InvalidArgument(f"$ref {ref!r} does not resolve")
            node = node[part]
        if not isinstance(node, Mapping):
            raise InvalidArgument(f"$ref {ref!r} does not point at a schema")
        return dict(node)


def types_of(schema: Mapping[str, Any]) -> list[str]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list):
        return list(declared)
    if "properties" in schema or "required" in schema or "additionalProperties" in schema:
        return ["object"]
    if "items" in schema:
        return ["array"]
    if {"pattern", "minLength", "maxLength", "format"} & set(schema):
        return ["string"]
    if {"minimum", "maximum"} & set(schema):
        return ["number"]
    return list(JSON_TYPES)


def prepare_schema(name_or_schema: str | Mapping[str, Any]) -> tuple[dict[str, Any], Callable[[Any], bool]]:
    schema = resolve_input(name_or_schema)
    check_keywords(schema)
    prepared: dict[str, Any] = _prepare(schema)
    validator = validator_for(name_or_schema if isinstance(name_or_schema, str) else schema)
    return prepared, validator.is_valid
