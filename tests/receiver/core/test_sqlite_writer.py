"""Records written from an event loop (the server's trigger path): each coroutine resumes only once its record is
committed, while the loop goes on with other calls, and a failed commit is raised in every coroutine it touched."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import pytest

from flowmock_receiver.core import disk_space
from flowmock_receiver.core.records import CallRecord
from flowmock_receiver.core.sqlite_store import SQLiteStore
from flowmock_receiver.core.store import StoreFull
from tests.receiver.core.test_stores import _call


def test_a_coroutine_resumes_only_once_its_record_is_committed_and_the_loop_is_free_meanwhile(tmp_path):
    store = SQLiteStore(tmp_path / "db")
    other = SQLiteStore(tmp_path / "db", shared=True)  # another connection: sees only what is committed
    ticks = 0

    async def ticking() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    async def call(n: int) -> tuple[bool, bool]:
        record = _call(n)
        began = ticks
        await store.record_async(record)
        return other.get_call(record.id) is not None, ticks > began  # committed; the loop ran meanwhile

    async def main() -> list[tuple[bool, bool]]:
        ticker = asyncio.create_task(ticking())
        try:
            return await asyncio.gather(*(call(n) for n in range(200)))
        finally:
            ticker.cancel()

    try:
        assert asyncio.run(main()) == [(True, True)] * 200
        assert other.count() == 200
    finally:
        other.close()
        store.close()


def _refusals(store: SQLiteStore, records: list[CallRecord]) -> list[StoreFull | None]:
    """Record each from its own coroutine, all at once: the `StoreFull` each one raised, or None."""

    async def one(record: CallRecord) -> StoreFull | None:
        try:
            await store.record_async(record)
        except StoreFull as exc:
            return exc
        return None

    async def main() -> list[StoreFull | None]:
        return await asyncio.gather(*(one(record) for record in records))

    return asyncio.run(main())


def test_a_full_disk_is_raised_in_every_coroutine_whose_record_it_refused(tmp_path):
    store = SQLiteStore(tmp_path / "db")
    with store._write_lock:  # SQLite's size limit gives the SQLITE_FULL a full disk gives
        (pages,) = store._writer.execute("PRAGMA page_count").fetchone()
        store._writer.execute(f"PRAGMA max_page_count = {pages}")

    records = [_call(n) for n in range(20)]
    for record in records:
        record.body = b"x" * 20_000
    try:
        errors = _refusals(store, records)
        assert all(isinstance(e, StoreFull) for e in errors) and store.count() == 0
    finally:
        store.close()


def test_a_closed_store_refuses_a_record_from_an_event_loop_at_once(tmp_path):
    store = SQLiteStore(tmp_path / "db")
    store.close()
    with pytest.raises(sqlite3.ProgrammingError):
        asyncio.run(store.record_async(_call(1)))


def test_a_record_from_an_event_loop_keeps_the_room_on_the_disk_a_clear_needs(tmp_path, monkeypatch):
    """The free-space check of `disk_space` holds for records written from the loop, as for `record`."""
    store = SQLiteStore(tmp_path / "db")
    monkeypatch.setattr(disk_space, "disk_free", lambda path: disk_space.KEEP_FREE)  # less than a record needs

    try:
        errors = _refusals(store, [_call(n) for n in range(20)])
        assert all(isinstance(e, StoreFull) and "is full" in str(e) for e in errors) and store.count() == 0
        with pytest.raises(StoreFull, match="is full"):
            store.record(_call(99))
        monkeypatch.undo()
        asyncio.run(store.record_async(_call(100)))
        assert store.count() == 1
    finally:
        store.close()


def _commits(store: SQLiteStore) -> list[str]:
    """The name of the thread behind each COMMIT the store's writing connection makes from now on."""
    seen: list[str] = []
    store._writer.set_trace_callback(
        lambda sql: seen.append(threading.current_thread().name) if sql.strip().upper() == "COMMIT" else None
    )
    return seen


def test_calls_answered_in_one_turn_of_the_loop_share_one_commit_made_by_the_loop(tmp_path):
    store = SQLiteStore(tmp_path / "db")
    commits = _commits(store)

    async def main() -> None:
        await asyncio.gather(*(store.record_async(_call(n)) for n in range(50)))

    try:
        asyncio.run(main())
        assert store.count() == 50
        assert commits == [threading.current_thread().name]  # one transaction, and no hop to the writer thread
    finally:
        store.close()


def test_the_loop_never_waits_for_the_write_lock_its_records_go_to_the_writer_thread(tmp_path):
    """A clear or retention holding the write lock must not stop the loop: the turn's records wait for the writer
    thread, and the loop goes on with other calls meanwhile."""
    store = SQLiteStore(tmp_path / "db")
    commits = _commits(store)
    held, release = threading.Event(), threading.Event()

    def holder() -> None:
        with store._write_lock:
            held.set()
            release.wait(5)

    async def main() -> tuple[int, bool]:
        ticks = 0
        task = asyncio.ensure_future(store.record_async(_call(1)))
        started = time.monotonic()
        while time.monotonic() - started < 0.3:  # the loop keeps turning while the lock is held
            ticks += 1
            await asyncio.sleep(0.001)
        waited = not task.done()
        release.set()
        await task
        return ticks, waited

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(5)
    try:
        ticks, waited = asyncio.run(main())
        assert waited and ticks > 20
        assert store.count() == 1 and commits == ["flowmock-writer"]
    finally:
        release.set()
        thread.join()
        store.close()


def test_a_store_shared_by_worker_processes_commits_loop_records_on_its_writer_thread(tmp_path):
    """Other processes take SQLite's own lock at any moment; an event loop must not be the one to wait for it."""
    store = SQLiteStore(tmp_path / "db", shared=True)
    commits = _commits(store)

    async def main() -> None:
        await asyncio.gather(*(store.record_async(_call(n)) for n in range(10)))

    try:
        asyncio.run(main())
        assert store.count() == 10 and set(commits) == {"flowmock-writer"}
    finally:
        store.close()
