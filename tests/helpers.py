"""The one "call a flow's callback URL" for tests that hold a Flask test client and need its full response
(`.json`, `.headers`). Tests that need less use the public handle: `Flowmock.in_process(app)`."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

_UNSET: Any = object()


def call_flow(
    client: Any,
    url: str,
    body: Any = _UNSET,
    *,
    data: bytes | None = None,
    content_type: str | None = "application/json",
    headers: dict[str, str] | None = None,
    method: str = "POST",
    path_suffix: str = "",
) -> Any:
    """Send `body` as JSON (or `data` as raw bytes) to a callback URL through Flask's test client."""
    parts = urlsplit(url)
    if data is None:
        data = b"" if body is _UNSET or body is None else json.dumps(body).encode()
    sent = dict(headers or {})
    if content_type is not None:
        sent["Content-Type"] = content_type
    return client.open(parts.path + path_suffix, method=method, query_string=parts.query, data=data, headers=sent)
