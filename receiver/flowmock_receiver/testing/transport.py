"""How the pytest handle reaches a receiver: over HTTP (a live server, in a thread or external) or in process
(a Flask app through its test client), behind one small interface, so a test reads the same either way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol
from urllib.parse import urlsplit

import requests
from flask import Flask

from ..client import AdminClient
from .values import Answer


class Transport(Protocol):
    @property
    def admin(self) -> AdminClient:
        """The admin API, reached the same way as the callback URLs."""
        ...

    def send(self, method: str, url: str, *, body: bytes, headers: Mapping[str, str]) -> Answer:
        """Call a callback URL as a sender would."""
        ...


class HttpTransport:
    def __init__(self, base_url: str, *, session: requests.Session | None = None) -> None:
        self.session = session or requests.Session()
        # A test reads its own server's history: credential headers are shown, as the test sent them.
        self.admin = AdminClient(base_url, session=self.session, reveal_credentials=True)

    def send(self, method: str, url: str, *, body: bytes, headers: Mapping[str, str]) -> Answer:
        response = self.session.request(method, url, data=body, headers=dict(headers), timeout=30)
        return Answer(response.status_code, dict(response.headers), response.content)


class TestClientAdmin(AdminClient):
    """The admin API through Flask's test client: no socket, no thread."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, app: Flask) -> None:
        token = app.config.get("ADMIN_TOKEN")
        super().__init__("http://localhost", token=str(token) if token else "", reveal_credentials=True)
        self.client = app.test_client()

    def exchange(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        timeout: float | None = None,
        data: bytes | None = None,
        content_type: str | None = None,
    ) -> tuple[int, bytes]:
        headers = self.headers(method, content_type)
        if data is not None:
            response = self.client.open(
                f"/_flowmock/api{path}", method=method, query_string=params, data=data, headers=headers
            )
        else:
            response = self.client.open(
                f"/_flowmock/api{path}", method=method, query_string=params, json=json, headers=headers
            )
        return response.status_code, response.get_data()


class InProcessTransport:
    def __init__(self, app: Flask) -> None:
        self.admin = TestClientAdmin(app)
        self.client = self.admin.client

    def send(self, method: str, url: str, *, body: bytes, headers: Mapping[str, str]) -> Answer:
        parts = urlsplit(url)
        response = self.client.open(
            parts.path, method=method, query_string=parts.query, data=body, headers=dict(headers)
        )
        return Answer(response.status_code, dict(response.headers), response.get_data())
