"""A full disk for real (issue 13): `flowmock serve` with its SQLite store on a tiny tmpfs. Calls that cannot be
recorded get 503 (never 202, never 500), history can be cleared and calls work again, and a server started on a
disk with no room at all starts read-only and says why. Needs permission to mount a tmpfs (root, as in CI);
elsewhere it is skipped, saying so."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from flowmock_receiver.core.disk_space import KEEP_FREE
from flowmock_receiver.testing import Flowmock
from tests.conftest import start_serve

TMPFS_BYTES = KEEP_FREE + 8 * 1024 * 1024


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES}", "tmpfs", str(mount)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.strip() or done.returncode}")
    try:
        yield mount
    finally:
        if subprocess.run(["umount", str(mount)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(mount)], check=True)  # still busy: detach it now, freed when closed


def fill(path: Path) -> None:
    """Take every byte left on the filesystem holding `path`."""
    with path.open("wb", buffering=0) as filler:
        try:
            while True:
                filler.write(b"\0" * 4096)
        except OSError:
            pass


def api(handle: Flowmock, path: str) -> Any:
    answer = requests.get(f"{handle.url}/_flowmock/api{path}", timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    return err


def test_a_real_full_disk_answers_503_lets_history_be_cleared_and_a_restart_on_it_is_read_only(tiny_disk, tmp_path):
    db, ready = tiny_disk / "history.db", tmp_path / "ready"
    proc = start_serve(ready, "--port", "0", "--db", str(db), stderr=subprocess.PIPE, text=True)
    try:
        handle = Flowmock(ready.read_text().strip())
        flow = handle.default_flows["monitor-results"]
        statuses = []
        for n in range(200):
            answer = requests.post(flow.url, json={"monitor_name": "x" * 200_000, "n": n}, timeout=30)
            statuses.append(answer.status_code)
            if answer.status_code != 202:
                break
        assert 202 in statuses and statuses[-1] == 503, statuses
        assert answer.json()["error"]["code"] == "FlowmockHistoryUnavailable" and "full" in answer.text
        recorded = api(handle, f"/flows/{flow.id}/runs?limit=1")["total"]
        assert recorded == statuses.count(202)  # the 503 ran nothing and recorded nothing
        cleared = requests.delete(f"{handle.url}/_flowmock/api/runs", timeout=30)
        assert cleared.status_code == 204, cleared.text
        assert requests.post(flow.url, json={"monitor_name": "after"}, timeout=30).status_code == 202
        assert api(handle, f"/flows/{flow.id}/runs")["total"] == 1
        stop(proc)

        fill(tiny_disk / "filler")
        proc = start_serve(ready, "--port", "0", "--db", str(db), stderr=subprocess.PIPE, text=True)
        handle = Flowmock(ready.read_text().strip())
        health = api(handle, "/health")
        assert health["status"] == "read-only" and "full" in health["read_only"]
        runs = api(handle, f"/flows/{flow.id}/runs")["runs"]
        assert [r["outputs"]["body"]["monitor_name"] for r in runs] == ["after"]  # history still readable
        restarted = handle.default_flows["monitor-results"]
        answer = requests.post(restarted.url, json={"monitor_name": "no room"}, timeout=30)
        assert answer.status_code == 503 and answer.json()["error"]["code"] == "FlowmockHistoryUnavailable"
        err = stop(proc)
        assert f"flowmock: the disk holding {db} is full" in err and "read-only" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
