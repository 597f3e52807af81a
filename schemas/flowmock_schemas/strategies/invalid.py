"""Payloads broken in one known way: a valid payload with one place changed, checked to fail there and nowhere
else."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ..jsonpath import format_path
from ..registry import validator_for
from .subset import JSON_TYPES, Context, json_scalars, prepare_schema, resolve_input, text_chars, types_of
from .valid import from_schema


@dataclass(frozen=True)
class Invalid:
    """A payload that breaks its schema in exactly one way: `kind` at `path` (a `$.a.b` JSON path)."""

    payload: Any
    path: str
    kind: str  # "wrong-type", "missing-required", "extra-property", "enum", "pattern"
    detail: str


def _sites(value: Any, schema: Mapping[str, Any], ctx: Context, parts: tuple[str | int, ...]) -> list[Any]:
    """Places in a valid value where one targeted change breaks the schema (never inside oneOf/anyOf)."""
    while "$ref" in schema:
        schema = ctx.resolve(schema["$ref"])
    if "oneOf" in schema or "anyOf" in schema:
        return []
    sites: list[Any] = []
    if "type" in schema:
        sites.append(("wrong-type", parts, schema))
    if "enum" in schema:
        sites.append(("enum", parts, schema))
    if "pattern" in schema and isinstance(value, str):
        sites.append(("pattern", parts, schema))
    if isinstance(value, dict) and "object" in types_of(schema):
        props = schema.get("properties") or {}
        for name in schema.get("required", []):
            if name in value:
                sites.append(("missing-required", parts, name))
        if schema.get("additionalProperties") is False:
            sites.append(("extra-property", parts, props))
        for name, sub in value.items():
            if name in props:
                sites.extend(_sites(sub, props[name], ctx, (*parts, name)))
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, sub in enumerate(value):
            sites.extend(_sites(sub, schema["items"], ctx, (*parts, index)))
    return sites


def _set(document: Any, parts: tuple[str | int, ...], value: Any) -> Any:
    if not parts:
        return value
    copy: Any = dict(document) if isinstance(document, dict) else list(document)
    copy[parts[0]] = _set(document[parts[0]], parts[1:], value)
    return copy


def _get(document: Any, parts: tuple[str | int, ...]) -> Any:
    for part in parts:
        document = document[part]
    return document


_SAMPLE_OF_TYPE = {
    "object": st.just({}),
    "array": st.just([]),
    "string": st.text(text_chars, max_size=5),
    "integer": st.integers(-1000, 1000),
    "number": st.floats(-1000, 1000).filter(lambda f: not f.is_integer()),
    "boolean": st.booleans(),
    "null": st.none(),
}


def _mutate(draw: st.DrawFn, document: Any, site: Any) -> Invalid | None:
    kind, parts, info = site
    path = format_path(parts)
    if kind == "wrong-type":
        allowed = set(types_of(info))
        if "number" in allowed:
            allowed.add("integer")
        others = [t for t in JSON_TYPES if t not in allowed]
        if not others:
            return None
        new_type = draw(st.sampled_from(others))
        new = draw(_SAMPLE_OF_TYPE[new_type])
        return Invalid(_set(document, parts, new), path, kind, f"a {new_type} where {sorted(allowed)} is expected")
    if kind == "enum":
        new = draw(json_scalars.filter(lambda v: v not in info["enum"]))
        if "type" in info:
            return None  # the type keyword would report it too: not "one known way"
        return Invalid(_set(document, parts, new), path, kind, f"{new!r} is not in the enum")
    if kind == "pattern":
        new = draw(st.text(text_chars, max_size=10))
        return Invalid(_set(document, parts, new), path, kind, f"{new!r} does not match {info['pattern']!r}")
    if kind == "missing-required":
        target = dict(_get(document, parts))
        del target[info]
        return Invalid(_set(document, parts, target), path, kind, f"required property {info!r} removed")
    if kind == "extra-property":
        target = dict(_get(document, parts))
        name = draw(st.text(text_chars, min_size=1, max_size=8).filter(lambda k: k not in info and k not in target))
        target[name] = draw(json_scalars)
        return Invalid(_set(document, parts, target), format_path((*parts, name)), kind, f"property {name!r} added")
    return None


def _collect_constraints(schema: Any) -> bool:
    if isinstance(schema, Mapping):
        if {"type", "enum", "required", "pattern", "$ref"} & set(schema) or schema.get("additionalProperties") is False:
            return True
        return any(_collect_constraints(v) for v in schema.values())
    if isinstance(schema, list):
        return any(_collect_constraints(v) for v in schema)
    return False


def invalid_payloads(name_or_schema: str | Mapping[str, Any]) -> st.SearchStrategy[Invalid]:
    """Payloads that violate a schema in one known way, with the JSON path of the violation.

    Each starts as a valid payload from `from_schema`, then one place is changed: a value of the wrong type, a
    required property removed, a property added where `additionalProperties` is false, a value outside an `enum`,
    or a string that fails a `pattern`. The result is checked to fail at exactly that path and nowhere else.
    """
    prepared, _ = prepare_schema(name_or_schema)
    if not _collect_constraints(prepared):
        raise InvalidArgument("this schema accepts every JSON value: there is nothing to violate")
    ctx = Context(prepared)
    validator = validator_for(name_or_schema if isinstance(name_or_schema, str) else resolve_input(name_or_schema))
    valid = from_schema(name_or_schema)

    @st.composite
    def broken(draw: st.DrawFn) -> Invalid:
        document = draw(valid)
        sites = _sites(document, prepared, ctx, ())
        if not sites:
            raise InvalidArgument("this schema accepts every JSON value: there is nothing to violate")
        site = draw(st.sampled_from(sites))
        result = _mutate(draw, document, site)
        if result is None or [e.path for e in validator.errors(result.payload)] != [result.path]:
            reject()
        assert result is not None
        return result

    return broken()
