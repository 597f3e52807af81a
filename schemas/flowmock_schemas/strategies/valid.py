"""Valid payloads: a strategy built from the schema, each value checked against it as well."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.provisional import urls

from .subset import MAX_DEPTH, MAX_SAFE_INT, Context, json_values, prepare_schema, text_chars, types_of


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
        return st.text(text_chars, min_size=low, max_size=high if high is not None else max(low, 24))
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


def _object(schema: Mapping[str, Any], ctx: Context, depth: int) -> st.SearchStrategy[dict[str, Any]]:
    props: dict[str, Any] = dict(schema.get("properties") or {})
    required = [name for name in schema.get("required", []) if isinstance(name, str)]
    extra = schema.get("additionalProperties", True)
    fixed = {name: _gen(props.get(name, {}), ctx, depth + 1) for name in required}
    optional = {name: _gen(sub, ctx, depth + 1) for name, sub in props.items() if name not in required}
    if depth >= MAX_DEPTH:
        optional = {}
    strategy: st.SearchStrategy[dict[str, Any]] = st.fixed_dictionaries(fixed, optional=optional)
    if extra is not False and depth < MAX_DEPTH:
        values = json_values if extra is True else _gen(extra, ctx, depth + 1)
        keys = st.text(text_chars, min_size=1, max_size=10).filter(lambda k: k not in props)

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


def _gen(schema: Any, ctx: Context, depth: int) -> st.SearchStrategy[Any]:
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
    for kind in types_of(schema):
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
                options.append(st.lists(_gen(items, ctx, depth + 1), max_size=0 if depth >= MAX_DEPTH else 3))
        elif kind == "object":
            options.append(_object(schema, ctx, depth))
        else:
            raise InvalidArgument(f"unknown type {kind!r}")
    return st.one_of(options)


def from_schema(name_or_schema: str | Mapping[str, Any]) -> st.SearchStrategy[Any]:
    """Payloads that conform to a schema (a shipped schema name or an inline schema).

    Every generated value is checked against the schema as well, so a constraint the generator approximates
    (a pattern with a length limit, a `oneOf` that two branches satisfy) never yields an invalid value.
    """
    prepared, is_valid = prepare_schema(name_or_schema)
    return _gen(prepared, Context(prepared), 0).filter(is_valid)
