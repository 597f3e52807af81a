"""History over the admin API at any size (issues 18 and 13): cursor paging with exact totals, lists that carry
previews instead of large bodies, bodies streamed from their own URL, refused calls' bodies bounded, a full disk
answered 503, and the server's error log bounded."""

from __future__ import annotations

import json
import sqlite3

import pytest

from flowmock_receiver import create_app
from flowmock_receiver.core import sqlite_store
from flowmock_receiver.core.records import PREVIEW_BYTES
from flowmock_receiver.core.sqlite_store import SQLiteStore
from flowmock_receiver.core.store import StoreFull
from flowmock_receiver.core.trigger import REFUSED_BODY_BYTES
from flowmock_receiver.testing import Flowmock
from tests.receiver.conftest import url_without


def test_runs_and_triggers_page_by_cursor_with_exact_totals(api, client):
    flow = api.create()
    for n in range(12):
        api.call(flow["callback_url"], {"n": n})
    api.call(url_without(flow["callback_url"], "sig"), {"n": "refused"})
    base = f"/_flowmock/api/flows/{flow['id']}"
    first = client.get(f"{base}/runs?limit=5").json
    assert first["total"] == 12 and [r["outputs"]["body"]["n"] for r in first["runs"]] == [11, 10, 9, 8, 7]
    second = client.get(f"{base}/runs?limit=5&before={first['cursor']['before']}").json
    assert [r["outputs"]["body"]["n"] for r in second["runs"]] == [6, 5, 4, 3, 2]
    newer = client.get(f"{base}/runs?limit=5&after={second['cursor']['after']}").json
    assert [r["run_id"] for r in newer["runs"]] == [r["run_id"] for r in first["runs"]]
    failed = client.get(f"{base}/triggers?status=Failed").json
    assert failed["total"] == 1 and failed["triggers"][0]["code"] == "DirectApiAuthorizationRequired"
    assert client.get(f"{base}/triggers?valid=true").json["total"] == 13  # a small refused body is checked too
    assert client.get(f"{base}/triggers?before=x").status_code == 400
    assert client.get(f"{base}/triggers?valid=maybe").status_code == 400


def test_lists_carry_a_bounded_preview_and_the_body_url_streams_the_whole_body(api, client):
    flow = api.create()
    big = json.dumps({"data": "x" + "é" * 100_000}, ensure_ascii=False).encode()  # the preview cuts an é in two
    api.call(flow["callback_url"], raw=big)
    [run] = client.get(f"/_flowmock/api/flows/{flow['id']}/runs").json["runs"]
    request = run["request"]
    assert request["body_truncated"] and request["body_size"] == len(big) and run["outputs"]["body"] is None
    assert len(request["body_base64"]) <= 4 * PREVIEW_BYTES // 3 + 4 and request["body"] == big[:1023].decode()
    whole = client.get(request["body_url"])
    assert whole.status_code == 200 and whole.data == big
    assert whole.headers["Content-Type"] == "application/octet-stream"
    assert whole.headers["X-Flowmock-Content-Type"] == "application/json"
    assert client.get(f"/_flowmock/api/runs/{run['run_id']}/body").data == big
    detail = client.get(f"/_flowmock/api/runs/{run['run_id']}").json  # 200 KB: whole in one call's detail
    assert not detail["request"]["body_truncated"] and detail["outputs"]["body"] == {"data": "x" + "é" * 100_000}
    assert client.get("/_flowmock/api/triggers/nope/body").status_code == 404


def test_the_pytest_handle_reads_large_bodies_whole(app):
    handle = Flowmock.in_process(app)
    flow = handle.create_flow(name="big")
    flow.post({"data": "x" * 50_000})
    [run] = flow.runs
    assert run.body == {"data": "x" * 50_000} and len(run.raw_body) > 50_000
    assert flow.trigger_history[0].raw_body == run.raw_body


def test_unsigned_call_keeps_its_metadata_and_only_a_bounded_prefix_of_its_body(api, client):
    flow = api.create()
    body = b"A" * 200_000
    response = api.call(url_without(flow["callback_url"], "sig"), raw=body, content_type="text/plain")
    assert response.status_code == 401
    [entry] = client.get(f"/_flowmock/api/flows/{flow['id']}/triggers").json["triggers"]
    assert entry["request"]["body_size"] == len(body) and entry["request"]["body_truncated"]
    assert client.get(entry["request"]["body_url"]).data == body[:REFUSED_BODY_BYTES]
    assert entry["contract"]["valid"] is None and entry["contract"]["reason"]  # not checked: only a prefix
    small = api.call(url_without(flow["callback_url"], "sig"), {"small": True})
    assert small.status_code == 401
    latest = client.get(f"/_flowmock/api/flows/{flow['id']}/triggers?limit=1").json["triggers"][0]
    assert latest["request"]["body"] == '{"small": true}' and not latest["request"]["body_truncated"]


def _fill_disk(store: SQLiteStore) -> None:
    """SQLite's own size limit gives the same SQLITE_FULL ("database or disk is full") as a full disk."""
    with store._write_lock:
        (pages,) = store._writer.execute("PRAGMA page_count").fetchone()
        store._writer.execute(f"PRAGMA max_page_count = {pages}")


def test_full_disk_call_is_answered_503_never_202_and_history_can_be_cleared(tmp_path):
    store = SQLiteStore(tmp_path / "db")
    app = create_app({"TESTING": True}, store=store)
    client = app.test_client()
    flow = client.post("/_flowmock/api/flows", json={"name": "f"}).json
    handle = Flowmock.in_process(app).flow(flow["id"])
    for n in range(50):
        assert handle.post({"n": n, "pad": "x" * 2000}).status == 202
    _fill_disk(store)
    answers = [handle.post({"n": "more", "pad": "y" * 20_000}) for _ in range(3)]
    assert {a.status for a in answers} == {503}
    assert answers[0].error_code == "FlowmockHistoryUnavailable" and "full" in answers[0].json()["error"]["message"]
    assert app.extensions["flowmock"].errors == []
    assert client.delete("/_flowmock/api/runs").status_code == 204
    assert client.get(f"/_flowmock/api/flows/{flow['id']}/runs").json["total"] == 0
    store.close()


def test_history_that_cannot_be_changed_is_a_503_of_the_admin_api_never_a_500(tmp_path, monkeypatch):
    store = SQLiteStore(tmp_path / "db")
    app = create_app({"TESTING": True}, store=store)

    def full(flow_id=None):
        raise StoreFull("the disk holding db is full")

    monkeypatch.setattr(store, "clear", full)
    answer = app.test_client().delete("/_flowmock/api/runs")
    assert answer.status_code == 503 and answer.json["error"]["code"] == "FlowmockHistoryUnavailable"
    assert "the disk holding db is full" in answer.json["error"]["message"]
    assert app.extensions["flowmock"].errors == []
    store.close()


def test_server_starts_read_only_on_a_full_disk_and_says_why(tmp_path, monkeypatch):
    SQLiteStore(tmp_path / "db").close()

    def full(*args, **kwargs):
        error = sqlite3.OperationalError("database or disk is full")
        error.sqlite_errorcode = sqlite3.SQLITE_FULL
        raise error

    monkeypatch.setattr(sqlite_store, "prepare", full)
    store = SQLiteStore(tmp_path / "db")
    try:
        assert "full" in store.read_only_reason and "read-only" in store.read_only_reason
        app = create_app({"TESTING": True}, store=store)
        health = app.test_client().get("/_flowmock/api/health").json
        assert health["status"] == "read-only" and health["read_only"] == store.read_only_reason
    finally:
        store.close()


def test_receiver_errors_are_bounded_and_the_plugin_still_sees_the_latest(app):
    errors = app.extensions["flowmock"].errors
    for n in range(500):
        try:
            raise RuntimeError(n, b"x" * 1000)
        except RuntimeError as exc:
            errors.append(exc)
    assert len(errors) <= 20 and errors.total == 500
    assert [e.args[0] for e in errors.since(497)] == [497, 498, 499] and errors.since(500) == []


def test_health_shows_history_and_retention(client, api):
    flow = api.create()
    api.call(flow["callback_url"], {})
    history = client.get("/_flowmock/api/health").json["history"]
    assert history["calls"] == 1 and history["retention_days"] == 28 and history["max_calls"] is None
    assert history["oldest"].endswith("Z") and "removed" in history


@pytest.mark.parametrize("kind", ["runs", "triggers"])
def test_wait_and_lists_answer_with_cursor_even_when_empty(client, api, kind):
    flow = api.create()
    data = client.get(f"/_flowmock/api/flows/{flow['id']}/{kind}").json
    assert data[kind] == [] and data["total"] == 0 and data["cursor"] is None


def test_the_call_page_shows_a_large_body_as_a_download_and_a_preview(api, client):
    flow = api.create()
    big = b'{"data": "' + b"y" * 400_000 + b'"}'
    api.call(flow["callback_url"], raw=big)
    [run] = client.get(f"/_flowmock/api/flows/{flow['id']}/runs").json["runs"]
    page = client.get(f"/_flowmock/calls/{run['run_id']}").get_data(as_text=True)
    assert 'id="body-download"' in page and f"{len(big)} bytes" in page
    assert len(page) < 64 * 1024  # a preview, not the body
    link = page.split('id="body-download"')[0].rsplit('href="', 1)[1].split('"')[0]
    assert client.get(link).data == big
