"""flowmock's own API under `/_flowmock/api`: a namespace Power Automate never uses, reset by POST only.

It answers loopback clients only unless the app was told otherwise (`ADMIN_ALLOW_REMOTE`, which needs
`ADMIN_TOKEN`), since it can read every recorded body and rewrite every flow; `guard` refuses rebinding Hosts and
cross-site state changes, and credential headers are redacted unless asked for. Errors use the trigger's envelope,
never an HTML page or a traceback.
"""

from __future__ import annotations

import time
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from flask import Blueprint, Response, jsonify, request, stream_with_context

from ..core.errors import (
    JSON_CONTENT_TYPE,
    CallNotFound,
    FlowAlreadyExists,
    FlowDefinitionError,
    FlowNotFound,
    InvalidMocks,
    error_body,
)
from ..core.flows import Flow
from ..core.records import DETAIL_BODY_LIMIT, LIST_BODY_LIMIT, CallRecord
from ..core.redaction import redact_entry
from .access import base_url
from .access import receiver as _receiver
from .guard import BODY_METHODS, Refusal, authenticated, common_refusal, is_json

bp = Blueprint("admin", __name__)


class AdminError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@bp.before_request
def _guard() -> Response | None:
    """Host, client, cross-site, token and content-type checks (web/guard.py says why each exists)."""
    receiver = _receiver()
    refusal = common_refusal(request, receiver.public_url, receiver.admin_allow_remote)
    token = receiver.admin_token
    if refusal is None and token and request.endpoint != "admin.health" and not authenticated(request, token):
        refusal = Refusal(
            401, "AdminTokenRequired", "This flowmock admin API needs its token: 'Authorization: Bearer <token>'."
        )
    if refusal is None and request.method in BODY_METHODS and not is_json(request):
        refusal = Refusal(
            415, "UnsupportedMediaType", f"Send {request.method} requests to the admin API as application/json."
        )
    if refusal is None:
        return None
    response = Response(error_body(refusal.code, refusal.message), status=refusal.status)
    response.content_type = JSON_CONTENT_TYPE
    if refusal.status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="flowmock"'
    return response


def _shown(data: dict[str, Any]) -> dict[str, Any]:
    """A run or trigger entry as shown: credential headers redacted unless `?reveal=credentials`."""
    return data if request.args.get("reveal") == "credentials" else redact_entry(data)


@bp.errorhandler(AdminError)
def _admin_error(exc: AdminError) -> Response:
    return Response(error_body(exc.code, exc.message), status=exc.status, content_type=JSON_CONTENT_TYPE)


# The service's exceptions, as the admin API reports them (one place, so each keeps one status and code).
@bp.errorhandler(FlowNotFound)
def _flow_not_found(exc: FlowNotFound) -> Response:
    return _admin_error(AdminError(404, "FlowNotFound", str(exc)))


@bp.errorhandler(CallNotFound)
def _call_not_found(exc: CallNotFound) -> Response:
    return _admin_error(AdminError(404, "TriggerHistoryNotFound", str(exc)))


@bp.errorhandler(FlowAlreadyExists)
def _flow_exists(exc: FlowAlreadyExists) -> Response:
    return _admin_error(AdminError(409, "FlowAlreadyExists", str(exc)))


@bp.errorhandler(FlowDefinitionError)
def _bad_definition(exc: FlowDefinitionError) -> Response:
    return _admin_error(AdminError(400, "InvalidFlowDefinition", str(exc)))


@bp.errorhandler(InvalidMocks)
def _bad_mocks(exc: InvalidMocks) -> Response:
    return _admin_error(AdminError(400, "InvalidMocks", str(exc)))


def _json_body() -> Any:
    data = request.get_json(silent=True)
    if data is None and request.get_data():
        raise AdminError(400, "InvalidRequest", "The request body is not valid JSON.")
    return data if data is not None else {}


def _number_arg(name: str, default: float, low: float, high: float, kind: type[float] = float) -> float:
    """A query parameter as a number within bounds; a 400 that names the parameter otherwise."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = kind(raw)
    except ValueError:
        what = "an integer" if kind is int else "a number"
        raise AdminError(400, "InvalidRequest", f"'{name}' must be {what}, got {raw!r}.") from None
    if not low <= value <= high:
        raise AdminError(400, "InvalidRequest", f"'{name}' must be between {low} and {high}, got {value}.")
    return value


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    return int(_number_arg(name, default, low, high, int))


def _flow_json(flow: Flow) -> dict[str, Any]:
    receiver = _receiver()
    data = flow.to_api(base_url())
    data["runs"], data["failures"] = receiver.counts(flow.id)
    return data


def _page() -> dict[str, Any]:
    """Paging and filters of a history list: `limit`, and `offset` or a cursor (`before`/`after` a call's `seq`:
    the cursor does not slow with depth, an offset walks the index), `status` and `valid`."""
    page: dict[str, Any] = {
        "limit": _int_arg("limit", 100, 1, _receiver().max_page),
        "offset": _int_arg("offset", 0, 0, 10**9),
    }
    for name in ("before", "after"):
        if name in request.args:
            page[name] = _int_arg(name, 0, 0, 2**63 - 1)
    valid = request.args.get("valid")
    if valid is not None:
        if valid not in ("true", "false"):
            raise AdminError(400, "InvalidRequest", "'valid' must be 'true' or 'false'.")
        page["valid"] = valid == "true"
    return page


def _status_arg() -> str | None:
    status = request.args.get("status")
    if status is not None and status not in ("Succeeded", "Failed", "Skipped"):
        raise AdminError(400, "InvalidRequest", "'status' must be 'Succeeded', 'Failed' or 'Skipped'.")
    return status


def _with_body_url(data: dict[str, Any], call: CallRecord) -> dict[str, Any]:
    """A truncated body is a preview; the whole one is at `body_url`, streamed."""
    if call.body_truncated:
        data["request"]["body_url"] = f"{request.script_root}/_flowmock/api/triggers/{call.id}/body"
    return data


def _listing(
    key: str, flow_id: str | None, *, runs_only: bool, status: str | None = None, min_limit: int = 0
) -> dict[str, Any]:
    """A page of history, newest first, with bodies over 16 KB as previews, the exact `total` (from counters)
    of the filter, and the cursors of the page's ends."""
    receiver = _receiver()
    page = _page()
    page["limit"] = max(page["limit"], min_limit)  # `runs?wait=N` shows the runs waited for
    calls = receiver.store.calls(
        flow_id, runs_only=runs_only, status=status, body_limit=LIST_BODY_LIMIT, with_outputs=runs_only, **page
    )
    render = CallRecord.run_json if runs_only else CallRecord.trigger_json
    total = receiver.store.count(flow_id, runs_only=runs_only, status=status, valid=page.get("valid"))
    cursor = {"before": calls[-1].seq, "after": calls[0].seq} if calls else None
    return {key: [_shown(_with_body_url(render(c), c)) for c in calls], "total": total, "cursor": cursor}


def _body_stream(call_id: str) -> Response:
    """One call's raw body, streamed from the store (never whole in memory), as a download: served as
    `application/octet-stream` with its recorded type in `X-Flowmock-Content-Type`, so a recorded HTML body is
    never rendered in the admin API's origin."""
    store = _receiver().store
    call = store.get_call(call_id, body_limit=0)
    chunks = store.body_chunks(call_id) if call is not None else None
    if call is None or chunks is None:
        raise AdminError(404, "TriggerHistoryNotFound", f"The trigger history entry '{call_id}' was not found.")
    content_type = next((v for k, v in call.headers if k.lower() == "content-type"), "")
    response = Response(stream_with_context(chunks), mimetype="application/octet-stream")
    response.headers["Content-Disposition"] = f'attachment; filename="{call.id}.body"'
    response.headers["X-Flowmock-Content-Type"] = content_type
    return response


@bp.get("/health")
def health() -> Response:
    receiver = _receiver()
    try:
        release = version("flowmock")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
        release = "unknown"
    store = receiver.store
    oldest = store.oldest_time()
    history = {
        "calls": store.count(),
        "oldest": None if oldest is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(oldest)),
        **receiver.retention.status(),
    }
    return jsonify(
        status="ok" if store.read_only_reason is None else "read-only",
        version=release,
        store=store.kind,
        flows=len(store.list_flows()),
        history=history,
        read_only=store.read_only_reason,
    )


@bp.get("/flows")
def list_flows() -> Response:
    return jsonify(flows=[_flow_json(f) for f in _receiver().store.list_flows()])


@bp.post("/flows")
def create_flow() -> tuple[Response, int]:
    return jsonify(_flow_json(_receiver().create_flow(_json_body()))), 201


IMPORT_MAX_BYTES = 64 * 1024 * 1024  # the importer's own limit on a file
IMPORT_TYPES = ("application/zip", "application/x-zip-compressed", "application/octet-stream", "application/json")


@bp.post("/flows/import")
def import_flows() -> tuple[Response, int]:
    """The exported file as the body (a zip or JSON, recognised by content): every flow in it becomes a flow."""
    kind = (request.mimetype or "").lower()
    if kind not in IMPORT_TYPES and not kind.endswith("+json"):
        raise AdminError(
            415,
            "UnsupportedMediaType",
            f"Send the exported file as the body with Content-Type application/zip or application/json, not "
            f"{kind or 'none'!r}.",
        )
    if (request.content_length or 0) > IMPORT_MAX_BYTES:
        raise AdminError(413, "RequestEntityTooLarge", f"The file is larger than {IMPORT_MAX_BYTES} bytes.")
    source = request.args.get("filename") or ("upload.zip" if "zip" in kind else "upload.json")
    made = _receiver().import_flows(request.get_data(), source=source)
    return jsonify(flows=[{**_flow_json(flow), "notes": list(notes)} for flow, notes in made]), 201


@bp.get("/flows/<flow_id>/mocks")
def get_mocks(flow_id: str) -> Response:
    return jsonify(mocks=_receiver().flow(flow_id).mocks or {})


@bp.put("/flows/<flow_id>/mocks")
def put_mocks(flow_id: str) -> Response:
    """Replace an imported flow's mocks (design.md's shape, keyed by action name); `{}` removes them."""
    receiver = _receiver()
    receiver.flow(flow_id)
    flow, notes = receiver.set_mocks(flow_id, _json_body())
    return jsonify({**_flow_json(flow), "notes": notes})


@bp.get("/flows/<flow_id>")
def get_flow(flow_id: str) -> Response:
    return jsonify(_flow_json(_receiver().flow(flow_id)))


@bp.patch("/flows/<flow_id>")
def change_flow(flow_id: str) -> Response:
    receiver = _receiver()
    receiver.flow(flow_id)  # an unknown flow is a 404 before a bad body is a 400
    return jsonify(_flow_json(receiver.change_flow(flow_id, _json_body())))


@bp.delete("/flows/<flow_id>")
def delete_flow(flow_id: str) -> tuple[str, int]:
    """Remove the flow and its history; its old URLs answer 'Deleted' as a deleted flow's do."""
    _receiver().delete_flow(flow_id)
    return "", 204


@bp.post("/flows/<flow_id>/regenerate-key")
def regenerate_key(flow_id: str) -> Response:
    receiver = _receiver()
    receiver.flow(flow_id)
    body = _json_body()
    key_type = body.get("key_type", "primary") if isinstance(body, dict) else None
    if key_type not in ("primary", "secondary"):
        raise AdminError(400, "InvalidRequest", "'key_type' must be 'primary' or 'secondary'.")
    return jsonify(_flow_json(receiver.regenerate_key(flow_id, key_type)))


@bp.get("/flows/<flow_id>/runs")
def flow_runs(flow_id: str) -> Response:
    receiver = _receiver()
    receiver.flow(flow_id)
    if "wait" not in request.args:
        return jsonify(_listing("runs", flow_id, runs_only=True))
    wanted = _int_arg("wait", 1, 0, 100_000)
    timeout = _number_arg("timeout", 5.0, 0.0, 300.0)
    have = receiver.wait_for_runs(flow_id, wanted, timeout)
    listing = _listing("runs", flow_id, runs_only=True, min_limit=min(wanted, receiver.max_page))
    return jsonify({"wait": {"wanted": wanted, "have": have, "timed_out": have < wanted}, **listing})


@bp.delete("/flows/<flow_id>/runs")
def clear_flow_history(flow_id: str) -> tuple[str, int]:
    _receiver().clear_history(flow_id)
    return "", 204


@bp.get("/flows/<flow_id>/triggers")
def flow_triggers(flow_id: str) -> Response:
    _receiver().flow(flow_id)
    return jsonify(_listing("triggers", flow_id, runs_only=False, status=_status_arg()))


@bp.get("/runs")
def all_runs() -> Response:
    return jsonify(_listing("runs", None, runs_only=True))


@bp.get("/triggers")
def all_triggers() -> Response:
    return jsonify(_listing("triggers", None, runs_only=False, status=_status_arg()))


@bp.delete("/runs")
def clear_all_history() -> tuple[str, int]:
    receiver = _receiver()
    receiver.clear_history()
    return "", 204


@bp.get("/runs/<run_id>")
def get_run(run_id: str) -> Response:
    """One run; a body over 1 MB is a preview here and whole at `request.body_url`."""
    call = _receiver().store.get_call(run_id, body_limit=DETAIL_BODY_LIMIT)
    if call is None or call.run_id is None:
        raise AdminError(404, "RunNotFound", f"The run '{run_id}' was not found.")
    return jsonify(_shown(_with_body_url(call.run_json(), call)))


@bp.get("/runs/<run_id>/body")
def get_run_body(run_id: str) -> Response:
    call = _receiver().store.get_call(run_id, body_limit=0)
    if call is None or call.run_id is None:
        raise AdminError(404, "RunNotFound", f"The run '{run_id}' was not found.")
    return _body_stream(call.id)


@bp.get("/triggers/<call_id>")
def get_trigger(call_id: str) -> Response:
    """One trigger-history entry; a body over 1 MB is a preview here and whole at `request.body_url`."""
    call = _receiver().store.get_call(call_id, body_limit=DETAIL_BODY_LIMIT)
    if call is None:
        raise AdminError(404, "TriggerHistoryNotFound", f"The trigger history entry '{call_id}' was not found.")
    return jsonify(_shown(_with_body_url(call.trigger_json(), call)))


@bp.get("/triggers/<call_id>/body")
def get_trigger_body(call_id: str) -> Response:
    return _body_stream(call_id)


@bp.post("/triggers/<call_id>/resend")
def resend_trigger(call_id: str) -> tuple[Response, int]:
    """Send a recorded call to its flow again; answers the new trigger-history entry."""
    again = _receiver().replay(call_id)
    if again is None:
        raise AdminError(409, "ResendNotRecorded", "The call was re-sent but its flow no longer exists.")
    return jsonify(_shown(again.trigger_json())), 201


@bp.post("/reset")
def reset() -> Response:
    receiver = _receiver()
    receiver.reset()
    return jsonify(flows=[_flow_json(f) for f in receiver.store.list_flows()])
