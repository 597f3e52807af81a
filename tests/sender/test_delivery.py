"""End to end: the sender against a live flowmock receiver (the project's own pytest fixture)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from urllib3.util.retry import Retry

from flowmock_sender import (
    RejectedError,
    RetriesExhausted,
    Sender,
    TransportError,
    backup_collection,
    default_retry,
)
from tests.conftest import FIXTURES


def recorded_bytes(run) -> bytes:
    return run.raw_body


def when(text: str) -> datetime:
    return datetime.strptime(text[:26], "%Y-%m-%dT%H:%M:%S.%f")


@pytest.mark.parametrize("name", sorted(p.name for p in (FIXTURES / "collections").glob("*.json")))
def test_sample_collections_arrive_byte_exact_in_the_run_history(flowmock, name):
    flow = flowmock.default_flows["backup-collection"]
    payload = backup_collection(json.loads((FIXTURES / "collections" / name).read_text()))
    delivery = Sender(flow.url).send(payload, schema="backup-collection.strict")
    assert delivery.status == 202 and delivery.attempts == 1
    [run] = flow.wait_for_runs(1)
    assert run.run_id == delivery.run_id
    assert recorded_bytes(run) == json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    assert run.body == payload


def test_server_errors_are_retried_until_the_flow_recovers(flowmock):
    flow = flowmock.create_flow(schema="monitor-results")
    flow.set_faults(fail_next=2, failure_status=503)
    delivery = Sender(flow.url, retry=default_retry(4, backoff_factor=0.01)).send({"user_id": "1"})
    assert delivery.attempts == 3
    assert [t.http_status for t in flow.trigger_history] == [503, 503, 202]


def test_throttling_is_retried_after_the_retry_after_the_receiver_sent(flowmock):
    flow = flowmock.create_flow(schema="monitor-results")
    flow.set_faults(throttle={"limit": 1, "window_seconds": 1, "retry_after": 1})
    sender = Sender(flow.url, retry=default_retry(3, backoff_factor=0.01))
    sender.send({"n": 1})
    delivery = sender.send({"n": 2})
    assert delivery.attempts == 2
    history = flow.trigger_history
    assert [t.http_status for t in history] == [202, 429, 202]
    gap = (when(history[2].time) - when(history[1].time)).total_seconds()
    assert gap >= 0.95  # Retry-After: 1 was honoured, not the 10 ms backoff


def test_retries_exhausted_carries_the_attempts_and_last_status(flowmock):
    flow = flowmock.create_flow()
    flow.set_faults(failure_rate=1.0, failure_status=500)
    with pytest.raises(RetriesExhausted) as info:
        Sender(flow.url, retry=default_retry(2, backoff_factor=0.01)).send({})
    assert info.value.attempts == 3 and info.value.last_status == 500
    signature = parse_qs(urlsplit(flow.url).query)["sig"][0]
    assert "sig=REDACTED" in str(info.value)  # the message names the URL it gave up on ...
    assert signature not in str(info.value)  # ... without the signature that would let anyone call the flow


def test_rejection_is_final_and_carries_power_automates_code_and_message(flowmock):
    flow = flowmock.create_flow(schema="monitor-results", schema_validation=True)
    with pytest.raises(RejectedError) as info:
        Sender(flow.url).send({"user_id": 5})
    assert info.value.status == 400
    assert info.value.code == "TriggerInputSchemaMismatch"
    assert "Expected String but got Integer" in info.value.error_message
    assert len(flow.trigger_history) == 1  # a 400 is not retried


def test_no_answer_is_a_transport_error_and_the_signature_is_redacted():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/workflows/x/triggers/manual/paths/invoke?api-version=1&sig=SECRET"
    with pytest.raises(TransportError) as info:
        Sender(url, retry=default_retry(1, backoff_factor=0.01)).send({})
    redacted = url.replace("sig=SECRET", "sig=REDACTED")
    assert redacted in str(info.value)  # the whole URL, so a person sees where it went, but not its signature
    assert "SECRET" not in str(info.value)
    assert redacted in repr(Sender(url))
    assert "SECRET" not in repr(Sender(url))


def test_a_callers_session_is_used_but_never_changed(flowmock):
    flow = flowmock.create_flow()
    session = requests.Session()
    session.headers["X-From-The-Caller"] = "yes"
    adapters = dict(session.adapters)
    Sender(flow.url, session=session).send({"n": 1})
    assert session.adapters == adapters  # no retrying adapter left mounted on the caller's session
    [run] = flow.wait_for_runs(1)
    assert run.headers["X-From-The-Caller"] == "yes"


def test_a_callers_own_retry_reports_the_attempts_it_really_made(flowmock):
    flow = flowmock.create_flow()
    flow.set_faults(failure_rate=1.0, failure_status=503)
    retry = Retry(total=2, status_forcelist=[503], allowed_methods=None, backoff_factor=0)  # raises on status
    with pytest.raises(RetriesExhausted) as info:
        Sender(flow.url, retry=retry).send({})
    assert (info.value.attempts, info.value.last_status) == (3, 503)
    assert len(flow.trigger_history) == 3


def test_importing_the_sender_adds_no_log_filters():
    code = (
        "import logging\n"
        "names = ('urllib3.connectionpool', 'urllib3.util.retry', 'flowmock.sender')\n"
        "import flowmock_sender\n"
        "assert [f for n in names for f in logging.getLogger(n).filters] == [], 'filters added at import'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
