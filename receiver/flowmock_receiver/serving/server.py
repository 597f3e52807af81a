"""The receiver on a real socket: uvicorn, answering trigger calls from its event loop (`native`), and running the
WSGI app (the admin API, the pages, and the trigger calls whose body is read as the pipeline asks) on a pool of
threads through a2wsgi's public middleware.

Why uvicorn (measured with wrk on the real app, `make bench`; the README's Performance section has the figures):

- It sends no `Server` header when told not to (`server_header=False`), as Power Automate sends none. granian,
  about twice as fast, always sends `server: granian`; gunicorn and cheroot always send one too.
- It reads requests on an event loop, so clients that trickle their headers hold a socket, never a thread; a call
  that waits (a long poll, injected latency, a slow body) holds one pool thread and nothing else.
- It answers `Expect: 100-continue` only when the app starts reading the body, so an unauthorized call or one whose
  Content-Length is over the flow's limit gets its 401 or 413 instead of an invitation to upload (waitress, the
  other server with no `Server` header, sends 100 Continue as soon as the headers arrive, and reads every body).
- Its parser (llhttp, through httptools) refuses ambiguous framing as RFC 9112 asks: two Content-Length values,
  bytes that are not token characters in a method; garbage gets a real `400 Bad Request` status line. Chunk
  extensions and trailers are accepted.
- It keeps connections alive (the real service does), drains calls in flight on SIGTERM, and runs N worker
  processes sharing one socket (`serve --workers N`, see `multiprocess`) as well as one in a thread (the fixture).

`LiveServer` runs it in a thread with its own event loop (the pytest fixture, port 0) or in the main thread
(`flowmock serve`, where uvicorn handles SIGTERM and SIGINT); stopping the thread closes the listener and the idle
connections at once instead of waiting for uvicorn's 100 ms ticks.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import socket
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import uvicorn
from a2wsgi import WSGIMiddleware
from flask import Flask

from flowmock_schemas.clikit import redact

from ..core.memory import keep_large_blocks_mapped
from ..core.trigger_request import match_trigger_path
from ..web.access import EXTENSION
from .native import NativeTrigger

# Threads for the WSGI app. A long poll (`runs?wait=` allows 300 s), an injected latency or a body that arrives
# slowly holds one while it waits; idle ones cost no CPU, and the pool only grows as calls need it.
APP_THREADS = 256
# Idle keep-alive connections are kept this long: a sender that posts now and then reuses its connection.
KEEP_ALIVE_SECONDS = 120
# SIGTERM gives calls in flight this long to finish (and be recorded) before the store closes.
DRAIN_SECONDS = 5


class RedactSignatures(logging.Filter):
    """Access-log lines carry the request path with its query: hide the `sig` so a log is not a working URL."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def logging_config(*, access_log: bool) -> dict[str, Any]:
    """uvicorn's own log format, with its start-up chatter off (flowmock prints its own banner) and the access log
    redacted or off."""
    config: dict[str, Any] = {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"redact": {"()": RedactSignatures}},
        "formatters": {
            # Colour only where each handler writes to a terminal (uvicorn asks stdout for both): a log file, a
            # `serve 2> log` or a CI artifact reads as plain text.
            "default": {
                "()": "uvicorn.logging.DefaultFormatter",
                "fmt": "%(levelprefix)s %(message)s",
                "use_colors": sys.stderr.isatty(),
            },
            "access": {
                "()": "uvicorn.logging.AccessFormatter",
                "fmt": '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s',
                "use_colors": sys.stdout.isatty(),
            },
        },
        "handlers": {
            "default": {"formatter": "default", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"},
            "access": {
                "formatter": "access",
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "filters": ["redact"],
            },
        },
        "loggers": {
            "uvicorn": {"handlers": ["default"], "level": "WARNING", "propagate": False},
            "uvicorn.error": {"level": "WARNING"},
            "uvicorn.access": {
                "handlers": ["access"],
                "level": "INFO" if access_log else "WARNING",
                "propagate": False,
            },
        },
    }
    return config


class _TerminatedInput:
    """Tell the WSGI app that the server frames the body (a2wsgi ends `wsgi.input` where the request body ends,
    chunked or not), so Werkzeug reads chunked bodies and enforces its limit on them instead of seeing none."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        environ["wsgi.input_terminated"] = True
        return self.app(environ, start_response)


class FlowmockASGI:
    """The receiver's WSGI app as uvicorn serves it; `on_shutdown` runs after the last call has drained (a worker
    process closes its store there)."""

    def __init__(self, app: Flask, *, on_shutdown: Callable[[], None] | None = None) -> None:
        self.flask = app
        self._app = _TerminatedInput(app)
        self._wsgi = WSGIMiddleware(self._app, workers=APP_THREADS)  # type: ignore[arg-type]
        self._on_shutdown = on_shutdown
        # The trigger calls that may block (imported flows, injected latency) run here; a2wsgi has its own pool.
        self._pool = ThreadPoolExecutor(APP_THREADS, thread_name_prefix="flowmock-trigger")
        self._native = NativeTrigger(app.extensions[EXTENSION], self._pool)
        keep_large_blocks_mapped()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            route = match_trigger_path(scope["path"])
            if route is None or not await self._native.answer(scope, receive, send, route):
                await self._wsgi(scope, receive, send)
            return
        if scope["type"] != "lifespan":
            await self._wsgi(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._on_shutdown is not None:
                    self._on_shutdown()
                await send({"type": "lifespan.shutdown.complete"})
                return


def server_config(app: Any, *, access_log: bool = False, log: bool = True, **options: Any) -> uvicorn.Config:
    """The settings every flowmock server runs with; `app` is a FlowmockASGI or an import string of its factory."""
    return uvicorn.Config(
        app,
        http="httptools",
        server_header=False,  # Power Automate sends no Server header
        date_header=True,
        proxy_headers=False,  # the admin API's loopback check must see the real peer, not X-Forwarded-For
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=DRAIN_SECONDS,
        log_config=logging_config(access_log=access_log) if log else None,
        access_log=access_log,
        **options,
    )


def listen(host: str, port: int) -> socket.socket:
    """Bind here, so a busy port is an OSError for the caller rather than the server's own exit."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(2048)
    except OSError:
        listener.close()
        raise
    listener.set_inheritable(True)
    return listener


def base_url(host: str, port: int) -> str:
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class LiveServer:
    """Serve an app on `host:port` (0 picks a free port): in a daemon thread (`start()`, the pytest fixture) or in
    this thread until SIGTERM or Ctrl-C (`serve_forever()`, `flowmock serve`)."""

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0, *, access_log: bool = False) -> None:
        self.app = app
        self._socket = listen(host, port)
        self.host = host
        self.port = int(self._socket.getsockname()[1])
        # The fixture leaves logging to pytest; `flowmock serve` (access_log on or off) configures uvicorn's.
        self._config = server_config(FlowmockASGI(app), access_log=access_log, log=access_log, lifespan="off")
        self._server = uvicorn.Server(self._config)
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop_requested: asyncio.Event | None = None
        self._drain = 0.0
        self._ready = threading.Event()
        self._stopped = threading.Event()
        self._failure: BaseException | None = None

    @property
    def url(self) -> str:
        return base_url(self.host, self.port)

    def start(self) -> LiveServer:
        self._thread = threading.Thread(target=self._run_in_thread, name="flowmock-server", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._failure is not None:
            raise self._failure
        return self

    def _run_in_thread(self) -> None:
        with asyncio.Runner(loop_factory=self._config.get_loop_factory()) as runner:
            runner.run(self._serve_until_stopped())

    async def _serve_until_stopped(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop_requested = asyncio.Event()
        try:
            if not self._config.loaded:
                self._config.load()
            self._server.lifespan = self._config.lifespan_class(self._config)
            await self._server.startup(sockets=[self._socket])
        except BaseException as exc:
            self._failure = exc
            return
        finally:
            self._ready.set()
        ticks = asyncio.create_task(self._server.main_loop())  # the Date header, refreshed every second
        await self._stop_requested.wait()
        ticks.cancel()
        if self._drain:
            self._config.timeout_graceful_shutdown = math.ceil(self._drain)
            await self._server.shutdown(sockets=[self._socket])
            self._stopped.set()
            return
        for listener in self._server.servers:
            listener.close()
        for connection in list(self._server.server_state.connections):
            connection.shutdown()  # idle ones close now; one mid-call finishes it and then closes
        self._stopped.set()
        # `stop()` has returned; calls still in flight finish on their threads and answer through this loop.
        while self._server.server_state.tasks:
            await asyncio.sleep(0.05)

    def serve_forever(self) -> None:
        """Serve in this thread until SIGTERM or SIGINT, then let calls in flight finish (up to DRAIN_SECONDS)."""
        self._server.run(sockets=[self._socket])

    def request_exit(self) -> None:
        """Ask `serve_forever()` to stop as SIGTERM would, from a signal handler or before it has started: uvicorn
        checks this flag on every tick, so a signal that arrives before uvicorn installs its own handlers still
        stops the server."""
        self._server.should_exit = True

    def stop(self, *, drain: float = 0.0) -> None:
        """Stop accepting; with `drain`, give calls in flight that many seconds to finish (and be recorded)."""
        if self._loop is not None and self._stop_requested is not None and not self._loop.is_closed():
            self._drain = drain
            with contextlib.suppress(RuntimeError):  # the loop closed in between: already stopped
                self._loop.call_soon_threadsafe(self._stop_requested.set)
            self._stopped.wait(timeout=drain + 5)
        self._socket.close()

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
