"""The Response action, and what the HTTP caller gets: the Response's answer, 502 or 504.

What the service does, from Microsoft's documentation and captures (sources in docs/power-automate-trigger.md §2.3,
and "Receive and respond to inbound HTTPS calls", learn.microsoft.com/azure/connectors/connectors-native-reqres):

- the Response action answers the caller when it runs, with its evaluated `statusCode`, `headers` and `body`, and
  the run goes on after it;
- "If all Response actions are skipped, the caller receives a 502 Bad Gateway error, even if the workflow finishes
  successfully"; a run that fails or ends before any Response answers 502 `NoResponse` ("The server did not
  receive a response from an upstream server. Request tracking id '...'."), as a real capture shows;
- a caller not answered within the timeout (120 s in Power Automate and Logic Apps Consumption) gets 504 with
  `ResponseTimeout` ("The server did not receive a timely response from the upstream server. Request tracking id
  '...'."); a Response action that runs after that fails with `ActionResponseTimedOut` and the run is Failed;
- a Response action with nobody waiting (a run started without a caller) is Skipped with `ActionResponseSkipped`;
- statuses are 2xx, 4xx or 5xx ("any valid status code that starts with 2xx, 4xx, or 5xx, but not with 3xxx").

Not documented, and chosen here (listed in the README's differences): a second Response after the caller was
answered fails with `ActionResponseAlreadySent`; an evaluated status code outside those ranges fails the action with
`InvalidResponseStatusCode`; the flow whose run never ends cannot happen locally (the virtual clock makes every run
end), so the 504 is decided on the virtual clock: a Response reached after 120 virtual seconds is a timeout.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flowmock_receiver.workflow.engine.base import SKIPPED, ActionFailure, Handler, Runner, as_mapping
from flowmock_receiver.workflow.engine.data import text_of
from flowmock_receiver.workflow.engine.records import ActionRecord

NO_RESPONSE = "NoResponse"
RESPONSE_TIMEOUT = "ResponseTimeout"
RESPONSE_TIMEOUT_SECONDS = 120.0
"""Power Automate's and Logic Apps Consumption's limit for answering a synchronous request (S3, S10)."""

_MESSAGES = {
    NO_RESPONSE: "The server did not receive a response from an upstream server. Request tracking id '{tracking_id}'.",
    RESPONSE_TIMEOUT: "The server did not receive a timely response from the upstream server. Request tracking id "
    "'{tracking_id}'.",
}


@dataclass(frozen=True)
class ResponseOutcome:
    """What the HTTP caller is to be answered. `kind` is "accepted" (the flow has no Response action: 202 at
    once), "response" (a Response action ran: `status_code`, `headers`, `body` as evaluated, `action` its name),
    "no_response" (502) or "timeout" (504, or 408 if the integrator chooses the older documented status).

    A flow whose Response is asynchronous (`operationOptions: Asynchronous`) reports twice: "asynchronous" (202,
    the caller is to poll) as the run starts, then the "response" or "no_response" its poll URL answers with."""

    kind: str
    status_code: int
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    action: str | None = None
    error_code: str | None = None

    def error_body(self, tracking_id: str) -> dict[str, Any]:
        """The service's error envelope for a 502/504 outcome, with the caller's tracking id in the message."""
        code = self.error_code or NO_RESPONSE
        return {"error": {"code": code, "message": _MESSAGES[code].format(tracking_id=tracking_id)}}

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "status_code": self.status_code,
            "headers": self.headers,
            "body": self.body,
            "action": self.action,
            "error_code": self.error_code,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> ResponseOutcome:
        return cls(
            kind=value["kind"],
            status_code=value["status_code"],
            headers=dict(value.get("headers") or {}),
            body=value.get("body"),
            action=value.get("action"),
            error_code=value.get("error_code"),
        )


def accepted() -> ResponseOutcome:
    """A flow without a Response action: 202 at once, empty body."""
    return ResponseOutcome("accepted", 202)


def no_response() -> ResponseOutcome:
    return ResponseOutcome("no_response", 502, error_code=NO_RESPONSE)


def timed_out(status_code: int = 504) -> ResponseOutcome:
    return ResponseOutcome("timeout", status_code, error_code=RESPONSE_TIMEOUT)


def refusal(
    name: str, caller_waiting: bool, outcome: ResponseOutcome | None, answered_by: str | None, timeout_status: int
) -> ActionFailure | None:
    """Why a Response action cannot answer, as the service reports it, or None when it can."""
    if not caller_waiting:
        return ActionFailure(
            "ActionResponseSkipped",
            f"The execution of template action '{name}' is skipped: there is no caller waiting for a response.",
            status=SKIPPED,
            result_code="ActionResponseSkipped",
        )
    if outcome is not None and outcome.kind == "timeout":
        return ActionFailure(
            "ActionResponseTimedOut",
            f"The execution of template action '{name}' is failed: the client application timed out waiting for a "
            "response from service. This means that workflow took longer to respond than the alloted timeout "
            "value. The connection maintained between the client application and service will be closed and "
            f"client application will get an HTTP status code {timeout_status}.",
        )
    if outcome is not None:
        return ActionFailure(
            "ActionResponseAlreadySent",
            f"The execution of template action '{name}' is failed: the response for this request was already sent "
            f"by action '{answered_by}'.",
        )
    return None


def response(run: Runner, name: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    inputs = as_mapping(run.evaluate(spec.get("inputs")))
    status = inputs.get("statusCode", 200)
    if isinstance(status, str) and status.strip().isdigit():
        status = int(status.strip())
    headers_value = inputs.get("headers") or {}
    headers = {str(k): text_of(v) for k, v in headers_value.items()} if isinstance(headers_value, Mapping) else {}
    record.inputs = {"statusCode": status, "headers": headers, "body": inputs.get("body")}
    if isinstance(status, bool) or not isinstance(status, int) or not (200 <= status <= 299 or 400 <= status <= 599):
        raise ActionFailure(
            "InvalidResponseStatusCode",
            f"The response status code '{status}' is not valid: it must be a 2xx, 4xx or 5xx status.",
        )
    run.respond(name, status, headers, inputs.get("body"))
    record.outputs = {"statusCode": status, "headers": headers, "body": inputs.get("body")}
    record.code = "OK"


HANDLERS: dict[str, Handler] = {"response": response}
