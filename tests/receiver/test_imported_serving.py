"""Imported flows through every way in but the admin API's own tests: the live server, `flowmock flows import`, the
config file's `definition`, `serve --flow`, and a restart with SQLite (flows, mocks and runs kept; a run still
going when the store closed stays Running)."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from click.testing import CliRunner

from flowmock_receiver import create_app
from flowmock_receiver.client import AdminClient
from flowmock_receiver.core.errors import ConfigFileError
from flowmock_receiver.core.sqlite_store import SQLiteStore
from flowmock_receiver.core.store import MemoryStore
from flowmock_receiver.serving.config_file import load_config
from flowmock_receiver.serving.server import LiveServer
from flowmock_schemas.cli import main
from tests.conftest import start_serve
from tests.receiver.web.imported import FILE_OF, request_parts
from tests.workflow.engine.test_corpus import CASES, ORDER, outputs


@pytest.fixture(scope="module")
def live():
    app = create_app(store=MemoryStore())
    with LiveServer(app) as server:
        yield server


def import_over_http(base: str, name: str, mocks: dict[str, Any] | None = None) -> dict[str, Any]:
    client = AdminClient(base)
    path = FILE_OF[name]
    source = f"{path.parent.name}/{path.name}" if path.name == "workflow.json" else path.name
    flow = next(f for f in client.import_file(path.read_bytes(), filename=source) if f["name"] == name)
    if mocks:
        flow = client.put(f"/flows/{flow['id']}/mocks", json=mocks)
    return flow


def finished(base: str, run_id: str, timeout: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        run: dict[str, Any] = requests.get(f"{base}/_flowmock/api/runs/{run_id}", timeout=5).json()
        if run["status"] != "Running" or time.monotonic() > deadline:
            return run
        time.sleep(0.02)


@pytest.mark.parametrize(("name", "request_", "mocks", "status", "body", "run_status"), CASES)
def test_an_imported_flow_answers_on_the_live_server_what_its_definition_says(
    live, name, request_, mocks, status, body, run_status
):
    flow = import_over_http(live.url, name, mocks)
    method, path, query, headers, data = request_parts(flow, request_)
    answer = requests.request(method, f"{live.url}{path}?{query}", headers=headers, data=data, timeout=10)
    assert answer.status_code == status, answer.content
    if body is not None:
        got = answer.json() if answer.headers["Content-Type"].startswith("application/json") else answer.text
        if isinstance(got, dict) and isinstance(got.get("queries"), dict):
            got["queries"].pop("api-version")
        assert got == body
    run_id = answer.headers.get("x-ms-workflow-run-id")
    if run_id is None:  # SuppressWorkflowHeadersOnResponse
        run_id = requests.get(f"{live.url}/_flowmock/api/flows/{flow['id']}/runs?limit=1", timeout=5).json()["runs"][0]
        run_id = run_id["run_id"]
    assert finished(live.url, run_id)["status"] == run_status


# flowmock flows import --------------------------------------------------------------------------------------------
def test_flows_import_prints_each_flow_s_url_and_notes_and_sets_the_mocks(live, tmp_path):
    mocks = tmp_path / "mocks.json"
    mocks.write_text(json.dumps({"Get_items": {"outputs": {"body": {"value": []}}}, "Nope": {"statusCode": 200}}))
    result = CliRunner().invoke(
        main, ["flows", "import", str(FILE_OF["Daily digest"]), "--url", live.url, "--mocks", str(mocks)]
    )
    assert result.exit_code == 0, result.output
    first, *notes = result.output.splitlines()
    assert first.startswith(f"{live.url}/workflows/") and first.endswith("  Daily digest")
    assert any("started by a Recurrence trigger" in n for n in notes)
    assert "  note: mock 'Nope' names no action of this flow" in notes
    as_json = CliRunner().invoke(main, ["flows", "import", str(FILE_OF["Greeting"]), "--url", live.url, "--json"])
    [flow] = json.loads(as_json.output)["flows"]
    assert flow["name"] == "Greeting" and flow["imported"]["shape"] == "dataverse-record"


def test_flows_import_of_a_file_that_is_not_a_flow_fails_in_one_line(live, tmp_path):
    bad = tmp_path / "notes.json"
    bad.write_text('{"hello": 1}')
    result = CliRunner().invoke(main, ["flows", "import", str(bad), "--url", live.url])
    assert result.exit_code == 1
    assert result.output.startswith("flowmock: InvalidFlowDefinition: notes.json: not a flow definition")
    assert result.output.count("\n") == 1
    missing = CliRunner().invoke(main, ["flows", "import", str(tmp_path / "none.zip"), "--url", live.url])
    assert missing.exit_code == 2


# The config file and serve --flow ---------------------------------------------------------------------------------
def write_config(tmp_path: Path, flows: str) -> Path:
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "order-intake.zip").write_bytes(FILE_OF["Order intake"].read_bytes())
    (tmp_path / "flows" / "mocks.json").write_text(json.dumps({"Create_order": {"statusCode": 201}}))
    config = tmp_path / "flowmock.toml"
    config.write_text(flows)
    return config


def test_a_config_file_declares_imported_flows_with_mocks_beside_it_and_reset_brings_them_back(tmp_path):
    config = write_config(
        tmp_path,
        '[[flows]]\ndefinition = "flows/order-intake.zip"\nmocks = "flows/mocks.json"\n'
        'primary_key = "fixed-key"\n\n'
        '[[flows]]\nid = "0c1a5e1f0c1a5e1f0c1a5e1f0c1a5e1f"\nname = "plain"\n',
    )
    app = create_app({"FLOWS": load_config(config)["flows"]}, store=MemoryStore())
    client = app.test_client()
    flows = client.get("/_flowmock/api/flows").get_json()["flows"]
    order = next(f for f in flows if f["name"] == "Order intake")
    assert order["origin"] == "config" and order["mocks"] == {"Create_order": {"statusCode": 201}}
    assert "sig=" in order["callback_url"]
    method, path, query, headers, data = request_parts(order, outputs(ORDER, path={"region": "emea"}))
    assert client.open(path, method=method, query_string=query, headers=headers, data=data).status_code == 201
    client.post("/_flowmock/api/reset")
    again = client.get(f"/_flowmock/api/flows/{order['id']}").get_json()
    assert again["callback_url"] == order["callback_url"] and again["imported"]["shape"] == "export-package"


def test_a_config_file_takes_inline_mocks_and_refuses_a_bad_definition_with_its_index(tmp_path):
    config = write_config(
        tmp_path, '[[flows]]\ndefinition = "flows/order-intake.zip"\nmocks = { Create_order = { statusCode = 99 } }\n'
    )
    with pytest.raises(ConfigFileError, match=r"flows\[0\]: mocks \$\.Create_order\.statusCode"):
        load_config(config)
    config.write_text('[[flows]]\ndefinition = "flows/missing.zip"\n')
    with pytest.raises(ConfigFileError, match=r"flows\[0\]: .*missing.zip: cannot read the file"):
        load_config(config)


def test_serve_with_flow_files_serves_only_those_flows(tmp_path):
    ready = tmp_path / "ready"
    server = start_serve(ready, "--port", "0", "--memory", "--quiet", "--flow", str(FILE_OF["Greeting"]))
    try:
        base = ready.read_text().strip()
        [flow] = requests.get(f"{base}/_flowmock/api/flows", timeout=5).json()["flows"]
        assert flow["name"] == "Greeting"
        method, path, query, headers, data = request_parts(flow, outputs({"name": "Ada"}))
        answer = requests.request(method, f"{base}{path}?{query}", headers=headers, data=data, timeout=5)
        assert (answer.status_code, answer.text) == (200, "Hello, Ada!")
    finally:
        server.terminate()
        server.wait(timeout=10)
    bad = subprocess.run(
        [*start_serve.__globals__["FLOWMOCK"], "serve", "--flow", str(tmp_path / "nothing.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "--flow" in bad.stderr + bad.stdout


# Restarts with SQLite ---------------------------------------------------------------------------------------------
LONG_RUN = {
    "definition": {
        "triggers": {"manual": {"type": "Request", "kind": "Http"}},
        "actions": {
            "Respond": {"type": "Response", "inputs": {"statusCode": 200, "body": "answered"}, "runAfter": {}},
            "Count": {
                "type": "InitializeVariable",
                "inputs": {"variables": [{"name": "n", "type": "integer", "value": 0}]},
                "runAfter": {"Respond": ["Succeeded"]},
            },
            "Keep_going": {  # about 5,000 actions (half a second): long enough in real time to still run after the answer
                "type": "Until",
                "expression": "@equals(variables('n'), -1)",
                "limit": {"count": 1000, "timeout": "PT1000H"},
                "actions": {
                    "Each": {
                        "type": "Foreach",
                        "foreach": "@range(0, 4)",
                        "actions": {
                            "Add": {"type": "IncrementVariable", "inputs": {"name": "n", "value": 1}, "runAfter": {}}
                        },
                        "runAfter": {},
                    }
                },
                "runAfter": {"Count": ["Succeeded"]},
            },
        },
    }
}


def test_imported_flows_their_mocks_and_runs_survive_a_restart_with_sqlite(tmp_path):
    db = tmp_path / "flowmock.db"
    store = SQLiteStore(db)
    client = create_app(store=store).test_client()
    flow = client.post(
        "/_flowmock/api/flows/import?filename=la.json",
        data=FILE_OF["la-customer-lookup"].read_bytes(),
        content_type="application/json",
    ).get_json()["flows"][0]
    client.put(f"/_flowmock/api/flows/{flow['id']}/mocks", json={"Get_customer": {"statusCode": 404}})
    method, path, query, headers, data = request_parts(flow, outputs(None, path={"id": "7"}))
    first = client.open(path, method=method, query_string=query, headers=headers, data=data)
    assert first.status_code == 404
    store.close()

    reopened = SQLiteStore(db)
    try:
        client = create_app(store=reopened).test_client()
        again = client.get(f"/_flowmock/api/flows/{flow['id']}").get_json()
        assert again["mocks"] == {"Get_customer": {"statusCode": 404}}
        assert list(again["imported"]["definition"]["actions"]) == list(flow["imported"]["definition"]["actions"])
        run = client.get(f"/_flowmock/api/runs/{first.headers['x-ms-workflow-run-id']}").get_json()
        assert run["status"] == "Failed" and run["actions"] and run["response"]["status"] == 404
        second = client.open(path, method=method, query_string=query, headers=headers, data=data)
        assert second.status_code == 404
    finally:
        reopened.close()


def test_a_run_going_on_after_its_answer_is_updated_to_its_end(tmp_path, held_after_answer):
    store = SQLiteStore(tmp_path / "flowmock.db")
    try:
        client = create_app(store=store).test_client()
        [flow] = client.post("/_flowmock/api/flows/import", json=LONG_RUN).get_json()["flows"]
        answer = client.post(flow["callback_url"].split("localhost", 1)[1], json={})
        assert (answer.status_code, answer.get_data()) == (200, b"answered")
        run_id = answer.headers["x-ms-workflow-run-id"]
        assert client.get(f"/_flowmock/api/runs/{run_id}").get_json()["status"] == "Running"
        held_after_answer.set()
        deadline = time.monotonic() + 60
        while (run := client.get(f"/_flowmock/api/runs/{run_id}").get_json())["status"] == "Running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert run["status"] == "Succeeded" and len(run["actions"][2]["repetitions"]) == 1000
    finally:
        store.close()


def test_a_run_still_going_when_the_store_closes_is_recorded_running_after_a_restart(tmp_path, held_after_answer):
    db = tmp_path / "flowmock.db"
    store = SQLiteStore(db)
    client = create_app(store=store).test_client()
    [flow] = client.post("/_flowmock/api/flows/import", json=LONG_RUN).get_json()["flows"]
    answer = client.post(flow["callback_url"].split("localhost", 1)[1], json={})
    store.close()  # the server stops while the run goes on
    reopened = SQLiteStore(db)
    try:
        run = (
            create_app(store=reopened)
            .test_client()
            .get(f"/_flowmock/api/runs/{answer.headers['x-ms-workflow-run-id']}")
            .get_json()
        )
        assert run["status"] == "Running" and run["response_action"] == "Respond" and run["end_time"] is None
        assert run["response"]["status"] == 200
    finally:
        reopened.close()


def test_a_skipped_call_is_not_a_failed_call_in_the_reports():
    from flowmock_receiver.commands.reports import call_failed

    assert call_failed({"status": "Skipped", "contract": {"valid": True}}) is False
    assert call_failed({"status": "Failed", "contract": {"valid": True}}) is True
