"""The Response action and what the HTTP caller gets: the answer, 202, 502 NoResponse or 504 ResponseTimeout."""

from __future__ import annotations

import threading

import pytest

from flowmock_receiver.workflow.engine import RunOptions, run_flow, start_run
from tests.workflow.engine.flows import START, act, compose, definition, http, response, run

DELAY_3_MIN = {"type": "Wait", "inputs": {"interval": {"count": 3, "unit": "Minute"}}, "runAfter": {}}


def test_the_response_is_reported_with_its_evaluated_status_headers_and_body():
    actions = {
        "Answer": response(
            "@add(200, 1)", {"id": "@triggerBody()['id']"}, headers={"X-Id": "@triggerBody()['id']", "X-Flag": True}
        )
    }
    record, outcomes, _ = run(actions, {"id": 5})
    assert len(outcomes) == 1
    outcome = outcomes[0]
    assert (outcome.kind, outcome.status_code, outcome.headers, outcome.body, outcome.action) == (
        "response",
        201,
        {"X-Id": "5", "X-Flag": "True"},
        {"id": 5},
        "Answer",
    )
    assert record.response_action == "Answer"


def test_the_run_goes_on_after_the_response():
    record, outcomes, _ = run({"Answer": response(200), "After": compose("later", {"Answer": ["Succeeded"]})})
    assert outcomes[0].kind == "response"
    assert act(record, "After").status == "Succeeded"


def test_a_flow_without_a_response_is_accepted_with_202_before_it_runs():
    record, outcomes, _ = run({"Work": compose(1)})
    assert [(o.kind, o.status_code) for o in outcomes] == [("accepted", 202)]
    assert record.response_action is None


def test_a_run_that_fails_before_its_response_answers_502_no_response():
    record, outcomes, _ = run(
        {"Call": http(retryPolicy={"type": "none"}), "Answer": response(200, None, {"Call": ["Succeeded"]})},
        mocks={"Call": {"statusCode": 500}},
    )
    assert [(o.kind, o.status_code, o.error_code) for o in outcomes] == [("no_response", 502, "NoResponse")]
    assert outcomes[0].error_body("0858x") == {
        "error": {
            "code": "NoResponse",
            "message": "The server did not receive a response from an upstream server. Request tracking id '0858x'.",
        }
    }
    assert record.status == "Failed"


def test_every_response_skipped_answers_502_even_when_the_run_succeeds():
    record, outcomes, _ = run({"Work": compose(1), "Answer": response(200, None, {"Work": ["Failed"]})})
    assert record.status == "Succeeded"
    assert outcomes[0].status_code == 502


def test_a_response_after_the_timeout_answers_504_and_fails_action_response_timed_out():
    record, outcomes, _ = run({"Wait": DELAY_3_MIN, "Answer": response(200, "late", {"Wait": ["Succeeded"]})})
    assert [(o.kind, o.status_code, o.error_code) for o in outcomes] == [("timeout", 504, "ResponseTimeout")]
    assert act(record, "Answer").status == "Failed"
    assert act(record, "Answer").error["code"] == "ActionResponseTimedOut"
    assert record.status == "Failed"


def test_the_timeout_and_its_status_are_options():
    options = RunOptions(response_timeout=225, timeout_status=408)
    _, in_time, _ = run({"Wait": DELAY_3_MIN, "Answer": response(200, None, {"Wait": ["Succeeded"]})}, options=options)
    assert in_time[0].status_code == 200
    _, late, _ = run(
        {
            "Wait": {**DELAY_3_MIN, "inputs": {"interval": {"count": 4, "unit": "Minute"}}},
            "Answer": response(200, None, {"Wait": ["Succeeded"]}),
        },
        options=options,
    )
    assert late[0].status_code == 408


def test_a_second_response_fails_and_the_first_answer_stands():
    record, outcomes, _ = run({"First": response(200, "one"), "Second": response(201, "two", {"First": ["Succeeded"]})})
    assert [o.body for o in outcomes] == ["one"]
    assert act(record, "Second").error["code"] == "ActionResponseAlreadySent"
    assert record.status == "Failed"


def test_a_response_with_nobody_waiting_is_skipped():
    record, _, _ = run({"Answer": response(200)}, options=RunOptions(caller_waiting=False))
    assert act(record, "Answer").status == "Skipped"
    assert act(record, "Answer").error["code"] == "ActionResponseSkipped"


@pytest.mark.parametrize("status", [302, 100, "abc", None])
def test_a_response_status_outside_2xx_4xx_5xx_fails_the_action(status):
    record, outcomes, _ = run({"Answer": response(status)})
    assert act(record, "Answer").error["code"] == "InvalidResponseStatusCode"
    assert outcomes[0].status_code == 502


def test_start_run_answers_through_the_handle_before_the_run_ends():
    seen = []

    def on_update(record):
        seen.append(record.status)

    handle = start_run(definition({"Answer": response(200, "hi")}), {"body": None}, on_update=on_update)
    outcome = handle.response(timeout=10)
    assert outcome is not None and outcome.body == "hi"
    record = handle.result(timeout=10)
    assert record.status == "Succeeded" and handle.done
    assert seen[0] == "Running" and seen[-1] == "Succeeded"


def test_start_run_reraises_an_engine_error_from_response_and_result():
    handle = start_run({"actions": {"A": compose(1, {"Missing": ["Succeeded"]})}}, {})
    with pytest.raises(Exception, match="Missing"):
        handle.response(timeout=10)
    with pytest.raises(Exception, match="Missing"):
        handle.result(timeout=10)


def test_a_cancelled_run_ends_cancelled_before_its_next_action():
    cancel = threading.Event()
    cancel.set()
    record = run_flow(definition({"A": compose(1)}), {}, cancel=cancel)
    assert record.status == "Cancelled"
    assert record.actions[0].status == "Cancelled"


def test_timestamps_start_at_the_given_clock():
    record, _, _ = run({"A": compose(1)})
    assert record.start_time.startswith(START.strftime("%Y-%m-%dT%H:%M:%S"))
    assert record.start_time.endswith("0Z") and len(record.start_time) == len("2026-03-01T09:00:00.0000000Z")


def test_on_update_reports_progress_after_each_top_level_action():
    snapshots = []
    run_flow(
        definition({"A": compose(1), "B": compose(2, {"A": ["Succeeded"]})}),
        {},
        on_update=lambda record: snapshots.append((record.status, [a.name for a in record.actions])),
    )
    assert snapshots == [("Running", []), ("Running", ["A"]), ("Running", ["A", "B"]), ("Succeeded", ["A", "B"])]


def asynchronous(status=200, body=None, after=None):
    return {**response(status, body, after), "operationOptions": "Asynchronous"}


def test_an_asynchronous_response_answers_202_at_once_then_gives_the_polled_answer():
    record, outcomes, _ = run(
        {
            "Wait": {**DELAY_3_MIN, "inputs": {"interval": {"count": 10, "unit": "Minute"}}},
            "Answer": asynchronous(200, "done", {"Wait": ["Succeeded"]}),
        }
    )
    assert [(o.kind, o.status_code) for o in outcomes] == [("asynchronous", 202), ("response", 200)]
    assert outcomes[1].body == "done"
    assert record.status == "Succeeded"  # no 120 s limit: the caller polls


def test_an_asynchronous_flow_that_never_responds_polls_to_502():
    _, outcomes, _ = run(
        {"Call": http(retryPolicy={"type": "none"}), "Answer": asynchronous(200, None, {"Call": ["Succeeded"]})},
        mocks={"Call": {"statusCode": 500}},
    )
    assert [(o.kind, o.status_code) for o in outcomes] == [("asynchronous", 202), ("no_response", 502)]
