"""The contract verdict recorded with each call: the flow's own, the strict one beside it for the documented
schemas, and "not checked" for a call refused before there was a body to judge."""

from __future__ import annotations

import pytest

from flowmock_receiver.core.contract import NOT_CHECKED, NOT_CHECKED_TOO_LARGE, requirements
from tests.conftest import monitor_payload

STRICT_OK = {"schema": "monitor-results.strict", "valid": True, "errors": []}


def test_a_documented_schemas_call_records_the_strict_verdict_beside_its_own(api):
    flow = api.create(schema="monitor-results")
    assert api.call(flow["callback_url"], {"monitor_name": "nightly"}).status_code == 202
    [entry] = api.triggers(flow["id"])
    assert (entry["contract"]["valid"], entry["contract"]["errors"]) == (True, [])  # documented: any object
    strict = entry["contract"]["strict"]
    assert (strict["schema"], strict["valid"]) == ("monitor-results.strict", False)
    assert strict["errors"][-1]["message"].startswith("Required properties are missing from object: collection_name")


def test_a_monitor_payload_posted_to_backup_a_collection_conforms_only_to_the_documented_schema(api):
    flow = api.create(schema="backup-collection", schema_validation=True)
    assert api.call(flow["callback_url"], monitor_payload()).status_code == 202  # as the real trigger would
    [run] = api.runs(flow["id"])
    assert run["contract"]["valid"] is True
    assert run["contract"]["strict"]["valid"] is False
    assert "collection" in run["contract"]["strict"]["errors"][0]["message"]


@pytest.mark.parametrize(
    "schema",
    [
        pytest.param("monitor-results.strict", id="already-strict"),
        pytest.param({"type": "object", "required": ["id"]}, id="inline"),
        pytest.param(None, id="no-schema"),
    ],
)
def test_a_schema_without_a_strict_variant_records_no_strict_verdict(api, schema):
    flow = api.create(schema=schema) if schema is not None else api.create()
    api.call(flow["callback_url"], {"id": 1})
    [entry] = api.triggers(flow["id"])
    assert "strict" not in entry["contract"]


def test_a_body_over_the_limit_is_recorded_as_not_checked_not_as_a_null_body(api):
    flow = api.create(schema="monitor-results", max_body_bytes=10)
    response = api.call(flow["callback_url"], monitor_payload())
    assert response.status_code == 413
    [entry] = api.triggers(flow["id"])
    assert entry["contract"] == {"valid": None, "errors": [], "reason": NOT_CHECKED_TOO_LARGE}


def test_a_get_refused_for_its_method_is_recorded_as_not_checked(api):
    flow = api.create(schema="monitor-results.strict", method="POST")
    response = api.call(flow["callback_url"], method="GET", content_type=None)
    assert response.json["error"]["code"] == "TriggerRequestMethodNotValid"
    [entry] = api.triggers(flow["id"])
    assert entry["contract"] == {"valid": None, "errors": [], "reason": NOT_CHECKED}
    assert "Expected Object but got Null" not in str(entry)


def test_a_call_refused_early_that_carried_a_body_still_gets_its_verdict_for_debugging(api):
    flow = api.create(schema="monitor-results.strict", method="POST")
    api.call(flow["callback_url"], {"user_id": 5}, method="PUT")
    [entry] = api.triggers(flow["id"])
    assert entry["code"] == "TriggerRequestMethodNotValid"
    assert entry["contract"]["valid"] is False
    assert entry["contract"]["errors"][0] == {
        "path": "$.user_id",
        "message": "Invalid type. Expected String but got Integer.",
    }


def test_an_accepted_call_with_no_body_is_still_checked_as_the_real_trigger_checks_it(api):
    flow = api.create(schema="monitor-results.strict")
    assert api.call(flow["callback_url"], content_type=None).status_code == 202
    [run] = api.runs(flow["id"])
    assert run["contract"]["errors"] == [{"path": "$", "message": "Invalid type. Expected Object but got Null."}]


@pytest.mark.parametrize(
    ("schema", "words"),
    [
        pytest.param(
            "monitor-results",
            "a JSON object, no field required; strict verdict (monitor-results.strict): a JSON object with "
            "collection_name, collection_uid, environment_name, environment_uid and 5 more required, at every level",
            id="documented",
        ),
        pytest.param(
            "backup-collection",
            "a JSON object, no field required; strict verdict (backup-collection.strict): a JSON object with "
            "collection required, at every level",
            id="backup",
        ),
        pytest.param(
            {"type": "object", "required": ["id", "name"]}, "a JSON object with id and name required", id="inline"
        ),
        pytest.param({"type": "array"}, "a JSON array", id="array"),
        pytest.param(None, "any body (no schema)", id="none"),
    ],
)
def test_what_a_schema_requires_is_said_in_words(schema, words):
    assert requirements(schema) == words
