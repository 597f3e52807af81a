"""What `flowmock serve` prints: a banner that says what each flow checks, and a log that reads as plain text in a
file (colour only where it goes to a terminal)."""

from __future__ import annotations

import os
import pty
import select
import signal
import socket
import subprocess
import time

import requests

from tests.conftest import monitor_payload, start_serve


def call_monitor_flow(base: str) -> None:
    flows = requests.get(f"{base}/_flowmock/api/flows", timeout=5).json()["flows"]
    monitor = next(f for f in flows if f["schema"] == "monitor-results")
    assert requests.post(monitor["callback_url"], json=monitor_payload(), timeout=5).status_code == 202
    assert requests.post(monitor["callback_url"][:-3], json={}, timeout=5).status_code == 401


def test_the_banner_and_the_access_log_in_a_file_carry_no_colour_codes_and_say_what_is_checked(tmp_path):
    ready, log = tmp_path / "ready", tmp_path / "serve.log"
    with log.open("w") as output:
        server = start_serve(ready, "--port", "0", "--memory", stdout=output, stderr=subprocess.STDOUT)
        try:
            call_monitor_flow(ready.read_text().strip())
        finally:
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=15) == 0
    text = log.read_text()
    assert "\x1b[" not in text
    assert '"POST /workflows/' in text and '" 202 Accepted' in text and '" 401 Unauthorized' in text
    assert "sig=REDACTED" in text
    assert "  Post monitoring results [monitor-results, validated: non-conforming calls get 400]" in text
    assert (
        "    requires a JSON object, no field required; strict verdict (monitor-results.strict): a JSON object with "
        "collection_name, collection_uid, environment_name, environment_uid and 5 more required, at every level"
    ) in text


def read_until(fd: int, wanted: bytes, timeout: float = 15.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while wanted not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def test_colour_stays_on_a_terminal_and_stays_out_of_a_file_beside_it(tmp_path):
    ready, errors = tmp_path / "ready", tmp_path / "errors.log"
    controller, terminal = pty.openpty()
    with errors.open("w") as error_file:
        server = start_serve(ready, "--port", "0", "--memory", stdout=terminal, stderr=error_file)
    os.close(terminal)
    try:
        call_monitor_flow(ready.read_text().strip())
        access = read_until(controller, b"401")
        port = int(ready.read_text().strip().rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as garbage:  # uvicorn warns on standard error
            garbage.sendall(b"\x00\x01 not http\r\n\r\n")
            garbage.recv(1024)
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=15) == 0
        os.close(controller)
    assert b"\x1b[" in access and b"202 Accepted" in access  # the access log on the terminal keeps its colours
    warnings = errors.read_text()
    assert "Invalid HTTP request received" in warnings
    assert "\x1b[" not in warnings  # standard error went to a file: plain text, whatever standard output is
