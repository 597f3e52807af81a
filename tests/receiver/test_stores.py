"""One contract for both stores, plus what only SQLite promises: restarts, threads and other processes."""

from __future__ import annotations

import threading

import pytest

from flowmock_receiver import create_app
from flowmock_receiver.flows import new_flow
from flowmock_receiver.records import CallRecord
from flowmock_receiver.sqlite_store import SQLiteStore


def _call(n: int, flow_id: str = "f" * 32, run: bool = True, status: str = "Succeeded") -> CallRecord:
    return CallRecord(
        id=f"{n:029d}CU01",
        flow_id=flow_id,
        time="2026-01-01T00:00:00.0000000Z",
        end_time="2026-01-01T00:00:00.0000000Z",
        status=status,
        http_status=202 if run else 401,
        method="POST",
        path="/p",
        query=[("a", "1")],
        headers=[("Content-Type", "application/json")],
        body=bytes([n % 256]) + b"\x00\xff body",
        contract={"valid": True, "errors": []},
        response={"status": 202, "headers": {}, "body": ""},
        run_id=f"{n:029d}CU01" if run else None,
        outputs={"body": {"n": n}} if run else None,
    )


def test_store_round_trips_a_call_record_exactly(store):
    call = _call(7)
    store.record(call)
    [back] = store.calls()
    assert back == call
    assert store.get_call(call.id) == call


def test_store_lists_newest_first_with_filters_paging_and_counts(store):
    for n in range(5):
        store.record(_call(n, run=n % 2 == 0, status="Succeeded" if n % 2 == 0 else "Failed"))
    store.record(_call(99, flow_id="e" * 32))
    assert [c.id[:29] for c in store.calls("f" * 32, limit=2)] == [f"{4:029d}", f"{3:029d}"]
    assert len(store.calls("f" * 32, runs_only=True)) == 3
    assert store.count("f" * 32, status="Failed") == 2
    assert store.count() == 6
    assert [c.id[:29] for c in store.calls("f" * 32, limit=2, offset=3)] == [f"{1:029d}", f"{0:029d}"]


def test_store_clear_one_flow_and_reset_everything(store):
    flow = new_flow({"name": "x"})
    store.save_flow(flow)
    store.record(_call(1))
    store.record(_call(2, flow_id="e" * 32))
    store.clear("f" * 32)
    assert store.count() == 1
    store.reset()
    assert store.count() == 0 and store.list_flows() == []


def test_store_saves_and_updates_flows(store):
    flow = new_flow({"name": "x", "schema": {"type": "object"}, "allowed_users": ["a"]})
    store.save_flow(flow)
    assert store.get_flow(flow.id) == flow
    changed = flow.with_changes(state="disabled")
    store.save_flow(changed)
    assert store.get_flow(flow.id) == changed
    assert store.list_flows() == [changed]


def test_many_threads_recording_at_once_lose_nothing(store):
    def worker(base: int) -> None:
        for n in range(50):
            store.record(_call(base * 1000 + n))

    threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.count() == 400
    assert len({c.id for c in store.calls(limit=1000)}) == 400


def test_sqlite_history_and_flows_survive_a_restart(tmp_path):
    db = tmp_path / "flowmock.db"
    app = create_app({"DATABASE": str(db)})
    client = app.test_client()
    flow = client.post("/_flowmock/api/flows", json={"name": "durable"}).json
    path = flow["callback_url"].split("localhost", 1)[1]
    run_id = client.post(path, json={"kept": True}).headers["x-ms-workflow-run-id"]
    default_urls = sorted(f["callback_url"] for f in client.get("/_flowmock/api/flows").json["flows"])
    app.extensions["flowmock"].store.close()

    restarted = create_app({"DATABASE": str(db)}).test_client()
    assert restarted.get(f"/_flowmock/api/runs/{run_id}").json["outputs"]["body"] == {"kept": True}
    assert sorted(f["callback_url"] for f in restarted.get("/_flowmock/api/flows").json["flows"]) == default_urls
    assert restarted.post(path, json={}).status_code == 202


def test_sqlite_store_is_shared_by_two_stores_on_one_file_as_worker_processes_share_it(tmp_path):
    first, second = SQLiteStore(tmp_path / "db"), SQLiteStore(tmp_path / "db")
    flow = new_flow({"name": "x"})
    first.save_flow(flow)
    rotated = flow.with_changes(primary_key="new")
    second.save_flow(rotated)
    assert first.get_flow(flow.id) == rotated
    first.record(_call(1))
    assert second.count() == 1
    first.close()
    second.close()


@pytest.mark.parametrize("mode", ["NORMAL", "FULL"])
def test_sqlite_synchronous_mode_is_configurable(tmp_path, mode):
    store = SQLiteStore(tmp_path / "db", synchronous=mode)
    store.record(_call(1))
    assert store.count() == 1
    store.close()
    with pytest.raises(ValueError, match="synchronous"):
        SQLiteStore(tmp_path / "db2", synchronous="SOMETIMES")
