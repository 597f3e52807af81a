"""Nothing accepted is lost: under concurrent senders, and when the server is killed mid-load."""

from __future__ import annotations

import signal
import threading

import requests

from tests.conftest import monitor_payload, start_serve
from tests.durability import concurrent_senders, kill_mid_load

PAYLOAD = monitor_payload()


def test_32_concurrent_senders_every_202_has_its_run_and_every_run_its_202(tmp_path):
    tally = concurrent_senders(tmp_path / "flowmock.db", senders=32, calls=10)
    assert len(tally.accepted) == 320
    assert tally.recorded == tally.accepted


def test_kill_9_mid_load_loses_no_call_that_got_a_202(tmp_path):
    tally = kill_mid_load(tmp_path / "flowmock.db", senders=8, accepted_before_kill=200)
    assert len(tally.accepted) >= 200
    assert not tally.lost, f"{len(tally.lost)} of {len(tally.accepted)} accepted calls lost"


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
