"""Power Automate's "Use sample payload to generate schema", reproduced rule for rule.

The rules are those of the Logic Apps designer (Azure/LogicAppsUX `generator.ts`): JavaScript's view of JSON types
(1.0 is an integer), no `required` on objects except array items, where it lists the keys every element has, and
`items` only for arrays whose elements all have one type. Names that look like template expressions are escaped.
"""

from __future__ import annotations

from typing import Any


def _type_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _is_template_expression(name: str) -> bool:
    return name.startswith("@") or "@{" in name


def escape_property_name(name: str) -> str:
    """`@x` becomes `@@x` and `a@{b}` becomes `a@@{b}`, so the designer does not evaluate the name."""
    if not _is_template_expression(name):
        return name
    if name.startswith("@"):
        return "@" + name
    return name.replace("@{", "@@{")


def schema_from_sample(value: Any) -> dict[str, Any]:
    """The schema the designer generates from one sample value."""
    kind = _type_of(value)
    if kind == "null":
        return {}
    if kind == "array":
        return _array_schema(value)
    if kind == "object":
        return {
            "type": "object",
            "properties": {escape_property_name(k): schema_from_sample(v) for k, v in value.items()},
        }
    return {"type": kind}


def _array_schema(values: list[Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "array"}
    if not values:
        return schema
    first = values[0]
    first_type = _type_of(first)
    if any(_type_of(item) != first_type for item in values):
        return schema
    if first_type == "object":
        required = list(first)
        representative = dict(first)
        for item in values[1:]:
            required = [name for name in required if name in item]
            for name, sub in item.items():
                representative.setdefault(name, sub)
        items = schema_from_sample(representative)
        items["required"] = [escape_property_name(name) for name in required]
        schema["items"] = items
    else:
        schema["items"] = schema_from_sample(first)
    return schema
