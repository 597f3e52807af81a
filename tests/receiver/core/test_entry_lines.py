"""The SQLite store splices export lines from stored rows (`entry_lines`); whatever the row holds, the line is the
one the general way makes from the record it decodes to."""

from __future__ import annotations

import dataclasses

import pytest

from flowmock_receiver.core import entry_lines, sqlite_history
from flowmock_receiver.core.entry_lines import EntryShape
from flowmock_receiver.core.records import LIST_BODY_LIMIT
from flowmock_receiver.core.sqlite_store import SQLiteStore
from tests.receiver.core.test_history import FLOW, _call


def _both_ways(store: SQLiteStore, shape: EntryShape, page: int = 3) -> tuple[list[str], list[str]]:
    spliced, after = [], 0
    while True:
        lines, after = store.export_lines(FLOW, shape, after=after, limit=page)
        if not lines:
            break
        spliced += lines
    records = store.calls(FLOW, limit=1000, body_limit=LIST_BODY_LIMIT, with_outputs=False)
    return spliced, [shape.record_line(call) for call in reversed(records)]


def _odd_calls() -> list:
    calls = [_call(n, ok=n % 2 == 0, valid=n % 3 != 0) for n in range(1, 7)]
    looks_like_a_slot = dataclasses.replace(
        _call(7), response={"status": 202, "headers": {"x-note": "\\u0001r\\u0001", "x-ms-workflow-run-id": ""}}
    )
    looks_like_a_slot.response["headers"]["x-ms-workflow-run-id"] = looks_like_a_slot.id
    prefix_only = dataclasses.replace(_call(8, ok=False), body=b"{" * 100, body_size=5_000_000)
    large = _call(9, body=b'{"n": "' + b"y" * 40_000 + b'"}')
    unicode = _call(10, body='{"name": "Zoë \\ud83d\\ude00 \\"quoted\\""}'.encode())
    return [*calls, looks_like_a_slot, prefix_only, large, unicode]


@pytest.mark.parametrize("reveal", [False, True], ids=["redacted", "revealed"])
@pytest.mark.parametrize(
    ("shared_limit", "at_hand"),
    [(50_000, 4096), (50_000, 1), (0, 4096)],
    ids=["shared-parts", "one-part-at-hand", "parts-in-rows"],
)
def test_spliced_lines_equal_the_general_way_for_every_kind_of_row(
    tmp_path, monkeypatch, reveal, shared_limit, at_hand
):
    monkeypatch.setattr(sqlite_history, "SHARED_LIMIT", shared_limit)
    monkeypatch.setattr(entry_lines, "ENCODED_AT_HAND", at_hand)  # parts encoded again once forgotten
    store = SQLiteStore(tmp_path / "db")
    try:
        for call in _odd_calls():
            store.record(call)
        spliced, general = _both_ways(store, EntryShape(reveal=reveal, body_url="/b/", imported=[FLOW]))
        assert spliced == general and len(spliced) == 10
        assert ("Bearer x" in "".join(spliced)) is reveal
    finally:
        store.close()


def test_a_row_not_as_this_version_writes_it_takes_the_general_way(tmp_path, monkeypatch):
    store = SQLiteStore(tmp_path / "db")
    try:
        store.record(_call(1))
        store._writer.execute("UPDATE calls SET doc = json_remove(doc, '$.code')")  # a key the record defaults
        used: list[str] = []
        general = EntryShape.record_line
        monkeypatch.setattr(EntryShape, "record_line", lambda self, call: used.append(call.id) or general(self, call))
        spliced, _ = _both_ways(store, EntryShape(reveal=False, body_url="/b/", imported=()))
        assert used == [_call(1).id, _call(1).id] and '"code": null' in spliced[0]
    finally:
        store.close()
