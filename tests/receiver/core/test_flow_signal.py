"""Stores sharing one SQLite file (`serve --workers`) keep their flows in memory, and a flow changed through any of
them (or through a store that does not share) is what every one of them checks the next call against."""

from __future__ import annotations

from flowmock_receiver.core.flows import new_flow
from flowmock_receiver.core.sqlite_store import SQLiteStore


def counting_reads(store: SQLiteStore) -> list[str]:
    reads: list[str] = []
    original = store._read_flow

    def read(flow_id: str):
        reads.append(flow_id)
        return original(flow_id)

    store._read_flow = read  # type: ignore[method-assign]
    return reads


def test_a_key_regenerated_through_one_worker_is_checked_by_the_other_at_once(tmp_path):
    one, other = SQLiteStore(tmp_path / "db", shared=True), SQLiteStore(tmp_path / "db", shared=True)
    try:
        flow = new_flow({"name": "keys", "primary_key": "old-key"})
        one.save_flow(flow)
        assert other.get_flow(flow.id).primary_key == "old-key"
        one.save_flow(flow.with_changes(primary_key="new-key"))
        assert other.get_flow(flow.id).primary_key == "new-key"
        one.delete_flow(flow.id)
        assert other.get_flow(flow.id) is None
    finally:
        one.close()
        other.close()


def test_a_worker_reads_a_flow_from_sqlite_only_after_it_changed(tmp_path):
    one, other = SQLiteStore(tmp_path / "db", shared=True), SQLiteStore(tmp_path / "db", shared=True)
    try:
        flow = new_flow({"name": "cached"})
        one.save_flow(flow)
        reads = counting_reads(other)
        for _ in range(5):
            assert other.get_flow(flow.id).name == "cached"
        assert reads == [flow.id]
        one.save_flow(flow.with_changes(name="renamed"))
        assert [other.get_flow(flow.id).name for _ in range(5)] == ["renamed"] * 5
        assert reads == [flow.id, flow.id]
    finally:
        one.close()
        other.close()


def test_a_store_that_does_not_share_still_tells_the_workers_of_its_flow_changes(tmp_path):
    worker = SQLiteStore(tmp_path / "db", shared=True)
    alone = SQLiteStore(tmp_path / "db")
    try:
        flow = new_flow({"name": "keys", "primary_key": "old-key"})
        alone.save_flow(flow)
        assert worker.get_flow(flow.id).primary_key == "old-key"
        alone.save_flow(flow.with_changes(primary_key="new-key"))
        assert worker.get_flow(flow.id).primary_key == "new-key"
        alone.reset()
        assert worker.get_flow(flow.id) is None
    finally:
        worker.close()
        alone.close()
