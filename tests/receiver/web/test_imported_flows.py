"""Imported flows over HTTP (Flask's test client, both stores): every corpus flow with a Response answers what its
definition says, the run is recorded with its actions, and trigger conditions record Skipped calls."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.receiver.web.imported import FILE_OF, answer_body, import_file, import_flow, request_parts
from tests.workflow.engine.test_corpus import CASES, ORDER, outputs


def call(client: Any, flow: dict[str, Any], request: dict[str, Any]) -> Any:
    method, path, query, headers, data = request_parts(flow, request)
    return client.open(path, method=method, query_string=query, headers=headers, data=data)


def run_id_of(client: Any, flow: dict[str, Any], answer: Any) -> str:
    """The run an answer started: its header, or with SuppressWorkflowHeadersOnResponse the flow's newest run."""
    if "x-ms-workflow-run-id" in answer.headers:
        return str(answer.headers["x-ms-workflow-run-id"])
    return str(client.get(f"/_flowmock/api/flows/{flow['id']}/runs?limit=1").get_json()["runs"][0]["run_id"])


def finished_run(client: Any, run_id: str, timeout: float = 5.0) -> dict[str, Any]:
    """The run once it is no longer Running (runs go on after their answer)."""
    deadline = time.monotonic() + timeout
    while True:
        run: dict[str, Any] = client.get(f"/_flowmock/api/runs/{run_id}").get_json()
        if run["status"] != "Running" or time.monotonic() > deadline:
            return run
        time.sleep(0.01)


@pytest.mark.parametrize(("name", "request_", "mocks", "status", "body", "run_status"), CASES)
def test_an_imported_flow_answers_over_http_what_its_definition_says(
    client, name, request_, mocks, status, body, run_status
):
    flow = import_flow(client, name, mocks)
    answer = call(client, flow, request_)
    assert answer.status_code == status, answer.get_data()
    got = answer_body(answer.get_data(), answer.content_type)
    if isinstance(got, dict) and isinstance(got.get("queries"), dict):
        # Over HTTP the queries also hold the URL's api-version (the trigger keeps it; the SAS parameters it drops).
        assert got["queries"].pop("api-version") == "2016-06-01"
    if body is not None:
        assert got == body
    run = finished_run(client, run_id_of(client, flow, answer))
    if run["response_action"] is None and status != 202:  # no Response answered: the service's own envelope
        assert got["error"]["code"] == ("NoResponse" if status == 502 else "ResponseTimeout")
    assert run["status"] == run_status
    assert run["actions"], "the run records its actions"
    assert run["response"]["status"] == status


def test_the_answer_has_the_response_headers_and_the_trigger_headers_and_the_run_names_its_response(client):
    flow = import_flow(client, "Order intake", {"Create_order": {"statusCode": 201, "body": {"reference": "R"}}})
    answer = call(client, flow, outputs(ORDER, path={"region": "emea"}))
    assert answer.status_code == 201
    assert answer.headers["Location"] == "https://erp.example.com/api/orders/SO-1"
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    run_id = answer.headers["x-ms-workflow-run-id"]
    run = finished_run(client, run_id)
    assert run["response_action"] == "Respond_created"
    assert [a["name"] for a in run["actions"]] == ["Try", "Respond_created", "Catch", "Terminate_failed"]
    [create] = [c for c in run["actions"][0]["children"] if c["name"] == "Create_order"]
    assert create["mocked"] is True and create["outputs"]["statusCode"] == 201


def test_a_call_that_fails_the_imported_schema_is_refused_when_the_flow_enables_validation(client):
    flow = import_flow(client, "Order intake")
    assert flow["schema_validation"] is True and flow["relative_path"] == "orders/{region}"
    answer = call(client, flow, outputs({"orderId": "SO-1"}, path={"region": "emea"}))
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "TriggerInputSchemaMismatch"
    assert client.get(f"/_flowmock/api/flows/{flow['id']}/runs").get_json()["total"] == 0


def test_false_trigger_conditions_record_the_call_skipped_with_no_run_and_answer_202(client):
    flow = import_flow(client, "Approval router")
    answer = call(client, flow, outputs({"type": "other"}))
    assert answer.status_code == 202 and answer.get_data() == b""
    assert "x-ms-workflow-run-id" not in answer.headers
    [entry] = client.get(f"/_flowmock/api/flows/{flow['id']}/triggers").get_json()["triggers"]
    assert entry["status"] == "Skipped" and entry["run_id"] is None and entry["http_status"] == 202
    assert client.get(f"/_flowmock/api/flows/{flow['id']}/runs").get_json()["total"] == 0
    skipped = client.get(f"/_flowmock/api/flows/{flow['id']}/triggers?status=Skipped").get_json()
    assert skipped["total"] == 1


def test_a_trigger_condition_that_cannot_be_evaluated_fails_the_call_with_400_invalid_template(client):
    definition = {
        "definition": {
            "triggers": {
                "manual": {
                    "type": "Request",
                    "kind": "Http",
                    "conditions": [{"expression": "@greater(triggerBody()?['n'], 'x')"}],
                }
            },
            "actions": {},
        }
    }
    response = client.post("/_flowmock/api/flows/import", json=definition)
    [flow] = response.get_json()["flows"]
    answer = call(client, flow, outputs({"n": 1}))
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "InvalidTemplate"
    [entry] = client.get(f"/_flowmock/api/flows/{flow['id']}/triggers").get_json()["triggers"]
    assert entry["status"] == "Failed" and entry["run_id"] is None


def test_a_flow_without_a_response_answers_202_and_still_records_its_actions(client):
    flow = import_flow(client, "fire-and-forget")
    answer = call(client, flow, outputs({"event": 1}))
    assert answer.status_code == 202 and answer.get_data() == b""
    run = finished_run(client, answer.headers["x-ms-workflow-run-id"])
    assert run["status"] == "Succeeded" and run["actions"] and run["response_action"] is None


def test_a_flow_started_by_a_recurrence_runs_on_the_trigger_outputs_posted_to_its_callback_url(client):
    [flow] = import_file(client, FILE_OF["Daily digest"])
    assert any("Recurrence" in note for note in flow["notes"])
    mocks = {"Get_items": {"outputs": {"body": {"value": [{"Title": "Fix", "Owner": "kim"}]}}}}
    client.put(f"/_flowmock/api/flows/{flow['id']}/mocks", json=mocks)
    answer = client.post(
        flow["callback_url"].split("localhost", 1)[1], json={"headers": {}, "body": {"scheduled": True}}
    )
    assert answer.status_code == 202
    run = finished_run(client, answer.headers["x-ms-workflow-run-id"])
    assert run["status"] == "Succeeded"
    send = next(a for a in run["actions"] if a["name"] == "Send_digest")
    assert send["inputs"]["parameters"]["emailMessage/Subject"] == "Open items: 1"


def test_response_headers_the_service_drops_are_dropped_and_binary_content_is_sent_as_bytes(client):
    definition = {
        "definition": {
            "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"method": "POST"}}},
            "actions": {
                "Response": {
                    "type": "Response",
                    "inputs": {
                        "statusCode": 200,
                        "headers": {"Set-Cookie": "a=1", "X-Kept": "yes", "Content-Type": "image/png"},
                        "body": {"$content-type": "image/png", "$content": "iVBORw0KGgo="},
                    },
                    "runAfter": {},
                }
            },
        }
    }
    [flow] = client.post("/_flowmock/api/flows/import", json=definition).get_json()["flows"]
    answer = call(client, flow, outputs({}))
    assert answer.status_code == 200
    assert "Set-Cookie" not in answer.headers and answer.headers["X-Kept"] == "yes"
    assert answer.headers["Content-Type"] == "image/png"
    assert answer.get_data() == b"\x89PNG\r\n\x1a\n"


def test_the_run_of_a_flow_without_actions_keeps_its_shape_with_empty_actions(client):
    created = client.post("/_flowmock/api/flows", json={"name": "plain"}).get_json()
    answer = call(client, created, outputs({"a": 1}))
    run = client.get(f"/_flowmock/api/runs/{answer.headers['x-ms-workflow-run-id']}").get_json()
    assert (run["status"], run["actions"], run["response_action"]) == ("Succeeded", [], None)


def test_an_imported_flow_is_listed_with_its_notes_definition_and_mocks(client):
    flow = import_flow(client, "Order intake", {"Create_order": {"statusCode": 201}})
    listed = client.get(f"/_flowmock/api/flows/{flow['id']}").get_json()
    assert listed["imported"]["shape"] == "export-package"
    assert "Try" in listed["imported"]["definition"]["actions"]
    assert listed["mocks"] == {"Create_order": {"statusCode": 201}}
    assert json.loads(json.dumps(listed)) == listed


# The import endpoint and the mocks endpoint ------------------------------------------------------------------------
def test_a_solution_zip_imports_every_flow_it_holds_each_with_its_callback_url(client):
    flows = import_file(client, FILE_OF["Ticket webhook"])
    assert sorted(f["name"] for f in flows) == [
        "Escalate ticket & notify (child flow)",
        "Nightly cleanup",
        "Ticket webhook",
    ]
    assert all(f["callback_url"].startswith("http://localhost/workflows/") for f in flows)
    listed = client.get("/_flowmock/api/flows").get_json()["flows"]
    assert {f["id"] for f in flows} <= {f["id"] for f in listed}


def test_a_definition_posted_as_json_imports_under_the_filename_given(client):
    body = FILE_OF["variables"].read_bytes()
    response = client.post(
        "/_flowmock/api/flows/import?filename=variables.json", data=body, content_type="application/json"
    )
    assert response.status_code == 201
    [flow] = response.get_json()["flows"]
    assert flow["name"] == "variables" and flow["imported"]["shape"] == "definition"


BAD_IMPORTS = [
    pytest.param(b"", "application/json", "the file is empty", id="empty"),
    pytest.param(b'{"definition": ', "application/json", "line 1", id="broken-json"),
    pytest.param(b'{"hello": "world"}', "application/json", "a Power Automate export package", id="not-a-flow"),
    pytest.param(b"PK\x03\x04not really a zip", "application/zip", "zip", id="broken-zip"),
    pytest.param(
        json.dumps(
            {
                "definition": {
                    "triggers": {"manual": {"type": "Request", "kind": "Http"}},
                    "actions": {"A": {"type": "Compose", "inputs": 1, "runAfter": {"B": ["Succeeded"]}}},
                }
            }
        ).encode(),
        "application/json",
        "'B'",
        id="run-after-unknown-action",
    ),
    pytest.param(
        json.dumps(
            {
                "definition": {
                    "triggers": {"manual": {"type": "Request", "kind": "Http"}},
                    "actions": {"R": {"type": "Response", "inputs": {"statusCode": 302}, "runAfter": {}}},
                }
            }
        ).encode(),
        "application/json",
        "status code 302",
        id="response-3xx-refused-as-the-service-refuses-it",
    ),
]


@pytest.mark.parametrize(("body", "content_type", "says"), BAD_IMPORTS)
def test_a_file_that_cannot_be_imported_gets_one_400_saying_why_and_imports_nothing(client, body, content_type, says):
    before = len(client.get("/_flowmock/api/flows").get_json()["flows"])
    response = client.post("/_flowmock/api/flows/import", data=body, content_type=content_type)
    assert response.status_code == 400, response.get_data()
    error = response.get_json()["error"]
    assert error["code"] == "InvalidFlowDefinition"
    assert says in error["message"] and "\n" not in error["message"]
    assert len(client.get("/_flowmock/api/flows").get_json()["flows"]) == before


def test_a_file_sent_as_a_form_is_refused_with_415_naming_the_content_types(client):
    response = client.post("/_flowmock/api/flows/import", data=b"x=1", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert "application/zip or application/json" in response.get_json()["error"]["message"]


def test_mocks_are_replaced_read_back_and_change_the_next_run(client):
    flow = import_flow(client, "la-customer-lookup", {"Get_customer": {"statusCode": 200, "body": {"id": "1"}}})
    request = outputs(None, path={"id": "1"})
    assert call(client, flow, request).status_code == 200
    put = client.put(f"/_flowmock/api/flows/{flow['id']}/mocks", json={"Get_customer": {"statusCode": 404}})
    assert put.status_code == 200 and put.get_json()["notes"] == []
    assert client.get(f"/_flowmock/api/flows/{flow['id']}/mocks").get_json() == {
        "mocks": {"Get_customer": {"statusCode": 404}}
    }
    assert call(client, flow, request).status_code == 404


def test_a_mock_for_an_action_the_flow_lacks_is_kept_with_a_note(client):
    flow = import_flow(client, "la-customer-lookup")
    put = client.put(f"/_flowmock/api/flows/{flow['id']}/mocks", json={"Get_custmer": {"statusCode": 404}})
    assert put.status_code == 200
    assert put.get_json()["notes"] == ["mock 'Get_custmer' names no action of this flow"]


@pytest.mark.parametrize(
    ("mocks", "says"),
    [
        pytest.param({"Get_customer": {"statusCode": 99}}, "$.Get_customer.statusCode", id="status-out-of-range"),
        pytest.param({"Get_customer": {"staus": "Failed"}}, "unknown key 'staus'", id="unknown-key"),
        pytest.param(["Get_customer"], "keyed by action name", id="not-an-object"),
    ],
)
def test_mocks_of_the_wrong_shape_are_refused_with_400_naming_the_path(client, mocks, says):
    flow = import_flow(client, "la-customer-lookup")
    response = client.put(f"/_flowmock/api/flows/{flow['id']}/mocks", json=mocks)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "InvalidMocks"
    assert says in response.get_json()["error"]["message"]


def test_mocks_for_a_flow_that_was_not_imported_or_does_not_exist_are_refused(client):
    plain = client.post("/_flowmock/api/flows", json={"name": "plain"}).get_json()
    assert client.put(f"/_flowmock/api/flows/{plain['id']}/mocks", json={}).status_code == 400
    assert client.put(f"/_flowmock/api/flows/{'0' * 32}/mocks", json={}).status_code == 404
