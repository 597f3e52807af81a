"""The live server (uvicorn in a thread, as the pytest fixture runs it; `flowmock serve` for SIGTERM): nothing a
client does holds up the others (a call that waits, clients that stall, long polls), connections stay open between
calls, and stopping is prompt."""

from __future__ import annotations

import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from flowmock_receiver import LiveServer, create_app
from flowmock_receiver.core.sqlite_store import SQLiteStore
from flowmock_receiver.core.store import MemoryStore
from flowmock_receiver.testing import Flowmock
from tests.conftest import monitor_payload, start_serve

PAYLOAD = monitor_payload()


@pytest.fixture
def live():
    with LiveServer(create_app({"TESTING": True}, store=MemoryStore())) as server:
        yield server


def timed_post(url: str) -> tuple[int, float]:
    began = time.monotonic()
    status = requests.post(url, json=PAYLOAD, timeout=30).status_code
    return status, time.monotonic() - began


def test_a_call_held_by_injected_latency_does_not_hold_up_calls_to_other_flows(live):
    handle = Flowmock(live.url)
    slow, fast = handle.create_flow(schema="monitor-results"), handle.create_flow(schema="monitor-results")
    slow.set_faults(latency_ms=1500)
    with ThreadPoolExecutor(2) as pool:
        held = pool.submit(timed_post, slow.url)
        time.sleep(0.2)
        status, seconds = timed_post(fast.url)
        assert not held.done()
        assert (status, seconds < 0.5) == (202, True)
        assert held.result()[0] == 202
    assert len(slow.runs) == len(fast.runs) == 1


def test_a_client_that_stalls_mid_request_does_not_hold_up_other_clients(live):
    flow = Flowmock(live.url).default_flows["monitor-results"]
    stalled = socket.create_connection(("127.0.0.1", live.port))
    try:
        path = flow.url.split(str(live.port), 1)[1]
        stalled.sendall(f'POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: 400\r\n\r\n{{"user_'.encode())
        time.sleep(0.1)
        statuses = [timed_post(flow.url) for _ in range(5)]
        assert [s for s, _ in statuses] == [202] * 5
        assert max(seconds for _, seconds in statuses) < 0.5
    finally:
        stalled.close()


def test_answers_carry_a_date_and_no_server_header_as_power_automate_s_do(live):
    flow = Flowmock(live.url).default_flows["monitor-results"]
    response = requests.post(flow.url, json=PAYLOAD, timeout=10)
    assert response.status_code == 202
    assert "Server" not in response.headers
    assert response.headers["Date"].endswith(" GMT")
    assert "x-ms-workflow-run-id" in response.headers


def test_a_long_poll_is_answered_by_the_run_it_waits_for(live):
    flow = Flowmock(live.url).default_flows["monitor-results"]
    waited: dict[str, float] = {}

    def wait() -> None:
        began = time.monotonic()
        response = requests.get(
            f"{live.url}/_flowmock/api/flows/{flow.id}/runs", params={"wait": 1, "timeout": 10}, timeout=30
        )
        response.raise_for_status()
        waited["seconds"] = time.monotonic() - began

    poller = threading.Thread(target=wait)
    poller.start()
    time.sleep(0.2)
    assert timed_post(flow.url)[0] == 202
    poller.join(timeout=15)
    assert 0.15 < waited["seconds"] < 2


def test_many_concurrent_clients_are_all_answered(live):
    flow = Flowmock(live.url).default_flows["monitor-results"]
    with ThreadPoolExecutor(48) as pool:
        statuses = list(pool.map(lambda _: timed_post(flow.url)[0], range(480)))
    assert statuses == [202] * 480
    assert len(flow.runs) == 480


def test_stopping_is_prompt_and_frees_the_port_even_with_a_call_in_flight():
    server = LiveServer(create_app({"TESTING": True}, store=MemoryStore())).start()
    handle = Flowmock(server.url)
    flow = handle.default_flows["monitor-results"]
    flow.set_faults(latency_ms=3000)
    in_flight = threading.Thread(target=lambda: requests.post(flow.url, json=PAYLOAD, timeout=30))
    in_flight.start()
    time.sleep(0.2)
    began = time.monotonic()
    server.stop()
    assert time.monotonic() - began < 1
    with socket.socket() as again:
        again.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        again.bind(("127.0.0.1", server.port))
    with pytest.raises(requests.ConnectionError):
        requests.post(flow.url, json=PAYLOAD, timeout=5)
    in_flight.join(timeout=10)


def test_sigterm_lets_a_call_in_flight_finish_and_be_recorded_before_the_store_closes(tmp_path):
    db, ready = tmp_path / "flowmock.db", tmp_path / "ready"
    proc = start_serve(ready, "--port", "0", "--db", str(db), "--quiet")
    try:
        flow = Flowmock(ready.read_text().strip()).default_flows["monitor-results"]
        flow.set_faults(latency_ms=1000)
        with ThreadPoolExecutor(1) as pool:
            in_flight = pool.submit(requests.post, flow.url, json=PAYLOAD, timeout=30)
            time.sleep(0.3)
            proc.send_signal(signal.SIGTERM)
            response = in_flight.result()
        assert proc.wait(timeout=20) == 0
    finally:
        proc.kill()
    assert response.status_code == 202
    store = SQLiteStore(db)
    assert [c.run_id for c in store.calls(flow.id)] == [response.headers["x-ms-workflow-run-id"]]
    store.close()


def test_sigterm_as_soon_as_serve_is_ready_stops_it(tmp_path):
    """The window between writing the ready file and uvicorn installing its own handlers: a SIGTERM there (a
    script's `serve --detach` then `flowmock stop`) must stop the server, not be ignored."""
    ready = tmp_path / "ready"
    for _ in range(3):
        proc = start_serve(ready, "--port", "0", "--quiet")
        try:
            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0
        finally:
            proc.kill()


def stalled_clients(port: int, count: int) -> list[socket.socket]:
    """Connections that have sent the first bytes of a request line and then nothing."""
    conns = [socket.create_connection(("127.0.0.1", port)) for _ in range(count)]
    for conn in conns:
        conn.sendall(b"POST /x HTTP/1.1\r\nHo")
    return conns


def test_stalled_clients_do_not_stop_normal_calls(live):
    flow = Flowmock(live.url).default_flows["monitor-results"]
    stalled = stalled_clients(live.port, 80)
    try:
        time.sleep(0.3)
        statuses = [timed_post(flow.url) for _ in range(3)]
        assert [s for s, _ in statuses] == [202] * 3
        assert max(seconds for _, seconds in statuses) < 1
    finally:
        for conn in stalled:
            conn.close()


def test_many_long_polls_at_once_do_not_stop_normal_calls(live):
    flow = Flowmock(live.url).default_flows["monitor-results"]
    url = f"{live.url}/_flowmock/api/flows/{flow.id}/runs?wait=1000&timeout=20"
    polls: list[socket.socket] = []
    try:
        for _ in range(30):
            conn = socket.create_connection(("127.0.0.1", live.port))
            conn.sendall(f"GET {url.split(str(live.port), 1)[1]} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            polls.append(conn)
        time.sleep(0.5)
        began = time.monotonic()
        health = requests.get(f"{live.url}/_flowmock/api/health", timeout=10)
        status, _ = timed_post(flow.url)
        assert (health.status_code, status) == (200, 202)
        assert time.monotonic() - began < 1
    finally:
        for conn in polls:
            conn.close()


def test_connections_are_kept_alive_between_calls_as_the_real_service_keeps_them(live):
    flow = Flowmock(live.url).default_flows["monitor-results"]
    with requests.Session() as session:
        first = session.post(flow.url, json=PAYLOAD, timeout=10)
        second = session.post(flow.url, json=PAYLOAD, timeout=10)
    assert (first.status_code, second.status_code) == (202, 202)
    assert "close" not in first.headers.get("Connection", "").lower()
    assert len(flow.runs) == 2


def test_two_worker_processes_answer_while_clients_stall(tmp_path):
    ready = tmp_path / "ready"
    proc = start_serve(ready, "--port", "0", "--db", str(tmp_path / "w.db"), "--workers", "2", "--quiet")
    try:
        url = ready.read_text().strip()
        port = int(url.rsplit(":", 1)[1])
        flow = Flowmock(url).default_flows["monitor-results"]
        stalled = stalled_clients(port, 40)
        try:
            time.sleep(0.3)
            statuses = [timed_post(flow.url) for _ in range(4)]
            assert [s for s, _ in statuses] == [202] * 4
            assert max(seconds for _, seconds in statuses) < 1
        finally:
            for conn in stalled:
                conn.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
    finally:
        proc.kill()
    store = SQLiteStore(tmp_path / "w.db")
    assert store.count(flow.id, runs_only=True) == 4
    store.close()
