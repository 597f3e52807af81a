"""Scope, If, Switch, Foreach, Until, Terminate and Wait, with the error-handling patterns built from them."""

from __future__ import annotations

import pytest

from tests.workflow.engine.flows import act, compose, http, response, run, seconds_between


def scope(actions, after=None):
    return {"type": "Scope", "actions": actions, "runAfter": after or {}}


def test_a_scope_succeeds_when_its_actions_do_and_records_them_as_children():
    record, _, _ = run({"Try": scope({"A": compose(1), "B": compose(2, {"A": ["Succeeded"]})})})
    try_ = act(record, "Try")
    assert try_.status == "Succeeded"
    assert [(c.name, c.branch) for c in try_.children] == [("A", "actions"), ("B", "actions")]


def test_a_scope_with_an_unhandled_failure_fails_with_action_failed():
    record, _, _ = run(
        {"Try": scope({"Call": http(retryPolicy={"type": "none"})})}, mocks={"Call": {"statusCode": 500}}
    )
    assert act(record, "Try").status == "Failed"
    assert act(record, "Try").error == {
        "code": "ActionFailed",
        "message": "An action failed. No dependent actions succeeded.",
    }


def test_try_catch_runs_the_catch_after_a_failed_scope_and_result_lists_the_scopes_actions():
    actions = {
        "Try": scope({"Call": http(retryPolicy={"type": "none"}), "After": compose("x", {"Call": ["Succeeded"]})}),
        "Catch": scope(
            {
                "Failures": {
                    "type": "Query",
                    "inputs": {"from": "@result('Try')", "where": "@equals(item()['status'], 'Failed')"},
                    "runAfter": {},
                },
                "Answer": response(
                    500,
                    {"failed": "@body('Failures')[0]['name']", "code": "@body('Failures')[0]['code']"},
                    {"Failures": ["Succeeded"]},
                ),
            },
            {"Try": ["Failed", "TimedOut"]},
        ),
    }
    record, outcomes, _ = run(actions, mocks={"Call": {"statusCode": 503, "body": "down"}})
    assert act(record, "Catch").status == "Succeeded"
    assert outcomes[-1].status_code == 500
    assert outcomes[-1].body == {"failed": "Call", "code": "ServiceUnavailable"}
    assert record.status == "Succeeded"  # the failure was handled


def test_the_catch_is_skipped_when_the_try_succeeds():
    record, _, _ = run({"Try": scope({"A": compose(1)}), "Catch": scope({"B": compose(2)}, {"Try": ["Failed"]})})
    catch = act(record, "Catch")
    assert catch.status == "Skipped"
    assert [(c.name, c.status) for c in catch.children] == [("B", "Skipped")]
    assert record.status == "Succeeded"


@pytest.mark.parametrize(
    ("expression", "taken"),
    [
        pytest.param("@equals(triggerBody()['kind'], 'order')", "actions", id="string-true"),
        pytest.param("@equals(triggerBody()['kind'], 'refund')", "else", id="string-false"),
        pytest.param(
            {"and": [{"equals": ["@triggerBody()['kind']", "order"]}, {"greater": ["@triggerBody()['n']", 2]}]},
            "actions",
            id="object-and",
        ),
        pytest.param(
            {"or": [{"equals": ["@triggerBody()['kind']", "x"]}, {"less": ["@triggerBody()['n']", 2]}]},
            "else",
            id="object-or",
        ),
        pytest.param({"not": {"contains": ["@triggerBody()['kind']", "ord"]}}, "else", id="object-not"),
        pytest.param({"Equals": ["@triggerBody()['n']", 3]}, "actions", id="operator-case-insensitive"),
        pytest.param({"startsWith": ["@triggerBody()['kind']", "or"]}, "actions", id="object-startswith"),
    ],
)
def test_if_runs_the_branch_its_condition_chooses_and_skips_the_other(expression, taken):
    actions = {
        "Check": {
            "type": "If",
            "expression": expression,
            "actions": {"Yes": compose("yes")},
            "else": {"actions": {"No": compose("no")}},
            "runAfter": {},
        }
    }
    record, _, _ = run(actions, {"kind": "order", "n": 3})
    check = act(record, "Check")
    ran = {c.name: (c.branch, c.status) for c in check.children}
    other = "else" if taken == "actions" else "actions"
    assert ran["Yes" if taken == "actions" else "No"] == (taken, "Succeeded")
    assert ran["No" if taken == "actions" else "Yes"] == (other, "Skipped")
    skipped = next(c for c in check.children if c.status == "Skipped")
    assert skipped.error is not None and skipped.error["code"] == "ActionBranchingConditionNotSatisfied"


def test_an_if_whose_taken_branch_fails_fails():
    actions = {
        "Check": {
            "type": "If",
            "expression": "@true",
            "actions": {"Call": http(retryPolicy={"type": "none"})},
            "runAfter": {},
        }
    }
    record, _, _ = run(actions, mocks={"Call": {"statusCode": 400}})
    assert act(record, "Check").status == "Failed"


def test_an_if_with_a_malformed_object_condition_fails_with_invalid_template():
    record, _, _ = run({"Check": {"type": "If", "expression": {"frobnicate": [1, 2]}, "actions": {}, "runAfter": {}}})
    assert act(record, "Check").status == "Failed"
    assert act(record, "Check").error["code"] == "InvalidTemplate"


def switch(expression):
    return {
        "type": "Switch",
        "expression": expression,
        "cases": {
            "Case_one": {"case": 1, "actions": {"One": compose("one")}},
            "Case_a": {"case": "a", "actions": {"A": compose("a")}},
        },
        "default": {"actions": {"Other": compose("other")}},
        "runAfter": {},
    }


@pytest.mark.parametrize(
    ("value", "ran", "branch"),
    [(1, "One", "Case_one"), ("a", "A", "Case_a"), ("1", "Other", "default"), (2, "Other", "default")],
)
def test_switch_runs_the_case_equal_in_value_and_type_else_the_default(value, ran, branch):
    record, _, _ = run({"Switch": switch("@triggerBody()['v']")}, {"v": value})
    children = {c.name: c for c in act(record, "Switch").children}
    assert (children[ran].status, children[ran].branch) == ("Succeeded", branch)
    assert sum(c.status == "Succeeded" for c in children.values()) == 1


def test_switch_on_a_value_that_is_neither_string_nor_integer_fails():
    record, _, _ = run({"Switch": switch("@triggerBody()['v']")}, {"v": [1]})
    assert act(record, "Switch").status == "Failed"
    assert "is expected to be a value of type 'String, Integer'" in act(record, "Switch").error["message"]


def test_foreach_runs_one_repetition_per_item_with_items_and_records_the_concurrency():
    actions = {
        "Loop": {
            "type": "Foreach",
            "foreach": "@triggerBody()",
            "actions": {"Double": compose("@mul(items('Loop'), 2)")},
            "runtimeConfiguration": {"concurrency": {"repetitions": 7}},
            "runAfter": {},
        }
    }
    record, _, _ = run(actions, [1, 2, 3])
    loop = act(record, "Loop")
    assert [(r.index, r.status, r.actions[0].outputs) for r in loop.repetitions] == [
        (0, "Succeeded", 2),
        (1, "Succeeded", 4),
        (2, "Succeeded", 6),
    ]
    assert loop.inputs["concurrency"] == 7
    assert loop.inputs["executed"] == "sequentially"


def test_a_sequential_foreach_records_concurrency_one():
    actions = {
        "Loop": {
            "type": "Foreach",
            "foreach": "@createArray(1)",
            "actions": {},
            "operationOptions": "Sequential",
            "runAfter": {},
        }
    }
    record, _, _ = run(actions)
    assert act(record, "Loop").inputs["concurrency"] == 1


def test_foreach_fails_when_any_repetition_fails_and_result_lists_each_repetition():
    actions = {
        "Loop": {
            "type": "Foreach",
            "foreach": "@createArray(1, 2)",
            "actions": {"Call": http(retryPolicy={"type": "none"})},
            "runAfter": {},
        },
        "Report": compose("@result('Loop')", {"Loop": ["Failed"]}),
    }
    record, _, _ = run(actions, mocks={"Call": {"sequence": [{"statusCode": 200}, {"statusCode": 500}]}})
    assert [r.status for r in act(record, "Loop").repetitions] == ["Succeeded", "Failed"]
    assert act(record, "Loop").status == "Failed"
    report = act(record, "Report").outputs
    assert report[0]["name"] == "Call"
    assert [entry["status"] for entry in report[0]["outputs"]] == ["Succeeded", "Failed"]


def test_foreach_over_something_that_is_not_an_array_fails_with_the_service_message():
    record, _, _ = run(
        {"Loop": {"type": "Foreach", "foreach": "@triggerBody()", "actions": {}, "runAfter": {}}}, {"not": "array"}
    )
    assert "The result must be a valid array" in act(record, "Loop").error["message"]


def test_nested_foreach_loops_see_their_own_items():
    actions = {
        "Outer": {
            "type": "Foreach",
            "foreach": "@createArray('a', 'b')",
            "actions": {
                "Inner": {
                    "type": "Foreach",
                    "foreach": "@createArray(1, 2)",
                    "actions": {"Pair": compose("@concat(items('Outer'), string(items('Inner')))")},
                    "runAfter": {},
                }
            },
            "runAfter": {},
        }
    }
    record, _, _ = run(actions)
    pairs = [
        inner.actions[0].outputs for rep in act(record, "Outer").repetitions for inner in rep.actions[0].repetitions
    ]
    assert pairs == ["a1", "a2", "b1", "b2"]


def until(expression, limit=None, actions=None):
    return {
        "type": "Until",
        "expression": expression,
        "limit": limit or {"count": 60, "timeout": "PT1H"},
        "actions": actions
        or {"Bump": {"type": "IncrementVariable", "inputs": {"name": "n", "value": 1}, "runAfter": {}}},
        "runAfter": {"Init": ["Succeeded"]},
    }


INIT = {
    "type": "InitializeVariable",
    "inputs": {"variables": [{"name": "n", "type": "integer", "value": 0}]},
    "runAfter": {},
}


def test_until_repeats_until_its_expression_is_true():
    record, _, _ = run({"Init": INIT, "Loop": until("@equals(variables('n'), 3)")})
    loop = act(record, "Loop")
    assert len(loop.repetitions) == 3
    assert loop.inputs["stopped_by"] == "expression"
    assert loop.status == "Succeeded"


def test_until_stops_at_its_count_limit():
    record, _, _ = run({"Init": INIT, "Loop": until("@equals(variables('n'), 100)", {"count": 4, "timeout": "PT1H"})})
    assert len(act(record, "Loop").repetitions) == 4
    assert act(record, "Loop").inputs["stopped_by"] == "count"


def test_until_stops_at_its_timeout_on_the_virtual_clock():
    actions = {
        "Bump": {"type": "IncrementVariable", "inputs": {"name": "n", "value": 1}, "runAfter": {}},
        "Wait": {
            "type": "Wait",
            "inputs": {"interval": {"count": 1, "unit": "Minute"}},
            "runAfter": {"Bump": ["Succeeded"]},
        },
    }
    record, _, _ = run(
        {"Init": INIT, "Loop": until("@equals(variables('n'), 100)", {"count": 60, "timeout": "PT5M"}, actions)}
    )
    loop = act(record, "Loop")
    assert loop.inputs["stopped_by"] == "timeout"
    assert len(loop.repetitions) == 5
    assert seconds_between(loop.start_time, loop.end_time) >= 300


def test_until_without_limits_takes_the_default_sixty_repetitions():
    loop = {**until("@equals(variables('n'), -1)"), "limit": {}}
    record, _, _ = run({"Init": INIT, "Loop": loop})
    assert len(act(record, "Loop").repetitions) == 60


@pytest.mark.parametrize("status", ["Succeeded", "Failed", "Cancelled"])
def test_terminate_sets_the_run_status_and_stops_every_later_action(status):
    actions = {
        "Stop": {
            "type": "Terminate",
            "inputs": {"runStatus": status, "runError": {"code": "Stopped", "message": "because"}},
            "runAfter": {},
        },
        "Later": compose("never", {"Stop": ["Succeeded"]}),
    }
    record, _, _ = run(actions)
    assert record.status == status
    assert act(record, "Later").status == "Cancelled"
    assert record.error == ({"code": "Stopped", "message": "because"} if status == "Failed" else None)


def test_terminate_inside_a_loop_stops_the_loop():
    actions = {
        "Loop": {
            "type": "Foreach",
            "foreach": "@createArray(1, 2, 3)",
            "actions": {
                "Stop": {
                    "type": "If",
                    "expression": "@equals(item(), 2)",
                    "actions": {"End": {"type": "Terminate", "inputs": {"runStatus": "Succeeded"}, "runAfter": {}}},
                    "runAfter": {},
                }
            },
            "runAfter": {},
        }
    }
    record, _, _ = run(actions)
    assert len(act(record, "Loop").repetitions) == 2
    assert record.status == "Succeeded"


def test_delay_advances_the_virtual_clock_without_sleeping():
    record, _, _ = run(
        {
            "Wait": {"type": "Wait", "inputs": {"interval": {"count": 2, "unit": "Hour"}}, "runAfter": {}},
            "Now": compose("@utcNow()", {"Wait": ["Succeeded"]}),
        }
    )
    wait = act(record, "Wait")
    assert seconds_between(wait.start_time, wait.end_time) == pytest.approx(7200, abs=0.01)
    assert act(record, "Now").outputs.startswith("2026-03-01T11:00:00")


def test_delay_until_moves_the_clock_to_the_timestamp():
    record, _, _ = run(
        {"Wait": {"type": "Wait", "inputs": {"until": {"timestamp": "2026-03-02T00:00:00Z"}}, "runAfter": {}}}
    )
    assert act(record, "Wait").end_time.startswith("2026-03-02T00:00:00")


def test_a_delay_with_an_unknown_unit_fails():
    record, _, _ = run(
        {"Wait": {"type": "Wait", "inputs": {"interval": {"count": 2, "unit": "Fortnight"}}, "runAfter": {}}}
    )
    assert act(record, "Wait").status == "Failed"


def test_iteration_indexes_counts_an_until_loops_repetitions():
    actions = {
        "Bump": {"type": "SetVariable", "inputs": {"name": "n", "value": "@iterationIndexes('Loop')"}, "runAfter": {}}
    }
    record, _, _ = run({"Init": INIT, "Loop": until("@equals(variables('n'), 2)", actions=actions)})
    assert len(act(record, "Loop").repetitions) == 3


@pytest.mark.parametrize("expression", ["@triggerBody()", "@string('true')", "@null"])
def test_an_if_whose_expression_is_not_a_boolean_fails_as_the_service_words_it(expression):
    record, _, _ = run({"Check": {"type": "If", "expression": expression, "actions": {}, "runAfter": {}}}, "text")
    check = act(record, "Check")
    assert check.status == "Failed"
    assert "is expected to be a value of type 'Boolean'" in check.error["message"]
