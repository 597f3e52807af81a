"""A live receiver on a real socket, in a thread: what the pytest fixture and `flowmock serve` run.

Werkzeug's WSGI server and request handler rather than a hand-written server, with a thread pool;
`serve_forever` polls for shutdown every 10 ms instead of the default 500 ms, so stopping a server takes
milliseconds, not half a second.
"""

from __future__ import annotations

import re
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

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


class PooledWSGIServer(BaseWSGIServer):
    """Werkzeug's WSGI server with a pool of handler threads instead of a new thread per connection.

    Werkzeug's dev server closes every connection after one request, so a thread-per-connection server starts a
    thread per request; reusing threads removes that cost from every call (see the README's performance section).
    """

    multithread = True
    multiprocess = False

    def __init__(self, *args: Any, workers: int = 64, **kwargs: Any) -> None:
        self._pool: ThreadPoolExecutor | None = None  # Werkzeug's constructor may call server_close() first
        super().__init__(*args, **kwargs)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="flowmock-http")

    def process_request(self, request: Any, client_address: Any) -> None:
        assert self._pool is not None
        self._pool.submit(self._handle, request, client_address)

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


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
            self._server: BaseWSGIServer = PooledWSGIServer(host, port, app, handler, fd=listener.fileno())
        finally:
            listener.close()
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
