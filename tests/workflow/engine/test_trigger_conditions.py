"""Trigger conditions: all true fires the trigger; a false one records Skipped (no run); an error records Failed."""

from __future__ import annotations

from flowmock_receiver.workflow.definitions import import_value
from flowmock_receiver.workflow.engine import decide_trigger_for
from tests.workflow.engine.flows import definition


def flow_with(*conditions):
    trigger = {"type": "Request", "kind": "Http", "inputs": {}, "conditions": [{"expression": c} for c in conditions]}
    return definition({}, trigger=trigger)


def test_a_trigger_without_conditions_fires():
    assert decide_trigger_for(flow_with(), {"body": {}}).fired


def test_all_true_conditions_fire_the_trigger():
    decision = decide_trigger_for(
        flow_with("@equals(triggerBody()['kind'], 'a')", "@greater(triggerBody()['n'], 1)"),
        {"body": {"kind": "a", "n": 2}},
    )
    assert (decision.fired, decision.status) == (True, "Succeeded")


def test_a_false_condition_skips_the_trigger_and_names_the_condition():
    decision = decide_trigger_for(flow_with("@true", "@equals(triggerBody()['kind'], 'b')"), {"body": {"kind": "a"}})
    assert (decision.fired, decision.status, decision.condition) == (
        False,
        "Skipped",
        "@equals(triggerBody()['kind'], 'b')",
    )


def test_a_condition_that_cannot_be_evaluated_fails_the_trigger_with_invalid_template():
    decision = decide_trigger_for(flow_with("@div(1, 0)"), {"body": {}})
    assert (decision.fired, decision.status) == (False, "Failed")
    assert decision.error is not None and decision.error["code"] == "InvalidTemplate"


def test_a_condition_that_is_not_a_boolean_fails_the_trigger():
    assert decide_trigger_for(flow_with("@triggerBody()"), {"body": "yes"}).status == "Failed"


def test_conditions_of_an_imported_flow_read_its_headers_and_parameters():
    value = definition(
        {},
        trigger={
            "type": "Request",
            "kind": "Http",
            "conditions": [{"expression": "@equals(triggerOutputs()['headers']['X-Key'], parameters('key'))"}],
        },
        parameters={"key": {"type": "String", "defaultValue": "k1"}},
    )
    flow = import_value({"definition": value})[0]
    assert decide_trigger_for(flow, {"headers": {"X-Key": "k1"}}).fired
    assert not decide_trigger_for(flow, {"headers": {"X-Key": "k2"}}).fired
