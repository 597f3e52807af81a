"""Bad input gets a clear 4xx and never a 500, and never stops the server: random and hostile requests."""

from __future__ import annotations

import random
import socket
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowmock_receiver import LiveServer, create_app
from flowmock_receiver.core.store import MemoryStore
from tests.helpers import call_flow

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "FOO", "post"]
CONTENT_TYPES = [
    "application/json",
    "application/json; charset=utf-16",
    "application/json; charset=nope",
    "text/plain; charset=latin-1",
    "text/plain; charset=bogus",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/xml",
    "\x00weird",
    "",
    ";;;",
]
BODIES = [
    b"",
    b"{}",
    b'{"a": [1, 2, {"b": null}]}',
    b"\xff\xfe\x00garbage",
    b"[" * 5000,
    b'{"a": ' * 3000 + b"1" + b"}" * 3000,
    b"NaN",
    b'"\\ud800"',
    b"1e999999",
    b"123456789012345678901234567890123456789",
    b'{"user_id": 5, "metrics": {"errors": "x"}}',
    "é€😀".encode(),
    bytes(range(256)),
]


def _request_bytes(rng: random.Random, path: str, query: str) -> tuple[bytes, bool]:
    """A hostile request, and whether its framing is complete (False: a short body or a broken chunk)."""
    method = rng.choice(METHODS)
    body = rng.choice(BODIES) if rng.random() < 0.9 else rng.randbytes(rng.randint(0, 3000))
    target = path
    roll = rng.random()
    if roll < 0.1:
        target += "/" + rng.choice(["..", "%2e%2e", "%00", "a/../../etc/passwd", "%ff%fe", "{id}", "é", "//x"])
    elif roll < 0.15:
        target = rng.choice(
            [
                "/",
                "/workflows/",
                "/workflows/x/triggers/manual/paths/invoke",
                "/_flowmock/api/flows/%00",
                "/_flowmock/api/flows/" + "z" * 5000,
                "/powerautomate/automations/direct/workflows//",
            ]
        )
    q = query
    if rng.random() < 0.2:
        q = rng.choice(["", "api-version=1", "sig=%ff&sp=&sv=", "api-version=2016-06-01&sig=" + "A" * 43, q + "&x=%zz"])
    headers = ["Host: 127.0.0.1", "Connection: close"]
    if rng.random() < 0.8:
        headers.append(f"Content-Type: {rng.choice(CONTENT_TYPES)}")
    if rng.random() < 0.1:
        headers.append("Authorization: Bearer " + rng.choice(["", "x", "a.b.c", "a.eyJhdWQiOjF9.c", "\u00e9"]))
    if rng.random() < 0.05:
        headers.append("X-Big: " + "x" * rng.randint(1000, 60000))
    if rng.random() < 0.05:
        headers.append("x-ms-client-tracking-id: " + "é" * 10)
    if rng.random() < 0.1:
        headers.append("Transfer-Encoding: chunked")
        complete = rng.random() < 0.8
        payload = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n" if complete else b"zz\r\n"
    else:
        length = len(body) if rng.random() < 0.9 else rng.choice([0, len(body) + 5, 10**12])
        headers.append(f"Content-Length: {length}")
        complete = length != len(body) + 5
        payload = body
    head = f"{method} {target}?{q} HTTP/1.1\r\n" + "\r\n".join(headers) + "\r\n\r\n"
    return head.encode("utf-8", "surrogateescape") + payload, complete


def _send(port: int, data: bytes, complete: bool) -> bytes:
    """Send a request and read until the server closes (every request says `Connection: close`). A request whose
    body never ends is followed by a half-close, on which the server may drop the connection unanswered."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(data)
            if not complete:
                sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass  # the server may answer (413, 400) and close before reading everything
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except OSError:
            pass
    return b"".join(chunks)


@pytest.fixture(scope="module")
def live():
    app = create_app(
        {
            "FLOWS": [
                {
                    "name": "strict",
                    "schema": "monitor-results.strict",
                    "schema_validation": True,
                    "max_body_bytes": 4096,
                },
                {"name": "open", "relative_path": "customer/{id}"},
            ]
        },
        store=MemoryStore(),
    )
    with LiveServer(app) as server:
        yield server, app


def test_thousands_of_random_hostile_requests_never_get_a_5xx_and_the_server_keeps_answering(live):
    server, app = live
    flows = app.extensions["flowmock"].store.list_flows()
    rng = random.Random(20261127)
    statuses: dict[int, int] = {}
    for n in range(2500):
        flow = rng.choice(flows)
        url = urlsplit(flow.callback_url(server.url))
        reply = _send(server.port, *_request_bytes(rng, url.path, url.query))
        if not reply:
            continue  # the connection was closed on a request too malformed to answer (e.g. a bad chunk)
        status = int(reply.split(b" ", 2)[1])
        statuses[status] = statuses.get(status, 0) + 1
        assert status < 500, (n, reply[:300])
    assert app.extensions["flowmock"].errors == []
    assert statuses.get(202, 0) > 100 and statuses.get(400, 0) > 100  # the mix really exercised both paths
    health = _send(
        server.port, b"GET /_flowmock/api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", True
    )
    assert health.startswith(b"HTTP/1.1 200")


@given(body=st.binary(max_size=2000), content_type=st.sampled_from([*CONTENT_TYPES[:-3], None]))
def test_any_body_and_content_type_gets_an_answer_below_500(body, content_type):
    app = _APP
    flow = app.extensions["flowmock"].store.list_flows()[0]
    response = call_flow(app.test_client(), flow.callback_url("http://localhost"), data=body, content_type=content_type)
    assert response.status_code in (202, 400)
    assert app.extensions["flowmock"].errors == []


_APP = create_app({"FLOWS": [{"name": "x", "schema": "monitor-results.strict"}]}, store=MemoryStore())
