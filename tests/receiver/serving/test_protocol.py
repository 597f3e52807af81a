"""HTTP/1.1 framing on the wire, over raw sockets (RFC 9112): what the live server refuses, what it accepts, and
that `Expect: 100-continue` is answered once, and only when the body is wanted."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from flowmock_receiver import LiveServer, create_app
from flowmock_receiver.core.store import MemoryStore

LIMIT = 100


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[LiveServer, str, str]]:
    """A server with one flow taking bodies of at most LIMIT bytes; its signed target and its unsigned one."""
    app = create_app({"FLOWS": [{"name": "small", "max_body_bytes": LIMIT}]}, store=MemoryStore())
    with LiveServer(app) as live:
        flow = app.extensions["flowmock"].store.list_flows()[0]
        url = urlsplit(flow.callback_url(live.url))
        yield live, f"{url.path}?{url.query}", f"{url.path}?api-version=2016-06-01"


def exchange(port: int, head: str, body: bytes = b"", *, after_continue: bytes | None = None) -> bytes:
    """Send a request, and `after_continue` once a 100 Continue arrives; everything read until the server closes
    the connection or stays quiet for half a second."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(head.encode("latin-1") + body)
        sock.settimeout(0.5)
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
                if after_continue is not None and b" 100 Continue\r\n\r\n" in received:
                    sock.sendall(after_continue)
                    after_continue = None
        except TimeoutError:
            pass
    return received


def status_of(reply: bytes) -> int:
    assert reply.startswith(b"HTTP/1.1 "), reply[:80]
    return int(reply.split(b" ", 2)[1])


def chunked(payload: bytes, size: int = 64) -> bytes:
    parts = [
        f"{len(payload[i : i + size]):x}\r\n".encode() + payload[i : i + size] + b"\r\n"
        for i in range(0, len(payload), size)
    ]
    return b"".join(parts) + b"0\r\n\r\n"


def post(target: str, *headers: str) -> str:
    return f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(h + "\r\n" for h in headers) + "\r\n"


@pytest.mark.parametrize("content_type", ["application/json", "text/plain", "application/xml"])
def test_a_chunked_body_over_the_flow_s_limit_is_refused_with_413_not_cut_and_accepted(server, content_type):
    live, target, _ = server
    body = b'"' + b"x" * (LIMIT * 3) + b'"'
    reply = exchange(
        live.port, post(target, f"Content-Type: {content_type}", "Transfer-Encoding: chunked"), chunked(body)
    )
    assert status_of(reply) == 413
    assert b"RequestEntityTooLarge" in reply


def test_a_chunked_body_of_exactly_the_limit_is_accepted_whole(server):
    live, target, _ = server
    body = b'"' + b"x" * (LIMIT - 2) + b'"'
    reply = exchange(
        live.port, post(target, "Content-Type: application/json", "Transfer-Encoding: chunked"), chunked(body)
    )
    assert status_of(reply) == 202


@pytest.mark.parametrize("content_type", ["text/plain", "application/octet-stream", "application/json"])
def test_an_over_limit_body_is_413_whatever_its_content_type(server, content_type):
    live, target, _ = server
    body = b"not json at all " * 20
    reply = exchange(live.port, post(target, f"Content-Type: {content_type}", f"Content-Length: {len(body)}"), body)
    assert status_of(reply) == 413


def test_expect_100_continue_is_answered_once_and_then_the_call_is_accepted(server):
    live, target, _ = server
    head = post(target, "Content-Type: application/json", "Expect: 100-continue", "Content-Length: 2")
    reply = exchange(live.port, head, after_continue=b"{}")
    assert reply.count(b"100 Continue") == 1
    assert reply.startswith(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 ")


def test_expect_100_continue_with_a_body_over_the_limit_gets_413_instead_of_an_invitation_to_upload(server):
    live, target, _ = server
    reply = exchange(live.port, post(target, "Expect: 100-continue", f"Content-Length: {LIMIT * 50}"))
    assert b"100 Continue" not in reply
    assert status_of(reply) == 413


def test_expect_100_continue_on_an_unsigned_call_gets_401_instead_of_an_invitation_to_upload(server):
    live, _, unsigned = server
    reply = exchange(live.port, post(unsigned, "Expect: 100-continue", "Content-Length: 50"))
    assert b"100 Continue" not in reply
    assert status_of(reply) == 401
    assert b"DirectApiAuthorizationRequired" in reply


def test_two_different_content_lengths_are_refused_with_400(server):
    live, target, _ = server
    reply = exchange(live.port, post(target, "Content-Length: 2", "Content-Length: 3"), b"{}x")
    assert status_of(reply) == 400


def test_chunk_extensions_and_trailers_are_accepted_and_the_body_recorded_exactly(server):
    live, target, _ = server
    framed = b'4;name=value\r\n{"a"\r\n3;x\r\n: 1\r\n1\r\n}\r\n0\r\nX-Trailer: yes\r\n\r\n'
    reply = exchange(live.port, post(target, "Content-Type: application/json", "Transfer-Encoding: chunked"), framed)
    assert status_of(reply) == 202
    run_id = reply.split(b"x-ms-workflow-run-id: ", 1)[1].split(b"\r\n", 1)[0].decode()
    app = live.app
    record = next(c for c in app.extensions["flowmock"].store.calls(None) if c.run_id == run_id)
    assert record.body == b'{"a": 1}'


@pytest.mark.parametrize(
    "request_bytes",
    [
        pytest.param(b"\x16\x03\x01\x02\x00garbage\r\n\r\n", id="tls-hello"),
        pytest.param(b"GET\r\n\r\n", id="no-target"),
        pytest.param(b"POST /x HTTP/9.9.9\r\n\r\n", id="bad-version"),
        pytest.param(b"POST /x HTTP/1.1\r\nNo colon here\r\n\r\n", id="bad-header"),
    ],
)
def test_garbage_gets_a_real_400_status_line(server, request_bytes):
    live, _, _ = server
    with socket.create_connection(("127.0.0.1", live.port), timeout=5) as sock:
        sock.sendall(request_bytes)
        reply = sock.recv(4096)
    assert reply.startswith(b"HTTP/1.1 400 Bad Request\r\n")


def test_a_method_with_a_delete_byte_is_refused_and_not_recorded(server):
    live, target, _ = server
    before = len(live.app.extensions["flowmock"].store.calls(None))
    reply = exchange(live.port, f"PO\x7fST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n")
    assert status_of(reply) == 400
    assert len(live.app.extensions["flowmock"].store.calls(None)) == before


def test_answers_carry_no_server_header(server):
    live, target, _ = server
    reply = exchange(live.port, post(target, "Content-Type: application/json", "Content-Length: 2"), b"{}")
    head = reply.split(b"\r\n\r\n", 1)[0].lower()
    assert status_of(reply) == 202
    assert b"\r\nserver:" not in head
    assert b"\r\ndate:" in head
