"""The run-history pages, through Flask's test client: safe output, actions, paging."""

from __future__ import annotations

import json
import re

import pytest

from flowmock_receiver import create_app
from flowmock_receiver.core.store import MemoryStore
from tests.helpers import call_flow

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


@pytest.fixture
def app():
    return create_app({"FLOWS": [{"name": "Hooks <b>bold</b>", "schema": "team-activity.strict"}]}, store=MemoryStore())


@pytest.fixture
def client(app):
    return app.test_client()


def post(client, app, body, **kw):
    flow = app.extensions["flowmock"].store.list_flows()[0]
    return call_flow(client, flow.callback_url("http://localhost"), data=body, **kw)


def token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_pages_send_a_strict_content_security_policy(client):
    response = client.get("/_flowmock/")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "<script>" not in response.get_data(as_text=True).replace(
        '<script src="/_flowmock/static/flowmock.js" defer></script>', ""
    )


def test_hostile_payloads_and_names_are_escaped(client, app):
    post(
        client,
        app,
        json.dumps({"message": HOSTILE, "user_id": 1}),
        headers={"x-ms-client-tracking-id": HOSTILE},
    )
    flow_id = app.extensions["flowmock"].store.list_flows()[0].id
    index = client.get("/_flowmock/").get_data(as_text=True)
    assert "Hooks &lt;b&gt;bold&lt;/b&gt;" in index
    history = client.get(f"/_flowmock/flows/{flow_id}").get_data(as_text=True)
    call_id = re.search(r'data-call-id="([^"]+)"', history).group(1)
    detail = client.get(f"/_flowmock/calls/{call_id}").get_data(as_text=True)
    assert "<img src=x" not in detail and "<script>alert" not in detail
    assert "&lt;img src=x onerror=alert(2)&gt;" in detail
    assert "$.user_id" in detail and "Invalid type. Expected String but got Integer." in detail


def test_binary_bodies_are_shown_as_hex_not_interpreted(client, app):
    flow = app.extensions["flowmock"].store.list_flows()[0]
    call_flow(
        client, flow.callback_url("http://localhost"), data=b"\xff\x00<script>", content_type="application/octet-stream"
    )
    call = app.extensions["flowmock"].store.calls()[0]
    detail = client.get(f"/_flowmock/calls/{call.id}").get_data(as_text=True)
    assert "ff 00 3c 73 63 72 69 70 74 3e" in detail


def test_actions_need_the_page_token(client, app):
    flow_id = app.extensions["flowmock"].store.list_flows()[0].id
    assert client.post(f"/_flowmock/flows/{flow_id}/state", data={"state": "disabled"}).status_code == 403
    html = client.get("/_flowmock/").get_data(as_text=True)
    response = client.post(f"/_flowmock/flows/{flow_id}/state", data={"state": "disabled", "token": token(html)})
    assert response.status_code == 303
    assert app.extensions["flowmock"].store.get_flow(flow_id).state == "disabled"


def test_regenerate_and_clear_from_the_page(client, app):
    store = app.extensions["flowmock"].store
    flow = store.list_flows()[0]
    post(client, app, "{}")
    html = client.get(f"/_flowmock/flows/{flow.id}").get_data(as_text=True)
    client.post(f"/_flowmock/flows/{flow.id}/regenerate-key", data={"key_type": "primary", "token": token(html)})
    assert store.get_flow(flow.id).primary_key != flow.primary_key
    client.post(f"/_flowmock/flows/{flow.id}/clear", data={"token": token(html)})
    assert store.count(flow.id) == 0


def _older_link(html: str) -> str | None:
    match = re.search(r'href="([^"]+)" id="older"', html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_history_pages_by_cursor_older_and_newer_without_repeating_a_call(client, app):
    for _ in range(120):
        post(client, app, "{}")
    flow_id = app.extensions["flowmock"].store.list_flows()[0].id
    first = client.get(f"/_flowmock/flows/{flow_id}").get_data(as_text=True)
    assert first.count("data-call-id=") == 50 and "120 calls" in first and 'id="newer"' not in first
    second = client.get(_older_link(first)).get_data(as_text=True)
    last = client.get(_older_link(second)).get_data(as_text=True)
    assert last.count("data-call-id=") == 20 and _older_link(last) is None
    seen = [re.findall(r'data-call-id="([^"]+)"', page) for page in (first, second, last)]
    assert len({i for ids in seen for i in ids}) == 120
    newer = re.search(r'href="([^"]+)" id="newer"', last).group(1).replace("&amp;", "&")
    assert re.findall(r'data-call-id="([^"]+)"', client.get(newer).get_data(as_text=True)) == seen[1]


def test_pages_answer_loopback_clients_only(client):
    assert client.get("/_flowmock/", environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code == 403


def test_unknown_flow_and_call_pages_are_404(client):
    assert client.get("/_flowmock/flows/" + "0" * 32).status_code == 404
    assert client.get("/_flowmock/calls/nope").status_code == 404
