"""Initialize, Set, Increment, Decrement, Append to array and Append to string variable."""

from __future__ import annotations

import pytest

from tests.workflow.engine.flows import act, compose, run


def init(name, kind, value=None, after=None):
    variable = {"name": name, "type": kind}
    if value is not None:
        variable["value"] = value
    return {"type": "InitializeVariable", "inputs": {"variables": [variable]}, "runAfter": after or {}}


def step(kind, name, value=None, after="Init"):
    inputs = {"name": name}
    if value is not None:
        inputs["value"] = value
    return {"type": kind, "inputs": inputs, "runAfter": {after: ["Succeeded"]}}


def test_every_variable_action_updates_the_value_later_actions_read():
    actions = {
        "Init": init("n", "integer", 10),
        "Inc": step("IncrementVariable", "n", 5),
        "Dec": step("DecrementVariable", "n", after="Inc"),
        "Init_s": init("s", "string", "a", {"Dec": ["Succeeded"]}),
        "AppS": step("AppendToStringVariable", "s", "@variables('n')", after="Init_s"),
        "Init_a": init("a", "array", [], {"AppS": ["Succeeded"]}),
        "AppA": step("AppendToArrayVariable", "a", {"k": "@variables('s')"}, after="Init_a"),
        "Set": step("SetVariable", "n", 1, after="AppA"),
        "Read": compose(
            {"n": "@variables('n')", "s": "@variables('s')", "a": "@variables('a')"}, {"Set": ["Succeeded"]}
        ),
    }
    record, _, _ = run(actions)
    assert act(record, "Read").outputs == {"n": 1, "s": "a14", "a": [{"k": "a14"}]}
    assert act(record, "Inc").outputs == {"body": {"name": "n", "value": 15}}


@pytest.mark.parametrize(
    ("kind", "value"),
    [("boolean", False), ("integer", 0), ("float", 0.0), ("string", ""), ("array", []), ("object", {})],
)
def test_a_variable_initialized_without_a_value_gets_its_types_empty_value(kind, value):
    record, _, _ = run({"Init": init("v", kind), "Read": compose("@variables('v')", {"Init": ["Succeeded"]})})
    assert act(record, "Read").outputs == value


def test_a_float_variable_takes_integers_as_floats():
    record, _, _ = run({"Init": init("f", "Float", 2), "Read": compose("@variables('f')", {"Init": ["Succeeded"]})})
    assert act(record, "Read").outputs == 2.0 and isinstance(act(record, "Read").outputs, float)


@pytest.mark.parametrize(
    ("actions", "failing"),
    [
        pytest.param({"Init": init("n", "integer", "ten")}, "Init", id="init-wrong-type"),
        pytest.param(
            {"Init": init("n", "integer", 1), "Set": step("SetVariable", "n", "x")}, "Set", id="set-wrong-type"
        ),
        pytest.param(
            {"Init": init("s", "string", "a"), "Inc": step("IncrementVariable", "s")}, "Inc", id="increment-a-string"
        ),
        pytest.param(
            {"Init": init("n", "integer", 1), "App": step("AppendToArrayVariable", "n", 1)},
            "App",
            id="append-to-an-integer",
        ),
        pytest.param(
            {"Init": init("n", "integer", 1), "Set": step("SetVariable", "missing", 1)}, "Set", id="set-undeclared"
        ),
        pytest.param(
            {"Init": init("n", "integer", 1), "Again": init("n", "integer", 2, {"Init": ["Succeeded"]})},
            "Again",
            id="declared-twice",
        ),
        pytest.param({"Init": init("n", "whatever", 1)}, "Init", id="unknown-type"),
    ],
)
def test_variable_misuse_fails_the_action(actions, failing):
    record, _, _ = run(actions)
    assert act(record, failing).status == "Failed"


def test_a_wrong_type_is_refused_in_the_service_wording():
    record, _, _ = run({"Init": init("n", "integer", "ten")})
    assert act(record, "Init").error["message"] == (
        "The variable 'n' of type 'Integer' cannot be initialized or updated with value of type 'String'. "
        "The variable 'n' only supports values of types 'Integer'."
    )
