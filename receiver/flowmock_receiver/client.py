"""A small client of the admin API, shared by the CLI and the pytest plugin."""

from __future__ import annotations

from typing import Any

import requests

from .core.errors import AdminApiError

__all__ = ["AdminApiError", "AdminClient"]


class AdminClient:
    def __init__(self, base_url: str, *, timeout: float = 30.0, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()

    def request(self, method: str, path: str, *, timeout: float | None = None, **kwargs: Any) -> Any:
        url = f"{self.base_url}/_flowmock/api{path}"
        try:
            response = self.session.request(method, url, timeout=timeout or self.timeout, **kwargs)
        except requests.ConnectionError:
            raise AdminApiError(f"cannot reach flowmock at {self.base_url} (is `flowmock serve` running?)") from None
        except requests.Timeout:
            raise AdminApiError(f"flowmock at {self.base_url} did not answer in time") from None
        if response.status_code == 204:
            return None
        try:
            data = response.json()
        except ValueError:
            raise AdminApiError(
                f"{self.base_url} answered {response.status_code} without JSON: is it a flowmock server?",
                status=response.status_code,
            ) from None
        if response.status_code >= 400:
            error = data.get("error", {}) if isinstance(data, dict) else {}
            raise AdminApiError(
                f"{error.get('code', response.status_code)}: {error.get('message', response.text)}",
                status=response.status_code,
                code=error.get("code"),
            )
        return data

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("POST", path, json=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> Any:
        return self.request("PATCH", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Any:
        return self.request("DELETE", path, **kwargs)

    def all_triggers(self, flow_id: str | None = None, page: int = 1000) -> list[dict[str, Any]]:
        """Every trigger-history entry, oldest first."""
        path = f"/flows/{flow_id}/triggers" if flow_id else "/triggers"
        found: list[dict[str, Any]] = []
        offset = 0
        while True:
            data = self.get(path, params={"limit": page, "offset": offset})
            found.extend(data["triggers"])
            offset += len(data["triggers"])
            if not data["triggers"] or offset >= data["total"]:
                break
        found.reverse()
        return found
