"""The trigger's errors, from one table of codes and message templates, and every exception of the receiver.

The trigger's errors reproduce Power Automate's envelope `{"error": {"code", "message"}}` with
`Content-Type: application/json; charset=utf-8` (the powerplatform host adds `messageTemplate`), so a wording fix
is a one-line change here. Where the real text is unknown, the template says so in its comment and the README's
"differences" section lists it. The admin API's own errors use the same envelope (`error_body`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .jsontext import utf8


@dataclass(frozen=True)
class ErrorSpec:
    status: int
    code: str
    template: str


ERRORS: dict[str, ErrorSpec] = {
    # Trigger: lookup
    "flow_not_found": ErrorSpec(404, "WorkflowNotFound", "The workflow '{flow_id}' could not be found."),
    # Real text unknown: modelled on WorkflowNotFound.
    "trigger_not_found": ErrorSpec(
        404, "WorkflowTriggerNotFound", "The workflow '{flow_id}' trigger '{trigger}' could not be found."
    ),
    "url_too_long": ErrorSpec(
        414, "RequestUrlTooLong", "The request URL is too long: {length} characters, the limit is {limit}."
    ),
    # Trigger: authorization (E1-E6)
    "sas_required": ErrorSpec(
        401,
        "DirectApiAuthorizationRequired",
        "The request must be authenticated only by Shared Access scheme.",
    ),
    "oauth_required": ErrorSpec(401, "DirectApiAuthorizationRequired", "The OAuth authorization scheme is required."),
    # Real text unknown; the only published sentence comes from a synthetic test file.
    # flowmock's wording: a poll URL naming a run that is not (or no longer) in the history.
    "run_not_found": ErrorSpec(404, "WorkflowRunNotFound", "The workflow run '{run_id}' could not be found."),
    "bad_signature": ErrorSpec(
        401, "DirectApiInvalidAuthorizationSignature", "The provided authorization signature is not valid."
    ),
    "signature_expired": ErrorSpec(
        401, "DirectApiInvalidAuthorizationSignature", "The provided authorization signature has expired."
    ),
    "two_schemes": ErrorSpec(
        401,
        "DirectApiRequestHasMoreThanOneAuthorization",
        "The request has SAS authentication scheme, 'Bearer' authorization scheme or internal token scheme. "
        "Only one scheme should be used.",
    ),
    "claims_mismatch": ErrorSpec(
        401,
        "MisMatchingOAuthClaims",
        "One or more claims either missing or does not match with the open authentication access control policy.",
    ),
    # Trigger: api-version (E8, E9)
    "api_version_missing": ErrorSpec(
        400,
        "MissingApiVersionParameter",
        "The api-version query parameter (?api-version=) is required for all requests.",
    ),
    "api_version_invalid": ErrorSpec(
        400,
        "InvalidApiVersionParameter",
        "The api-version '{version}' is not valid. The supported versions are '{supported}'.",
    ),
    "api_version_unsupported": ErrorSpec(
        400,
        "InvalidApiVersionParameter",
        "The api-version '{version}' is not supported. Supported versions are: '2015-08-01-preview'.",
    ),
    # Trigger: state and method (E10-E12); the full method sentence is unknown, the fragment is real.
    "not_enabled": ErrorSpec(
        400,
        "WorkflowTriggerIsNotEnabled",
        "Could not execute workflow '{flow_id}' trigger '{trigger}' with state '{state}': trigger is not enabled.",
    ),
    "method_not_valid": ErrorSpec(
        400,
        "TriggerRequestMethodNotValid",
        "The HTTP method for this request is not valid: expected '{expected}' and actual '{actual}'.",
    ),
    # flowmock's choice: the real behaviour for a path that does not fit the template is unknown.
    "relative_path_mismatch": ErrorSpec(
        404,
        "TriggerRelativePathNotFound",
        "The relative path '{path}' does not match the trigger's relative path '{template}'.",
    ),
    # flowmock's own: a call it cannot record (a full disk) is not run and not acknowledged.
    "not_recorded": ErrorSpec(
        503,
        "FlowmockHistoryUnavailable",
        "flowmock could not record this call, so it was not run: {reason}. Free disk space or clear the history "
        "(DELETE /_flowmock/api/runs), then send it again.",
    ),
    # Trigger: content (E14, E15, E18)
    "too_large": ErrorSpec(
        413,
        "RequestEntityTooLarge",
        "The request content length '{length}' exceeds the maximum of '{limit}' bytes.",
    ),
    "invalid_content": ErrorSpec(
        400,
        "InvalidRequestContent",
        "The request content is not valid and could not be deserialized: '{detail}'.",
    ),
    "schema_mismatch": ErrorSpec(
        400,
        "TriggerInputSchemaMismatch",
        "The input body for trigger '{trigger}' of type 'Request' did not match its schema definition. "
        "Error details: '{details}'.",
    ),
    # Trigger conditions (E20): one that cannot be evaluated fails the trigger. The status is unknown and the text
    # only partly known ("evaluation failed: 'The template language function ...'"): 400 and this wording are
    # flowmock's.
    "condition_failed": ErrorSpec(
        400,
        "InvalidTemplate",
        "The trigger '{trigger}' condition '{condition}' evaluation failed: '{detail}'.",
    ),
    # Trigger: faults a flow is configured with (E16 and injected server errors)
    "throttled": ErrorSpec(
        429,
        "WorkflowRequestsThrottled",
        "Number of invoke requests for workflow '{name}' exceeded the limit of '{limit}' over time window of "
        "'{window}'.",
    ),
    "injected_failure": ErrorSpec(
        500,
        "{code}",
        "flowmock injected this {status_code} fault (faults of flow '{flow_id}'). Request tracking id '{tracking_id}'.",
    ),
}


class FlowmockError(Exception):
    """Base class of the receiver's exceptions."""


class FlowDefinitionError(FlowmockError, ValueError):
    """A flow definition that cannot be used (bad field type, 3xx response, unknown schema...)."""


class InvalidMocks(FlowmockError, ValueError):
    """Mocks of the wrong shape (the message names the path: `$.Get_user.statusCode: ...`), or for a flow that has
    no actions to mock."""


class ConfigFileError(FlowmockError, ValueError):
    """A TOML config file that cannot be read or does not describe flows."""


class FlowNotFound(FlowmockError, LookupError):
    """No flow with that id (or only its tombstone: a deleted flow is gone for everything but its old URLs)."""

    def __init__(self, flow_id: str) -> None:
        super().__init__(f"The flow '{flow_id}' was not found.")
        self.flow_id = flow_id


class FlowAlreadyExists(FlowmockError):
    """A flow is created with the id of one that exists (ids are fixed at creation, so URLs are known in advance)."""

    def __init__(self, flow_id: str) -> None:
        super().__init__(f"A flow with id '{flow_id}' already exists.")
        self.flow_id = flow_id


class CallNotFound(FlowmockError, LookupError):
    """No trigger-history entry with that id."""

    def __init__(self, call_id: str) -> None:
        super().__init__(f"The trigger history entry '{call_id}' was not found.")
        self.call_id = call_id


class BodyTooLarge(FlowmockError):
    """The body turned out longer than the flow allows while it was read (no or a false Content-Length)."""


class BodyIncomplete(FlowmockError):
    """The client stopped sending before the body's declared length."""


class AdminApiError(FlowmockError):
    """The admin API refused a request, or could not be reached (raised by `AdminClient`)."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class TriggerError(FlowmockError):
    """A call the trigger refuses: the table key plus the values its template needs."""

    def __init__(self, key: str, *, status: int | None = None, headers: dict[str, str] | None = None, **values: Any):
        self.key = key
        self.spec = ERRORS[key]
        self.values = values
        self.status = status if status is not None else self.spec.status
        self.extra_headers = headers or {}
        super().__init__(self.message)

    @property
    def code(self) -> str:
        return self.spec.code.format(**self.values)

    @property
    def message(self) -> str:
        return self.spec.template.format(**self.values)


def error_body(code: str, message: str, *, message_template: bool = False) -> bytes:
    """The Power Automate error envelope, serialised the way the service does (compact JSON)."""
    error: dict[str, str] = {"code": code, "message": message}
    if message_template:
        error["messageTemplate"] = code
    # A message may quote a body's string with a lone surrogate: jsontext.utf8 escapes it instead of failing.
    return utf8(json.dumps({"error": error}, separators=(",", ":"), ensure_ascii=False))


JSON_CONTENT_TYPE = "application/json; charset=utf-8"
