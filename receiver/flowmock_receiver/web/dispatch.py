"""Trigger URLs go straight to the service's pipeline; everything else goes to Flask.

Every method must reach the trigger (a method mismatch is Power Automate's 400, not a router's 405), and the
trigger is the hot path: plain Werkzeug request objects and a WSGI answer written by hand skip Flask's routing and
context work, which is most of a request's cost on this stack.
"""

from __future__ import annotations

import functools
import logging
import tempfile
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from werkzeug.exceptions import ClientDisconnected, RequestEntityTooLarge
from werkzeug.wrappers import Request

from ..core.errors import JSON_CONTENT_TYPE, BodyIncomplete, BodyTooLarge, error_body
from ..core.memory import LARGE_BODY, large_body_slot
from ..core.trigger_request import TriggerRequest, TriggerResponse, match_trigger_path
from ..service import Receiver

log = logging.getLogger("flowmock")


@functools.lru_cache(maxsize=64)
def status_line(status: int) -> str:
    """`202 Accepted`, as the service writes it (Werkzeug would send `202 ACCEPTED`)."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _spooled(req: Request, limit: int, admit: Callable[[], None]) -> bytes:
    """A large (or chunked) body read in pieces into a temporary file that goes to disk past `LARGE_BODY`, then,
    once the call holds a large-body slot (`admit`), read back in one allocation of its exact size: reading into
    memory whole grows a buffer by copying, which doubled the peak of ten concurrent 50 MB calls."""
    stream = req.stream
    with tempfile.SpooledTemporaryFile(max_size=LARGE_BODY) as spool:
        size = 0
        while chunk := stream.read(1 << 16):
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(f"more than {limit} bytes")
            spool.write(chunk)
        if req.content_length is not None and size < req.content_length:
            raise BodyIncomplete("the client stopped sending")
        if size > LARGE_BODY:
            admit()
        spool.seek(0)
        return spool.read()


def trigger_request(req: Request, admit: Callable[[], None]) -> TriggerRequest:
    """The pipeline's view of a WSGI request; the body is read only when the pipeline asks for it, and a call
    refused before that reads only a prefix (`read_prefix`). A large body waits on disk for `admit`."""

    def read_body(limit: int) -> bytes:
        # One byte over the limit: Werkzeug stops a body without Content-Length (chunked) at its limit without
        # saying whether more followed, and a body cut to fit must be a 413, not a different body recorded.
        req.max_content_length = limit + 1
        try:
            length = req.content_length
            large = length is None or length > LARGE_BODY
            data = _spooled(req, limit, admit) if large else req.get_data(cache=True)
        except RequestEntityTooLarge:
            raise BodyTooLarge(f"more than {limit} bytes") from None
        except (ClientDisconnected, OSError):  # OSError: a chunked body with a broken chunk header
            raise BodyIncomplete("the client stopped sending") from None
        if len(data) > limit:
            raise BodyTooLarge(f"more than {limit} bytes")
        return data

    def read_prefix(size: int) -> bytes:
        try:
            return req.stream.read(size)
        except (ClientDisconnected, RequestEntityTooLarge, OSError):
            return b""

    environ = req.environ
    return TriggerRequest(
        req.method,
        req.path,
        environ.get("QUERY_STRING", ""),
        list(req.headers.items()),
        req.content_length,
        read_body,
        read_prefix,
    )


def internal_error(receiver: Receiver, exc: Exception, method: str, path: str) -> TriggerResponse:
    """A bug met on a trigger call: logged, kept for the pytest plugin to re-raise in the test that caused it, and
    answered plainly (the same answer whichever way the call was served)."""
    log.exception("flowmock internal error on %s %s", method, path)
    receiver.errors.append(exc)
    body = error_body("InternalServerError", f"flowmock hit an internal error ({type(exc).__name__}).")
    return TriggerResponse(500, [("Content-Type", JSON_CONTENT_TYPE)], body)


def respond(response: TriggerResponse, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
    """Write the pipeline's answer as WSGI wants it. The ~20 headers go out as the list the pipeline built,
    instead of through Werkzeug's Headers object, which was a measurable share of every call."""
    status, headers, body = response
    start_response(status_line(status), [*headers, ("Content-Length", str(len(body)))])
    return [b"" if environ.get("REQUEST_METHOD") == "HEAD" else body]


class TriggerDispatcher:
    """The app's WSGI callable: trigger URLs to the pipeline, the admin API and the pages to Flask."""

    def __init__(self, flask_wsgi: Any, receiver: Receiver) -> None:
        self.flask_wsgi = flask_wsgi
        self.receiver = receiver

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        wsgi_route = match_trigger_path(environ.get("PATH_INFO", ""))
        if wsgi_route is None:
            result: Iterable[bytes] = self.flask_wsgi(environ, start_response)
            return result
        req = Request(environ)
        # PATH_INFO is UTF-8 read as Latin-1 (WSGI's rule); the route is taken from the decoded path, as the
        # server's own trigger path takes it, so a relative path's non-ASCII parameters are recorded as sent.
        route = match_trigger_path(req.path) or wsgi_route
        try:
            # The call, its body and its record are freed by the end of this block, where the slot is given back.
            with large_body_slot() as admit:
                response = self.receiver.handle(trigger_request(req, admit), *route).response
        except Exception as exc:
            response = internal_error(self.receiver, exc, req.method, req.path)
        return respond(response, environ, start_response)
