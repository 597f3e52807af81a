"""The pytest handle on imported flows: import_flow, post(json=...) with its run, run.actions and assert_action."""

from __future__ import annotations

import pytest

from flowmock_receiver import create_app
from flowmock_receiver.core.store import MemoryStore
from flowmock_receiver.testing import Flowmock
from tests.receiver.web.imported import FILE_OF
from tests.workflow.engine.test_corpus import ORDER


@pytest.fixture
def flowmock_here() -> Flowmock:
    return Flowmock.in_process(create_app({"TESTING": True}, store=MemoryStore()))


def order_flow(flowmock: Flowmock, mocks: dict | None = None):
    flow = flowmock.import_flow(FILE_OF["Order intake"], mocks=mocks)
    flow.post_url = flow.url.replace("{region}", "emea")
    return flow


def test_post_returns_the_answer_and_its_finished_run_with_actions_by_name(flowmock_here):
    flow = order_flow(flowmock_here, {"Create_order": {"statusCode": 201, "body": {"reference": "ERP-9"}}})
    answer = flow.post(json=ORDER, url=flow.post_url)
    assert answer.status == 201 and answer.json()["erpReference"] == "ERP-9"
    run = answer.run
    assert run is not None and run.status == "Succeeded" and run.response_action == "Respond_created"
    create = run.actions["Create_order"]
    assert (create.status, create.mocked, create.containers) == ("Succeeded", True, ("Try",))
    assert create.outputs["body"] == {"reference": "ERP-9"}
    assert flow.runs[0].actions.keys() == run.actions.keys()


def test_assert_action_returns_the_action_that_matches_status_and_inputs(flowmock_here):
    flow = order_flow(flowmock_here, {"Create_order": {"statusCode": 201, "body": {"reference": "R"}}})
    run = flow.post(json=ORDER, url=flow.post_url).run
    found = flow.assert_action(run, "Create_order", status="Succeeded", inputs_contain={"method": "POST"})
    assert found.name == "Create_order"
    flow.assert_action(run, "Catch", status="Skipped")


def test_assert_action_fails_with_the_closest_match_and_the_path_from_the_trigger(flowmock_here):
    flow = order_flow(flowmock_here, {"Create_order": {"statusCode": 400, "body": {"message": "bad sku"}}})
    run = flow.post(json=ORDER, url=flow.post_url).run
    with pytest.raises(AssertionError) as failed:
        flow.assert_action(run, "Create_order", status="Succeeded", inputs_contain={"method": "PUT"})
    message = str(failed.value)
    assert "closest: Create_order [Failed]" in message
    assert "status: expected Succeeded, got Failed" in message
    assert '$.inputs.method: expected "PUT", got "POST"' in message
    assert "path: trigger manual → Try [Failed] → in Try: " in message and "Create_order [Failed]" in message


def test_assert_action_on_a_misspelt_name_suggests_the_closest_name(flowmock_here):
    flow = order_flow(flowmock_here, {"Create_order": {"statusCode": 201}})
    run = flow.post(json=ORDER, url=flow.post_url).run
    with pytest.raises(AssertionError, match="closest name: 'Create_order'") as failed:
        flow.assert_action(run, "Create_ordr")
    assert "actions of the run: Try [Succeeded]" in str(failed.value)


def test_assert_action_finds_an_action_in_any_repetition_of_a_loop(flowmock_here):
    mocks = {"Upsert_record": {"sequence": [{"statusCode": 200}, {"statusCode": 409}]}}
    [flow] = flowmock_here.import_flows(FILE_OF["foreach-batch"], mocks=mocks)
    url = flow.url.replace("{batchId}", "b-1")
    run = flow.post(json=[{"id": 1}, {"id": 2}], url=url).run
    assert run.actions["Upsert_record"].repetition == 0
    later = flow.assert_action(run, "Upsert_record", outputs_contain={"statusCode": 409})
    assert later.repetition == 1


def test_a_skipped_call_has_no_run_and_shows_in_the_trigger_history(flowmock_here):
    flow = flowmock_here.import_flow(FILE_OF["Approval router"])
    answer = flow.post(json={"type": "other"})
    assert answer.status == 202 and answer.run is None
    [entry] = flow.trigger_history
    assert entry.skipped and not entry.accepted
    assert flow.runs == []


def test_import_flow_of_a_solution_needs_the_name_of_the_flow_wanted(flowmock_here):
    with pytest.raises(ValueError, match="3 flows: pass name="):
        flowmock_here.import_flow(FILE_OF["Ticket webhook"])
    flow = flowmock_here.import_flow(FILE_OF["Ticket webhook"], name="Ticket webhook")
    assert flow.name == "Ticket webhook"


def test_set_mocks_returns_notes_for_names_no_action_has(flowmock_here):
    flow = order_flow(flowmock_here)
    assert flow.set_mocks({"Create_ordr": {"statusCode": 201}}) == ["mock 'Create_ordr' names no action of this flow"]
    assert flow.definition["mocks"] == {"Create_ordr": {"statusCode": 201}}
