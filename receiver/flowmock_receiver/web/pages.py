"""The run-history page under `/_flowmock/`, in the spirit of Power Automate's own run history.

Server-rendered Jinja templates (autoescaped) and one small script that polls the admin API and builds rows with
`textContent`, never `innerHTML`, so a payload such as `<script>` or `"><img src=x onerror=...>` is shown as text.
A Content-Security-Policy forbids inline script; static files ship in the package, so the page works offline.
Actions are POST forms carrying a per-app token, so another site open in the same browser cannot drive them.
A run of an imported flow adds its action tree to the call's page (run_view.py and templates/_run.html).
"""

from __future__ import annotations

import base64
import hmac
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..core import jsontext
from ..core.content import ContentError, parse_json
from ..core.contract import requirements
from ..core.errors import FlowNotFound
from ..core.flows import Flow
from ..core.records import LIST_BODY_LIMIT, CallRecord, text_preview
from ..core.redaction import redact_entry, redact_pairs
from .access import base_url, web_token
from .access import receiver as _receiver
from .guard import SESSION_COOKIE, authenticated, common_refusal, session_value, token_matches
from .run_view import pretty, run_view

bp = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/static")

PAGE_SIZE = 50
PAGE_BODY_LIMIT = 256 * 1024  # a larger body is a preview and a download link on the call's page
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


@bp.before_request
def _guard() -> BaseResponse | None:
    """Host, client and cross-site checks shared with the API (web/guard.py), then the login when the server
    has an admin token, then the form token on every POST."""
    receiver = _receiver()
    refusal = common_refusal(request, receiver.public_url, receiver.admin_allow_remote)
    if refusal is not None:
        return Response(refusal.message, status=refusal.status, mimetype="text/plain")
    if request.endpoint == "web.static":
        return None
    token = receiver.admin_token
    if token and request.endpoint != "web.login" and not authenticated(request, token):
        if request.method == "GET":
            return redirect(url_for("web.login", next=request.full_path), code=303)
        return Response("Log in first: this flowmock server needs its admin token.", status=401, mimetype="text/plain")
    if request.method == "POST":
        sent = request.form.get("token", "")
        if not hmac.compare_digest(sent.encode(), web_token().encode()):
            return Response("Missing or wrong form token; reload the page.", status=403, mimetype="text/plain")
    return None


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    # same-origin, not no-referrer: under no-referrer a browser sends `Origin: null` with the pages' own forms,
    # which the cross-site check could not tell from a sandboxed frame on another site.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _flow_or_404(flow_id: str) -> Flow:
    try:
        return _receiver().flow(flow_id)
    except FlowNotFound:
        abort(404)


@bp.get("/")
def index() -> str:
    receiver = _receiver()
    base = base_url()
    flows = [
        {
            "flow": flow,
            "url": flow.callback_url(base),
            "counts": receiver.counts(flow.id),
            "requires": requirements(flow.schema),
        }
        for flow in receiver.store.list_flows()
    ]
    return render_template("index.html", flows=flows, token=web_token())


def _cursor_arg(name: str) -> int | None:
    try:
        value = int(request.args.get(name, ""))
    except ValueError:
        return None
    return value if value >= 0 else None


@bp.get("/flows/<flow_id>")
def flow_history(flow_id: str) -> str:
    """A page of 50 calls, newest first, by cursor (`before`/`after` a call's seq), so a page deep in a long
    history costs what the first one does; the total comes from the store's counters."""
    receiver = _receiver()
    flow = _flow_or_404(flow_id)
    status = request.args.get("status") if request.args.get("status") in ("Succeeded", "Failed") else None
    before, after = _cursor_arg("before"), _cursor_arg("after")
    if before is not None:
        after = None
    total = receiver.store.count(flow_id, status=status)
    found = receiver.store.calls(
        flow_id,
        status=status,
        limit=PAGE_SIZE + 1,
        before=before,
        after=after,
        body_limit=LIST_BODY_LIMIT,
        with_outputs=False,
    )
    if after is not None:  # the calls just after the cursor: the extra one is on the newer side
        newer, calls = len(found) > PAGE_SIZE, found[-PAGE_SIZE:]
        older = True
    else:
        older, calls = len(found) > PAGE_SIZE, found[:PAGE_SIZE]
        newer = before is not None
    return render_template(
        "flow.html",
        flow=flow,
        url=flow.callback_url(base_url()),
        requires=requirements(flow.schema),
        calls=calls,
        status=status,
        first_page=before is None and after is None,
        older=older and bool(calls),
        newer=newer and bool(calls),
        total=total,
        page_size=PAGE_SIZE,
        token=web_token(),
    )


def _preview(call: CallRecord) -> dict[str, Any]:
    text = text_preview(call.body)
    return {
        "kind": "preview",
        "text": text if text is not None else call.body[:256].hex(" "),
        "size": call.body_size,
        "kept": len(call.body),
        "url": url_for("admin.get_trigger_body", call_id=call.id),
    }


def _body_view(raw: bytes, content_type: str | None) -> dict[str, Any]:
    """How to show a body: pretty JSON, text, or (for bytes that are not text) hex and base64."""
    if not raw:
        return {"kind": "empty"}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        hex_lines = [raw[i : i + 16].hex(" ") for i in range(0, min(len(raw), 4096), 16)]
        return {
            "kind": "binary",
            "hex": "\n".join(hex_lines),
            "base64": base64.b64encode(raw).decode(),
            "size": len(raw),
        }
    try:
        value = parse_json(raw)
    except ContentError:
        return {"kind": "text", "text": text}
    return {"kind": "json", "text": jsontext.dumps(value, indent=2, ensure_ascii=False)}


@bp.get("/calls/<call_id>")
def call_detail(call_id: str) -> str:
    """One call; a body over `PAGE_BODY_LIMIT` is shown as a preview with a download link (streamed)."""
    call = _receiver().store.get_call(call_id, body_limit=PAGE_BODY_LIMIT)
    if call is None:
        abort(404)
    flow = _receiver().store.get_flow(call.flow_id)
    content_type = next((v for k, v in call.headers if k.lower() == "content-type"), None)
    response_body = call.response.get("body") or ""
    errors_by_path: dict[str, list[str]] = {}
    for error in call.contract.get("errors", []):
        errors_by_path.setdefault(error["path"], []).append(error["message"])
    # The run's actions (an imported flow's run) as the admin API returns them; None for a flowmock-defined flow.
    run = run_view(call.run_json()) if call.is_run else None
    strict = call.contract.get("strict")
    revealed = request.args.get("reveal") == "credentials"  # credential headers are shown only when asked for
    outputs = call.outputs if revealed or call.outputs is None else redact_entry({"outputs": call.outputs})["outputs"]
    return render_template(
        "call.html",
        call=call,
        flow=flow,
        headers=call.headers if revealed else redact_pairs(call.headers),
        request_body=_body_view(call.body, content_type) if not call.body_truncated else _preview(call),
        response_body=_body_view(response_body.encode(), None),
        errors_by_path=errors_by_path,
        strict=strict,
        parameters=(call.outputs or {}).get("relativePathParameters", {}),
        run=run,
        trigger_outputs=pretty(outputs),
        response_text=_text(response_body),
        token=web_token(),
    )


def _text(body: str) -> str:
    """A sent body as the page prints it: JSON indented, anything else as it was sent."""
    view = _body_view(body.encode(), None)
    if view["kind"] == "binary":
        return f"({view['size']} bytes that are not UTF-8 text)"
    return str(view.get("text", ""))


def local_next(target: str | None) -> str | None:
    """`target` when it is a path on this server's pages, else None: a form's `next` field is the sender's to
    choose, and following `//evil.example` or `https://evil.example` would make flowmock an open redirect."""
    if not target or not target.startswith("/_flowmock/") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    return target


def _back(flow_id: str) -> BaseResponse:
    fallback = url_for("web.flow_history", flow_id=flow_id)
    return redirect(local_next(request.form.get("next")) or fallback, code=303)


@bp.post("/flows/<flow_id>/state")
def set_state(flow_id: str) -> BaseResponse:
    flow = _flow_or_404(flow_id)
    state = request.form.get("state")
    if state not in ("enabled", "disabled"):
        abort(400)
    _receiver().change_flow(flow.id, {"state": state})
    return _back(flow_id)


@bp.post("/flows/<flow_id>/regenerate-key")
def regenerate(flow_id: str) -> BaseResponse:
    flow = _flow_or_404(flow_id)
    key_type = request.form.get("key_type", "primary")
    if key_type not in ("primary", "secondary"):
        abort(400)
    _receiver().regenerate_key(flow.id, key_type)
    return _back(flow_id)


@bp.post("/flows/<flow_id>/clear")
def clear(flow_id: str) -> BaseResponse:
    _flow_or_404(flow_id)
    _receiver().clear_history(flow_id)
    return _back(flow_id)


@bp.post("/calls/<call_id>/resend")
def resend(call_id: str) -> BaseResponse:
    call = _receiver().store.get_call(call_id)
    if call is None:
        abort(404)
    again = _receiver().replay(call.id)
    if again is None:
        return redirect(url_for("web.flow_history", flow_id=call.flow_id), code=303)
    return redirect(url_for("web.call_detail", call_id=again.id), code=303)


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse | str:
    """The pages' login when the server has an admin token: the token once, then an HttpOnly, SameSite=Strict
    cookie derived from it (never the token itself), limited to the pages and the API."""
    token = _receiver().admin_token
    target = local_next(request.values.get("next")) or url_for("web.index")
    if not token:
        return redirect(target, code=303)
    if request.method == "GET":
        return render_template("login.html", token=web_token(), next=target, failed=False)
    if not token_matches(request.form.get("admin_token", ""), token):
        return Response(render_template("login.html", token=web_token(), next=target, failed=True), status=401)
    response = redirect(target, code=303)
    response.set_cookie(
        SESSION_COOKIE,
        session_value(token),
        path="/_flowmock",
        httponly=True,
        samesite="Strict",
        secure=request.is_secure,
    )
    return response
