"""Large bodies at once (issue 13): they wait on disk for their turn to be read into memory, every one is answered
and recorded, small calls are not held behind them, and the server's memory comes back once they are done."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from flowmock_receiver import LiveServer, create_app
from flowmock_receiver.core.memory import LARGE_BODIES_AT_ONCE, LARGE_BODY
from flowmock_receiver.core.records import CallRecord
from flowmock_receiver.core.store import MemoryStore
from flowmock_receiver.testing import Flowmock
from tests.conftest import start_serve

MB = 1024 * 1024


def large_body(size: int) -> bytes:
    return json.dumps({"monitor_name": "x" * size}).encode()


class WatchedStore(MemoryStore):
    """Counts the large-body calls inside `record` at once; each stays there a while, and the first waits until a
    small call has been recorded too (never, if small calls had to wait for the large ones' slot)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = self.most_inside = 0
        self.lock = threading.Lock()
        self.first_large = threading.Event()
        self.small_recorded = threading.Event()

    def record(self, call: CallRecord) -> None:
        if len(call.body) <= LARGE_BODY:
            super().record(call)
            self.small_recorded.set()
            return
        with self.lock:
            self.inside += 1
            self.most_inside = max(self.most_inside, self.inside)
        try:
            if not self.first_large.is_set():
                self.first_large.set()
                self.small_recorded.wait(timeout=20)
            time.sleep(0.1)
            super().record(call)
        finally:
            with self.lock:
                self.inside -= 1


def test_large_bodies_are_in_memory_one_slot_at_a_time_and_all_are_answered_while_small_calls_go_on():
    store = WatchedStore()
    with LiveServer(create_app({"TESTING": True}, store=store)) as live:
        flow = Flowmock(live.url).default_flows["monitor-results"]
        body = large_body(2 * MB)
        post = lambda: requests.post(flow.url, data=body, headers={"Content-Type": "application/json"}, timeout=60)  # noqa: E731
        with ThreadPoolExecutor(4) as pool:
            large = [pool.submit(post) for _ in range(4)]
            assert store.first_large.wait(timeout=30)
            small = requests.post(flow.url, json={"monitor_name": "small"}, timeout=30)
            statuses = [f.result().status_code for f in large]
        assert small.status_code == 202 and store.small_recorded.is_set()
        assert statuses == [202] * 4
        assert store.most_inside == LARGE_BODIES_AT_ONCE
        assert sum(len(c.body) > LARGE_BODY for c in store.calls()) == 4


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the server's RSS from /proc")
def test_server_memory_comes_back_after_concurrent_large_calls_and_their_peak_is_bounded(tmp_path):
    proc = start_serve(tmp_path / "ready", "--port", "0", "--db", str(tmp_path / "h.db"), "--quiet")
    try:
        flow = Flowmock((tmp_path / "ready").read_text().strip()).default_flows["monitor-results"]
        assert requests.post(flow.url, json={"monitor_name": "warm"}, timeout=30).status_code == 202
        idle = _rss_mb(proc.pid)
        peak, stop = [idle], threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], _rss_mb(proc.pid))
                time.sleep(0.01)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        body = large_body(20 * MB)
        post = lambda _: requests.post(flow.url, data=body, headers={"Content-Type": "application/json"}, timeout=120)  # noqa: E731
        with ThreadPoolExecutor(4) as pool:
            assert [r.status_code for r in pool.map(post, range(4))] == [202] * 4
        stop.set()
        sampler.join()
        # A body costs about three times its size while its call runs (bytes, text, parsed string): one such
        # call at a time, not four.
        assert peak[0] - idle < 5 * 20
        deadline = time.monotonic() + 10
        while _rss_mb(proc.pid) - idle > 15 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _rss_mb(proc.pid) - idle <= 15, "the calls' bodies or their copies were kept after the calls ended"
    finally:
        proc.terminate()
        proc.wait(timeout=30)
