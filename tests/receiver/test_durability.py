"""Nothing accepted is lost: under concurrent senders, and when the server is killed mid-load."""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from flowmock_receiver import LiveServer, create_app
from flowmock_receiver.sqlite_store import SQLiteStore
from tests.conftest import monitor_payload, start_serve

PAYLOAD = monitor_payload()


def test_32_concurrent_senders_every_202_has_its_run_and_every_run_its_202(tmp_path):
    store = SQLiteStore(tmp_path / "flowmock.db")
    app = create_app(store=store)
    flow = next(f for f in store.list_flows() if f.schema == "monitor-results")
    with LiveServer(app) as server:
        url = flow.callback_url(server.url)

        def sender(n: int) -> list[str]:
            session = requests.Session()
            return [
                session.post(url, json=dict(PAYLOAD, user_name=f"{n}-{i}"), timeout=30).headers["x-ms-workflow-run-id"]
                for i in range(10)
            ]

        with ThreadPoolExecutor(32) as pool:
            accepted = [run_id for ids in pool.map(sender, range(32)) for run_id in ids]
    recorded = {c.run_id for c in store.calls(flow.id, runs_only=True, limit=10_000)}
    assert len(accepted) == 320
    assert set(accepted) == recorded
    store.close()


def test_kill_9_mid_load_loses_no_call_that_got_a_202(tmp_path):
    db, ready = tmp_path / "flowmock.db", tmp_path / "ready"
    proc = start_serve(ready, "--port", "0", "--db", str(db), "--quiet")
    deadline = time.monotonic() + 20
    base = ready.read_text().strip()
    flow = next(
        f
        for f in requests.get(f"{base}/_flowmock/api/flows", timeout=5).json()["flows"]
        if f["schema"] == "monitor-results"
    )
    accepted: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def sender() -> None:
        session = requests.Session()
        while not stop.is_set():
            try:
                response = session.post(flow["callback_url"], json=PAYLOAD, timeout=5)
            except requests.RequestException:
                return  # the server is gone
            if response.status_code == 202:
                with lock:
                    accepted.append(response.headers["x-ms-workflow-run-id"])

    threads = [threading.Thread(target=sender) for _ in range(8)]
    for thread in threads:
        thread.start()
    while len(accepted) < 200 and time.monotonic() < deadline + 30:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    assert len(accepted) >= 200

    store = SQLiteStore(db)  # what a restarted server reads
    recorded = {c.run_id for c in store.calls(flow["id"], runs_only=True, limit=100_000)}
    store.close()
    missing = set(accepted) - recorded
    assert not missing, f"{len(missing)} of {len(accepted)} accepted calls lost"


def test_workers_share_one_store_history_wait_and_key_regeneration(tmp_path):
    db, ready = tmp_path / "flowmock.db", tmp_path / "ready"
    proc = start_serve(ready, "--workers", "2", "--port", "0", "--db", str(db), "--quiet")
    try:
        base = ready.read_text().strip()
        flow = next(
            f
            for f in requests.get(f"{base}/_flowmock/api/flows", timeout=5).json()["flows"]
            if f["schema"] == "monitor-results"
        )
        waiter: dict = {}
        thread = threading.Thread(
            target=lambda: waiter.update(
                requests.get(f"{base}/_flowmock/api/flows/{flow['id']}/runs?wait=20&timeout=20", timeout=30).json()
            )
        )
        thread.start()
        codes = [
            requests.post(flow["callback_url"], json=PAYLOAD, headers={"Connection": "close"}, timeout=5).status_code
            for _ in range(20)
        ]
        thread.join()
        assert codes == [202] * 20
        assert waiter["wait"] == {"wanted": 20, "have": 20, "timed_out": False}
        rotated = requests.post(
            f"{base}/_flowmock/api/flows/{flow['id']}/regenerate-key", json={"key_type": "primary"}, timeout=5
        ).json()
        old = [
            requests.post(flow["callback_url"], json=PAYLOAD, headers={"Connection": "close"}, timeout=5).status_code
            for _ in range(10)
        ]
        new = [
            requests.post(rotated["callback_url"], json=PAYLOAD, headers={"Connection": "close"}, timeout=5).status_code
            for _ in range(10)
        ]
        assert old == [401] * 10 and new == [202] * 10
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
