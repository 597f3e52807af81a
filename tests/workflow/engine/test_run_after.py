"""runAfter and the run's status, as "Handle errors and exceptions in Azure Logic Apps" describes them."""

from __future__ import annotations

import pytest

from tests.workflow.engine.flows import act, compose, http, run

FAILING = {"Call": {"statusCode": 404, "body": {"message": "nope"}}}


@pytest.mark.parametrize(
    ("mock", "accepted", "runs"),
    [
        pytest.param({"statusCode": 200}, ["Succeeded"], True, id="succeeded-after-succeeded"),
        pytest.param({"statusCode": 404}, ["Succeeded"], False, id="succeeded-after-failed"),
        pytest.param({"statusCode": 404}, ["Failed"], True, id="failed-after-failed"),
        pytest.param({"statusCode": 200}, ["Failed"], False, id="failed-after-succeeded"),
        pytest.param({"status": "TimedOut"}, ["TimedOut"], True, id="timedout-after-timedout"),
        pytest.param({"status": "TimedOut"}, ["Failed"], False, id="failed-after-timedout"),
        pytest.param({"statusCode": 500}, ["Failed", "TimedOut"], True, id="catch-after-failed"),
        pytest.param({"statusCode": 200}, ["failed", "succeeded"], True, id="statuses-in-any-case"),
    ],
)
def test_an_action_runs_only_when_its_predecessor_ends_in_an_accepted_status(mock, accepted, runs):
    record, _, _ = run(
        {"Call": http(retryPolicy={"type": "none"}), "Next": compose("ran", {"Call": accepted})},
        mocks={"Call": mock},
    )
    assert act(record, "Next").status == ("Succeeded" if runs else "Skipped")


def test_an_action_after_a_skipped_one_runs_when_skipped_is_accepted():
    record, _, _ = run(
        {
            "Call": http(),
            "Only_on_failure": compose("x", {"Call": ["Failed"]}),
            "After_skip": compose("y", {"Only_on_failure": ["Skipped"]}),
            "Needs_success": compose("z", {"Only_on_failure": ["Succeeded"]}),
        }
    )
    assert [act(record, n).status for n in ("Only_on_failure", "After_skip", "Needs_success")] == [
        "Skipped",
        "Succeeded",
        "Skipped",
    ]


def test_a_skipped_action_says_which_runafter_condition_was_not_satisfied_in_the_service_wording():
    record, _, _ = run(
        {"Call": http(retryPolicy={"type": "none"}), "Next": compose("x", {"Call": ["Succeeded"]})}, mocks=FAILING
    )
    skipped = act(record, "Next")
    assert skipped.code == "ActionSkipped"
    assert skipped.error == {
        "code": "ActionConditionFailed",
        "message": "The execution of template action 'Next' is skipped: the 'runAfter' condition for action 'Call' is "
        "not satisfied. Expected status values 'Succeeded' and actual value 'Failed'.",
    }


def test_an_unhandled_failure_fails_the_run_and_skips_its_successors():
    record, _, _ = run(
        {"Call": http(retryPolicy={"type": "none"}), "Next": compose("x", {"Call": ["Succeeded"]})}, mocks=FAILING
    )
    assert record.status == "Failed"
    assert act(record, "Call").status == "Failed"


def test_a_failure_handled_by_a_runafter_failed_action_leaves_the_run_succeeded():
    record, _, _ = run(
        {"Call": http(retryPolicy={"type": "none"}), "Handle": compose("handled", {"Call": ["Failed"]})}, mocks=FAILING
    )
    assert record.status == "Succeeded"


def test_a_branch_ending_in_a_skipped_action_takes_its_predecessors_status():
    # Call succeeds; Handle (after Failed) is skipped: the branch ends well, so the run succeeds.
    ok, _, _ = run({"Call": http(), "Handle": compose("x", {"Call": ["Failed"]})})
    assert ok.status == "Succeeded"
    # Call fails; Next (after Succeeded) is skipped: the branch ends in Call's failure.
    failed, _, _ = run(
        {"Call": http(retryPolicy={"type": "none"}), "Next": compose("x", {"Call": ["Succeeded"]})}, mocks=FAILING
    )
    assert failed.status == "Failed"


def test_any_failed_parallel_branch_fails_the_run():
    record, _, _ = run(
        {
            "Start": compose("s"),
            "Left": http({"Start": ["Succeeded"]}, retryPolicy={"type": "none"}),
            "Right": compose("r", {"Start": ["Succeeded"]}),
        },
        mocks={"Left": {"statusCode": 500}},
    )
    assert act(record, "Right").status == "Succeeded"
    assert record.status == "Failed"


def test_parallel_branches_run_in_definition_order_and_join_on_every_predecessor():
    record, _, _ = run(
        {
            "B": compose("b"),
            "A": compose("a"),
            "Join": compose("@concat(outputs('A'), outputs('B'))", {"A": ["Succeeded"], "B": ["Succeeded"]}),
        }
    )
    assert [a.name for a in record.actions] == ["B", "A", "Join"]
    assert act(record, "Join").outputs == "ab"
    assert act(record, "B").start_time < act(record, "A").start_time < act(record, "Join").start_time


def test_actions_are_recorded_in_definition_order_whatever_order_they_run_in():
    record, _, _ = run({"Second": compose("2", {"First": ["Succeeded"]}), "First": compose("1")})
    assert [a.name for a in record.actions] == ["Second", "First"]
    assert act(record, "First").end_time <= act(record, "Second").start_time


def test_a_timed_out_branch_end_fails_the_run_like_a_failure():
    record, _, _ = run({"Call": http()}, mocks={"Call": {"status": "TimedOut"}})
    assert act(record, "Call").status == "TimedOut"
    assert record.status == "Failed"


def test_a_failure_handled_in_one_branch_still_fails_the_run_when_a_sibling_branch_ends_skipped():
    # The documented rule: the success branch ends in a Skipped action, so its status is its predecessor's (Failed),
    # and any failed branch fails the run, even though the failure branch handled it.
    record, _, _ = run(
        {
            "Call": http(retryPolicy={"type": "none"}),
            "On_success": compose("ok", {"Call": ["Succeeded"]}),
            "On_failure": compose("handled", {"Call": ["Failed"]}),
        },
        mocks=FAILING,
    )
    assert act(record, "On_failure").status == "Succeeded"
    assert record.status == "Failed"


def test_a_long_chain_of_skipped_actions_is_judged_without_recursion():
    actions = {"A0": http(retryPolicy={"type": "none"})}
    for i in range(1, 1500):
        actions[f"A{i}"] = compose(i, {f"A{i - 1}": ["Succeeded"]})
    record, _, _ = run(actions, mocks={"A0": {"statusCode": 500}})
    assert record.status == "Failed"
    assert record.actions[-1].status == "Skipped"


def test_containers_nested_past_the_limit_are_refused_before_running():
    from flowmock_receiver.workflow.engine import validate_definition

    actions: dict = {"Leaf": compose(1)}
    for depth in range(40):
        actions = {f"Scope{depth}": {"type": "Scope", "actions": actions, "runAfter": {}}}
    problems = validate_definition({"actions": actions})
    assert problems and "nested deeper than 32" in problems[0]


def test_a_failed_run_carries_the_services_action_failed_error():
    record, _, _ = run({"Call": http(retryPolicy={"type": "none"})}, mocks=FAILING)
    assert record.error == {"code": "ActionFailed", "message": "An action failed. No dependent actions succeeded."}
