"""Helpers for the tests of imported flows over HTTP: import a corpus file, and call a flow the way the corpus
requests (`tests/workflow/engine/test_corpus.py`) describe a call, as a sender would make it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from flowmock_receiver.workflow.definitions import load_flows
from tests.workflow.corpus import CORPUS

FILE_OF: dict[str, Path] = {flow.display_name: path for path in CORPUS for flow in load_flows(path)}
"""The corpus file each flow comes from, by display name."""


def content_type_of(path: Path) -> str:
    return "application/zip" if path.suffix == ".zip" else "application/json"


def import_file(client: Any, path: Path) -> list[dict[str, Any]]:
    source = f"{path.parent.name}/{path.name}" if path.name == "workflow.json" else path.name
    response = client.post(
        "/_flowmock/api/flows/import",
        data=path.read_bytes(),
        content_type=content_type_of(path),
        query_string={"filename": source},
    )
    assert response.status_code == 201, response.get_json()
    flows: list[dict[str, Any]] = response.get_json()["flows"]
    return flows


def import_flow(client: Any, name: str, mocks: dict[str, Any] | None = None) -> dict[str, Any]:
    """Import the corpus file holding the flow `name`; its flowmock flow, with `mocks` set."""
    flow = next(f for f in import_file(client, FILE_OF[name]) if f["name"] == name)
    if mocks:
        answer = client.put(f"/_flowmock/api/flows/{flow['id']}/mocks", json=mocks)
        assert answer.status_code == 200, answer.get_json()
        flow = answer.get_json()
    return flow


def request_parts(flow: dict[str, Any], request: dict[str, Any]) -> tuple[str, str, str, dict[str, str], bytes]:
    """(method, path, query string, headers, body) of the call that gives the trigger outputs `request`.

    The relative path parameters fill the callback URL's template; `Authorization` is left out (a SAS call with a
    bearer token is refused before any flow runs)."""
    url = flow["callback_url"]
    for name, value in (request.get("relativePathParameters") or {}).items():
        url = url.replace("{" + name + "}", value)
    parts = urlsplit(url)
    query = parts.query
    if request.get("queries"):
        query += "&" + urlencode(request["queries"])
    headers = {k: v for k, v in (request.get("headers") or {}).items() if k.lower() != "authorization"}
    body = request.get("body")
    data = b"" if body is None else json.dumps(body).encode()
    return flow.get("method") or "POST", parts.path, query, headers, data


def answer_body(data: bytes, content_type: str | None) -> Any:
    if not data:
        return None
    if (content_type or "").startswith("application/json"):
        return json.loads(data)
    return data.decode("utf-8")
