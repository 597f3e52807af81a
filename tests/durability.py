"""The nothing-lost checks, sized by the caller: `make test` runs them small, `make bench` large.

Each runs `flowmock serve` on a SQLite file in a process of its own, drives it from threads of `requests` sessions
here, and then reads the file back the way a restarted server would. A check returns what it counted rather than
asserting, so the benchmark can report the figures and the tests can assert on them.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from flowmock_receiver.core.sqlite_store import SQLiteStore
from tests.conftest import monitor_payload, start_serve

PAYLOAD = monitor_payload()


@dataclass
class Tally:
    accepted: set[str]  # run ids of the calls answered 202
    recorded: set[str]  # run ids in the database afterwards
    seconds: float

    @property
    def lost(self) -> set[str]:
        return self.accepted - self.recorded

    @property
    def unanswered(self) -> set[str]:
        """Recorded runs whose 202 no sender saw: fine after a kill (the answer died with the process), a bug
        otherwise."""
        return self.recorded - self.accepted

    def summary(self) -> dict[str, Any]:
        return {
            "accepted": len(self.accepted),
            "recorded": len(self.recorded),
            "lost": len(self.lost),
            "recorded_without_202": len(self.unanswered),
            "seconds": round(self.seconds, 2),
        }


def _serve(db: Path) -> tuple[Any, str, dict[str, Any]]:
    ready = db.with_name(db.name + ".ready")
    proc = start_serve(ready, "--port", "0", "--db", str(db), "--quiet")
    base = ready.read_text().strip()
    flows = requests.get(f"{base}/_flowmock/api/flows", timeout=10).json()["flows"]
    return proc, base, next(f for f in flows if f["schema"] == "monitor-results")


def _recorded(db: Path, flow_id: str) -> set[str]:
    store = SQLiteStore(db)
    try:
        return {c.run_id for c in store.calls(flow_id, runs_only=True, limit=10_000_000) if c.run_id}
    finally:
        store.close()


def concurrent_senders(db: Path, senders: int, calls: int) -> Tally:
    """`senders` threads send `calls` calls each, then the server is stopped and its file read back."""
    proc, _base, flow = _serve(db)
    began = time.monotonic()
    try:

        def send(n: int) -> list[str]:
            session = requests.Session()
            ids = []
            for i in range(calls):
                response = session.post(flow["callback_url"], json=dict(PAYLOAD, user_name=f"{n}-{i}"), timeout=60)
                if response.status_code == 202:
                    ids.append(response.headers["x-ms-workflow-run-id"])
            return ids

        with ThreadPoolExecutor(senders) as pool:
            accepted = {run_id for ids in pool.map(send, range(senders)) for run_id in ids}
        seconds = time.monotonic() - began
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    return Tally(accepted, _recorded(db, flow["id"]), seconds)


def kill_mid_load(db: Path, senders: int, accepted_before_kill: int) -> Tally:
    """`senders` threads send until `accepted_before_kill` calls got their 202, then the server gets SIGKILL."""
    proc, _base, flow = _serve(db)
    accepted: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()

    def send() -> None:
        session = requests.Session()
        while not stop.is_set():
            try:
                response = session.post(flow["callback_url"], json=PAYLOAD, timeout=10)
            except requests.RequestException:
                return  # the server is gone
            if response.status_code == 202:
                with lock:
                    accepted.add(response.headers["x-ms-workflow-run-id"])

    threads = [threading.Thread(target=send) for _ in range(senders)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    deadline = began + 120
    while len(accepted) < accepted_before_kill and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    seconds = time.monotonic() - began
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    return Tally(accepted, _recorded(db, flow["id"]), seconds)
