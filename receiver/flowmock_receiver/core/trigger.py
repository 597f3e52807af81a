"""The simulated "When a HTTP request is received" trigger, checking each call in the real service's order.

flow lookup (404) -> authorization (401) -> api-version (400) -> state (400) -> method (400) -> relative path ->
body size (413) -> content (400 InvalidRequestContent) -> schema (400 TriggerInputSchemaMismatch, only when the
flow has validation on; the contract verdict is recorded either way) -> faults (429/5xx, latency) -> trigger
conditions (imported flows: false records the call Skipped with no run) -> record -> respond (202, the flow's
Response action, or for an imported flow what its actions answer: its Response, 502 or 504).

Every call that reaches a known flow is recorded, refused or not, before the answer is sent.

The pipeline is a function of values: a `TriggerRequest` in, a `TriggerOutcome` (the `TriggerResponse` and the
`CallRecord` it left) out. It knows nothing of how a call arrived: the server makes requests from ASGI scopes,
the web layer from WSGI environs, replay from recorded calls, and each gets back the record it caused.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from . import contract, ids
from .authorization import authorize, check_api_version
from .content import ContentError, trigger_body
from .errors import JSON_CONTENT_TYPE, BodyIncomplete, BodyTooLarge, TriggerError, error_body
from .faults import FaultState
from .flowrun import SKIPPED, FlowRunner, encode_answer
from .flows import Flow
from .headers import run_headers, workflow_headers
from .jsontext import body_bytes
from .query import parse_query
from .records import CallRecord
from .store import Store, StoreFull
from .trigger_request import TriggerRequest as TriggerRequest  # re-exported: their home before
from .trigger_request import TriggerResponse as TriggerResponse
from .trigger_request import match_trigger_path as match_trigger_path

REFUSED_BODY_BYTES = 4096  # what is kept of the body of a call refused before its body is read
MAX_URL_LENGTH = 16_384


class TriggerOutcome(NamedTuple):
    """What a call produced: the answer, and the history entry it left (None when it reached no flow)."""

    response: TriggerResponse
    record: CallRecord | None


class Call:
    """One request on its way through the pipeline, and what will be recorded of it."""

    def __init__(
        self, trigger: Trigger, request: TriggerRequest, flow: Flow, relative: str, keep: Callable[[CallRecord], None]
    ) -> None:
        self.trigger = trigger
        self.keep = keep
        self.request = request
        self.flow = flow
        self.relative = relative
        self.region = trigger.region
        self.started = time.time()
        self.tracking_id = ids.new_tracking_id()
        self.raw = b""
        self.body: Any = None
        self.contract: dict[str, Any] = {"valid": True, "errors": []}
        self.host = "powerplatform" if request.path.startswith("/powerautomate/") else "logic"
        self.params: dict[str, str] = {}
        self.body_read = False
        self.header_pairs = request.headers
        self.header = {key.lower(): value for key, value in self.header_pairs}.get
        self.query = parse_query(request.query_string)
        self.contract_checked = False
        self.body_size = -1  # the size as sent, when only a prefix is kept
        self.record: CallRecord | None = None

    # Checks, in order ----------------------------------------------------------------------------------------
    def authorize(self) -> None:
        authorize(self.flow, self.query.first, self.header("authorization", ""))

    def check_api_version(self) -> None:
        check_api_version(self.host, self.query.first)

    def check_state_and_method(self) -> None:
        flow = self.flow
        if flow.deleted or flow.state != "enabled":
            state = "Deleted" if flow.deleted else "Disabled"
            raise TriggerError("not_enabled", flow_id=flow.id, trigger=flow.trigger_name, state=state)
        if flow.method and self.request.method.upper() != flow.method:
            raise TriggerError("method_not_valid", expected=flow.method, actual=self.request.method.upper())
        params = flow.match_relative_path(self.relative)
        if params is None:
            raise TriggerError("relative_path_mismatch", path=self.relative, template=flow.relative_path or "")
        self.params = params

    def read_body(self) -> None:
        limit = self.flow.max_body_bytes
        length = self.request.content_length
        if length is not None and length > limit:
            raise TriggerError("too_large", length=length, limit=limit)
        self.body_read = True
        try:
            self.raw = self.request.read_body(limit)
        except BodyTooLarge:
            raise TriggerError(
                "too_large", length=length if length is not None else f"more than {limit}", limit=limit
            ) from None
        except BodyIncomplete:
            raise TriggerError(
                "invalid_content", detail="The request content ended before its declared length."
            ) from None
        try:
            self.body = trigger_body(self.raw, self.header("content-type"))
        except ContentError as exc:
            self.contract = {"valid": False, "errors": [{"path": "$", "message": exc.detail}]}
            self.contract_checked = True
            raise TriggerError("invalid_content", detail=exc.detail) from None

    def check_contract(self) -> None:
        schema = self.flow.schema
        self.contract_checked = True
        if schema is None:
            return
        self.contract, details = contract.verdict(schema, self.body)
        if not self.contract["valid"] and self.flow.schema_validation:
            raise TriggerError("schema_mismatch", trigger=self.flow.trigger_name, details=details)

    # Recording and answering ---------------------------------------------------------------------------------
    def outputs(self) -> dict[str, Any]:
        hidden = set() if self.flow.include_authorization_headers else {"authorization"}
        headers = {key: value for key, value in self.header_pairs if key.lower() not in hidden}
        queries = dict(self.query.outputs)
        outputs: dict[str, Any] = {"headers": headers, "body": self.body}
        if queries:
            outputs["queries"] = queries
        if self.params:
            outputs["relativePathParameters"] = self.params
        return outputs

    def _record(
        self,
        *,
        status: int,
        headers: dict[str, str],
        body: bytes,
        error: TriggerError | None,
        run_id: str | None,
        client_tracking_id: str | None,
        outputs: dict[str, Any] | None,
        status_text: str | None = None,
        run: dict[str, Any] | None = None,
    ) -> CallRecord:
        ended = time.time()
        try:
            response_text: str | None = body.decode("utf-8")
        except UnicodeDecodeError:
            response_text = None
        call = CallRecord(
            id=run_id or ids.new_run_id(self.flow.scale_unit),
            flow_id=self.flow.id,
            time=ids.timestamp(self.started),
            end_time=ids.timestamp(ended),
            status=status_text or ("Failed" if error else "Succeeded"),
            http_status=status,
            method=self.request.method,
            path=self.request.path,
            query=list(self.query.pairs),
            headers=self.header_pairs,
            body=self.raw,
            contract=self.contract,
            response={"status": status, "headers": headers, "body": response_text},
            code=error.code if error else None,
            message=error.message if error else None,
            run_id=run_id,
            client_tracking_id=client_tracking_id,
            outputs=outputs,
            duration_ms=round((ended - self.started) * 1000, 3),
            body_derived=outputs is not None,
            run=run,
            body_size=self.body_size,
        )
        self.keep(call)
        self.record = call
        return call

    def _complete_record(self, error: TriggerError) -> None:
        """For a call refused early, still keep (the start of) its body and the contract verdict: people debug with
        them. Only `REFUSED_BODY_BYTES` are read: anyone can call a default flow's predictable URL unsigned, and
        keeping each body whole let them fill the disk. Nothing is read after `Expect: 100-continue` (reading would
        invite the upload of what is refused, RFC 9110 §10.1.1). With no whole body to judge (too large to read,
        only a prefix kept, none sent or none uploaded) the verdict is "not checked": a schema error about a null
        body would blame the sender for something it never sent."""
        reason, whole = error.key, True
        if not self.body_read and (self.header("expect") or "").lower() != "100-continue":
            self.body_read = True
            got = self._body_prefix(REFUSED_BODY_BYTES + 1)
            self.raw = (got or b"")[:REFUSED_BODY_BYTES]
            whole = got is not None and len(got) <= REFUSED_BODY_BYTES
            if not whole:
                self.body_size = max(self.request.content_length or 0, len(got or b""))
                reason = "too_large" if got is None else reason
            elif self.raw:
                try:
                    self.body = trigger_body(self.raw, self.header("content-type"))
                except ContentError as exc:
                    detail = TriggerError("invalid_content", detail=exc.detail).message
                    self.contract = {"valid": False, "errors": [{"path": "$", "message": detail}]}
                    self.contract_checked = True
        if not self.contract_checked and (not self.raw or not whole):
            self.contract = contract.not_checked(too_large=reason == "too_large")
        elif not self.contract_checked:
            # The verdict is recorded in self.contract; the call is refused for its first reason.
            with contextlib.suppress(TriggerError):
                self.check_contract()

    def _body_prefix(self, size: int) -> bytes | None:
        """Up to `size` bytes of the body; None, reading nothing, when it is declared over the flow's limit (a 413
        anyway, and a client claiming 1 TB may never send what it claims)."""
        length = self.request.content_length
        if length is not None and length > self.flow.max_body_bytes:
            return None
        if self.request.read_prefix is not None:
            return self.request.read_prefix(min(size, length) if length is not None else size)
        try:  # a request made without a prefix reader: the whole body only when it is that small
            return self.request.read_body(size)
        except (BodyTooLarge, BodyIncomplete):
            return None

    def refuse(self, error: TriggerError) -> TriggerResponse:
        self._complete_record(error)
        headers = {
            **workflow_headers(self.flow, self.tracking_id, self.region),
            **error.extra_headers,
            "Content-Type": JSON_CONTENT_TYPE,
        }
        body = error_body(error.code, error.message, message_template=self.host == "powerplatform")
        self._record(
            status=error.status,
            headers=headers,
            body=body,
            error=error,
            run_id=None,
            client_tracking_id=None,
            outputs=None,
        )
        return TriggerResponse(error.status, list(headers.items()), body)

    def skip(self) -> TriggerResponse:
        """Trigger conditions false: the service records the trigger Skipped and starts no run. What the caller gets
        is not documented; flowmock answers 202 with the workflow-level headers (there is no run to name)."""
        headers = workflow_headers(self.flow, self.tracking_id, self.region)
        self._record(
            status=202,
            headers=headers,
            body=b"",
            error=None,
            run_id=None,
            client_tracking_id=None,
            outputs=None,
            status_text=SKIPPED,
        )
        return TriggerResponse(202, list(headers.items()), b"")

    def fire(self) -> TriggerResponse:
        flow = self.flow
        run_id = ids.new_run_id(flow.scale_unit)
        client_tracking_id = self.header("x-ms-client-tracking-id") or run_id
        headers = run_headers(flow, self.tracking_id, self.region, run_id, client_tracking_id)
        outputs = self.outputs()
        runner = self.trigger.runner
        status, body, content_type, run = 202, b"", None, None
        started = None
        if flow.workflow is not None and runner is not None:
            started = runner.start(flow, outputs, run_id=run_id, tracking_id=self.tracking_id, base_url=self.base_url())
            answer = started.answer
            status, run = answer.status, answer.run
            if answer.error:
                body = body_bytes(answer.body)
                content_type = JSON_CONTENT_TYPE
            else:
                declared, body, content_type = encode_answer(answer.headers, answer.body, self.request.method.upper())
                headers = {**declared, **headers}
        elif flow.response is not None:
            status = int(flow.response.get("status", 200))
            declared, body, content_type = encode_answer(
                flow.response.get("headers") or {}, flow.response.get("body"), self.request.method.upper()
            )
            headers = {**declared, **headers}
        if content_type:
            headers["Content-Type"] = content_type
        record = self._record(
            status=status,
            headers=headers,
            body=body,
            error=None,
            run_id=run_id,
            client_tracking_id=client_tracking_id,
            outputs=outputs,
            run=run,
        )
        if started is not None:
            started.recorded(record)
        return TriggerResponse(status, list(headers.items()), body)

    def base_url(self) -> str | None:
        """The scheme and host the call came in on, for `listCallbackUrl()`; None without a Host header."""
        host = self.header("host")
        return f"{self.header('x-forwarded-proto', 'http')}://{host}" if host else None

    def check_conditions(self) -> bool:
        """An imported flow's trigger conditions: True to fire, False to record the call Skipped."""
        runner = self.trigger.runner
        if self.flow.workflow is None or runner is None:
            return True
        verdict = runner.decide(self.flow, self.outputs())
        if verdict.status == "Failed":
            raise TriggerError(
                "condition_failed",
                trigger=self.flow.trigger_name,
                condition=verdict.condition or "",
                detail=verdict.message or "",
            )
        return verdict.status != SKIPPED


class Trigger:
    """The pipeline with what it needs: where flows and calls live, the fault counters, the region it reports,
    and what to do with each record (the service stores it and wakes whoever waits for runs)."""

    def __init__(
        self,
        store: Store,
        faults: FaultState,
        region: str,
        record: Callable[[CallRecord], None],
        runner: FlowRunner | None = None,
    ) -> None:
        self.store = store
        self.faults = faults
        self.region = region
        self.record = record
        self.runner = runner  # runs imported flows; without one they answer as flows without actions

    def handle(
        self,
        request: TriggerRequest,
        flow_id: str,
        trigger: str,
        relative: str = "",
        *,
        flow: Flow | None = None,
        keep: Callable[[CallRecord], None] | None = None,
    ) -> TriggerOutcome:
        """Answer one call to a trigger URL (any method), recording it when it reaches a known flow.

        `flow` is the flow already looked up by a caller that had to see it first (the server deciding where to run
        the call). `keep` replaces `record` for this call: the server's event loop takes the record and writes it
        itself, without blocking, before it sends the answer (a `StoreFull` then becomes `not_recorded(...)`)."""
        length = len(request.path) + len(request.query_string) + 1
        if length > MAX_URL_LENGTH:
            error = TriggerError("url_too_long", length=length, limit=MAX_URL_LENGTH)
            return TriggerOutcome(bare_error(error), None)
        flow = self.store.get_flow(flow_id) if flow is None else flow
        if flow is None:
            return TriggerOutcome(bare_error(TriggerError("flow_not_found", flow_id=flow_id)), None)
        call = Call(self, request, flow, relative, keep or self.record)
        try:
            if trigger != flow.trigger_name:
                raise TriggerError("trigger_not_found", flow_id=flow_id, trigger=trigger)
            call.authorize()
            call.check_api_version()
            call.check_state_and_method()
            call.read_body()
            call.check_contract()
            self.faults.apply(flow, call.tracking_id)
            fires = call.check_conditions()
        except TriggerError as error:
            try:
                response = call.refuse(error)
            except StoreFull as full:
                return TriggerOutcome(not_recorded(full), None)
        else:
            try:
                response = call.fire() if fires else call.skip()
            except StoreFull as full:  # never a 202 for a call with no record: the sender must retry
                return TriggerOutcome(not_recorded(full), None)
        return TriggerOutcome(response, call.record)


def not_recorded(full: StoreFull) -> TriggerResponse:
    """The answer to a call whose record could not be written: never a 202 without a record (the sender retries)."""
    return bare_error(TriggerError("not_recorded", reason=str(full)))


def bare_error(error: TriggerError) -> TriggerResponse:
    """A refusal before any flow is known: no workflow headers to add, nothing to record."""
    return TriggerResponse(error.status, [("Content-Type", JSON_CONTENT_TYPE)], error_body(error.code, error.message))
