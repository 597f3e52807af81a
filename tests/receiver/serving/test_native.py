"""Trigger calls answered from the server's event loop (`serving.native`: on the loop, or on a pool thread for an
imported flow or injected latency) answer and record exactly what the same bytes get through the WSGI app; the
calls whose body must be read as the pipeline asks still go through the WSGI app; a bug on the loop's path is the
same 500 the WSGI path gives, and a record that cannot be written is never a 202."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from flowmock_receiver import LiveServer, create_app
from flowmock_receiver.core.records import CallRecord
from flowmock_receiver.core.sqlite_store import SQLiteStore
from flowmock_receiver.core.store import MemoryStore
from flowmock_receiver.serving import native
from flowmock_receiver.serving.native import NATIVE_BODY_BYTES, NativeTrigger
from tests.conftest import monitor_payload
from tests.receiver.web.imported import import_flow

PAYLOAD = monitor_payload()
PLAIN, TEMPLATED, ANSWERING, SLOW = ("a" * 32, "b" * 32, "c" * 32, "d" * 32)
FLOWS = [
    {"id": PLAIN, "name": "plain", "schema": "monitor-results", "schema_validation": True, "max_body_bytes": 2000},
    {"id": TEMPLATED, "name": "templated", "method": "POST", "relative_path": "/items/{item}"},
    {"id": ANSWERING, "name": "answering", "response": {"status": 201, "body": {"ok": True}}},
    {"id": SLOW, "name": "slow", "faults": {"latency_ms": 1}},
]


def exchange(port: int, raw: bytes, *, half_close: bool = False) -> bytes:
    """Send raw bytes on a new connection; what comes back until the server is quiet for a moment."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(raw)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        sock.settimeout(0.5)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
                if _complete(received):
                    break
        except TimeoutError:
            pass
    return received


def _complete(reply: bytes) -> bool:
    head, sep, body = reply.partition(b"\r\n\r\n")
    if not sep:
        return False
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":", 1)[1])
    return False


def request(target: str, *headers: str, body: bytes = b"", method: str = "POST") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: flowmock.test", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def signed(app: Any, flow_id: str, relative: str = "") -> str:
    """The flow's signed target, with `relative` as its relative path (the callback URL shows the template)."""
    flow = app.extensions["flowmock"].store.get_flow(flow_id)
    url = urlsplit(flow.callback_url("http://flowmock.test"))
    return f"{url.path.split('/paths/invoke')[0]}/paths/invoke{relative}?{url.query}"


def cases(app: Any) -> dict[str, bytes]:
    body = json_body(PAYLOAD)
    imported = next(f.id for f in app.extensions["flowmock"].store.list_flows() if f.name == "bare-greeting")
    plain, templated = signed(app, PLAIN), signed(app, TEMPLATED, "/items/caf%C3%A9")
    unsigned = plain.split("&sig=")[0]
    return {
        "valid": request(plain, "Content-Type: application/json", f"Content-Length: {len(body)}", body=body),
        "repeated and odd headers": request(
            plain,
            "Content-Type: application/json",
            "X-Custom: one",
            "x-custom: two",
            "X_Under: score",
            "x-ms-client-tracking-id: mine",
            f"Content-Length: {len(body)}",
            body=body,
        ),
        "unsigned": request(unsigned, "Content-Type: application/json", f"Content-Length: {len(body)}", body=body),
        "schema mismatch": request(plain, "Content-Type: application/json", "Content-Length: 2", body=b"{}"),
        "not JSON": request(plain, "Content-Type: application/json", "Content-Length: 4", body=b"{no}"),
        "over the flow's limit": request(
            plain, "Content-Type: application/json", "Content-Length: 3000", body=b"[" + b" " * 2998 + b"]"
        ),
        "no body": request(plain, method="GET"),
        "HEAD": request(plain, method="HEAD"),
        "empty content type": request(plain, "Content-Type: ", f"Content-Length: {len(body)}", body=body),
        "unknown flow": request(plain.replace(PLAIN, "f" * 32), "Content-Length: 2", body=b"{}"),
        "unknown trigger": request(plain.replace("/manual/", "/other/"), "Content-Length: 2", body=b"{}"),
        "no api-version": request(plain.split("?")[0], "Content-Length: 2", body=b"{}"),
        "relative path, non-ASCII": request(templated, "Content-Type: text/plain", "Content-Length: 2", body=b"hi"),
        "declared response": request(signed(app, ANSWERING), "Content-Length: 2", body=b"{}"),
        # these two run on a pool thread: the flow sleeps, or the workflow engine runs its actions
        "injected latency": request(signed(app, SLOW), "Content-Length: 2", body=b"{}"),
        "imported flow": request(
            signed(app, imported, "/users/ana/greeting"),
            "Content-Type: application/json",
            "Content-Length: 15",
            body=b'{"nick": "Ana"}',
            method="PUT",
        ),
    }


def json_body(value: Any) -> bytes:
    return json.dumps(value).encode()


def record_view(record: CallRecord | None) -> dict[str, Any] | None:
    """What a record says about the call, without what differs between any two calls (ids, times)."""
    if record is None:
        return None
    return {
        "status": record.status,
        "http_status": record.http_status,
        "method": record.method,
        "path": record.path,
        "query": record.query,
        "headers": record.headers,
        "body": record.body,
        "body_size": record.body_size,
        "contract": record.contract,
        "code": record.code,
        "message": record.message,
        "outputs": record.outputs,
        "response": {**record.response, "headers": sorted(record.response["headers"])},
    }


def answer_view(reply: bytes) -> tuple[bytes, list[bytes], bytes]:
    """Status line, header names (values carry ids and dates) and body of a raw answer."""
    head, _, body = reply.partition(b"\r\n\r\n")
    status, *lines = head.split(b"\r\n")
    return status, sorted(line.split(b":", 1)[0].lower() for line in lines), body


def outcomes(app: Any, store: Any, port: int) -> dict[str, Any]:
    seen = {}
    for name, raw in cases(app).items():
        before = store.count()
        reply = exchange(port, raw)
        added = store.calls(limit=1) if store.count() > before else [None]
        seen[name] = (answer_view(reply), record_view(added[0]))
    return seen


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path) -> Iterator[Any]:
    made = MemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "flowmock.db")
    yield made
    made.close()


def test_calls_answered_from_the_event_loop_answer_and_record_what_the_wsgi_path_does(store, monkeypatch):
    app = create_app({"TESTING": True, "FLOWS": FLOWS}, store=store)
    import_flow(app.test_client(), "bare-greeting")
    answered_here: list[bool] = []
    answer = NativeTrigger.answer

    async def counting(self: NativeTrigger, *args: Any) -> bool:
        answered_here.append(await answer(self, *args))
        return answered_here[-1]

    monkeypatch.setattr(NativeTrigger, "answer", counting)
    with LiveServer(app) as live:
        on_the_loop = outcomes(app, store, live.port)
    assert all(answered_here) and len(answered_here) == len(on_the_loop)

    async def declining(self: NativeTrigger, *args: Any) -> bool:
        return False

    monkeypatch.setattr(NativeTrigger, "answer", declining)
    with LiveServer(app) as live:
        on_a_thread = outcomes(app, store, live.port)
    for name, outcome in on_the_loop.items():
        assert outcome == on_a_thread[name], name
    assert on_the_loop["valid"][0][0] == b"HTTP/1.1 202 Accepted"
    assert on_the_loop["declared response"][0][0] == b"HTTP/1.1 201 Created"
    assert on_the_loop["imported flow"][0][0] == b"HTTP/1.1 200 OK"
    assert json.loads(on_the_loop["imported flow"][0][2]) == {"message": "Hi, Ana"}
    assert on_the_loop["injected latency"][0][0] == b"HTTP/1.1 202 Accepted"
    headers = dict(on_the_loop["repeated and odd headers"][1]["headers"])
    assert headers["X-Custom"] == "one,two" and headers["X-Under"] == "score"
    assert on_the_loop["relative path, non-ASCII"][1]["outputs"]["relativePathParameters"] == {"item": "café"}


def test_calls_whose_body_is_read_as_the_pipeline_asks_go_through_the_wsgi_app_and_are_answered(monkeypatch):
    store = MemoryStore()
    app = create_app({"TESTING": True, "FLOWS": FLOWS}, store=store)
    declined: list[bool] = []
    answer = NativeTrigger.answer

    async def counting(self: NativeTrigger, *args: Any) -> bool:
        declined.append(not await answer(self, *args))
        return not declined[-1]

    monkeypatch.setattr(NativeTrigger, "answer", counting)
    big = b'"' + b"x" * NATIVE_BODY_BYTES + b'"'
    with LiveServer(app) as live:
        target = signed(app, ANSWERING)
        reply = exchange(
            live.port, request(target, "Content-Type: application/json", f"Content-Length: {len(big)}", body=big)
        )
        assert reply.startswith(b"HTTP/1.1 201 ")
        assert store.calls(limit=1)[0].body == big
        chunked = request(target, "Transfer-Encoding: chunked", body=b"2\r\n{}\r\n0\r\n\r\n")
        assert exchange(live.port, chunked).startswith(b"HTTP/1.1 201 ")
        small = request(target, "Content-Length: 2", body=b"{}")
        assert exchange(live.port, small).startswith(b"HTTP/1.1 201 ")
    assert declined == [True, True, False]


def test_a_bug_on_the_event_loop_path_is_the_same_500_and_is_kept_for_the_plugin():
    app = create_app({"TESTING": True, "FLOWS": FLOWS}, store=MemoryStore())
    receiver = app.extensions["flowmock"]

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    receiver.trigger.handle = broken
    with LiveServer(app) as live:
        reply = exchange(live.port, request(signed(app, PLAIN), "Content-Length: 2", body=b"{}"))
        status, _, body = answer_view(reply)
        assert status == b"HTTP/1.1 500 Internal Server Error"
        assert json.loads(body)["error"] == {
            "code": "InternalServerError",
            "message": "flowmock hit an internal error (RuntimeError).",
        }
        assert [str(e) for e in receiver.errors] == ["a bug"]
        del receiver.trigger.handle  # the bug fixed: the server goes on answering
        body = json_body(PAYLOAD)
        again = request(signed(app, PLAIN), "Content-Type: application/json", f"Content-Length: {len(body)}", body=body)
        assert exchange(live.port, again).startswith(b"HTTP/1.1 202 ")


def test_a_call_whose_record_cannot_be_written_is_answered_503_never_202(tmp_path):
    store = SQLiteStore(tmp_path / "db")
    app = create_app({"TESTING": True, "FLOWS": FLOWS}, store=store)
    with store._write_lock:  # SQLite's size limit gives the SQLITE_FULL a full disk gives
        (pages,) = store._writer.execute("PRAGMA page_count").fetchone()
        store._writer.execute(f"PRAGMA max_page_count = {pages}")
    body = json_body({"pad": "y" * 20_000})
    try:
        with LiveServer(app) as live:
            reply = exchange(live.port, request(signed(app, ANSWERING), f"Content-Length: {len(body)}", body=body))
        status, _, answer = answer_view(reply)
        assert status.startswith(b"HTTP/1.1 503 ") and b"FlowmockHistoryUnavailable" in answer
        assert app.extensions["flowmock"].errors == [] and store.count() == 0
    finally:
        store.close()


def test_a_client_that_stops_mid_body_leaves_a_refused_record_not_a_run(store):
    app = create_app({"TESTING": True, "FLOWS": FLOWS}, store=store)
    with LiveServer(app) as live:
        exchange(live.port, request(signed(app, PLAIN), "Content-Length: 100", body=b'{"cut'), half_close=True)
        for _ in range(50):
            if store.count():
                break
            time.sleep(0.05)
    [record] = store.calls()
    assert record.code == "InvalidRequestContent" and record.run_id is None and record.body == b""


def test_header_names_are_shown_as_the_wsgi_path_shows_them():
    raw = [
        (b"content-type", b"application/json"),
        (b"x-ms-workflow-name", b"a"),
        (b"x-ms-workflow-name", b"b"),
        (b"content_type", b"sneaky"),
        (b"content-length", b""),
    ]
    assert native.request_headers(raw) == [("Content-Type", "application/json"), ("X-Ms-Workflow-Name", "a,b")]
