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

try:
    import hypothesis  # noqa: F401
except ModuleNotFoundError as exc:  # Hypothesis is an extra: `pip install flowmock` alone does not bring it
    if exc.name is None or exc.name.partition(".")[0] != "hypothesis":
        raise
    raise ModuleNotFoundError(
        "flowmock_schemas.strategies needs Hypothesis, which is not installed: "
        "install flowmock[hypothesis] (pip install 'flowmock[hypothesis]')",
        name=exc.name,
    ) from exc

from .invalid import Invalid, invalid_payloads
from .raw import raw_bodies
from .valid import from_schema

__all__ = ["Invalid", "from_schema", "invalid_payloads", "raw_bodies"]
