"""The `flowmock` handle itself: typed flow creation, typed history, no silent cap, in process or over HTTP."""

from __future__ import annotations

import pytest

from flowmock_receiver import create_app
from flowmock_receiver.core.store import MemoryStore
from flowmock_receiver.testing import Flowmock, Run, SchemaViolation, TriggerEntry


@pytest.fixture(params=["in-process", "over-http"])
def handle(request, flowmock_server):
    """The same handle over Flask's test client and over the session's live server."""
    if request.param == "in-process":
        return Flowmock.in_process(create_app({"TESTING": True}, store=MemoryStore()))
    made = Flowmock(flowmock_server.url)
    made.reset()
    return made


def test_a_misspelt_flow_field_is_a_type_error_not_a_flow_without_it(handle):
    with pytest.raises(TypeError, match="schema_valdation"):
        handle.create_flow(schema="monitor-results", schema_valdation=True)
    with pytest.raises(TypeError):
        handle.create_flow("monitor-results")  # keyword-only: a positional schema is a mistake too


def test_runs_and_trigger_history_are_typed_values(handle):
    flow = handle.create_flow(schema={"type": "object", "required": ["id"]}, relative_path="items/{id}")
    assert "/invoke/items/{id}?" in flow.url  # as Power Automate shows it, the template in the path
    accepted = flow.post({"n": 1}, url=flow.url.replace("{id}", "7"))
    refused = flow.post({"n": 2}, url=flow.url.replace("sig=", "sig=x"))
    assert (accepted.status, refused.status, refused.error_code) == (
        202,
        401,
        "DirectApiInvalidAuthorizationSignature",
    )
    [run] = flow.runs
    assert isinstance(run, Run)
    assert (run.run_id, run.body, run.relative_path_parameters) == (accepted.run_id, {"n": 1}, {"id": "7"})
    assert run.raw_body == b'{"n": 1}'
    assert (run.conforms, run.schema_errors[0].path) == (False, "$")
    first, second = flow.trigger_history
    assert isinstance(first, TriggerEntry) and first.accepted and first.run_id == run.run_id
    assert (second.accepted, second.http_status, second.run_id) == (False, 401, None)
    assert SchemaViolation("$", first.schema_errors[0].message) in first.schema_errors


def test_the_handle_calls_a_flow_and_waits_for_it(handle):
    flow = handle.create_flow(schema="monitor-results.strict", schema_validation=True)
    answer = flow.post({"user_id": 5})
    assert (answer.status, answer.error_code) == (400, "TriggerInputSchemaMismatch")
    assert flow.post(data=b"hello", content_type="text/plain").status == 400
    flow.update(schema_validation=False)
    assert flow.post(data=b"hello", content_type="text/plain").status == 202
    assert [run.body for run in flow.wait_for_runs(1)] == ["hello"]


def test_runs_are_all_there_past_a_thousand():
    """The handle used to ask for 1,000 runs and silently drop the rest."""
    handle = Flowmock.in_process(create_app({"TESTING": True}, store=MemoryStore()))
    flow = handle.create_flow(name="many")
    for n in range(1005):
        assert flow.post({"n": n}).status == 202
    runs = flow.runs
    assert [run.body["n"] for run in runs] == list(range(1005))
    assert len(flow.trigger_history) == 1005


def test_the_strict_verdict_reads_beside_the_flows_own(handle):
    flow = handle.create_flow(schema="monitor-results")
    flow.post({"monitor_name": "nightly"})
    [run] = flow.runs
    assert run.conforms is True and run.strict_conforms is False
    assert run.strict_errors[-1].message.startswith("Required properties are missing from object: collection_name")
    flow.assert_all_conform()  # the flow's own schema requires nothing
    custom = handle.create_flow(schema={"type": "object"})
    custom.post({})
    assert custom.runs[0].strict_conforms is None and custom.runs[0].strict_errors == ()


def test_a_body_never_read_is_neither_conforming_nor_a_contract_break(handle):
    flow = handle.create_flow(schema="monitor-results.strict", max_body_bytes=5)
    assert flow.post({"monitor_name": "nightly"}).status == 413
    [entry] = flow.trigger_history
    assert entry.checked is False and entry.conforms is True and entry.schema_errors == ()
    flow.assert_all_conform()  # refused for its size, not for its contract
