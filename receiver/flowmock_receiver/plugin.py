"""The pytest plugin (entry point `pytest11: flowmock`): a live receiver for any project's tests.

Fixtures: `flowmock_server` (session: a receiver in a thread on port 0 with the in-memory store, or an external
one from --flowmock-url / ini `flowmock_url` / env FLOWMOCK_URL), `flowmock` (function: a handle, cleared before
each test) and `flowmock_app` (an in-process app for Flask's test client). Under pytest-xdist every worker has its
own session and so its own server. An exception raised in the server thread fails the test that caused it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

try:
    import pytest
except ModuleNotFoundError as exc:  # pytest is an extra: `pip install flowmock` alone does not bring it
    if exc.name != "pytest":
        raise
    raise ModuleNotFoundError(
        "flowmock_receiver.plugin is flowmock's pytest plugin and needs pytest, which is not installed: "
        "install flowmock[pytest] (pip install 'flowmock[pytest]')",
        name=exc.name,
    ) from exc
from flask import Flask

pytest.register_assert_rewrite("flowmock_receiver.testing")

from .core.store import MemoryStore  # noqa: E402
from .serving import LiveServer  # noqa: E402
from .testing import FlowHandle, Flowmock  # noqa: E402
from .web import create_app  # noqa: E402

__all__ = ["FlowHandle", "Flowmock", "FlowmockServer"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("flowmock")
    group.addoption(
        "--flowmock-url", default=None, help="Use the flowmock server at this URL instead of one in a thread."
    )
    group.addoption(
        "--flowmock-strict",
        action="store_true",
        default=None,
        help="Fail a test at teardown when any call to flowmock failed schema validation.",
    )
    parser.addini("flowmock_url", "URL of an external flowmock server (like --flowmock-url).", default="")
    parser.addini("flowmock_strict", "Strict mode for every test (like --flowmock-strict).", type="bool", default=False)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "flowmock_strict: fail the test at teardown when any call to flowmock failed schema validation",
    )


@dataclass
class FlowmockServer:
    """The session's receiver: its base URL, and the app and thread when it runs in this process."""

    url: str
    app: Flask | None = None
    live: LiveServer | None = None
    reported: int = field(default=0)

    def reset(self, handle: Flowmock) -> None:
        """Forget every flow and call before a test: in this process, the service directly (a call through HTTP
        and the server's WSGI bridge cost several milliseconds per test); an external server, over HTTP."""
        if self.app is None:
            handle.reset()
        else:
            self.app.extensions["flowmock"].reset()

    def errors_total(self) -> int:
        """How many internal errors the in-thread server has had so far (0 for an external server)."""
        return 0 if self.app is None else int(self.app.extensions["flowmock"].errors.total)

    def server_errors(self, since: int = 0) -> list[BaseException]:
        """The server's internal errors after the first `since` (it keeps only the latest few)."""
        if self.app is None:
            return []
        errors: list[BaseException] = self.app.extensions["flowmock"].errors.since(since)
        return errors


def _external_url(config: pytest.Config) -> str | None:
    url = config.getoption("--flowmock-url") or config.getini("flowmock_url") or os.environ.get("FLOWMOCK_URL")
    return str(url) if url else None


@pytest.fixture(scope="session")
def flowmock_server(pytestconfig: pytest.Config) -> Iterator[FlowmockServer]:
    """A receiver for the whole session (one per xdist worker)."""
    external = _external_url(pytestconfig)
    if external:
        yield FlowmockServer(url=external.rstrip("/"))
        return
    app = create_app({"TESTING": True, "DATABASE": None}, store=MemoryStore())
    live = LiveServer(app, "127.0.0.1", 0).start()
    try:
        yield FlowmockServer(url=live.url, app=app, live=live)
    finally:
        live.stop()


def _strict(request: pytest.FixtureRequest) -> bool:
    if request.node.get_closest_marker("flowmock_strict") is not None:
        return True
    option = request.config.getoption("--flowmock-strict")
    return bool(option) or bool(request.config.getini("flowmock_strict"))


@pytest.fixture
def flowmock(flowmock_server: FlowmockServer, request: pytest.FixtureRequest) -> Iterator[Flowmock]:
    """A handle on the session's receiver, reset (flows and history) before the test."""
    __tracebackhide__ = True  # a failure at teardown shows its message, not the plugin's source
    handle = Flowmock(flowmock_server.url)
    flowmock_server.reset(handle)
    flowmock_server.reported = flowmock_server.errors_total()
    yield handle
    errors = flowmock_server.server_errors(flowmock_server.reported)
    flowmock_server.reported = flowmock_server.errors_total()
    if errors:
        raise errors[0]
    if _strict(request):
        bad = handle.nonconforming_calls()
        if bad:
            lines = [f"flowmock strict mode: {len(bad)} call(s) did not conform to their flow's schema:"]
            for entry in bad[:10]:
                lines.append(f"  flow {entry.flow_id} call {entry.id} ({entry.http_status}):")
                lines.extend(f"    {e.path}: {e.message}" for e in entry.schema_errors[:10])
            pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture
def flowmock_app() -> Iterator[Flask]:
    """An in-process receiver app (in-memory store, the four default flows) for Flask's test client."""
    app = create_app({"TESTING": True, "DATABASE": None}, store=MemoryStore())
    yield app
    errors = app.extensions["flowmock"].errors
    if errors:
        raise errors[0]


def pytest_report_header(config: pytest.Config) -> list[str] | None:
    url = _external_url(config)
    return [f"flowmock: external server {url}"] if url else None
