"""The run's JSON: design.md's shape ("Runs with actions"), and to_json/from_json round trips."""

from __future__ import annotations

import json

from flowmock_receiver.workflow.engine import ResponseOutcome, RunRecord
from tests.workflow.engine.flows import compose, run

ACTION_KEYS = {
    "name",
    "type",
    "status",
    "start_time",
    "end_time",
    "inputs",
    "outputs",
    "error",
    "mocked",
    "children",
    "repetitions",
}


def nested_run():
    actions = {
        "Scope": {"type": "Scope", "actions": {"Inner": compose(1)}, "runAfter": {}},
        "Loop": {
            "type": "Foreach",
            "foreach": "@createArray(1, 2)",
            "actions": {"Each": compose("@item()")},
            "runAfter": {"Scope": ["Succeeded"]},
        },
        "Check": {
            "type": "If",
            "expression": "@true",
            "actions": {"Yes": compose(1)},
            "else": {"actions": {"No": compose(2)}},
            "runAfter": {"Loop": ["Succeeded"]},
        },
        "Call": {"type": "Http", "inputs": {}, "runAfter": {"Check": ["Succeeded"]}},
    }
    return run(actions)[0]


def test_every_action_has_the_design_md_keys_and_children_say_their_branch():
    value = nested_run().to_json()
    assert set(value) >= {"status", "start_time", "end_time", "actions", "response_action"}
    for action in value["actions"]:
        assert set(action) >= ACTION_KEYS
    check = next(a for a in value["actions"] if a["name"] == "Check")
    assert [(c["name"], c["branch"]) for c in check["children"]] == [("Yes", "actions"), ("No", "else")]
    loop = next(a for a in value["actions"] if a["name"] == "Loop")
    assert [(r["index"], r["status"], r["actions"][0]["outputs"]) for r in loop["repetitions"]] == [
        (0, "Succeeded", 1),
        (1, "Succeeded", 2),
    ]
    call = next(a for a in value["actions"] if a["name"] == "Call")
    assert call["mocked"] == "default"


def test_a_run_survives_a_json_round_trip_unchanged():
    record = nested_run()
    text = json.dumps(record.to_json())
    again = RunRecord.from_json(json.loads(text))
    assert again == record
    assert again.to_json() == record.to_json()


def test_a_response_outcome_survives_a_json_round_trip():
    outcome = ResponseOutcome("response", 201, {"X": "1"}, {"a": [1]}, action="Answer")
    assert ResponseOutcome.from_json(json.loads(json.dumps(outcome.to_json()))) == outcome


def test_find_reaches_actions_inside_scopes_and_loops():
    record = nested_run()
    assert record.find("Inner") is not None and record.find("Each") is not None and record.find("nope") is None


def test_save_time_refusals_name_what_the_service_refuses_to_save():
    from flowmock_receiver.workflow.engine import save_time_refusals

    definition = {
        "actions": {
            "Loop": {
                "type": "Foreach",
                "foreach": "@createArray()",
                "actions": {"Answer": {"type": "Response", "inputs": {"statusCode": 200}}},
            },
            "Redirect": {"type": "Response", "inputs": {"statusCode": 302}},
            "Scope": {
                "type": "Scope",
                "actions": {"Init": {"type": "InitializeVariable", "inputs": {"variables": []}}},
            },
            "Fine": {"type": "Response", "inputs": {"statusCode": "@add(200, 1)"}},
        }
    }
    refusals = save_time_refusals(definition)
    assert sorted(refusals) == sorted(
        [
            "the Response action 'Answer' is inside a For each or Until loop",
            "the Response action 'Redirect' has status code 302: use 2xx, 4xx or 5xx",
            "the Initialize variable action 'Init' is not at the top level of the workflow",
        ]
    )


def test_the_corpus_has_nothing_the_service_would_refuse_to_save():
    from flowmock_receiver.workflow.engine import save_time_refusals
    from tests.workflow.corpus import ALL_FLOWS

    assert {
        name: save_time_refusals(flow.definition)
        for name, flow in ALL_FLOWS.items()
        if save_time_refusals(flow.definition)
    } == {}
