"""The service without Flask: every change goes through `Receiver`, and the pipeline returns what it recorded."""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

import pytest

from flowmock_receiver import CallNotFound, FlowNotFound, MemoryStore, Receiver, TriggerRequest
from flowmock_receiver.core.flows import Flow
from flowmock_receiver.core.trigger import TriggerOutcome, match_trigger_path


@pytest.fixture
def receiver() -> Receiver:
    service = Receiver(MemoryStore(), {})
    service.install_declared()
    return service


def _post(receiver: Receiver, flow: Flow, body: bytes, *, url: str | None = None) -> TriggerOutcome:
    parts = urlsplit(url or flow.callback_url("http://flowmock.test"))
    route = match_trigger_path(parts.path)
    assert route is not None
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    return receiver.handle(TriggerRequest.from_bytes("POST", parts.path, parts.query, headers, body), *route)


def test_the_pipeline_answers_and_records_without_flask(receiver: Receiver) -> None:
    flow = receiver.create_flow({"name": "plain"})
    outcome = _post(receiver, flow, b'{"a": 1}')
    assert outcome.response.status == 202
    assert outcome.record is not None
    assert outcome.record.outputs is not None and outcome.record.outputs["body"] == {"a": 1}
    assert receiver.store.get_call(outcome.record.id) == outcome.record


def test_a_call_to_an_unknown_flow_is_answered_404_and_leaves_no_record(receiver: Receiver) -> None:
    flow = receiver.create_flow({"name": "plain"})
    url = flow.callback_url("http://flowmock.test").replace(flow.id, "0" * 32)
    outcome = _post(receiver, flow, b"{}", url=url)
    assert (outcome.response.status, outcome.record) == (404, None)


def test_replay_returns_the_record_it_made(receiver: Receiver) -> None:
    flow = receiver.create_flow({"name": "plain"})
    first = _post(receiver, flow, b'{"n": 1}').record
    assert first is not None
    again = receiver.replay(first.id)
    assert again is not None
    assert again.id != first.id
    assert (again.body, again.http_status, again.flow_id) == (first.body, 202, flow.id)
    assert receiver.store.get_call(again.id) == again


def test_replay_returns_its_own_record_while_other_calls_arrive(receiver: Receiver) -> None:
    """The old replay took "the newest entry" as its own; with calls arriving meanwhile that was someone else's."""
    flow = receiver.create_flow({"name": "busy"})
    first = _post(receiver, flow, b'{"replayed": true}').record
    assert first is not None
    stop = threading.Event()

    def other_calls() -> None:
        while not stop.is_set():
            _post(receiver, flow, b'{"replayed": false}')

    worker = threading.Thread(target=other_calls)
    worker.start()
    try:
        replays = [receiver.replay(first.id) for _ in range(50)]
    finally:
        stop.set()
        worker.join()
    assert all(r is not None and r.body == b'{"replayed": true}' for r in replays)
    assert len({r.id for r in replays if r is not None}) == 50


def test_replay_of_a_refused_call_records_the_refusal_again(receiver: Receiver) -> None:
    flow = receiver.create_flow({"name": "strict", "schema": {"type": "object", "required": ["id"]}})
    receiver.change_flow(flow.id, {"schema_validation": True})
    refused = _post(receiver, flow, b"{}").record
    assert refused is not None and refused.http_status == 400
    again = receiver.replay(refused.id)
    assert again is not None
    assert (again.http_status, again.code, again.run_id) == (400, "TriggerInputSchemaMismatch", None)


def test_replaying_an_unknown_call_raises_call_not_found(receiver: Receiver) -> None:
    with pytest.raises(CallNotFound):
        receiver.replay("nope")


def test_a_deleted_flow_is_not_found_for_changes_but_its_old_url_answers_deleted(receiver: Receiver) -> None:
    flow = receiver.create_flow({"name": "gone"})
    receiver.delete_flow(flow.id)
    with pytest.raises(FlowNotFound):
        receiver.change_flow(flow.id, {"state": "disabled"})
    outcome = _post(receiver, flow, b"{}")
    assert outcome.response.status == 400
    assert outcome.record is not None and "'Deleted'" in (outcome.record.message or "")


def test_a_regenerated_key_refuses_the_old_url_and_keeps_the_other_key_working(receiver: Receiver) -> None:
    flow = receiver.create_flow({"name": "keys"})
    changed = receiver.regenerate_key(flow.id, "primary")
    assert _post(receiver, flow, b"{}").response.status == 401
    assert _post(receiver, flow, b"{}", url=flow.callback_url("http://x", "secondary")).response.status == 202
    assert _post(receiver, changed, b"{}").response.status == 202
