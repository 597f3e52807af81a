"""The live server serves one connection at a time on one thread, so these check that nothing can hold it up:
a call that waits, a client that stalls, a long poll; and that stopping is prompt."""

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
from flowmock_receiver.serving.server import SilentHandler
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


def test_clients_that_stall_are_cut_off_so_more_of_them_than_threads_cannot_stop_the_server(monkeypatch):
    monkeypatch.setattr(SilentHandler, "timeout", 0.5)
    with LiveServer(create_app({"TESTING": True}, store=MemoryStore())) as live:
        flow = Flowmock(live.url).default_flows["monitor-results"]
        stalled = [socket.create_connection(("127.0.0.1", live.port)) for _ in range(70)]
        try:
            for conn in stalled:
                conn.sendall(b"POST /x HTTP/1.1\r\nHost: x\r\n")
            time.sleep(0.5)  # every serving thread is now waiting on a stalled client
            status, seconds = timed_post(flow.url)
            assert status == 202
            assert seconds < 5
        finally:
            for conn in stalled:
                conn.close()


def test_when_the_system_refuses_a_thread_the_server_tries_again_and_serves(monkeypatch):
    refusals = [2]
    real_thread = threading.Thread

    class Refused(real_thread):
        def start(self) -> None:
            if self.name == "flowmock-http" and refusals[0]:
                refusals[0] -= 1
                raise RuntimeError("can't start new thread")
            super().start()

    monkeypatch.setattr(threading, "Thread", Refused)
    with LiveServer(create_app({"TESTING": True}, store=MemoryStore())) as live:
        flow = Flowmock(live.url).default_flows["monitor-results"]
        assert timed_post(flow.url)[0] == 202
    assert refusals == [0]
