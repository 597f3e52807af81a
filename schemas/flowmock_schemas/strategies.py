"""Hypothesis strategies from JSON schemas: valid payloads, payloads broken in one known way, hostile bodies.

Why our own generator: hypothesis-jsonschema 0.23.1, the latest release, crashes on every object schema with
Hypothesis 6.170.10 and newer (`AttributeError: 'many' object has no attribute 'more'`). Power Automate schemas use
a small subset of JSON Schema, which this module covers: `type` (also lists of types), `properties`, `required`,
`additionalProperties`, `items`, `enum`, `const`, `pattern`, `minLength`/`maxLength`, `minimum`/`maximum`,
`format` (date-time, uuid, email, uri), local `$ref` with `definitions`, draft-04 `id`, and the annotations
(`title`, `description`, `default`, `$schema`). `oneOf`/`anyOf` are supported too, because the Postman collection
schema behind `backup-collection.strict` needs them. Any other keyword raises `InvalidArgument` naming it, at once,
rather than generating data that silently ignores a constraint.

Shrinking: values shrink towards the smallest valid document: required properties only, empty strings (or the
shortest string the pattern allows), zero (or the minimum), `false`, and the first `enum` member.

    from hypothesis import given
    from flowmock_schemas.strategies import from_schema

    @given(from_schema("monitor-results"))
    def test_my_flow_accepts_any_monitor_result(payload):
        ...
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC
from typing import Any

try:
    from hypothesis import reject
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
    from hypothesis.provisional import urls
except ModuleNotFoundError as exc:  # Hypothesis is an extra: `pip install flowmock` alone does not bring it
    if exc.name is None or exc.name.partition(".")[0] != "hypothesis":
        raise
    raise ModuleNotFoundError(
        "flowmock_schemas.strategies needs Hypothesis, which is not installed: "
        "install flowmock[hypothesis] (pip install 'flowmock[hypothesis]')",
        name=exc.name,
    ) from exc

from .jsonpath import format_path
from .registry import _prepare, load_schema, validator_for

__all__ = ["Invalid", "from_schema", "invalid_payloads", "raw_bodies"]

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
_MAX_DEPTH = 6

_text_chars = st.characters(exclude_categories=["Cs"])
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-MAX_SAFE_INT, MAX_SAFE_INT)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(_text_chars, max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(_text_chars, max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def _resolve_input(name_or_schema: str | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(name_or_schema, str):
        return load_schema(name_or_schema)
    if not isinstance(name_or_schema, Mapping):
        raise InvalidArgument(f"expected a schema name or a JSON schema object, got {type(name_or_schema).__name__}")
    return dict(name_or_schema)


def _check_keywords(schema: Any, where: str = "#") -> None:
    if isinstance(schema, bool):
        return
    if not isinstance(schema, Mapping):
        raise InvalidArgument(f"{where}: a schema must be an object, got {type(schema).__name__}")
    for key, value in schema.items():
        if key not in SUPPORTED:
            raise InvalidArgument(f"{where}: the keyword {key!r} is not supported by flowmock's generator")
        if key in ("properties", "definitions"):
            for name, sub in value.items():
                _check_keywords(sub, f"{where}/{key}/{name}")
        elif key in ("additionalProperties",) and isinstance(value, Mapping):
            _check_keywords(value, f"{where}/{key}")
        elif key == "items":
            for index, sub in enumerate(value if isinstance(value, list) else [value]):
                _check_keywords(sub, f"{where}/items/{index}")
        elif key in ("oneOf", "anyOf"):
            for index, sub in enumerate(value):
                _check_keywords(sub, f"{where}/{key}/{index}")
        elif key == "format" and value not in FORMATS:
            raise InvalidArgument(f"{where}: format {value!r} is not supported (supported: {', '.join(FORMATS)})")
        elif key == "$ref" and not (isinstance(value, str) and value.startswith("#")):
            raise InvalidArgument(f"{where}: only local $refs ('#/definitions/...') are supported, got {value!r}")


class _Context:
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


def _types(schema: Mapping[str, Any]) -> list[str]:
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


def _string(schema: Mapping[str, Any]) -> st.SearchStrategy[str]:
    low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
    fmt = schema.get("format")
    if fmt == "date-time":
        base: st.SearchStrategy[str] = st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())
    elif fmt == "uuid":
        base = st.uuids().map(str)
    elif fmt == "email":
        base = st.emails()
    elif fmt == "uri":
        base = urls()
    elif "pattern" in schema:
        # JSON text is UTF-8 on the wire: lone surrogates, which from_regex may produce, cannot be sent.
        base = st.from_regex(schema["pattern"], fullmatch=False).filter(
            lambda s: not any("\ud800" <= c <= "\udfff" for c in s)
        )
    else:
        return st.text(_text_chars, min_size=low, max_size=high if high is not None else max(low, 24))
    return base.filter(lambda s: len(s) >= low and (high is None or len(s) <= high))


def _number(schema: Mapping[str, Any], integer: bool) -> st.SearchStrategy[Any]:
    low, high = schema.get("minimum"), schema.get("maximum")
    if integer:
        lo = math.ceil(low) if low is not None else -MAX_SAFE_INT
        hi = math.floor(high) if high is not None else MAX_SAFE_INT
        return st.integers(lo, hi)
    return st.integers(
        math.ceil(low) if low is not None else -MAX_SAFE_INT, math.floor(high) if high is not None else MAX_SAFE_INT
    ) | st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


def _object(schema: Mapping[str, Any], ctx: _Context, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    props: dict[str, Any] = dict(schema.get("properties") or {})
    required = [name for name in schema.get("required", []) if isinstance(name, str)]
    extra = schema.get("additionalProperties", True)
    fixed = {name: _gen(props.get(name, {}), ctx, depth + 1) for name in required}
    optional = {name: _gen(sub, ctx, depth + 1) for name, sub in props.items() if name not in required}
    if depth >= _MAX_DEPTH:
        optional = {}
    strategy: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(fixed, optional=optional)
    if extra is not False and depth < _MAX_DEPTH:
        values = json_values if extra is True else _gen(extra, ctx, depth + 1)
        keys = st.text(_text_chars, min_size=1, max_size=10).filter(lambda k: k not in props)

        def add_extras(base: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
            return st.dictionaries(keys, values, max_size=2).map(lambda more: {**more, **base})

        strategy = strategy.flatmap(add_extras)
    return strategy


def _without_sibling_keys(branch: Any, siblings: list[Any]) -> Any:
    """A `oneOf` branch that leaves out the optional properties its siblings require.

    A `oneOf` that tells its branches apart by which key is present (a collection entry is a request when it has
    `request`, a folder when it has `item`) fails on a value that has both; generating such keys as optional
    would make most nested values invalid, and the final filter would reject nearly everything.
    """
    if not isinstance(branch, Mapping) or not isinstance(branch.get("properties"), Mapping):
        return branch
    own = set(branch.get("required", []))
    theirs = {
        name
        for sibling in siblings
        if isinstance(sibling, Mapping)
        for name in sibling.get("required", [])
        if isinstance(name, str)
    }
    dropped = theirs - own
    if not dropped:
        return branch
    return {**branch, "properties": {k: v for k, v in branch["properties"].items() if k not in dropped}}


def _gen(schema: Any, ctx: _Context, depth: int) -> st.SearchStrategy[Any]:
    if schema is True or schema == {}:
        return json_values
    if schema is False:
        return st.nothing()
    if "$ref" in schema:
        return st.deferred(lambda: _gen(ctx.resolve(schema["$ref"]), ctx, depth + 1))
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(list(schema["enum"]))
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            rest = {k: v for k, v in schema.items() if k != combinator}
            branches = [{**rest, **branch} if isinstance(branch, Mapping) else branch for branch in schema[combinator]]
            if combinator == "oneOf":
                branches = [_without_sibling_keys(b, schema[combinator]) for b in branches]
            return st.one_of([_gen(b, ctx, depth) for b in branches])
    options: list[st.SearchStrategy[Any]] = []
    for kind in _types(schema):
        if kind == "null":
            options.append(st.none())
        elif kind == "boolean":
            options.append(st.booleans())
        elif kind == "integer":
            options.append(_number(schema, integer=True))
        elif kind == "number":
            options.append(_number(schema, integer=False))
        elif kind == "string":
            options.append(_string(schema))
        elif kind == "array":
            items = schema.get("items", {})
            if isinstance(items, list):
                options.append(st.tuples(*[_gen(s, ctx, depth + 1) for s in items]).map(list))
            else:
                options.append(st.lists(_gen(items, ctx, depth + 1), max_size=0 if depth >= _MAX_DEPTH else 3))
        elif kind == "object":
            options.append(_object(schema, ctx, depth))
        else:
            raise InvalidArgument(f"unknown type {kind!r}")
    return st.one_of(options)


def _prepared(name_or_schema: str | Mapping[str, Any]) -> tuple[dict[str, Any], Callable[[Any], bool]]:
    schema = _resolve_input(name_or_schema)
    _check_keywords(schema)
    prepared: dict[str, Any] = _prepare(schema)
    validator = validator_for(name_or_schema if isinstance(name_or_schema, str) else schema)
    return prepared, validator.is_valid


def from_schema(name_or_schema: str | Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Payloads that conform to a schema (a shipped schema name or an inline schema).

    Every generated value is checked against the schema as well, so a constraint the generator approximates
    (a pattern with a length limit, a `oneOf` that two branches satisfy) never yields an invalid value.
    """
    prepared, is_valid = _prepared(name_or_schema)
    return _gen(prepared, _Context(prepared), 0).filter(is_valid)


@dataclass(frozen=True)
class Invalid:
    """A payload that breaks its schema in exactly one way: `kind` at `path` (a `$.a.b` JSON path)."""

    payload: Any
    path: str
    kind: str  # "wrong-type", "missing-required", "extra-property", "enum", "pattern"
    detail: str


def _sites(value: Any, schema: Mapping[str, Any], ctx: _Context, parts: tuple[str | int, ...]) -> list[Any]:
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
    if isinstance(value, dict) and "object" in _types(schema):
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
    "string": st.text(_text_chars, max_size=5),
    "integer": st.integers(-1000, 1000),
    "number": st.floats(-1000, 1000).filter(lambda f: not f.is_integer()),
    "boolean": st.booleans(),
    "null": st.none(),
}


def _mutate(draw: st.DrawFn, document: Any, site: Any) -> Invalid | None:
    kind, parts, info = site
    path = format_path(parts)
    if kind == "wrong-type":
        allowed = set(_types(info))
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
        new = draw(st.text(_text_chars, max_size=10))
        return Invalid(_set(document, parts, new), path, kind, f"{new!r} does not match {info['pattern']!r}")
    if kind == "missing-required":
        target = dict(_get(document, parts))
        del target[info]
        return Invalid(_set(document, parts, target), path, kind, f"required property {info!r} removed")
    if kind == "extra-property":
        target = dict(_get(document, parts))
        name = draw(st.text(_text_chars, min_size=1, max_size=8).filter(lambda k: k not in info and k not in target))
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
    prepared, _ = _prepared(name_or_schema)
    if not _collect_constraints(prepared):
        raise InvalidArgument("this schema accepts every JSON value: there is nothing to violate")
    ctx = _Context(prepared)
    validator = validator_for(name_or_schema if isinstance(name_or_schema, str) else _resolve_input(name_or_schema))
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


HOSTILE_CONTENT_TYPES = (
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=utf-16",
    "application/json; charset=bogus",
    "text/plain",
    "text/plain; charset=iso-8859-1",
    "text/plain; charset=nope",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=----x",
    "application/octet-stream",
    "application/vnd.api+json",
    "image/png",
    "",
    ";",
    "application/json; charset=utf-8; charset=latin1",
)


def raw_bodies() -> st.SearchStrategy[tuple[str | None, bytes]]:
    """(content type, body) pairs a receiver must survive: broken JSON, invalid UTF-8, deep nesting, huge numbers,
    lone surrogates, BOMs, NaN, and plain random bytes. Shrinks towards an empty body without a content type."""
    deep = st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n)
    unclosed = st.integers(1, 3000).map(lambda n: b'{"a":' * n)
    specials = st.sampled_from(
        [
            b"",
            b"{",
            b"}",
            b"null",
            b"NaN",
            b"-Infinity",
            b"1e999999",
            b'"\\ud800"',
            b"\xef\xbb\xbf{}",
            b"\xff\xfe{\x00}\x00",
            b'{"a": 1, "a": 2}',
            b"[1,]",
            b"{'a': 1}",
            b"\x00",
            b"9" * 5000,
            b'{"user_id": 5}',
        ]
    )
    text = st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass"))
    valid_json = json_values.map(lambda v: _dumps(v))
    bodies = st.one_of(specials, st.binary(max_size=2000), text, valid_json, deep, unclosed)
    content_types = (
        st.none()
        | st.sampled_from(HOSTILE_CONTENT_TYPES)
        | st.text(string.printable, max_size=30).filter(lambda s: "\n" not in s and "\r" not in s)
    )
    return st.tuples(content_types, bodies)


def _dumps(value: Any) -> bytes:
    import json

    return json.dumps(value).encode()
