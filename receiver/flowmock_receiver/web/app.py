"""The application factory: config layered as Flask's tutorial layers it, one blueprint per surface, state in
`app.extensions` (never in module globals: two apps share nothing)."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask, Response, request
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from ..core import jsontext
from ..core.errors import JSON_CONTENT_TYPE, TriggerError, error_body
from ..core.sqlite_store import SQLiteStore
from ..core.store import MemoryStore, Store, StoreError
from ..service import Receiver
from . import export  # noqa: F401  adds the export routes to the admin blueprint
from .access import EXTENSION, WEB_TOKEN
from .admin import bp as admin_bp
from .dispatch import TriggerDispatcher
from .pages import bp as pages_bp

log = logging.getLogger("flowmock")

DEFAULTS: dict[str, Any] = {
    "DATABASE": None,  # a SQLite path; None keeps everything in memory
    "REGION": "westus",
    "FLOWS": None,  # declared flows (a list of definitions); None means the four default flows
    "ADMIN_ALLOW_REMOTE": False,
    "ADMIN_TOKEN": None,  # required from every admin client when set; required to set ADMIN_ALLOW_REMOTE
    "PUBLIC_URL": None,  # base of callback URLs; by default the URL the admin request came in on
    "MAX_PAGE": 1000,
    "RETENTION_DAYS": 28,  # history older than this is removed in the background (0 keeps everything)
    "MAX_CALLS": None,  # and at most this many calls are kept (None: no cap)
}
# Taken from FLOWMOCK_* exactly as given: `from_prefixed_env` reads values as JSON, so a token `123` would be the
# number 123, `true` a bool, `null` no token at all and `"x"` lose its quotes.
TEXT_KEYS = ("DATABASE", "REGION", "ADMIN_TOKEN", "PUBLIC_URL")


class JSONProvider(DefaultJSONProvider):
    """Flask's provider, writing only valid JSON: never `Infinity` or `NaN` (see core/jsontext), keys in the
    order the records keep them."""

    sort_keys = False

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("default", self.default)
        kwargs.setdefault("ensure_ascii", self.ensure_ascii)
        kwargs.setdefault("sort_keys", self.sort_keys)
        return jsontext.dumps(obj, **kwargs)


def _printable(value: Any) -> Any:
    """Jinja's last step for every `{{ }}`: lone surrogates (legal in JSON bodies, not in UTF-8) shown escaped,
    so no recorded body can make a page fail to encode."""
    if isinstance(value, Markup):
        return Markup(jsontext.printable(value))
    if isinstance(value, str):
        return jsontext.printable(value)
    return value


def _json_error(status: int, code: str, message: str) -> Response:
    return Response(error_body(code, message), status=status, content_type=JSON_CONTENT_TYPE)


def create_app(config: Mapping[str, Any] | None = None, *, store: Store | None = None) -> Flask:
    """Build a receiver: defaults, then FLOWMOCK_* environment variables, then `config`."""
    app = Flask("flowmock_receiver")
    app.json = JSONProvider(app)
    app.jinja_env.finalize = _printable
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("FLOWMOCK")
    app.config.update({key: os.environ[f"FLOWMOCK_{key}"] for key in TEXT_KEYS if f"FLOWMOCK_{key}" in os.environ})
    if config:
        app.config.from_mapping(config)
    if store is None:
        database = app.config.get("DATABASE")
        store = SQLiteStore(database) if database else MemoryStore()
    receiver = Receiver(store, app.config)
    app.extensions[EXTENSION] = receiver
    app.extensions[WEB_TOKEN] = secrets.token_urlsafe(24)

    app.register_blueprint(admin_bp, url_prefix="/_flowmock/api")
    app.register_blueprint(pages_bp, url_prefix="/_flowmock")
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

    @app.get("/workflows/<flow_id>/runs/<run_id>/operations/<operation>")
    def _poll(flow_id: str, run_id: str, operation: str) -> Response:
        # The Location of an asynchronous Response's 202: outside /_flowmock/, reached as the trigger URL is.
        status, headers, body = receiver.poll(flow_id, run_id, operation, request.args, request.host_url)
        return app.response_class(body, status, headers)

    @app.errorhandler(StoreError)
    def _store_unavailable(exc: StoreError) -> Response:
        # A full disk is the machine's state, not a bug: clearing history may still fail when not even that fits.
        return _json_error(503, "FlowmockHistoryUnavailable", f"flowmock could not change its history: {exc}.")

    @app.errorhandler(Exception)
    def _internal(exc: Exception) -> Response:
        # A bug: keep it for the pytest plugin to re-raise in the test that caused it, and say so plainly.
        log.exception("flowmock internal error on %s %s", request.method, request.path)
        receiver.errors.append(exc)
        return _json_error(500, "InternalServerError", f"flowmock hit an internal error ({type(exc).__name__}).")

    receiver.install_declared()
    return app
