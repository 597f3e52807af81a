"""Actions that reach outside the run: Http, connectors, webhooks, child flows, functions, and any unknown type.

None of them touches the network. Each takes its result from the flow's mock for its name (`workflow.mocks`): the
mock's status, outputs or HTTP-shaped `statusCode`/`headers`/`body`, evaluated as expressions when the action runs.
Without a mock the action succeeds with empty outputs (`{"statusCode": 200, "headers": {}, "body": null}` for the
HTTP-shaped kinds, `{}` otherwise) and its record says `mocked: "default"`, unless the run is strict, where it fails
with `ActionNotMocked`.

A mocked failure with a 408, 429 or 5xx status is retried under the action's retry policy, each retry taking the
mock's next `sequence` entry and advancing the virtual clock by the policy's interval; an action-level
`limit.timeout` that the retries outlast ends the action `TimedOut`, as the service times it out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowmock_receiver.workflow.engine.base import (
    FAILED,
    SUCCEEDED,
    TIMED_OUT,
    ActionFailure,
    Handler,
    Runner,
    as_mapping,
)
from flowmock_receiver.workflow.engine.clock import parse_duration
from flowmock_receiver.workflow.engine.records import ActionRecord
from flowmock_receiver.workflow.engine.retry import is_retryable, policy_of
from flowmock_receiver.workflow.mocks import ActionMock

HTTP_SHAPED = frozenset(
    {
        "http",
        "httpwebhook",
        "apiconnection",
        "openapiconnection",
        "apiconnectionwebhook",
        "openapiconnectionwebhook",
        "workflow",
        "function",
        "apimanagement",
        "serviceprovider",
    }
)
"""Kinds whose outputs are `{statusCode, headers, body}` in the service's run history."""

EXTERNAL_KINDS = HTTP_SHAPED | {
    "javascriptcode",
    "xslt",
    "liquid",
    "flatfiledecoding",
    "flatfileencoding",
    "xmlvalidation",
}


_DOTNET_STATUS_NAMES = {
    100: "Continue", 101: "SwitchingProtocols", 200: "OK", 201: "Created", 202: "Accepted",
    203: "NonAuthoritativeInformation", 204: "NoContent", 205: "ResetContent", 206: "PartialContent",
    300: "MultipleChoices", 301: "MovedPermanently", 302: "Found", 303: "SeeOther", 304: "NotModified",
    305: "UseProxy", 306: "Unused", 307: "TemporaryRedirect", 400: "BadRequest", 401: "Unauthorized",
    402: "PaymentRequired", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed", 406: "NotAcceptable",
    407: "ProxyAuthenticationRequired", 408: "RequestTimeout", 409: "Conflict", 410: "Gone", 411: "LengthRequired",
    412: "PreconditionFailed", 413: "RequestEntityTooLarge", 414: "RequestUriTooLong", 415: "UnsupportedMediaType",
    416: "RequestedRangeNotSatisfiable", 417: "ExpectationFailed", 426: "UpgradeRequired", 500: "InternalServerError",
    501: "NotImplemented", 502: "BadGateway", 503: "ServiceUnavailable", 504: "GatewayTimeout",
    505: "HttpVersionNotSupported",
}  # fmt: skip
"""The .NET Framework `HttpStatusCode` names: the service writes an HTTP or connector action's result code with
them (`NotFound`), and codes the enum does not name as the number (`429`, `422`)."""


def status_name(code: int) -> str:
    return _DOTNET_STATUS_NAMES.get(code, str(code))


def call_external(run: Runner, name: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    kind = str(spec.get("type", "")).lower()
    inputs = run.evaluate(spec.get("inputs"))
    record.inputs = inputs
    run.show_inputs(name, inputs)
    mock, call = run.mock_for(name)
    if mock is None:
        if run.strict_mocks:
            raise ActionFailure(
                "ActionNotMocked",
                f"The action '{name}' of type '{spec.get('type')}' has no mock, and this run fails unmocked actions.",
            )
        record.mocked = "default"
        record.outputs = {"statusCode": 200, "headers": {}, "body": None} if kind in HTTP_SHAPED else {}
        record.code = "OK"
        return
    record.mocked = True
    policy = policy_of(as_mapping(inputs).get("retryPolicy")) if kind in HTTP_SHAPED else policy_of({"type": "none"})
    limit = as_mapping(spec.get("limit")).get("timeout")
    timeout = _timeout_seconds(run.evaluate(limit)) if limit is not None else None
    started = run.clock.elapsed()
    retry = 0
    while True:
        status, outputs, status_code, error = _result(run, mock.for_call(call + retry), kind)
        if status != FAILED or not is_retryable(status_code) or retry >= policy.count:
            break
        retry += 1
        run.clock.advance(policy.delay(retry))
        if timeout is not None and run.clock.elapsed() - started > timeout:
            status, error = TIMED_OUT, None
            break
        run.mock_for(name)  # a retry is another call: the next sequence entry
    record.outputs = outputs
    record.code = status_name(status_code) if isinstance(status_code, int) else ("OK" if status == SUCCEEDED else None)
    if status == TIMED_OUT:
        code = str((error or {}).get("code") or "ActionTimedOut")
        message = (error or {}).get("message") or f"The action '{name}' did not complete within its time limit."
        raise ActionFailure(code, str(message), status=TIMED_OUT, outputs=outputs)
    if status == FAILED:
        code = (error or {}).get("code") or record.code or "ActionFailed"
        message = (error or {}).get("message") or _failure_message(status_code)
        raise ActionFailure(str(code), str(message), outputs=outputs, result_code=record.code or str(code))


def _result(run: Runner, mock: ActionMock, kind: str) -> tuple[str, Any, int | None, dict[str, Any] | None]:
    status_code: Any = None
    if mock.http_shaped:
        status_code = run.evaluate(mock.status_code) if mock.status_code is not None else 200
        if isinstance(status_code, str) and status_code.strip().isdigit():
            status_code = int(status_code.strip())
        if isinstance(status_code, bool) or not isinstance(status_code, int):
            raise ActionFailure(
                "InvalidTemplate", f"The mock's statusCode evaluated to {status_code!r}, not an integer."
            )
        headers = run.evaluate(mock.headers) if mock.headers is not None else {}
        outputs: Any = {"statusCode": status_code, "headers": headers, "body": run.evaluate(mock.body)}
    elif mock.has_outputs:
        outputs = run.evaluate(mock.outputs)
    else:
        outputs = {"statusCode": 200, "headers": {}, "body": None} if kind in HTTP_SHAPED else {}
        if mock.status in (FAILED, TIMED_OUT) and kind in HTTP_SHAPED:
            outputs = {}
    error = run.evaluate(mock.error) if mock.error is not None else None
    if mock.status is not None:
        status = mock.status
    elif (isinstance(status_code, int) and status_code >= 400) or error is not None:
        status = FAILED
    else:
        status = SUCCEEDED
    return status, outputs, status_code if isinstance(status_code, int) else None, error


def _failure_message(status_code: int | None) -> str:
    if status_code is None:
        return "The mocked action failed."
    return f"The mocked response has status code {status_code} ({status_name(status_code)})."


def _timeout_seconds(value: Any) -> float:
    try:
        return parse_duration(str(value))
    except ValueError as exc:
        raise ActionFailure(
            "InvalidTemplate", f"The action limit timeout '{value}' is not an ISO 8601 duration."
        ) from exc


HANDLERS: dict[str, Handler] = {kind: call_external for kind in EXTERNAL_KINDS}
