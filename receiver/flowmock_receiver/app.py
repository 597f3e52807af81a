"""The application factory and the receiver state each app owns (no module globals: two apps share nothing)."""

from __future__ import annotations

import ipaddress
import logging
import secrets
import threading
import time
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.wrappers import Request as WerkzeugRequest
from werkzeug.wrappers import Response as WerkzeugResponse

from . import ids
from .errors import JSON_CONTENT_TYPE, TriggerError, error_body
from .faults import FaultState
from .flows import Flow, new_flow
from .records import CallRecord
from .sqlite_store import SQLiteStore
from .store import MemoryStore, Store
from .yielding import about_to_wait

log = logging.getLogger("flowmock")

DEFAULTS: dict[str, Any] = {
    "DATABASE": None,  # a SQLite path; None keeps everything in memory
    "REGION": "westus",
    "FLOWS": None,  # declared flows (a list of definitions); None means the four default flows
    "ADMIN_ALLOW_REMOTE": False,
    "PUBLIC_URL": None,  # base of callback URLs; by default the URL the admin request came in on
    "MAX_PAGE": 1000,
}

DEFAULT_FLOWS: tuple[dict[str, Any], ...] = (
    {"name": "Backup a collection", "schema": "backup-collection", "schema_validation": True},
    {"name": "Post collection activity", "schema": "collection-activity", "schema_validation": True},
    {"name": "Post monitoring results", "schema": "monitor-results", "schema_validation": True},
    {"name": "Post team activity", "schema": "team-activity", "schema_validation": True},
)


def default_flow_id(schema: str) -> str:
    return ids.stable_flow_id(f"default:{schema}")


class Receiver:
    """What one app instance holds: its store, its declared flows, fault counters and waiters."""

    def __init__(self, store: Store, config: Mapping[str, Any]) -> None:
        self.store = store
        self.region = str(config.get("REGION") or "westus")
        self.faults = FaultState()
        self.public_url: str | None = config.get("PUBLIC_URL")
        self.admin_allow_remote = bool(config.get("ADMIN_ALLOW_REMOTE"))
        self.max_page = int(config.get("MAX_PAGE") or 1000)
        declared = config.get("FLOWS")
        if declared is None:
            self.declared = [dict(d, id=default_flow_id(d["schema"])) for d in DEFAULT_FLOWS]
            self.declared_origin = "default"
        else:
            self.declared = [dict(d) for d in declared]
            self.declared_origin = "config"
        self.errors: list[BaseException] = []
        self.web_token = secrets.token_urlsafe(24)  # proves a web-page form came from a page this server rendered
        self._changed = threading.Condition()
        self._waiters = 0  # waking nobody still costs a lock round trip on every call

    def install_declared(self, *, previous: Mapping[str, Flow] | None = None) -> list[Flow]:
        """(Re)create the declared flows as declared; a flow that existed keeps its keys, so its URLs stay valid."""
        made = []
        for definition in self.declared:
            values = dict(definition)
            values.setdefault("id", ids.stable_flow_id(f"config:{values.get('name', '')}"))
            prior = (previous or {}).get(values["id"]) or self.store.get_flow(values["id"])
            if prior is not None:
                values.setdefault("primary_key", prior.primary_key)
                values.setdefault("secondary_key", prior.secondary_key)
            flow = new_flow(values, origin=self.declared_origin)
            self.store.save_flow(flow)
            made.append(flow)
        return made

    def change_flow(self, flow: Flow, **changes: Any) -> Flow:
        """Save a changed flow. Its fault counters start afresh: a new `faults` or state is a new experiment."""
        updated = flow.with_changes(**changes)
        self.store.save_flow(updated)
        self.faults.forget(flow.id)
        return updated

    def regenerate_key(self, flow: Flow, key_type: str) -> Flow:
        """A new primary or secondary key: URLs signed with it stop working, those signed with the other do not."""
        return self.change_flow(flow, **{f"{key_type}_key": ids.new_key()})

    def delete_flow(self, flow: Flow) -> None:
        """Remove a flow and its history; it stays as a tombstone so old URLs answer 'Deleted' as the real ones do."""
        self.store.delete_flow(flow.id)
        self.change_flow(flow, deleted=True)

    def clear_history(self, flow_id: str | None = None) -> None:
        self.store.clear(flow_id)
        self.faults.forget(flow_id)

    def allows(self, remote_addr: str | None) -> bool:
        """Whether a client may use the admin API and the web page: loopback only, unless told otherwise (they
        read every recorded body and rewrite every flow)."""
        if self.admin_allow_remote or not remote_addr:  # no address: an in-process client (Flask's test client)
            return True
        try:
            return ipaddress.ip_address(remote_addr.split("%")[0]).is_loopback
        except ValueError:
            return False

    def counts(self, flow_id: str) -> tuple[int, int]:
        """(runs, failed calls) of a flow, as the flow list and the web page show them."""
        return self.store.count(flow_id, runs_only=True), self.store.count(flow_id, status="Failed")

    def reset(self) -> None:
        """Forget every flow and call; declared flows come back with the keys they had (URLs stay valid)."""
        before = {f.id: f for f in self.store.list_flows(include_deleted=True)}
        self.store.reset()
        self.faults.forget()
        self.install_declared(previous=before)
        self.notify()

    def record(self, call: CallRecord) -> None:
        self.store.record(call)
        self.notify()

    def notify(self) -> None:
        if self._waiters:
            with self._changed:
                self._changed.notify_all()

    def wait_for_runs(self, flow_id: str, count: int, timeout: float) -> int:
        """Block until the flow has `count` runs or `timeout` passes; polls too, for other worker processes."""
        deadline = time.monotonic() + timeout
        with self._changed:
            self._waiters += 1
        try:
            waited = False
            while True:
                have = self.store.count(flow_id, runs_only=True)
                remaining = deadline - time.monotonic()
                if have >= count or remaining <= 0:
                    return have
                if not waited:
                    about_to_wait()  # this call will wait: let the server serve others meanwhile
                    waited = True
                with self._changed:
                    self._changed.wait(min(remaining, 0.05))
        finally:
            with self._changed:
                self._waiters -= 1

    def base_url(self) -> str:
        return self.public_url or request.host_url


class TriggerDispatcher:
    """Sends trigger URLs straight to the trigger pipeline, everything else to Flask.

    Every method must reach the trigger (a method mismatch is Power Automate's 400, not a router's 405), and the
    trigger is the hot path: plain Werkzeug request and response objects skip Flask's routing and context work,
    which is most of a request's cost on this stack.
    """

    def __init__(self, flask_wsgi: Any, receiver: Receiver) -> None:
        self.flask_wsgi = flask_wsgi
        self.receiver = receiver

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        from .trigger import TRIGGER_PATH, handle

        match = TRIGGER_PATH.match(environ.get("PATH_INFO", ""))
        if match is None:
            return self.flask_wsgi(environ, start_response)
        req = WerkzeugRequest(environ)
        response: Any
        try:
            response = handle(self.receiver, req, match.group(1), match.group(2), match.group(3) or "")
        except Exception as exc:
            log.exception("flowmock internal error on %s %s", req.method, req.path)
            self.receiver.errors.append(exc)
            response = WerkzeugResponse(
                error_body("InternalServerError", f"flowmock hit an internal error ({type(exc).__name__})."),
                status=500,
                content_type=JSON_CONTENT_TYPE,
            )
        return response(environ, start_response)


def _json_error(status: int, code: str, message: str) -> Response:
    return Response(error_body(code, message), status=status, content_type=JSON_CONTENT_TYPE)


def create_app(config: Mapping[str, Any] | None = None, *, store: Store | None = None) -> Flask:
    """Build a receiver: defaults, then FLOWMOCK_* environment variables, then `config`."""
    app = Flask("flowmock_receiver")
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("FLOWMOCK")
    if config:
        app.config.from_mapping(config)
    if store is None:
        database = app.config.get("DATABASE")
        store = SQLiteStore(database) if database else MemoryStore()
    receiver = Receiver(store, app.config)
    app.extensions["flowmock"] = receiver
    app.json.sort_keys = False  # type: ignore[attr-defined]

    from .admin import bp as admin_bp
    from .web import bp as web_bp

    app.register_blueprint(admin_bp, url_prefix="/_flowmock/api")
    app.register_blueprint(web_bp, url_prefix="/_flowmock")
    app.wsgi_app = TriggerDispatcher(app.wsgi_app, receiver)  # type: ignore[method-assign]

    @app.errorhandler(MethodNotAllowed)
    def _method_not_allowed(exc: MethodNotAllowed) -> Response:
        return _json_error(
            405, "MethodNotAllowed", f"The method '{request.method}' is not allowed on '{request.path}'."
        )

    @app.errorhandler(NotFound)
    def _not_found(exc: NotFound) -> Response:
        return _json_error(404, "NotFound", f"No route matches '{request.path}'.")

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        code = (exc.name or "Error").replace(" ", "")
        return _json_error(exc.code or 400, code, exc.description or code)

    @app.errorhandler(TriggerError)
    def _trigger_error(exc: TriggerError) -> Response:
        return _json_error(exc.status, exc.code, exc.message)

    @app.errorhandler(Exception)
    def _internal(exc: Exception) -> Response:
        # A bug: keep it for the pytest plugin to re-raise in the test that caused it, and say so plainly.
        log.exception("flowmock internal error on %s %s", request.method, request.path)
        receiver.errors.append(exc)
        return _json_error(500, "InternalServerError", f"flowmock hit an internal error ({type(exc).__name__}).")

    receiver.install_declared()
    return app
