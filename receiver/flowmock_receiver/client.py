"""A small client of the admin API, shared by the CLI and the pytest plugin."""

from __future__ import annotations

import contextlib
import json as _json
import os
from collections.abc import Iterator
from typing import Any

import requests

from .core.errors import AdminApiError

__all__ = ["AdminApiError", "AdminClient"]


class AdminClient:
    """The admin API over HTTP. `exchange` is the one method that touches the network for whole answers, so an
    in-process client (the pytest handle over Flask's test client) replaces only that; `stream` (the CLI's exports)
    reads a streamed answer over HTTP as it arrives."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 30.0,
        session: requests.Session | None = None,
        token: str | None = None,
        reveal_credentials: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()
        # The server's admin token (required when its admin API is remote); FLOWMOCK_ADMIN_TOKEN by default.
        self.token = token if token is not None else os.environ.get("FLOWMOCK_ADMIN_TOKEN") or None
        self.reveal_credentials = reveal_credentials

    def headers(self, method: str, content_type: str | None = None) -> dict[str, str]:
        """What every admin request carries: the bearer token, and for changes their content type (JSON unless
        said otherwise), which the server requires so a browser form on another site can never pass for a client."""
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if content_type:
            headers["Content-Type"] = content_type
        elif method.upper() in ("POST", "PUT", "PATCH"):
            headers["Content-Type"] = "application/json"
        return headers

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
        """Send one admin request (a JSON body, or `data` as `content_type`); (status, body)."""
        url = f"{self.base_url}/_flowmock/api{path}"
        if data is None and json is None and method.upper() in ("POST", "PUT", "PATCH"):
            data = b""
        with self._reaching():
            response = self.session.request(
                method,
                url,
                params=params,
                json=json,
                data=data,
                headers=self.headers(method, content_type),
                timeout=timeout or self.timeout,
            )
        return response.status_code, response.content

    @contextlib.contextmanager
    def _reaching(self) -> Iterator[None]:
        """A request sent, its failure to reach the server as an `AdminApiError` that says which."""
        try:
            yield
        except requests.ConnectionError:
            raise AdminApiError(f"cannot reach flowmock at {self.base_url} (is `flowmock serve` running?)") from None
        except requests.Timeout:
            raise AdminApiError(f"flowmock at {self.base_url} did not answer in time") from None

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        timeout: float | None = None,
        data: bytes | None = None,
        content_type: str | None = None,
    ) -> Any:
        if self.reveal_credentials and method.upper() == "GET":
            params = {**(params or {}), "reveal": "credentials"}
        status, body = self.exchange(
            method, path, params=params, json=json, timeout=timeout, data=data, content_type=content_type
        )
        return self._decoded(status, body)

    def _decoded(self, status: int, body: bytes) -> Any:
        """An answer's JSON, or its error as an `AdminApiError` that says what the server said."""
        if status == 204:
            return None
        try:
            data = _json.loads(body)
        except ValueError:
            raise AdminApiError(
                f"{self.base_url} answered {status} without JSON: is it a flowmock server?", status=status
            ) from None
        if status >= 400:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            raise AdminApiError(
                f"{error.get('code', status)}: {error.get('message', body.decode('utf-8', 'replace'))}",
                status=status,
                code=error.get("code"),
            )
        return data

    def stream(self, path: str, *, params: Any = None, chunk_size: int = 1 << 16) -> Iterator[bytes]:
        """A GET's answer in chunks as they arrive (`runs export` copies a history of any size to its file without
        holding it); a refusal raises `AdminApiError` before the first chunk, a stream broken off raises it too."""
        if self.reveal_credentials:
            params = {**(params or {}), "reveal": "credentials"}
        url = f"{self.base_url}/_flowmock/api{path}"
        with self._reaching():
            response = self.session.get(
                url, params=params, headers=self.headers("GET"), timeout=self.timeout, stream=True
            )
        with response:
            if response.status_code >= 300:
                self._decoded(response.status_code, response.content)
                raise AdminApiError(f"{self.base_url} answered {response.status_code}", status=response.status_code)
            try:
                yield from response.iter_content(chunk_size)
            except requests.RequestException as exc:
                raise AdminApiError(f"the answer from {self.base_url} broke off: {exc}") from None

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PATCH", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PUT", path, json=json, **kwargs)

    def import_file(self, data: bytes, *, filename: str) -> list[dict[str, Any]]:
        """Import an exported flow file (`POST /flows/import`): every flow in it, each with its `notes`."""
        content_type = "application/zip" if data[:4] == b"PK\x03\x04" else "application/json"
        answer = self.request(
            "POST", "/flows/import", params={"filename": filename}, data=data, content_type=content_type
        )
        flows: list[dict[str, Any]] = answer["flows"]
        return flows

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)

    def all_triggers(self, flow_id: str | None = None, page: int = 1000) -> list[dict[str, Any]]:
        """Every trigger-history entry, oldest first."""
        return self.every(f"/flows/{flow_id}/triggers" if flow_id else "/triggers", "triggers", page)

    def all_runs(self, flow_id: str | None = None, page: int = 1000) -> list[dict[str, Any]]:
        """Every run, oldest first."""
        return self.every(f"/flows/{flow_id}/runs" if flow_id else "/runs", "runs", page)

    def every(self, path: str, key: str, page: int = 1000) -> list[dict[str, Any]]:
        """All of a listing, oldest first."""
        return list(self.iterate(path, key, page))

    def iterate(self, path: str, key: str, page: int = 1000, params: dict[str, Any] | None = None) -> Iterator[Any]:
        """A listing oldest first, a page at a time by cursor (`after` the newest seq seen), so a history of any
        length is read in bounded memory, and calls recorded meanwhile are included, none twice."""
        after = 0
        while True:
            entries = self.get(path, params={**(params or {}), "limit": page, "after": after})[key]
            yield from reversed(entries)
            if len(entries) < page:
                return
            after = entries[0]["seq"]

    def body(self, kind: str, call_id: str) -> bytes:
        """One call's whole body (`kind`: "runs" or "triggers"), as the body URL streams it."""
        status, data = self.exchange("GET", f"/{kind}/{call_id}/body")
        if status != 200:
            raise AdminApiError(f"the body of {call_id} could not be read ({status})", status=status)
        return data
