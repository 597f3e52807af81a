"""The contract verdict of a call: does its body conform to the flow's schema, and where it does not.

Bounded, because a body is the sender's to choose: a large one can break a schema thousands of times, and every
error worded costs time and makes the answer longer (a 585 KB body once gave a 14 MB answer in 4.9 s). The verdict
keeps the first `MAX_ERRORS` errors and, when there were more, `error_count` (a lower bound when counting stopped
at its time budget) and `errors_truncated`; the trigger's message lists the same errors and says how many more.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowmock_schemas import SchemaRegistryError, mismatch_details, validator_for


def verdict(schema: str | Mapping[str, Any], body: Any) -> tuple[dict[str, Any], str]:
    """(the recorded verdict, the `Error details` of TriggerInputSchemaMismatch)."""
    try:
        report = validator_for(schema).report(body)
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
