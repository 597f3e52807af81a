"""What `flowmock serve` prints: a banner that says what each flow checks, and a log that reads as plain text in a
file (colour only on a terminal)."""

from __future__ import annotations

import signal
import subprocess

import requests

from tests.conftest import monitor_payload, start_serve


def test_the_banner_and_the_access_log_in_a_file_carry_no_colour_codes_and_say_what_is_checked(tmp_path):
    ready, log = tmp_path / "ready", tmp_path / "serve.log"
    with log.open("w") as output:
        server = start_serve(ready, "--port", "0", "--memory", stdout=output, stderr=subprocess.STDOUT)
        try:
            base = ready.read_text().strip()
            flows = requests.get(f"{base}/_flowmock/api/flows", timeout=5).json()["flows"]
            monitor = next(f for f in flows if f["schema"] == "monitor-results")
            assert requests.post(monitor["callback_url"], json=monitor_payload(), timeout=5).status_code == 202
            assert requests.post(monitor["callback_url"][:-3], json={}, timeout=5).status_code == 401
        finally:
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=15) == 0
    text = log.read_text()
    assert "\x1b[" not in text
    assert '"POST /workflows/' in text and '" 202 -' in text and '" 401 -' in text  # the access log is there
    assert "sig=REDACTED" in text
    assert "  Post monitoring results [monitor-results, validated: non-conforming calls get 400]" in text
    assert (
        "    requires a JSON object, no field required; strict verdict (monitor-results.strict): a JSON object with "
        "collection_name, collection_uid, environment_name, environment_uid and 5 more required, at every level"
    ) in text
