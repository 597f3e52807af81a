"""What the pages say a flow checks, and the verdicts they show: the flow's own, the strict one, "not checked"."""

from __future__ import annotations

import re
from html import unescape

import pytest

from flowmock_receiver import create_app
from flowmock_receiver.core.store import MemoryStore
from tests.conftest import monitor_payload
from tests.helpers import call_flow


@pytest.fixture
def app():
    return create_app(store=MemoryStore())  # the four default flows


@pytest.fixture
def client(app):
    return app.test_client()


def flow_of(app, schema: str):
    return next(f for f in app.extensions["flowmock"].store.list_flows() if f.schema == schema)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_flow_list_says_what_each_schema_requires(client):
    page = text(client.get("/_flowmock/").get_data(as_text=True))
    assert page.count("requires a JSON object, no field required; strict verdict") == 4
    assert "strict verdict (backup-collection.strict): a JSON object with collection required" in page


def test_a_flows_page_says_what_conforms_and_that_validation_refuses_the_rest(client, app):
    flow = flow_of(app, "monitor-results")
    page = text(client.get(f"/_flowmock/flows/{flow.id}").get_data(as_text=True))
    assert "Schema monitor-results : a body conforms when it is a JSON object, no field required;" in page
    assert "Calls that do not conform are refused with 400." in page


def test_the_history_shows_the_strict_verdict_beside_the_flows_own(client, app):
    flow = flow_of(app, "backup-collection")
    call_flow(client, flow.callback_url("http://localhost"), monitor_payload())  # conforms to the documented one
    page = client.get(f"/_flowmock/flows/{flow.id}").get_data(as_text=True)
    row = text(page.split('<tr data-call-id="', 1)[1].split("</tr>", 1)[0])
    assert re.search(r"conforms strict: \d+ errors?", row), row
    assert 'title="backup-collection.strict"' in page


def test_a_calls_page_lists_the_strict_errors_by_path(client, app):
    flow = flow_of(app, "monitor-results")
    response = call_flow(client, flow.callback_url("http://localhost"), {"monitor_name": "nightly"})
    run_id = response.headers["x-ms-workflow-run-id"]
    page = text(client.get(f"/_flowmock/calls/{run_id}").get_data(as_text=True))
    assert "Contract conforms" in page
    assert "Strict verdict (monitor-results.strict): 1 error" in page
    assert "$ Required properties are missing from object: collection_name" in page


def test_a_call_refused_before_its_body_was_read_shows_not_checked(client, app):
    receiver = app.extensions["flowmock"]
    flow = receiver.change_flow(flow_of(app, "monitor-results").id, {"max_body_bytes": 10})
    assert call_flow(client, flow.callback_url("http://localhost"), monitor_payload()).status_code == 413
    history = client.get(f"/_flowmock/flows/{flow.id}").get_data(as_text=True)
    assert "not checked" in text(history) and "error" not in text(history.split("<tbody>", 1)[1]).replace("Failed", "")
    call_id = re.search(r'data-call-id="([^"]+)"', history).group(1)
    detail = text(client.get(f"/_flowmock/calls/{call_id}").get_data(as_text=True))
    assert "Contract not checked" in detail and "was over the flow's max_body_bytes and was not read" in detail
    assert "Expected Object but got Null" not in detail
