from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from flowmock_receiver import create_app
from flowmock_receiver.core.sqlite_store import SQLiteStore
from flowmock_receiver.core.store import MemoryStore
from flowmock_receiver.workflow.engine import runner
from tests.helpers import call_flow


@pytest.fixture
def held_after_answer(monkeypatch):
    """Hold a run at its first InitializeVariable action until the test sets the event: the run is then still
    going after its caller's answer however fast the machine is (a long loop alone finished within the answer's
    grace period on an idle machine, so the run was already over)."""
    release = threading.Event()
    initialize = runner.HANDLERS["initializevariable"]

    def held(run: Any, name: str, spec: Any, record: Any) -> None:
        release.wait(30)
        initialize(run, name, spec, record)

    monkeypatch.setitem(runner.HANDLERS, "initializevariable", held)
    yield release
    release.set()


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path) -> Iterator[Any]:
    made = MemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "flowmock.db")
    yield made
    made.close()


@pytest.fixture
def app(store):
    return create_app({"TESTING": True}, store=store)


@pytest.fixture
def client(app):
    return app.test_client()


class Api:
    """Thin helpers over Flask's test client, so tests read as what a user does."""

    def __init__(self, client) -> None:
        self.client = client

    def create(self, **definition: Any) -> dict[str, Any]:
        definition.setdefault("name", "test flow")
        response = self.client.post("/_flowmock/api/flows", json=definition)
        assert response.status_code == 201, response.json
        return response.json

    def flow(self, flow_id: str) -> dict[str, Any]:
        return self.client.get(f"/_flowmock/api/flows/{flow_id}").json

    def patch(self, flow_id: str, **changes: Any):
        return self.client.patch(f"/_flowmock/api/flows/{flow_id}", json=changes)

    def runs(self, flow_id: str) -> list[dict[str, Any]]:
        return self.client.get(f"/_flowmock/api/flows/{flow_id}/runs").json["runs"]

    def triggers(self, flow_id: str) -> list[dict[str, Any]]:
        return self.client.get(f"/_flowmock/api/flows/{flow_id}/triggers").json["triggers"]

    def call(
        self,
        url: str,
        body: Any = None,
        *,
        method: str = "POST",
        raw: bytes | None = None,
        content_type: str | None = "application/json",
        headers: dict[str, str] | None = None,
        path_suffix: str = "",
    ):
        return call_flow(
            self.client,
            url,
            body,
            data=raw,
            content_type=content_type,
            headers=headers,
            method=method,
            path_suffix=path_suffix,
        )


@pytest.fixture
def api(client) -> Api:
    return Api(client)


def url_without(url: str, *params: str) -> str:
    parts = urlsplit(url)
    kept = [p for p in parts.query.split("&") if p.split("=")[0] not in params]
    return parts._replace(query="&".join(kept)).geturl()


def url_with(url: str, **params: str) -> str:
    parts = urlsplit(url)
    names = {k.replace("_", "-"): v for k, v in params.items()}
    kept = [p for p in parts.query.split("&") if p.split("=")[0] not in names]
    kept += [f"{k}={v}" for k, v in names.items()]
    return parts._replace(query="&".join(kept)).geturl()
