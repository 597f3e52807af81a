"""Actions that call out: mocks, default and strict behaviour, retry policies on the virtual clock."""

from __future__ import annotations

import pytest

from flowmock_receiver.workflow.engine import RunOptions
from tests.workflow.engine.flows import act, compose, http, run, seconds_between

KINDS = ["Http", "ApiConnection", "OpenApiConnection", "ApiConnectionWebhook", "Workflow", "Function", "SomethingNew"]


@pytest.mark.parametrize("kind", KINDS)
def test_an_unmocked_action_succeeds_with_empty_outputs_marked_not_mocked(kind):
    record, _, _ = run({"Call": {"type": kind, "inputs": {"x": "@add(1, 1)"}, "runAfter": {}}})
    call = act(record, "Call")
    assert (call.status, call.mocked, call.inputs) == ("Succeeded", "default", {"x": 2})
    assert call.outputs in ({"statusCode": 200, "headers": {}, "body": None}, {})


@pytest.mark.parametrize("kind", KINDS)
def test_a_strict_run_fails_every_unmocked_action(kind):
    record, _, _ = run({"Call": {"type": kind, "inputs": {}, "runAfter": {}}}, options=RunOptions(strict_mocks=True))
    assert act(record, "Call").status == "Failed"
    assert act(record, "Call").error["code"] == "ActionNotMocked"


def test_an_http_shaped_mock_gives_status_code_headers_and_body_evaluated_at_run_time():
    mocks = {
        "Call": {
            "statusCode": 201,
            "headers": {"ETag": "@{triggerBody()['v']}"},
            "body": {"echo": "@triggerBody()['v']"},
        }
    }
    record, _, _ = run(
        {"Call": http(), "Read": compose("@body('Call')['echo']", {"Call": ["Succeeded"]})}, {"v": 7}, mocks=mocks
    )
    call = act(record, "Call")
    assert call.outputs == {"statusCode": 201, "headers": {"ETag": "7"}, "body": {"echo": 7}}
    assert (call.mocked, call.code) == (True, "Created")
    assert act(record, "Read").outputs == 7


def test_an_outputs_mock_is_taken_as_is():
    record, _, _ = run(
        {"Send": {"type": "OpenApiConnection", "inputs": {}, "runAfter": {}}},
        mocks={"Send": {"outputs": {"body": {"id": "m-1"}}}},
    )
    assert act(record, "Send").outputs == {"body": {"id": "m-1"}}


def test_a_failed_mock_carries_its_error_code_and_message():
    mocks = {"Call": {"status": "Failed", "error": {"code": "NotFound", "message": "no such row"}}}
    record, _, _ = run({"Call": {"type": "ApiConnection", "inputs": {}, "runAfter": {}}}, mocks=mocks)
    assert act(record, "Call").status == "Failed"
    assert act(record, "Call").error == {"code": "NotFound", "message": "no such row"}


@pytest.mark.parametrize(("code", "status"), [(200, "Succeeded"), (302, "Succeeded"), (404, "Failed"), (500, "Failed")])
def test_a_mock_without_status_follows_its_status_code(code, status):
    record, _, _ = run({"Call": http(retryPolicy={"type": "none"})}, mocks={"Call": {"statusCode": code}})
    assert act(record, "Call").status == status


def test_a_sequence_gives_one_result_per_call_and_repeats_the_last():
    actions = {
        "Loop": {"type": "Foreach", "foreach": "@createArray(1, 2, 3, 4)", "actions": {"Call": http()}, "runAfter": {}}
    }
    mocks = {"Call": {"sequence": [{"statusCode": 200, "body": "a"}, {"statusCode": 200, "body": "b"}]}}
    record, _, _ = run(actions, mocks=mocks)
    assert [rep.actions[0].outputs["body"] for rep in act(record, "Loop").repetitions] == ["a", "b", "b", "b"]


def test_the_default_policy_retries_a_5xx_four_times_on_the_virtual_clock():
    mocks = {"Call": {"sequence": [{"statusCode": 503}] * 5}}
    record, _, _ = run({"Call": http()}, mocks=mocks)
    call = act(record, "Call")
    assert call.status == "Failed"
    # Four retries at the midpoints of [5, 7.5], [7.5, 15], [15, 30], [30, 45] seconds.
    assert seconds_between(call.start_time, call.end_time) == pytest.approx(6.25 + 11.25 + 22.5 + 37.5, abs=0.01)


def test_a_retry_that_succeeds_ends_the_action_succeeded():
    mocks = {"Call": {"sequence": [{"statusCode": 429}, {"statusCode": 408}, {"statusCode": 200, "body": "ok"}]}}
    record, _, _ = run({"Call": http()}, mocks=mocks)
    call = act(record, "Call")
    assert (call.status, call.outputs["body"]) == ("Succeeded", "ok")
    assert seconds_between(call.start_time, call.end_time) == pytest.approx(6.25 + 11.25, abs=0.01)


@pytest.mark.parametrize("code", [400, 401, 404, 409])
def test_client_errors_other_than_408_and_429_are_not_retried(code):
    mocks = {"Call": {"sequence": [{"statusCode": code}, {"statusCode": 200}]}}
    record, _, _ = run({"Call": http()}, mocks=mocks)
    assert act(record, "Call").status == "Failed"


def test_a_fixed_policy_waits_its_interval_count_times():
    policy = {"type": "fixed", "count": 3, "interval": "PT20S"}
    record, _, _ = run({"Call": http(retryPolicy=policy)}, mocks={"Call": {"statusCode": 500}})
    call = act(record, "Call")
    assert seconds_between(call.start_time, call.end_time) == pytest.approx(60, abs=0.01)


def test_an_exponential_policy_uses_its_own_bounds():
    policy = {
        "type": "exponential",
        "count": 2,
        "interval": "PT10S",
        "minimumInterval": "PT1S",
        "maximumInterval": "PT12S",
    }
    record, _, _ = run({"Call": http(retryPolicy=policy)}, mocks={"Call": {"statusCode": 500}})
    call = act(record, "Call")
    # retry 1: [max(0, 1), min(10, 12)] -> 5.5; retry 2: [max(10, 1), min(20, 12)] -> 11
    assert seconds_between(call.start_time, call.end_time) == pytest.approx(16.5, abs=0.01)


def test_policy_none_does_not_retry():
    mocks = {"Call": {"sequence": [{"statusCode": 500}, {"statusCode": 200}]}}
    record, _, _ = run({"Call": http(retryPolicy={"type": "none"})}, mocks=mocks)
    assert act(record, "Call").status == "Failed"


def test_retries_outlasting_the_action_time_limit_end_it_timed_out():
    action = {**http(retryPolicy={"type": "fixed", "count": 10, "interval": "PT1M"}), "limit": {"timeout": "PT3M"}}
    record, _, _ = run(
        {"Call": action, "Handle": compose("x", {"Call": ["TimedOut"]})}, mocks={"Call": {"statusCode": 500}}
    )
    assert act(record, "Call").status == "TimedOut"
    assert act(record, "Handle").status == "Succeeded"


def test_a_bad_retry_policy_fails_the_action():
    record, _, _ = run(
        {"Call": http(retryPolicy={"type": "fixed", "count": 0, "interval": "PT1S"})},
        mocks={"Call": {"statusCode": 500}},
    )
    assert act(record, "Call").status == "Failed"
    assert act(record, "Call").error["code"] == "InvalidTemplate"


def test_a_retry_interval_longer_than_a_day_is_refused():
    policy = {"type": "fixed", "count": 2, "interval": "P99999Y"}
    record, _, _ = run({"Call": http(retryPolicy=policy)}, mocks={"Call": {"statusCode": 500}})
    assert act(record, "Call").error["code"] == "InvalidTemplate"


@pytest.mark.parametrize(
    ("code", "name"),
    [(200, "OK"), (201, "Created"), (404, "NotFound"), (429, "429"), (422, "422"), (503, "ServiceUnavailable")],
)
def test_an_http_actions_result_code_is_the_dotnet_status_name_or_the_number(code, name):
    record, _, _ = run({"Call": http(retryPolicy={"type": "none"})}, mocks={"Call": {"statusCode": code}})
    assert act(record, "Call").code == name


def test_a_mock_can_echo_the_actions_evaluated_inputs():
    mocks = {"Call": {"statusCode": 200, "body": "@action()['inputs']['body']"}}
    record, _, _ = run({"Call": http(method="POST", body={"n": "@add(1, 1)"})}, mocks=mocks)
    assert act(record, "Call").outputs["body"] == {"n": 2}


def test_secure_inputs_and_outputs_stay_out_of_the_run_but_later_actions_read_them():
    action = {
        **http(headers={"Authorization": "secret"}),
        "runtimeConfiguration": {"secureData": {"properties": ["inputs", "outputs"]}},
    }
    mocks = {"Call": {"statusCode": 200, "body": {"token": "t-1"}}}
    record, _, _ = run({"Call": action, "Use": compose("@body('Call')['token']", {"Call": ["Succeeded"]})}, mocks=mocks)
    call = act(record, "Call")
    assert (
        call.inputs == call.outputs == {"secured": True, "message": "Content not shown due to security configuration."}
    )
    assert "secret" not in str(record.to_json())
    assert act(record, "Use").outputs == "t-1"
