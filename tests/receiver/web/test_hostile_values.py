"""Issue 13, "Bad definitions and values", through the app: each value that once gave a 500, invalid JSON, a hung
call or an unbounded answer, against both stores."""

from __future__ import annotations

import json
import time

import pytest

from tests.helpers import call_flow

STRING_CHECKS = {
    "type": "object",
    "properties": {"a": {"type": "string", "pattern": "^a$"}, "b": {"enum": ["x"]}},
}


def strict_json(data: bytes):
    """Parse as a strict JSON reader would: `Infinity` and `NaN` are not JSON."""

    def refuse(name):
        raise AssertionError(f"{name} is not JSON")

    return json.loads(data, parse_constant=refuse)


@pytest.mark.parametrize("window", ["1e400", "NaN", "-1e400", "Infinity"])
def test_non_finite_throttle_window_is_refused_as_invalid_flow_definition(client, window):
    raw = '{"name": "x", "faults": {"throttle": {"limit": 1, "window_seconds": WINDOW}}}'.replace("WINDOW", window)
    response = client.post("/_flowmock/api/flows", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json["error"]["code"] == "InvalidFlowDefinition"
    assert "faults.throttle.window_seconds" in response.json["error"]["message"]


def test_non_finite_number_in_a_response_body_is_refused(client):
    raw = '{"name": "x", "response": {"status": 200, "body": {"n": [1, 1e999]}}}'
    response = client.post("/_flowmock/api/flows", data=raw, content_type="application/json")
    assert response.status_code == 400
    assert "response.body.n[1]" in response.json["error"]["message"]


def test_body_with_1e400_is_recorded_and_the_admin_api_emits_valid_json(api, client):
    flow = api.create(schema={"type": "object", "properties": {"n": {"type": "number", "maximum": 10}}})
    assert api.call(flow["callback_url"], raw=b'{"n": 1e400, "m": -1e400}').status_code == 202
    for path in (f"/flows/{flow['id']}/runs", f"/flows/{flow['id']}/triggers", "/runs", "/triggers"):
        data = strict_json(client.get("/_flowmock/api" + path).data)
    run = strict_json(client.get(f"/_flowmock/api/flows/{flow['id']}/runs").data)["runs"][0]
    # The number as it was sent, as a string (JSON output cannot hold it as a number); the raw body is exact.
    assert run["outputs"]["body"] == {"n": "1e400", "m": "-1e400"}
    assert run["request"]["body"] == '{"n": 1e400, "m": -1e400}'
    assert run["contract"]["valid"] is False  # still checked as the number it is
    assert "exceeds maximum value of 10" in run["contract"]["errors"][0]["message"]
    assert data["total"] >= 1


def test_integer_over_4300_digits_is_accepted_like_json_net_and_never_quoted_back_as_python_text(api, client):
    digits = "7" * 5000
    flow = api.create(schema={"type": "object", "properties": {"n": {"type": "integer", "maximum": 10}}})
    response = api.call(flow["callback_url"], raw=b'{"n": %s}' % digits.encode())
    assert response.status_code == 202
    run = strict_json(client.get(f"/_flowmock/api/flows/{flow['id']}/runs").data)["runs"][0]
    assert run["outputs"]["body"] == {"n": digits}
    assert "Exceeds the limit" not in json.dumps(run)
    assert run["contract"]["errors"][0]["message"].startswith("Integer 7777")


def test_integer_over_4300_digits_with_validation_on_gets_a_json_net_style_400_not_python_text(api):
    flow = api.create(schema={"type": "object", "properties": {"n": {"type": "string"}}}, schema_validation=True)
    response = api.call(flow["callback_url"], raw=b'{"n": %s}' % (b"1" * 5000))
    assert response.status_code == 400
    assert response.json["error"]["code"] == "TriggerInputSchemaMismatch"
    assert "Invalid type. Expected String but got Integer." in response.json["error"]["message"]
    assert "integer string conversion" not in response.json["error"]["message"]


def test_1e400_against_a_float_multiple_of_is_a_mismatch_not_a_500(api):
    flow = api.create(schema={"properties": {"n": {"multipleOf": 0.5}}}, schema_validation=True)
    response = api.call(flow["callback_url"], raw=b'{"n": 1e400}')
    assert response.status_code == 400
    assert response.json["error"]["code"] == "TriggerInputSchemaMismatch"


@pytest.mark.parametrize(
    "raw", [b'{"a": "\\udfff"}', b'{"b": "\\ud800"}', b'{"a": "x\\ud83dy"}'], ids=["pattern", "enum", "mid-string"]
)
def test_lone_surrogate_failing_a_pattern_or_enum_is_a_400_and_recorded(api, client, raw):
    flow = api.create(schema=STRING_CHECKS, schema_validation=True)
    response = api.call(flow["callback_url"], raw=raw)
    assert response.status_code == 400
    assert response.json["error"]["code"] == "TriggerInputSchemaMismatch"
    [entry] = api.triggers(flow["id"])
    assert entry["http_status"] == 400 and entry["contract"]["valid"] is False
    page = client.get(f"/_flowmock/calls/{entry['id']}")
    assert page.status_code == 200
    assert b"\\ud" in page.data  # shown escaped


def test_recorded_body_with_a_lone_surrogate_has_a_working_detail_page(api, client):
    flow = api.create()
    assert api.call(flow["callback_url"], raw=b'{"s": "\\ud800", "t": "ok"}').status_code == 202
    [entry] = api.triggers(flow["id"])
    page = client.get(f"/_flowmock/calls/{entry['id']}")
    assert page.status_code == 200
    assert b"\\ud800" in page.data
    run = strict_json(client.get(f"/_flowmock/api/runs/{entry['id']}").data)
    assert run["outputs"]["body"]["s"] == "\ud800"


@pytest.mark.parametrize("ref", ["http://127.0.0.1:9/schema.json", "file:///etc/passwd", "#/definitions/missing"])
def test_schema_ref_outside_the_schema_and_bundled_registry_is_refused_when_saved(client, ref):
    schema = {"type": "object", "properties": {"a": {"$ref": ref}}}
    started = time.monotonic()
    response = client.post("/_flowmock/api/flows", json={"name": "x", "schema": schema})
    assert time.monotonic() - started < 2
    assert response.status_code == 400
    assert response.json["error"]["code"] == "InvalidFlowDefinition"
    assert "cannot be resolved" in response.json["error"]["message"]


def test_schema_refs_inside_the_schema_and_to_the_bundled_postman_schema_work(api):
    postman = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
    schema = {
        "definitions": {"name": {"type": "string"}},
        "properties": {"name": {"$ref": "#/definitions/name"}, "collection": {"$ref": postman}},
    }
    flow = api.create(schema=schema, schema_validation=True)
    assert api.call(flow["callback_url"], {"name": "n", "collection": {"info": {}, "item": []}}).status_code == 400
    assert api.call(flow["callback_url"], {"name": 5}).status_code == 400
    assert api.call(flow["callback_url"], {"name": "n"}).status_code == 202


def test_many_schema_errors_give_a_bounded_answer_and_a_bounded_verdict_with_a_count(api):
    schema = {"type": "object", "additionalProperties": {"type": "string"}}
    body = {f"k{i}": i for i in range(20_000)}  # 20,000 errors, ~250 KB
    flow = api.create(schema=schema, schema_validation=True)
    started = time.monotonic()
    response = api.call(flow["callback_url"], body)
    assert time.monotonic() - started < 3
    assert response.status_code == 400
    assert len(response.data) < 20_000
    assert "more errors not shown" in response.json["error"]["message"]
    [entry] = api.triggers(flow["id"])
    contract = entry["contract"]
    assert len(contract["errors"]) == 100
    assert contract["errors_truncated"] is True
    assert contract["error_count"] > 100


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "/_flowmock/\\\\evil.example", "javascript:x"],
)
def test_web_form_next_field_never_redirects_off_the_pages(api, client, target):
    import re

    flow = api.create()
    token = re.search(r'name="token" value="([^"]+)"', client.get("/_flowmock/").get_data(as_text=True)).group(1)
    response = client.post(
        f"/_flowmock/flows/{flow['id']}/state", data={"state": "disabled", "token": token, "next": target}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/_flowmock/flows/{flow['id']}"


def test_web_form_next_field_to_a_page_is_followed(api, client):
    import re

    flow = api.create()
    token = re.search(r'name="token" value="([^"]+)"', client.get("/_flowmock/").get_data(as_text=True)).group(1)
    response = client.post(
        f"/_flowmock/flows/{flow['id']}/state", data={"state": "enabled", "token": token, "next": "/_flowmock/"}
    )
    assert response.headers["Location"] == "/_flowmock/"


ECHO_FLOW = {
    "definition": {
        "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {}}},
        "actions": {
            "Compose": {"type": "Compose", "inputs": "@triggerBody()", "runAfter": {}},
            "Response": {
                "type": "Response",
                "kind": "Http",
                "inputs": {"statusCode": 200, "body": "@outputs('Compose')"},
                "runAfter": {"Compose": ["Succeeded"]},
            },
        },
    }
}


@pytest.mark.parametrize(
    ("raw", "echoed"),
    [(b'{"n": 1e400}', {"n": "1e400"}), (b'{"n": %s}' % (b"7" * 5000), {"n": "7" * 5000}), (b'{"s": "\\ud800"}', None)],
    ids=["1e400", "5000-digit-integer", "lone-surrogate"],
)
def test_imported_flow_echoing_a_hostile_body_answers_valid_json_and_records_the_run(client, raw, echoed):
    [flow] = client.post("/_flowmock/api/flows/import", json=ECHO_FLOW).get_json()["flows"]
    answer = call_flow(client, flow["callback_url"], data=raw)
    assert answer.status_code == 200
    body = strict_json(answer.data)
    assert body == (echoed if echoed is not None else {"s": "\ud800"})
    runs = strict_json(client.get(f"/_flowmock/api/flows/{flow['id']}/runs").data)["runs"]
    assert len(runs) == 1
    assert client.get(f"/_flowmock/calls/{runs[0]['run_id']}").status_code == 200
