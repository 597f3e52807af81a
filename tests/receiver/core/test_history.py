"""History that stays fast and exact (issue 18) and bounded (issue 13), one contract for both stores: cursor
paging, counters kept with the records, retention, previews of large bodies, and SQLite's compact rows."""

from __future__ import annotations

import json
import os
import sqlite3
import time

import pytest

from flowmock_receiver import create_app
from flowmock_receiver.core import sqlite_history, sqlite_schema
from flowmock_receiver.core.entry_lines import EntryShape
from flowmock_receiver.core.records import PREVIEW_BYTES, CallRecord
from flowmock_receiver.core.retention import DAY, Retention
from flowmock_receiver.core.sqlite_store import SQLiteStore
from flowmock_receiver.core.store import MemoryStore
from tests.conftest import ROOT

FLOW, OTHER = "f" * 32, "e" * 32


def _stamp(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + ".0000000Z"


def _call(
    n: int, *, flow_id: str = FLOW, ok: bool = True, valid: bool = True, at: float = 1_800_000_000.0, body: bytes = b""
) -> CallRecord:
    call_id = f"{n:029d}CU01"
    body = body or json.dumps({"n": n}).encode()
    return CallRecord(
        id=call_id,
        flow_id=flow_id,
        time=_stamp(at),
        end_time=_stamp(at),
        status="Succeeded" if ok else "Failed",
        http_status=202 if ok else 401,
        method="POST",
        path=f"/workflows/{flow_id}/triggers/manual/paths/invoke",
        query=[("api-version", "2016-06-01"), ("sig", "s")],
        headers=[("Content-Type", "application/json"), ("Authorization", "Bearer x")],
        body=body,
        contract={"valid": valid, "errors": [] if valid else [{"path": "$.n", "message": "bad"}]},
        response={"status": 202 if ok else 401, "headers": {"x-ms-workflow-run-id": call_id}, "body": ""},
        run_id=call_id if ok else None,
        client_tracking_id=call_id if ok else None,
        outputs={
            "headers": {"Content-Type": "application/json"},
            "body": json.loads(body),
            "queries": {"api-version": "2016-06-01"},
        }
        if ok
        else None,
        body_derived=ok,  # as the trigger records it: outputs.body is made again from the raw body
    )


def _ids(calls: list[CallRecord]) -> list[int]:
    return [int(c.id[:29]) for c in calls]


def test_cursor_pages_walk_the_whole_history_newest_first_without_gaps_or_repeats(store):
    for n in range(1, 26):
        store.record(_call(n, flow_id=FLOW if n % 5 else OTHER))
    seen, before = [], None
    while page := store.calls(FLOW, limit=7, before=before):
        seen.extend(_ids(page))
        before = page[-1].seq
    assert seen == [n for n in range(25, 0, -1) if n % 5]
    newest = store.calls(FLOW, limit=3)
    assert _ids(store.calls(FLOW, limit=3, after=newest[-1].seq)) == _ids(newest[:2])
    oldest = store.calls(FLOW, limit=3, after=0)  # `after` alone: the calls just after the cursor, newest first
    assert _ids(oldest) == [3, 2, 1]
    assert _ids(store.calls(FLOW, limit=10, before=newest[0].seq, after=oldest[0].seq)) == [
        23,
        22,
        21,
        19,
        18,
        17,
        16,
        14,
        13,
        12,
    ]


def test_filters_by_status_and_contract_verdict_page_and_count_alike(store):
    for n in range(1, 31):
        store.record(_call(n, ok=n % 3 != 0, valid=n % 10 != 0))
    failed = store.calls(FLOW, status="Failed", limit=100)
    assert _ids(failed) == [30, 27, 24, 21, 18, 15, 12, 9, 6, 3] and store.count(FLOW, status="Failed") == 10
    assert _ids(store.calls(FLOW, valid=False)) == [30, 20, 10] and store.count(FLOW, valid=False) == 3
    assert _ids(store.calls(valid=False, status="Failed")) == [30] and store.count(status="Failed", valid=False) == 1
    assert store.count(FLOW, runs_only=True) == 20 == len(store.calls(FLOW, runs_only=True))
    assert _ids(store.calls(FLOW, status="Failed", limit=2, before=failed[1].seq)) == [24, 21]
    assert store.calls(OTHER) == [] and store.count(OTHER) == 0


def test_counters_stay_exact_across_clear_delete_flow_and_retention(store):
    for n in range(1, 21):
        store.record(_call(n, flow_id=FLOW if n <= 12 else OTHER, ok=n % 2 == 0, at=1_800_000_000 + n * DAY))
    assert (store.count(), store.count(FLOW), store.count(FLOW, status="Failed")) == (20, 12, 6)
    assert store.expire(older_than=1_800_000_000 + 4.5 * DAY) == 4
    assert (store.count(), store.count(FLOW), store.count(FLOW, runs_only=True)) == (16, 8, 4)
    store.clear(OTHER)
    assert (store.count(), store.count(OTHER), store.count(FLOW)) == (8, 0, 8)
    store.delete_flow(FLOW)
    assert store.count() == 0 and store.calls() == []
    store.record(_call(99))
    assert store.count(FLOW) == 1 and store.count(FLOW, status="Succeeded") == 1
    store.clear()
    assert store.count() == 0


def test_sqlite_counters_and_cursors_survive_a_restart(tmp_path):
    store = SQLiteStore(tmp_path / "db")
    for n in range(1, 11):
        store.record(_call(n, ok=n % 2 == 0))
    store.close()
    again = SQLiteStore(tmp_path / "db")
    try:
        assert (again.count(FLOW), again.count(FLOW, status="Failed")) == (10, 5)
        again.record(_call(11))
        assert again.calls(limit=1)[0].seq == 11 and again.count(FLOW, runs_only=True) == 6
    finally:
        again.close()


REMOVALS = [
    pytest.param(lambda store: store.clear(), id="clear-everything"),
    pytest.param(lambda store: store.clear(OTHER), id="clear-the-flow-holding-the-newest"),
    pytest.param(lambda store: store.delete_flow(OTHER), id="delete-the-flow-holding-the-newest"),
    pytest.param(lambda store: store.expire(older_than=1_800_000_000 + 10 * DAY), id="retention-by-age"),
    pytest.param(lambda store: store.reset(), id="reset"),
]


def _newest_by_the_clock(store) -> int:
    """Calls whose newest (by seq) carries the oldest time, as a call recorded with a clock set back does, so that
    retention by age takes the newest seqs; the highest seq handed out."""
    for n in range(1, 6):
        store.record(_call(n, at=1_800_000_000 + 20 * DAY))
    for n in range(6, 9):
        store.record(_call(n, flow_id=OTHER, at=1_800_000_000.0))
    return max(c.seq for c in store.calls(limit=100))


@pytest.mark.parametrize("remove", REMOVALS)
def test_a_call_after_the_newest_calls_are_removed_takes_a_seq_above_every_seq_handed_out(store, remove):
    highest = _newest_by_the_clock(store)
    remove(store)
    assert all(c.seq < highest for c in store.calls(limit=100))  # the newest calls are gone
    later = _call(50)
    store.record(later)
    assert later.seq > highest and store.calls(limit=1)[0].seq == later.seq


@pytest.mark.parametrize("remove", REMOVALS)
def test_sqlite_numbers_on_above_every_seq_handed_out_across_a_restart(tmp_path, remove):
    store = SQLiteStore(tmp_path / "db")
    highest = _newest_by_the_clock(store)
    remove(store)
    store.close()
    again = SQLiteStore(tmp_path / "db")
    try:
        later = _call(50)
        again.record(later)
        assert later.seq == highest + 1
    finally:
        again.close()


def test_an_after_cursor_taken_before_a_clear_sees_the_calls_made_after_it(store):
    for n in range(1, 6):
        store.record(_call(n))
    cursor = store.calls(limit=1)[0].seq  # a client (`runs wait`, the page, an export) holding its place
    store.clear()
    for n in range(6, 8):
        store.record(_call(n))
    assert _ids(store.calls(FLOW, after=cursor)) == [7, 6]
    shape = EntryShape(reveal=False, body_url="/b/", imported=())
    lines, last = store.export_lines(FLOW, shape, after=cursor)
    assert [json.loads(line)["id"] for line in lines] == [_call(6).id, _call(7).id] and last > cursor


def test_a_database_of_the_previous_version_opens_and_numbers_on_without_reuse(tmp_path):
    """Version 2 files have no seq mark; they open, gain one, keep their calls and never reuse a seq after that."""
    store = SQLiteStore(tmp_path / "db")
    for n in range(1, 4):
        store.record(_call(n))
    store.close()
    with sqlite3.connect(tmp_path / "db") as conn:
        conn.execute("DROP TABLE seq_mark")
        conn.execute("PRAGMA user_version = 2")
    conn.close()
    store = SQLiteStore(tmp_path / "db")
    try:
        assert _ids(store.calls()) == [3, 2, 1]
        store.clear()
        later = _call(4)
        store.record(later)
        assert later.seq == 4
    finally:
        store.close()
    with sqlite3.connect(tmp_path / "db") as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (sqlite_schema.VERSION,)
    conn.close()


def test_retention_removes_exactly_the_calls_older_than_the_limit(store):
    now = 1_900_000_000.0
    ages = [40, 29, 28.01, 27.99, 3, 0]  # days
    for n, age in enumerate(ages, 1):
        store.record(_call(n, at=now - age * DAY))
    retention = Retention(store, 28, None, batch=2)
    assert retention.run_once(now=now) == 3
    assert _ids(store.calls()) == [6, 5, 4] and store.count() == 3
    assert retention.removed == 3 and retention.status()["retention_days"] == 28
    assert Retention(store, 0, None).run_once(now=now + 1000 * DAY) == 0  # 0 keeps everything


def test_retention_finds_old_calls_recorded_after_newer_ones_and_knows_the_oldest_left(store):
    """Imported history arrives out of time order: a call made long ago can be recorded last."""
    now = 1_900_000_000.0
    for n, age in enumerate([1, 2, 40, 3, 35], 1):  # days
        store.record(_call(n, at=now - age * DAY))
    assert store.oldest_time() == now - 40 * DAY
    assert Retention(store, 28, None).run_once(now=now) == 2
    assert _ids(store.calls()) == [4, 2, 1] and store.oldest_time() == now - 3 * DAY
    assert Retention(store, 28, None).run_once(now=now) == 0
    store.record(_call(6, at=now - 50 * DAY))
    assert Retention(store, 28, None).run_once(now=now) == 1 and _ids(store.calls()) == [4, 2, 1]
    store.clear()
    assert store.oldest_time() is None


def test_max_calls_keeps_only_the_newest_calls(store):
    for n in range(1, 13):
        store.record(_call(n))
    assert Retention(store, 0, 5, batch=3).run_once() == 7
    assert _ids(store.calls()) == [12, 11, 10, 9, 8] and store.count() == 5


def test_a_large_body_is_listed_as_a_preview_and_read_whole_in_chunks(store):
    big = b'{"data": "' + b"x" * 200_000 + b'"}'
    store.record(_call(1, body=big))
    store.record(_call(2))
    listed = store.calls(body_limit=16 * 1024)
    assert [len(c.body) for c in listed] == [len(b'{"n": 2}'), PREVIEW_BYTES]
    assert listed[1].body_truncated and listed[1].body_size == len(big) and listed[1].outputs["body"] is None
    whole = store.get_call(listed[1].id)
    assert whole.body == big and not whole.body_truncated and whole.outputs["body"] == {"data": "x" * 200_000}
    chunks = list(store.body_chunks(listed[1].id, chunk_size=65536))
    assert b"".join(chunks) == big and max(len(c) for c in chunks) <= 65536
    assert store.body_chunks("nope") is None


def test_sqlite_keeps_shared_parts_once_and_a_call_under_1_5_kb_beyond_its_body(tmp_path):
    store = SQLiteStore(tmp_path / "db")
    for n in range(1, 2001):
        store.record(_call(n))
    store.close()
    conn = sqlite3.connect(tmp_path / "db")
    (shared,) = conn.execute("SELECT count(*) FROM shared").fetchone()
    (bodies,) = conn.execute("SELECT sum(size) FROM calls").fetchone()
    conn.close()
    assert shared <= 5  # path, query, response template, verdict: once each, not once per call
    per_call = (os.path.getsize(tmp_path / "db") - bodies) / 2000
    assert per_call < 1536, per_call


def test_sqlite_opens_a_flowmock_0_1_database_and_migrates_its_calls(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(
        "CREATE TABLE flows (id TEXT PRIMARY KEY, doc TEXT NOT NULL, created INTEGER NOT NULL);"
        "CREATE TABLE calls (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, flow_id TEXT NOT NULL, run_id TEXT,"
        " status TEXT NOT NULL, doc TEXT NOT NULL, body BLOB NOT NULL);"
        "CREATE INDEX calls_flow ON calls (flow_id, seq); CREATE INDEX calls_run ON calls (run_id);"
    )
    old = [_call(n, ok=n != 2) for n in (1, 2, 3)]
    for call in old:
        conn.execute(
            "INSERT INTO calls (id, flow_id, run_id, status, doc, body) VALUES (?, ?, ?, ?, ?, ?)",
            (call.id, call.flow_id, call.run_id, call.status, json.dumps(call.to_storage()), call.body),
        )
    conn.commit()
    conn.close()
    store = SQLiteStore(path)
    try:
        assert _ids(store.calls()) == [3, 2, 1] and store.count(FLOW, status="Failed") == 1
        assert store.get_call(old[0].id) == old[0]
    finally:
        store.close()


def test_memory_and_sqlite_give_back_the_same_records(tmp_path):
    memory, sqlite = MemoryStore(), SQLiteStore(tmp_path / "db")
    try:
        for store in (memory, sqlite):
            for n in range(1, 8):
                store.record(_call(n, ok=n % 2 == 0, valid=n % 3 != 0))
        for kwargs in ({}, {"status": "Failed"}, {"valid": False}, {"runs_only": True}, {"before": 5, "limit": 2}):
            assert memory.calls(FLOW, **kwargs) == sqlite.calls(FLOW, **kwargs), kwargs
            assert [c.seq for c in memory.calls(**kwargs)] == [c.seq for c in sqlite.calls(**kwargs)]
    finally:
        sqlite.close()


def _mixed(n: int) -> CallRecord:
    """Calls of two flows in every state a filter tells apart: accepted or refused or skipped, conforming or not or
    never checked."""
    call = _call(n, flow_id=FLOW if n % 5 else OTHER, ok=n % 4 != 0, valid=n % 3 != 0)
    if n % 7 == 0:
        call.contract = {"valid": None, "errors": []}  # never checked (a 413)
    if n % 11 == 0:
        call.status, call.run_id, call.client_tracking_id = "Skipped", None, None  # trigger conditions false
    return call


FILTERS = [
    {},
    {"status": "Succeeded"},
    {"status": "Failed"},
    {"status": "Skipped"},
    {"valid": True},
    {"valid": False},
    {"runs_only": True},
    {"runs_only": True, "valid": False},
    {"status": "Failed", "valid": False},
]
PAGES = [
    {"limit": 7},
    {"limit": 7, "offset": 5},
    {"limit": 10, "before": 150},
    {"limit": 10, "after": 100},
    {"limit": 50, "before": 200, "after": 20},
    {"limit": 1000},
]


def test_memory_and_sqlite_answer_every_filtered_page_and_count_alike(tmp_path):
    """The in-memory store's per-key lists (merged from the cursor) page as SQLite's indexes do."""
    memory, sqlite = MemoryStore(), SQLiteStore(tmp_path / "db")
    try:
        for store in (memory, sqlite):
            for n in range(1, 301):  # the newest is OTHER's, so clearing OTHER takes the newest seq with it
                store.record(_mixed(n))
            store.clear(OTHER)
        for store in (memory, sqlite):
            for n in range(301, 361):
                store.record(_mixed(n))
            store.expire(older_than=None, max_calls=320)
        for flow in (FLOW, OTHER, None):
            for filters in FILTERS:
                assert memory.count(flow, **filters) == sqlite.count(flow, **filters), (flow, filters)
                for page in PAGES:
                    mine = [c.seq for c in memory.calls(flow, **filters, **page)]
                    assert mine == [c.seq for c in sqlite.calls(flow, **filters, **page)], (flow, filters, page)
        everything = memory.calls(limit=1000)
        assert (
            memory.count(FLOW, status="Failed", valid=False)
            == sum(c.flow_id == FLOW and c.status == "Failed" and c.contract_valid is False for c in everything)
            > 0
        )
    finally:
        sqlite.close()


@pytest.mark.parametrize("days", [-1])
def test_retention_refuses_a_negative_limit(store, days):
    with pytest.raises(ValueError):
        Retention(store, days, None)


def test_sqlite_shared_table_stops_at_its_limit_says_so_once_and_keeps_new_parts_in_their_rows(
    tmp_path, monkeypatch, caplog
):
    """A sender that varies what calls share (here a query per call) cannot grow the shared table without end, nor
    silently: past the limit, parts already shared stay shared, new ones stay in their rows, the log says it once,
    and every call reads back whole, also after a restart and with the parts at hand forgotten."""
    monkeypatch.setattr(sqlite_history, "SHARED_LIMIT", 6)
    monkeypatch.setattr(sqlite_history, "SHARED_CACHED", 2)
    calls = []
    for n in range(1, 21):
        call = _call(n)
        call.query = [("api-version", "2016-06-01"), ("sig", "s"), ("n", str(n))]
        calls.append(call)
    store = SQLiteStore(tmp_path / "db")
    with caplog.at_level("WARNING", logger="flowmock"):
        for call in calls[:10]:
            store.record(call)
    store.close()
    store = SQLiteStore(tmp_path / "db")  # a new process: nothing at hand
    with caplog.at_level("WARNING", logger="flowmock"):
        for call in calls[10:]:
            store.record(call)
    try:
        assert [store.get_call(call.id) for call in calls] == calls
        conn = sqlite3.connect(tmp_path / "db")
        (shared,) = conn.execute("SELECT count(*) FROM shared").fetchone()
        docs = [json.loads(doc) for (doc,) in conn.execute("SELECT doc FROM calls ORDER BY seq")]
        conn.close()
        assert shared == 6
        assert all("$path" in doc and "$contract" in doc and "$response" in doc for doc in docs)  # still shared
        assert ["$query" in doc for doc in docs] == [True] * 3 + [False] * 17  # 3 fit beside path, verdict, response
        full = [r for r in caplog.records if "shared-parts table is full" in r.getMessage()]
        assert len(full) == 2  # once in each process
    finally:
        store.close()


@pytest.mark.parametrize("client_tracking_id", [None, "my-own-tracking-id"])
def test_a_call_as_the_trigger_records_it_comes_back_from_sqlite_exactly(tmp_path, client_tracking_id):
    """A real call's record (strict verdict beside the documented one, the ~20 response headers with the run,
    client and tracking ids in them) goes through the compact row and its shared parts, and back, unchanged."""
    memory = MemoryStore()
    app = create_app(store=memory)
    flow = next(f for f in memory.list_flows() if f.schema == "monitor-results")
    body = (ROOT / "fixtures" / "payloads" / "monitor-results" / "valid" / "failing-run.json").read_bytes()
    headers = {"Content-Type": "application/json"}
    if client_tracking_id:
        headers["x-ms-client-tracking-id"] = client_tracking_id
    for _ in range(2):  # the second call finds its shared parts already stored
        answer = app.test_client().post(flow.callback_url("http://localhost"), data=body, headers=headers)
        assert answer.status_code == 202
    sqlite = SQLiteStore(tmp_path / "db")
    try:
        for record in reversed(memory.calls(flow.id)):
            sqlite.record(record)
        for record in memory.calls(flow.id):
            assert "strict" in record.contract
            assert sqlite.get_call(record.id) == memory.get_call(record.id)
    finally:
        sqlite.close()
