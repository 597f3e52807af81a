"""The admin API under /_flowmock/api: shapes other code relies on, and errors that are always JSON."""

from __future__ import annotations

import threading
import time

import pytest

from flowmock_receiver import create_app
from flowmock_receiver.core.store import MemoryStore
from flowmock_receiver.service import default_flow_id


def test_health_reports_ok_and_the_store_kind(client, store):
    data = client.get("/_flowmock/api/health").json
    assert data["status"] == "ok"
    assert data["store"] == store.kind


def test_without_config_the_four_default_flows_exist_with_validation_on_and_stable_ids(client):
    flows = client.get("/_flowmock/api/flows").json["flows"]
    assert [(f["schema"], f["schema_validation"]) for f in flows] == [
        ("backup-collection", True),
        ("collection-activity", True),
        ("monitor-results", True),
        ("team-activity", True),
    ]
    assert [f["id"] for f in flows] == [default_flow_id(f["schema"]) for f in flows]


def test_a_flow_is_its_definition_plus_id_and_both_signed_urls(api):
    flow = api.create(name="n", schema="monitor-results.strict")
    assert flow["name"] == "n" and flow["schema"] == "monitor-results.strict"
    assert flow["callback_url"].startswith(f"http://localhost/workflows/{flow['id']}/triggers/manual/paths/invoke?")
    assert "sig=" in flow["secondary_callback_url"]
    assert flow["state"] == "enabled" and flow["schema_validation"] is False
    assert flow["max_body_bytes"] == 104_857_600


@pytest.mark.parametrize(
    ("definition", "fragment"),
    [
        pytest.param({}, "'name' is required", id="no-name"),
        pytest.param({"name": "x", "schema": "nope"}, "unknown schema 'nope'", id="unknown-schema"),
        pytest.param({"name": "x", "schema": {"type": 5}}, "invalid JSON schema", id="bad-inline-schema"),
        pytest.param({"name": "x", "colour": "red"}, "unknown flow fields: colour", id="unknown-field"),
        pytest.param({"name": "x", "schema_validation": "yes"}, "must be a boolean", id="wrong-type"),
        pytest.param({"name": "x", "faults": {"failure_rate": 2}}, "between 0.0 and 1.0", id="bad-fault"),
        pytest.param({"name": "x", "auth": "magic"}, "'auth' must be one of", id="bad-auth"),
    ],
)
def test_invalid_definitions_are_refused_with_a_readable_reason(client, definition, fragment):
    response = client.post("/_flowmock/api/flows", json=definition)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "InvalidFlowDefinition"
    assert fragment in response.json["error"]["message"]


def test_patch_changes_state_and_validation(api):
    flow = api.create(schema="monitor-results")
    changed = api.patch(flow["id"], state="disabled", schema_validation=True).json
    assert changed["state"] == "disabled" and changed["schema_validation"] is True
    assert api.flow(flow["id"])["state"] == "disabled"
    assert api.patch(flow["id"], state="paused").status_code == 400


def test_runs_wait_blocks_until_the_wanted_number_of_runs_exist(api, client):
    flow = api.create()

    def post_later() -> None:
        time.sleep(0.2)
        api.call(flow["callback_url"], {"n": 1})
        api.call(flow["callback_url"], {"n": 2})

    # Flask's test client is not thread-safe across requests, so the late posts use their own client.
    other = client.application.test_client()
    from tests.receiver.conftest import Api

    api = Api(other)
    thread = threading.Thread(target=post_later)
    started = time.monotonic()
    thread.start()
    data = client.get(f"/_flowmock/api/flows/{flow['id']}/runs?wait=2&timeout=5").json
    thread.join()
    assert data["wait"] == {"wanted": 2, "have": 2, "timed_out": False}
    assert [r["outputs"]["body"]["n"] for r in data["runs"]] == [2, 1]
    assert time.monotonic() - started < 4


def test_runs_wait_returns_what_arrived_when_the_timeout_passes(api, client):
    flow = api.create()
    data = client.get(f"/_flowmock/api/flows/{flow['id']}/runs?wait=1&timeout=0.1").json
    assert data["wait"] == {"wanted": 1, "have": 0, "timed_out": True}
    assert data["runs"] == []


def test_one_run_by_id_and_one_trigger_entry_by_id(api, client):
    flow = api.create()
    response = api.call(flow["callback_url"], {"a": 1})
    run_id = response.headers["x-ms-workflow-run-id"]
    run = client.get(f"/_flowmock/api/runs/{run_id}").json
    assert run["run_id"] == run_id and run["flow_id"] == flow["id"]
    entry = client.get(f"/_flowmock/api/triggers/{run_id}").json
    assert entry["run_id"] == run_id and entry["request"]["method"] == "POST"
    assert client.get("/_flowmock/api/runs/nope").status_code == 404


def test_trigger_history_filters_by_status_and_pages(api, client):
    flow = api.create(state="disabled")
    for _ in range(3):
        api.call(flow["callback_url"], {})
    api.patch(flow["id"], state="enabled")
    api.call(flow["callback_url"], {})
    base = f"/_flowmock/api/flows/{flow['id']}/triggers"
    assert client.get(base + "?status=Failed").json["total"] == 3
    assert len(client.get(base + "?status=Succeeded").json["triggers"]) == 1
    page = client.get(base + "?limit=2&offset=2").json
    assert len(page["triggers"]) == 2 and page["total"] == 4
    assert client.get(base + "?limit=zero").status_code == 400


def test_clearing_a_flows_history_keeps_the_flow(api, client):
    flow = api.create()
    api.call(flow["callback_url"], {})
    assert client.delete(f"/_flowmock/api/flows/{flow['id']}/runs").status_code == 204
    assert api.runs(flow["id"]) == []
    assert api.call(flow["callback_url"], {}).status_code == 202


def test_reset_forgets_api_flows_and_history_but_default_flows_keep_their_urls(api, client):
    before = {f["id"]: f["callback_url"] for f in client.get("/_flowmock/api/flows").json["flows"]}
    created = api.create()
    default_url = next(iter(before.values()))
    api.call(default_url, {})
    flows = client.post("/_flowmock/api/reset", json={}).json["flows"]
    assert {f["id"]: f["callback_url"] for f in flows} == before
    assert client.get(f"/_flowmock/api/flows/{created['id']}").status_code == 404
    assert client.get("/_flowmock/api/runs").json["runs"] == []
    assert client.get("/_flowmock/api/reset").status_code == 405


def test_admin_errors_are_json_never_html(client):
    for response in (
        client.get("/_flowmock/api/flows/" + "0" * 32),
        client.get("/_flowmock/api/nothing-here"),
        client.put("/_flowmock/api/flows"),
        client.post("/_flowmock/api/flows", data=b"{not json", content_type="application/json"),
    ):
        assert response.status_code in (400, 404, 405)
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        assert set(response.json["error"]) >= {"code", "message"}


def test_admin_api_refuses_non_loopback_clients_unless_allowed():
    app = create_app(store=MemoryStore())
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    response = app.test_client().get("/_flowmock/api/flows", environ_base=remote)
    assert response.status_code == 403
    assert response.json["error"]["code"] == "AdminApiForbidden"
    assert app.test_client().get("/_flowmock/api/flows", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    allowed = create_app({"ADMIN_ALLOW_REMOTE": True, "ADMIN_TOKEN": "t0ken"}, store=MemoryStore())
    authorized = {"Authorization": "Bearer t0ken"}
    assert allowed.test_client().get("/_flowmock/api/flows", environ_base=remote, headers=authorized).status_code == 200


def test_the_trigger_itself_answers_remote_clients(api):
    flow = api.create()
    response = api.client.post(
        flow["callback_url"].split("localhost", 1)[1], json={}, environ_base={"REMOTE_ADDR": "203.0.113.9"}
    )
    assert response.status_code == 202


def test_public_url_sets_the_base_of_callback_urls():
    app = create_app({"PUBLIC_URL": "https://flowmock.example.test"}, store=MemoryStore())
    flows = app.test_client().get("/_flowmock/api/flows").json["flows"]
    assert all(f["callback_url"].startswith("https://flowmock.example.test/workflows/") for f in flows)


def test_config_mapping_declares_flows_instead_of_the_defaults():
    declared = [{"id": "ab" * 16, "name": "Mine", "schema": "team-activity", "primary_key": "k1"}]
    app = create_app({"FLOWS": declared}, store=MemoryStore())
    flows = app.test_client().get("/_flowmock/api/flows").json["flows"]
    assert [(f["id"], f["name"], f["origin"]) for f in flows] == [("ab" * 16, "Mine", "config")]
    again = create_app({"FLOWS": declared}, store=MemoryStore()).test_client().get("/_flowmock/api/flows")
    assert again.json["flows"][0]["callback_url"] == flows[0]["callback_url"]
