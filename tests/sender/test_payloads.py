"""Payloads built from real inputs conform to the strict schemas, and bad inputs say what is wrong."""

from __future__ import annotations

import json

import pytest

from flowmock_schemas import validate
from flowmock_sender import (
    InputError,
    InvalidPayload,
    activity,
    backup_collection,
    check,
    make_uid,
    monitor_results,
    summarise,
)
from tests.conftest import FIXTURES


def load(*parts: str):
    return json.loads(FIXTURES.joinpath(*parts).read_text())


def test_newman6_report_maps_onto_metrics_with_latency_summed_from_responses():
    summary = summarise(load("newman", "newman6-conduit-report.json"))
    assert summary.metrics == {
        "errors": 2,  # one refused request + one failed test script
        "failedTests": 2,
        "passedTests": 3,
        "requestCount": 3,
        "totalLatency": 23,  # 11 + 12, not responseAverage x 3
        "warnings": 0,
    }
    assert summary.succeeded is False
    assert (summary.collection_name, summary.environment_name) == ("Conduit", "Production")


def test_old_newman3_report_with_sparse_timings_still_works():
    summary = summarise(load("newman", "newman3-sparse-timings-report.json"))
    assert summary.metrics["requestCount"] == 3
    assert summary.metrics["totalLatency"] == 412 + 96 + 187  # not responseAverage x 3: timings hold no more
    assert summary.collection_id == "3f0c9a52-7d1e-4b8a-9c64-2e5f8d71b0a3"  # v2.0.0 collections say info.id
    assert (summary.environment_name, summary.environment_id) == ("", None)  # environment is just {"values": []}
    assert summary.succeeded is True


def test_a_report_without_a_scripts_stat_counts_test_and_prerequest_script_failures():
    report = load("newman", "newman3-sparse-timings-report.json")
    stats = report["run"]["stats"]
    del stats["scripts"]
    stats["testScripts"]["failed"] = 1
    stats["prerequestScripts"]["failed"] = 1
    assert summarise(report).metrics["errors"] == 2


@pytest.mark.parametrize("bad", [{}, [], {"run": {}}, {"run": {"stats": {}}}])
def test_something_that_is_not_a_newman_report_is_an_input_error(bad):
    with pytest.raises(InputError, match="not a Newman JSON report"):
        summarise(bad)


def test_monitor_results_payload_conforms_to_the_strict_schema_with_postman_uids():
    summary = summarise(load("newman", "newman6-conduit-report.json"))
    payload = monitor_results(
        summary,
        monitor_name="Conduit hourly",
        monitor_id="1e6b6cc1-c760-48e0-968f-4bfaeeae9af1",
        user_id=12345678,
        user_name="jane.doe",
    )
    assert validate("monitor-results.strict", payload) == []
    assert payload["user_id"] == "12345678"
    assert payload["monitor_uid"] == "12345678-1e6b6cc1-c760-48e0-968f-4bfaeeae9af1"
    assert payload["collection_uid"] == "12345678-0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
    assert payload["environment_uid"] == "12345678-5daabc50-8451-43f6-922d-96b403b4f28e"
    assert list(payload) == sorted(payload)  # the documented schema's order, which happens to be alphabetical


def test_a_monitor_uid_is_sent_as_given_and_without_one_it_is_empty():
    summary = summarise(load("newman", "newman6-conduit-report.json"))
    common = {"monitor_name": "m", "user_id": "1", "user_name": "u"}
    assert monitor_results(summary, monitor_uid="7-abc", **common)["monitor_uid"] == "7-abc"
    assert monitor_results(summary, **common)["monitor_uid"] == ""
    with pytest.raises(InputError, match="not both"):
        monitor_results(summary, monitor_uid="1-a", monitor_id="a", **common)


def test_make_uid_keeps_existing_uids():
    uid = "12345678-12ece9e1-2abf-4edc-8e34-de66e74114d2"
    assert make_uid("999", uid) == uid
    assert make_uid("12345678", "12ece9e1-2abf-4edc-8e34-de66e74114d2") == uid


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "collections").glob("*.json")))
def test_backup_payload_from_each_sample_collection_is_valid(name):
    payload = backup_collection(load("collections", name))
    assert validate("backup-collection.strict", payload) == []


def test_backup_accepts_the_postman_api_wrapper():
    collection = load("collections", "inherited-auth-and-events.json")
    assert backup_collection({"collection": collection}) == {"collection": collection}


def test_backup_of_an_invalid_collection_names_the_path():
    collection = load("collections", "inherited-auth-and-events.json")
    collection["info"].pop("schema")
    with pytest.raises(InputError, match=r"\$\.info: Required properties are missing from object: schema"):
        backup_collection(collection)
    with pytest.raises(InputError, match="needs 'info' and 'item'"):
        backup_collection({"name": "not a collection"})


def test_activity_is_phrased_as_postman_phrases_it_with_keys_in_its_order():
    payload = activity(
        action="update",
        model="request",
        model_name="List orders",
        model_uid="4821-77-19",
        collection_name="Shop collection",
        collection_uid="4821-30-5",
        user_id=4821,
        user_name="mira",
    )
    assert payload == load("payloads", "team-activity", "valid", "request-updated-short-uids.json")
    assert list(payload) == [
        "action",
        "model",
        "user_id",
        "user_name",
        "model_uid",
        "model_name",
        "collection_uid",
        "collection_name",
        "message",
    ]
    created = activity(
        action="create",
        model="example",
        model_name="x",
        model_uid="u",
        collection_name="C",
        collection_uid="c",
        user_id="1",
        user_name="Ann",
    )
    assert created["message"] == "Ann created an example x in the C collection"


def test_check_refuses_a_nonconforming_payload_with_the_errors():
    with pytest.raises(InvalidPayload) as info:
        check("monitor-results.strict", {"user_id": 1})
    assert info.value.schema == "monitor-results.strict"
    assert "$.user_id: Invalid type. Expected String but got Integer." in str(info.value)
