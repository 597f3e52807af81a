"""A live receiver on a real socket, in a thread: what the pytest fixture and `flowmock serve` run.

Werkzeug's WSGI server and request handler rather than a hand-written server, served by threads that take turns
(see `LeaderFollowerWSGIServer`); stopping one takes milliseconds, not the half second of Werkzeug's polling loop.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import threading
import time
from email.utils import formatdate
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler

from flowmock_schemas.clikit import redact

from ..core.yielding import set_hook


@functools.lru_cache(maxsize=2)
def _http_date(second: int) -> str:
    """The `Date` header's text, made once a second rather than on every response."""
    return formatdate(second, usegmt=True)


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler with signatures redacted from access-log lines, or no access log at all.

    It sends no `Server` header: Power Automate's responses carry none (a client that logs or asserts on headers
    should see the real set).
    """

    log_requests = True
    # A client that goes quiet mid-request holds a serving thread; after this many seconds without a byte its
    # connection is closed, so clients that stall (64 of them would occupy every thread) cannot stop the server.
    timeout = 60

    def send_response(self, code: int, message: str | None = None) -> None:
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", _http_date(int(time.time())))

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.log_requests:
            super().log_request(code, size)

    def log(self, type: str, message: str, *args: Any) -> None:
        super().log(type, redact(message % args) if args else redact(message))


class SilentHandler(QuietHandler):
    log_requests = False


class LeaderFollowerWSGIServer(BaseWSGIServer):
    """Werkzeug's WSGI server and request handler, served by one thread at a time unless a call blocks.

    Under the GIL, handler threads that run at the same time mostly fight over it: on the same Werkzeug handler a
    bare endpoint cost 310-440 µs of CPU per request with a thread per connection or a pool fed by an accepting
    thread, and 210 µs with one thread accepting and serving in turn (`make bench`; the README has the figures).
    So one thread, the leader, accepts and serves connections itself. A call that blocks (a long-polling
    `runs?wait=`, an injected latency, a client that stalls mid-request) must not hold up the others, so a watchdog
    hands the leader's role to another thread (a waiting one, or a new one up to `workers`) once the leader has
    been on one connection for `handoff_after` seconds; the old leader finishes its call and then waits its turn.
    """

    multithread = True
    multiprocess = False

    def __init__(self, *args: Any, workers: int = 64, handoff_after: float = 0.005, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._max_threads = workers
        self._handoff_after = handoff_after
        self._lock = threading.Lock()
        self._turn = threading.Condition(self._lock)  # followers wait here to become the leader
        self._watch = threading.Condition(self._lock)  # the idle watchdog waits here for the next call
        self._threads: set[threading.Thread] = set()
        self._followers = 0
        self._leader: threading.Thread | None = None
        self._busy_since: float | None = None  # when the leader took the connection it is serving
        self._in_flight = 0  # connections being served, by the leader or by threads it handed its role on from
        self._watchdog_asleep = False
        self._stopping = False
        self._serving = False

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve until `shutdown()`. This thread is the watchdog; the leader and its followers do the serving.
        (`poll_interval` is socketserver's signature; nothing here polls for shutdown.)"""
        with self._lock:
            self._stopping = False
            self._serving = True
            self._promote()
        try:
            self._watchdog()
        finally:
            with self._lock:
                self._serving = False
                self._watch.notify_all()

    def _watchdog(self) -> None:
        idle_polls = 0
        with self._lock:
            while not self._stopping:
                if self._leader is None and not self._followers:
                    self._promote()  # nobody leads (no thread could be started before): try again
                busy = self._busy_since
                if busy is None:
                    idle_polls += 1
                    if idle_polls > 100 and self._leader is not None:  # idle: sleep until a call starts
                        self._watchdog_asleep = True
                        self._watch.wait()
                        self._watchdog_asleep = False
                        idle_polls = 0
                        continue
                else:
                    idle_polls = 0
                    if time.monotonic() - busy >= self._handoff_after:
                        self._leader = None
                        self._busy_since = None
                        self._promote()
                self._watch.wait(self._handoff_after)

    def _promote(self) -> None:
        """Let a waiting thread lead, or start one; called with the lock held and no leader."""
        if self._followers:
            self._turn.notify()
        elif len(self._threads) < self._max_threads:
            thread = threading.Thread(target=self._serve, name="flowmock-http", daemon=True)
            self._threads.add(thread)
            self._leader = thread  # reserved, so no finishing thread takes the role in between
            try:
                thread.start()
            except RuntimeError:  # the system has no thread to spare: the next thread to finish a call leads
                self._threads.discard(thread)
                self._leader = None

    def _serve(self) -> None:
        me = threading.current_thread()
        set_hook(self._step_down)
        try:
            while self._lead(me):
                pass
        finally:
            with self._lock:
                self._threads.discard(me)
                if self._leader is me:  # stopped, or an error escaped: someone else must accept from now on
                    self._leader = None
                    if not self._stopping:
                        self._promote()

    def _step_down(self) -> None:
        """The leader is about to wait inside a call: let another thread lead now (see `yielding`)."""
        with self._lock:
            if self._leader is threading.current_thread() and not self._stopping:
                self._leader = None
                self._busy_since = None
                self._promote()

    def _lead(self, me: threading.Thread) -> bool:
        """Wait to be the leader, then serve connections until demoted; False once the server stops."""
        with self._lock:
            self._followers += 1
            while self._leader is not None and self._leader is not me and not self._stopping:
                self._turn.wait()
            self._followers -= 1
            if self._stopping:
                return False
            self._leader = me
        while True:
            try:
                connection, address = self.socket.accept()
            except OSError:
                if self._stopping:
                    return False
                time.sleep(0.01)  # out of file descriptors, say: let the other threads finish theirs
                continue
            with self._lock:
                if self._stopping:
                    connection.close()
                    return False
                self._busy_since = time.monotonic()
                self._in_flight += 1
                if self._watchdog_asleep:
                    self._watch.notify()
            try:
                self.finish_request(connection, address)
            except Exception:
                self.handle_error(connection, address)
            finally:
                self.shutdown_request(connection)
            with self._lock:
                self._in_flight -= 1
                if self._leader is not me:
                    return True  # demoted while serving: wait for another turn
                self._busy_since = None

    def shutdown(self) -> None:
        """Stop accepting; calls being served finish on their own threads."""
        with self._lock:
            self._stopping = True
            self._turn.notify_all()
            self._watch.notify_all()
        with contextlib.suppress(OSError):  # on Linux this wakes the leader blocked in accept()
            self.socket.shutdown(socket.SHUT_RDWR)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            with self._lock:
                leader = self._leader
                if leader is None or not leader.is_alive() or self._busy_since is not None:
                    break
            self._wake_leader()
            leader.join(timeout=0.05)
        with self._lock:
            while self._serving:
                self._watch.wait(0.05)

    def wait_idle(self, timeout: float) -> bool:
        """After `shutdown()`, wait up to `timeout` seconds for the calls being served to finish."""
        deadline = time.monotonic() + timeout
        while self._in_flight and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self._in_flight

    def _wake_leader(self) -> None:
        """Where shutting a listening socket down does not wake accept(), a connection to ourselves does."""
        host, port = self.socket.getsockname()[:2]
        host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
        with contextlib.suppress(OSError):
            socket.create_connection((host, port), timeout=0.05).close()


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
            self._server = LeaderFollowerWSGIServer(host, port, app, handler, fd=listener.fileno())
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
            name="flowmock-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self, *, drain: float = 0.0) -> None:
        """Stop accepting; with `drain`, give the calls in flight that many seconds to finish (and be recorded)
        before the listening socket closes."""
        self._server.shutdown()
        if drain:
            self._server.wait_idle(drain)
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LiveServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
