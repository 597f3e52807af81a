"""A live receiver on a real socket, in a thread: what the pytest fixture and `flowmock serve` run.

Werkzeug's `make_server` (threaded) rather than a hand-written server; `serve_forever` polls for shutdown every
10 ms instead of the default 500 ms, so stopping a server takes milliseconds, not half a second.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

_SIG = re.compile(r"(?i)([?&]sig=)[^&\s]*")


def redact(text: str) -> str:
    """Hide SAS signatures: a log line must not be a working callback URL."""
    return _SIG.sub(r"\1REDACTED", text)


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler with signatures redacted from access-log lines, or no access log at all."""

    log_requests = True

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.log_requests:
            super().log_request(code, size)

    def log(self, type: str, message: str, *args: Any) -> None:
        super().log(type, redact(message % args) if args else redact(message))


class SilentHandler(QuietHandler):
    log_requests = False


class LiveServer:
    """Serve an app on `host:port` (0 picks a free port) in a daemon thread until `stop()`."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0, *, access_log: bool = False) -> None:
        self.app = app
        handler = QuietHandler if access_log else SilentHandler
        # Bind here so a busy port is an OSError for the caller, not Werkzeug's own message and sys.exit(1).
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((host, port))
            listener.listen(128)
            self._server: BaseWSGIServer = make_server(
                host, port, app, threaded=True, request_handler=handler, fd=listener.fileno()
            )
        finally:
            listener.close()
        self._server.daemon_threads = True  # type: ignore[attr-defined]
        self.host = host
        self.port = int(self._server.socket.getsockname()[1])
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> LiveServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="flowmock-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever(poll_interval=0.05)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


logging.getLogger("werkzeug").setLevel(logging.INFO)
