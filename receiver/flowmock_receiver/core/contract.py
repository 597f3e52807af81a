"""The contract verdict of a call: does its body conform to the flow's schema, and where it does not; and what a
flow's schema asks for, in words.

Bounded, because a body is the sender's to choose: a large one can break a schema thousands of times, and every
error worded costs time and makes the answer longer (a 585 KB body once gave a 14 MB answer in 4.9 s). The verdict
keeps the first `MAX_ERRORS` errors and, when there were more, `error_count` (a lower bound when counting stopped
at its time budget) and `errors_truncated`; the trigger's message lists the same errors and says how many more.

The four documented schemas require nothing (as Postman publishes them, any JSON object conforms: a monitor payload
posted to "Backup a collection" passes), so a verdict against them alone says little. For a flow whose schema has a
`.strict` variant, the verdict carries the strict one beside it (`contract.strict`), whatever the flow validates
against: the flow still answers as the real trigger would, and a test or `runs assert --strict` can ask for more.

A call refused before its body was checked, with no body to check (a 413 whose body was never read, a GET refused
for its method), gets the verdict "not checked" (`valid: null`) rather than a schema error about a null body that
nobody sent.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from flowmock_schemas import SchemaRegistryError, load_schema, mismatch_details, schema_names, validator_for

NOT_CHECKED_TOO_LARGE = "not checked: the body was over the flow's max_body_bytes and was not read"
NOT_CHECKED = "not checked: the call was refused before its body was checked, and no body arrived"

_SCHEMA_NAMES = frozenset(schema_names())  # asked on every call's verdict: built once, not per call

_KINDS = {
    "object": "a JSON object",
    "array": "a JSON array",
    "string": "a JSON string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a Boolean",
    "null": "null",
}


def strict_variant(schema: str | Mapping[str, Any] | None) -> str | None:
    """The name of the schema's `.strict` variant, for a documented schema that has one; else None."""
    if isinstance(schema, str) and f"{schema}.strict" in _SCHEMA_NAMES:
        return f"{schema}.strict"
    return None


def _judge(schema: str | Mapping[str, Any], body: Any) -> tuple[dict[str, Any], str]:
    try:
        validator = validator_for(schema)
        if validator.is_valid(body):  # nearly every call: nothing to word
            return {"valid": True, "errors": []}, ""
        report = validator.report(body)
    except SchemaRegistryError as exc:  # a flow saved before its refs were checked at save time: say so
        message = f"The flow's schema cannot be used: {exc}"
        return {"valid": False, "errors": [{"path": "$", "message": message}]}, message
    errors = report.errors
    contract: dict[str, Any] = {"valid": not errors, "errors": [e.to_dict() for e in errors]}
    details = mismatch_details(errors)
    if report.truncated:
        contract["error_count"] = report.total
        contract["errors_truncated"] = True
        more = report.total - len(errors)
        details += f",{'' if report.complete else 'At least '}{more} more errors not shown."
    return contract, details


def verdict(schema: str | Mapping[str, Any], body: Any) -> tuple[dict[str, Any], str]:
    """(the recorded verdict, with `strict` beside it for a documented schema; the `Error details` of
    TriggerInputSchemaMismatch, from the flow's own schema only, which is what the flow answers by)."""
    contract, details = _judge(schema, body)
    strict = strict_variant(schema)
    if strict is not None:
        contract["strict"] = {"schema": strict, **_judge(strict, body)[0]}
    return contract, details


def not_checked(*, too_large: bool = False) -> dict[str, Any]:
    """The verdict of a call whose body was never checked: neither conforming nor not."""
    return {"valid": None, "errors": [], "reason": NOT_CHECKED_TOO_LARGE if too_large else NOT_CHECKED}


def _describe(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    what = _KINDS.get(kind.lower(), "any JSON value") if isinstance(kind, str) else "any JSON value"
    required = [str(name) for name in schema.get("required") or []]
    if not required:
        return f"{what}, no field required" if what == "a JSON object" else what
    if len(required) > 4:
        names = f"{', '.join(required[:4])} and {len(required) - 4} more"
    elif len(required) > 1:
        names = f"{', '.join(required[:-1])} and {required[-1]}"
    else:
        names = required[0]
    return f"{what} with {names} required"


@functools.lru_cache(maxsize=64)
def _named_requirements(name: str) -> str:
    own = _describe(load_schema(name))
    strict = strict_variant(name)
    if strict is None:
        return own
    return f"{own}; strict verdict ({strict}): {_describe(load_schema(strict))}, at every level"


def requirements(schema: str | Mapping[str, Any] | None) -> str:
    """What a call's body needs to conform, in one line, for the start-up banner and the web page."""
    if schema is None:
        return "any body (no schema)"
    if isinstance(schema, str):
        return _named_requirements(schema)
    return _describe(schema)
