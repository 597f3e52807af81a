"""The trigger, checked against the behaviours of the real one (power-automate-trigger.md, section 9)."""

from __future__ import annotations

import base64
import json
import re

import pytest

from tests.conftest import monitor_payload
from tests.receiver.conftest import url_with, url_without
from tests.schemas.test_messages import ORDER_SCHEMA

RUN_ID = re.compile(r"^\d{29}CU\d{2}$")
GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ERROR_HEADERS = {
    "x-ms-workflow-system-id",
    "x-ms-workflow-id",
    "x-ms-workflow-version",
    "x-ms-workflow-name",
    "x-ms-tracking-id",
    "x-ms-request-id",
}
MONITOR = monitor_payload()


def x_ms(response) -> set[str]:
    return {k.lower() for k, _ in response.headers if k.lower().startswith("x-ms-")}


def error_of(response) -> dict:
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    return response.json["error"]


def test_post_without_response_action_answers_202_with_empty_body_and_the_run_headers(api):
    flow = api.create(schema="monitor-results")
    response = api.call(flow["callback_url"], MONITOR)
    assert response.status == "202 Accepted"
    assert response.data == b""
    assert response.headers["Content-Length"] == "0"
    assert "Location" not in response.headers and "Content-Type" not in response.headers
    h = response.headers
    assert RUN_ID.match(h["x-ms-workflow-run-id"])
    assert h["x-ms-client-tracking-id"] == h["x-ms-trigger-history-name"] == h["x-ms-workflow-run-id"]
    assert GUID.match(h["x-ms-correlation-id"]) and h["x-ms-correlation-id"] == h["x-ms-tracking-id"]
    assert h["x-ms-request-id"] == f"westus:{h['x-ms-tracking-id']}"
    assert h["x-ms-workflow-id"] == flow["id"]
    assert re.match(r"^0858\d{16}$", h["x-ms-workflow-version"])
    assert re.match(rf"^/locations/westus/scaleunits/prod-\d\d/workflows/{flow['id']}$", h["x-ms-workflow-system-id"])
    assert h["x-ms-execution-location"] == "westus"
    assert len([k for k, _ in h if k.lower().startswith("x-ms-ratelimit-")]) == 4
    assert h["Cache-Control"] == "no-cache" and h["Pragma"] == "no-cache" and h["Expires"] == "-1"
    assert h["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_accepted_call_is_recorded_as_a_run_with_outputs_shaped_as_power_automate_exposes_them(api):
    flow = api.create(schema="monitor-results")
    response = api.call(url_with(flow["callback_url"], source="ci"), MONITOR, headers={"Authorization": "x"})
    # A SAS URL plus an Authorization header that is not a bearer token is still one scheme.
    assert response.status_code == 202
    [run] = api.runs(flow["id"])
    assert run["run_id"] == response.headers["x-ms-workflow-run-id"]
    assert run["status"] == "Succeeded"
    assert run["outputs"]["body"] == MONITOR
    assert run["outputs"]["queries"] == {"api-version": "2016-06-01", "source": "ci"}
    assert "Authorization" not in run["outputs"]["headers"]
    assert run["outputs"]["headers"]["Content-Type"] == "application/json"
    assert run["response"]["status"] == 202
    assert run["contract"] == {
        "valid": True,
        "errors": [],
        "strict": {"schema": "monitor-results.strict", "valid": True, "errors": []},
    }


def test_raw_body_bytes_are_kept_exactly(api):
    flow = api.create()
    raw = b'{ "b": 1,\n  "a": "\\u00e9" }'
    api.call(flow["callback_url"], raw=raw)
    [entry] = api.triggers(flow["id"])
    assert base64.b64decode(entry["request"]["body_base64"]) == raw


def test_client_tracking_id_header_is_echoed_and_recorded(api):
    flow = api.create()
    response = api.call(flow["callback_url"], {}, headers={"x-ms-client-tracking-id": "abc"})
    assert response.headers["x-ms-client-tracking-id"] == "abc"
    assert api.runs(flow["id"])[0]["client_tracking_id"] == "abc"


def test_suppress_workflow_headers_removes_every_x_ms_header(api):
    flow = api.create(suppress_workflow_headers=True)
    response = api.call(flow["callback_url"], {})
    assert response.status_code == 202
    assert x_ms(response) == set()


def test_response_action_with_string_body_answers_text_plain(api):
    flow = api.create(response={"status": 201, "body": "created"})
    response = api.call(flow["callback_url"], {})
    assert response.status == "201 Created"
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.data == b"created"
    assert "x-ms-workflow-run-id" in response.headers


def test_response_action_with_object_body_answers_json_and_drops_the_headers_power_automate_drops(api):
    headers = {
        "Set-Cookie": "a=b",
        "Allow": "GET",
        "Content-Language": "en",
        "Content-Disposition": "inline",
        "Last-Modified": "x",
        "X-Custom": "kept",
    }
    flow = api.create(response={"status": 200, "headers": headers, "body": {"ok": True}})
    response = api.call(flow["callback_url"], {})
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.json == {"ok": True}
    assert response.headers["X-Custom"] == "kept"
    assert response.headers["Content-Disposition"] == "inline"
    for dropped in ("Set-Cookie", "Allow", "Content-Language", "Last-Modified"):
        assert dropped not in response.headers


def test_response_action_with_a_3xx_status_is_refused_when_the_flow_is_defined(client):
    response = client.post("/_flowmock/api/flows", json={"name": "x", "response": {"status": 302}})
    assert response.status_code == 400
    assert response.json["error"]["code"] == "InvalidFlowDefinition"
    assert "3xx" in response.json["error"]["message"]


@pytest.mark.parametrize("missing", ["sig", "sp", "sv"])
def test_missing_sas_parameter_is_401_sas_required_with_workflow_headers_only_and_no_run(api, missing):
    flow = api.create()
    response = api.call(url_without(flow["callback_url"], missing), {})
    assert response.status_code == 401
    assert error_of(response) == {
        "code": "DirectApiAuthorizationRequired",
        "message": "The request must be authenticated only by Shared Access scheme.",
    }
    assert x_ms(response) == ERROR_HEADERS
    assert api.runs(flow["id"]) == []
    [entry] = api.triggers(flow["id"])
    assert (entry["status"], entry["code"], entry["run_id"]) == (
        "Failed",
        "DirectApiAuthorizationRequired",
        None,
    )


def test_tampered_signature_is_401_and_records_no_run(api):
    flow = api.create()
    url = flow["callback_url"]
    tampered = url[:-1] + ("A" if url[-1] != "A" else "B")
    response = api.call(tampered, {})
    assert response.status_code == 401
    assert error_of(response)["code"] == "DirectApiInvalidAuthorizationSignature"
    assert api.runs(flow["id"]) == []


def test_signature_and_bearer_token_together_are_refused(api):
    flow = api.create()
    response = api.call(flow["callback_url"], {}, headers={"Authorization": "Bearer x.y.z"})
    assert response.status_code == 401
    assert error_of(response) == {
        "code": "DirectApiRequestHasMoreThanOneAuthorization",
        "message": "The request has SAS authentication scheme, 'Bearer' authorization scheme or internal token "
        "scheme. Only one scheme should be used.",
    }


def test_regenerating_a_key_invalidates_only_urls_signed_with_it(api, client):
    flow = api.create()
    old_primary, secondary = flow["callback_url"], flow["secondary_callback_url"]
    response = client.post(f"/_flowmock/api/flows/{flow['id']}/regenerate-key", json={"key_type": "primary"})
    new_primary = response.json["callback_url"]
    assert new_primary != old_primary
    assert response.json["secondary_callback_url"] == secondary
    assert api.call(old_primary, {}).status_code == 401
    assert api.call(new_primary, {}).status_code == 202
    assert api.call(secondary, {}).status_code == 202


def test_the_same_signature_works_for_any_relative_path_value(api):
    flow = api.create(relative_path="customer/{id}", method="POST")
    assert "/paths/invoke/customer/{id}?" in flow["callback_url"]
    url = flow["callback_url"].replace("{id}", "42")
    response = api.call(url_with(url, postalCode="1"), {})
    assert response.status_code == 202
    run = api.runs(flow["id"])[0]
    assert run["outputs"]["relativePathParameters"] == {"id": "42"}
    assert run["outputs"]["queries"]["postalCode"] == "1"
    assert api.call(flow["callback_url"].replace("{id}", "43"), {}).status_code == 202


def test_a_path_that_does_not_fit_the_relative_path_template_is_refused(api):
    flow = api.create(relative_path="customer/{id}")
    response = api.call(flow["callback_url"].replace("customer/{id}", "order/1"), {})
    assert response.status_code == 404
    assert error_of(response)["code"] == "TriggerRelativePathNotFound"


def test_missing_api_version_is_400(api):
    flow = api.create()
    response = api.call(url_without(flow["callback_url"], "api-version"), {})
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "MissingApiVersionParameter",
        "message": "The api-version query parameter (?api-version=) is required for all requests.",
    }


def test_api_version_1_is_invalid_on_the_logic_host_and_lists_the_supported_versions(api):
    flow = api.create()
    response = api.call(url_with(flow["callback_url"], api_version="1"), {})
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "InvalidApiVersionParameter"
    assert error["message"].startswith("The api-version '1' is not valid. The supported versions are '")
    assert "2016-06-01" in error["message"]


def test_api_version_is_not_signed_any_supported_version_works(api):
    flow = api.create()
    assert api.call(url_with(flow["callback_url"], api_version="2019-05-01"), {}).status_code == 202


def test_powerplatform_host_url_uses_api_version_1_and_adds_message_template_to_errors(api):
    flow = api.create(host="powerplatform")
    url = flow["callback_url"]
    assert "/powerautomate/automations/direct/workflows/" in url and "api-version=1&" in url
    assert api.call(url, {}).status_code == 202
    response = api.call(url_with(url, api_version="2016-06-01"), {})
    assert response.status_code == 400
    assert response.json["error"]["messageTemplate"] == "InvalidApiVersionParameter"


def test_disabled_flow_is_400_not_enabled_and_records_no_run(api):
    flow = api.create(state="disabled")
    response = api.call(flow["callback_url"], {})
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "WorkflowTriggerIsNotEnabled",
        "message": f"Could not execute workflow '{flow['id']}' trigger 'manual' with state 'Disabled': "
        "trigger is not enabled.",
    }
    assert api.runs(flow["id"]) == []


def test_deleted_flow_answers_its_old_url_with_state_deleted(api, client):
    flow = api.create()
    assert client.delete(f"/_flowmock/api/flows/{flow['id']}").status_code == 204
    response = api.call(flow["callback_url"], {})
    assert response.status_code == 400
    assert "with state 'Deleted'" in error_of(response)["message"]
    assert client.get(f"/_flowmock/api/flows/{flow['id']}").status_code == 404


def test_method_mismatch_is_400_after_authorization(api):
    flow = api.create(method="POST")
    response = api.call(flow["callback_url"], method="GET", content_type=None)
    assert response.status_code == 400
    assert error_of(response)["code"] == "TriggerRequestMethodNotValid"
    assert "expected 'POST' and actual 'GET'" in error_of(response)["message"]
    unsigned = api.call(url_without(flow["callback_url"], "sig"), method="GET", content_type=None)
    assert unsigned.status_code == 401


def test_without_a_method_any_method_is_accepted_even_unusual_ones(api):
    flow = api.create()
    assert api.call(flow["callback_url"], method="GET", content_type=None).status_code == 202
    assert api.call(flow["callback_url"], method="PROPFIND", content_type=None).status_code == 202
    assert [r["request"]["method"] for r in api.runs(flow["id"])] == ["PROPFIND", "GET"]


def test_unknown_flow_is_404_workflow_not_found(api):
    response = api.call(
        "http://localhost/workflows/" + "0" * 32 + "/triggers/manual/paths/invoke?api-version=2016-06-01"
    )
    assert response.status_code == 404
    assert error_of(response) == {
        "code": "WorkflowNotFound",
        "message": f"The workflow '{'0' * 32}' could not be found.",
    }


def test_schema_mismatch_with_validation_on_is_400_with_the_exact_message_and_no_run(api):
    flow = api.create(schema=ORDER_SCHEMA, schema_validation=True)
    response = api.call(flow["callback_url"], {"product": "x", "priority": "Right Now"})
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "TriggerInputSchemaMismatch",
        "message": "The input body for trigger 'manual' of type 'Request' did not match its schema definition. "
        "Error details: 'Property 'product' has not been defined and the schema does not allow additional "
        "properties.,String 'Right Now' does not match regex pattern '^(Urgent|Normal|Low)$'.,Required properties "
        "are missing from object: item.'.",
    }
    assert x_ms(response) == ERROR_HEADERS
    assert api.runs(flow["id"]) == []


def test_with_validation_off_a_nonconforming_body_starts_a_run_and_the_verdict_is_recorded(api):
    flow = api.create(schema=ORDER_SCHEMA)
    response = api.call(flow["callback_url"], {"product": "x", "priority": "Right Now"})
    assert response.status_code == 202
    [run] = api.runs(flow["id"])
    assert run["contract"]["valid"] is False
    assert [e["path"] for e in run["contract"]["errors"]] == ["$.product", "$.priority", "$"]


def test_invalid_json_is_400_invalid_request_content_with_the_json_net_reason(api):
    flow = api.create()
    response = api.call(flow["callback_url"], raw=b"C")
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "InvalidRequestContent",
        "message": "The request content is not valid and could not be deserialized: 'Unexpected character "
        "encountered while parsing value: C. Path '', line 0, position 0.'.",
    }
    [entry] = api.triggers(flow["id"])
    assert entry["request"]["body"] == "C" and entry["contract"]["valid"] is False


@pytest.mark.parametrize(
    ("content_type", "raw", "body"),
    [
        pytest.param("text/plain", b"hello", "hello", id="text-plain-is-a-string"),
        pytest.param("text/plain; charset=utf-8", "é".encode(), "é", id="text-plain-charset"),
        pytest.param(
            "application/xml", b"<a/>", {"$content-type": "application/xml", "$content": "PGEvPg=="}, id="xml"
        ),
        pytest.param(
            "application/x-www-form-urlencoded",
            b"a=1",
            {"$content-type": "application/x-www-form-urlencoded", "$content": "YT0x"},
            id="form",
        ),
        pytest.param(None, b"\x00\xff", {"$content-type": "application/octet-stream", "$content": "AP8="}, id="none"),
        pytest.param("application/vnd.api+json", b'{"a": 1}', {"a": 1}, id="plus-json"),
    ],
)
def test_body_is_exposed_by_content_type_as_logic_apps_does(api, content_type, raw, body):
    flow = api.create()
    assert api.call(flow["callback_url"], raw=raw, content_type=content_type).status_code == 202
    assert api.runs(flow["id"])[0]["outputs"]["body"] == body


def test_body_over_the_flow_limit_is_413_and_starts_no_run(api):
    flow = api.create(max_body_bytes=10)
    response = api.call(flow["callback_url"], raw=b"x" * 11, content_type="text/plain")
    assert response.status_code == 413
    assert error_of(response)["code"] == "RequestEntityTooLarge"
    assert api.runs(flow["id"]) == []
    assert api.call(flow["callback_url"], raw=b"x" * 10, content_type="text/plain").status_code == 202


def test_url_over_16384_characters_is_414(api):
    flow = api.create()
    response = api.call(url_with(flow["callback_url"], pad="x" * 16_400), {})
    assert response.status_code == 414


def test_nesting_deeper_than_json_net_allows_is_invalid_content(api):
    flow = api.create()
    response = api.call(flow["callback_url"], raw=b"[" * 65 + b"]" * 65)
    assert response.status_code == 400
    assert "MaxDepth of 64" in error_of(response)["message"]
    assert api.call(flow["callback_url"], raw=b"[" * 64 + b"]" * 64).status_code == 202


def test_throttled_calls_get_429_with_retry_after_and_are_recorded(api):
    flow = api.create(faults={"throttle": {"limit": 2, "window_seconds": 300, "retry_after": 7}})
    codes = [api.call(flow["callback_url"], {}).status_code for _ in range(3)]
    assert codes == [202, 202, 429]
    response = api.call(flow["callback_url"], {})
    assert response.headers["Retry-After"] == "7"
    assert error_of(response) == {
        "code": "WorkflowRequestsThrottled",
        "message": "Number of invoke requests for workflow 'test flow' exceeded the limit of '2' over time window "
        "of '00:05:00'.",
    }
    assert [t["code"] for t in api.triggers(flow["id"])][:2] == ["WorkflowRequestsThrottled"] * 2


def test_fail_next_injects_that_many_server_errors_then_recovers(api):
    flow = api.create(faults={"fail_next": 2, "failure_status": 503})
    codes = [api.call(flow["callback_url"], {}).status_code for _ in range(3)]
    assert codes == [503, 503, 202]


def test_failure_rate_one_fails_every_call_with_the_configured_status(api):
    flow = api.create(faults={"failure_rate": 1.0, "failure_status": 502})
    response = api.call(flow["callback_url"], {})
    assert response.status_code == 502
    assert error_of(response)["code"] == "BadGateway"


def test_every_call_that_reaches_a_flow_is_in_its_trigger_history_newest_first(api):
    flow = api.create(state="disabled")
    api.call(url_without(flow["callback_url"], "sig"), {})
    api.call(flow["callback_url"], {})
    codes = [t["code"] for t in api.triggers(flow["id"])]
    assert codes == ["WorkflowTriggerIsNotEnabled", "DirectApiAuthorizationRequired"]


def test_trigger_name_in_the_url_must_be_the_flows(api):
    flow = api.create()
    response = api.call(flow["callback_url"].replace("/triggers/manual/", "/triggers/other/"), {})
    assert response.status_code == 404
    assert error_of(response)["code"] == "WorkflowTriggerNotFound"


def _token(claims: dict) -> str:
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


def test_tenant_auth_flow_has_no_sig_and_needs_a_bearer_token_with_the_flow_audience(api):
    flow = api.create(auth="tenant", host="powerplatform", tenant_id="t1")
    url = flow["callback_url"]
    assert url.endswith("?api-version=1")
    response = api.call(url, {})
    assert response.status_code == 401
    assert error_of(response)["message"] == "The OAuth authorization scheme is required."
    good = {"aud": "https://service.flow.microsoft.com/", "tid": "t1"}
    assert api.call(url, {}, headers={"Authorization": f"Bearer {_token(good)}"}).status_code == 202
    wrong = dict(good, aud="https://service.flow.microsoft.com")
    response = api.call(url, {}, headers={"Authorization": f"Bearer {_token(wrong)}"})
    assert response.status_code == 401
    assert error_of(response)["code"] == "MisMatchingOAuthClaims"


def test_user_auth_flow_accepts_only_allowed_object_ids(api):
    flow = api.create(auth="user", allowed_users=["oid-1"])
    claims = {"aud": "https://service.flow.microsoft.com/", "oid": "oid-2"}
    assert api.call(flow["callback_url"], {}, headers={"Authorization": f"Bearer {_token(claims)}"}).status_code == 401
    claims["oid"] = "oid-1"
    assert api.call(flow["callback_url"], {}, headers={"Authorization": f"Bearer {_token(claims)}"}).status_code == 202


def _signed_with_expiry(api, flow, se: str) -> str:
    from flowmock_receiver.core.signing import sign, trigger_permission

    stored = api.client.application.extensions["flowmock"].store.get_flow(flow["id"])
    sig = sign(stored.primary_key, trigger_permission("manual"), "1.0", se)
    return url_with(flow["callback_url"], se=se, sig=sig)


def test_a_url_signed_with_an_expiry_works_until_then_and_is_401_after(api):
    import time

    flow = api.create()
    assert api.call(_signed_with_expiry(api, flow, str(int(time.time()) + 3600)), {}).status_code == 202
    expired = api.call(_signed_with_expiry(api, flow, str(int(time.time()) - 1)), {})
    assert expired.status_code == 401
    assert error_of(expired) == {
        "code": "DirectApiInvalidAuthorizationSignature",
        "message": "The provided authorization signature has expired.",
    }


def test_authorization_header_is_kept_in_outputs_only_when_the_flow_asks(api):
    claims = {"aud": "https://service.flow.microsoft.com/"}
    flow = api.create(auth="tenant", include_authorization_headers=True)
    api.call(flow["callback_url"], {}, headers={"Authorization": f"Bearer {_token(claims)}"})
    revealed = api.client.get(f"/_flowmock/api/flows/{flow['id']}/runs?reveal=credentials").json["runs"]
    assert revealed[0]["outputs"]["headers"]["Authorization"].startswith("Bearer ")
    assert api.runs(flow["id"])[0]["outputs"]["headers"]["Authorization"] == "[redacted]"  # unless asked
    hidden = api.create(auth="tenant")
    api.call(hidden["callback_url"], {}, headers={"Authorization": f"Bearer {_token(claims)}"})
    assert "Authorization" not in api.runs(hidden["id"])[0]["outputs"]["headers"]
