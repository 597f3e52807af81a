"""Re-sending a recorded call: the same method, path, query, headers and body, through the whole pipeline."""

from __future__ import annotations

from flask import current_app
from werkzeug.datastructures import MultiDict

from .app import Receiver
from .records import CallRecord


def replay(call: CallRecord) -> CallRecord | None:
    """Send a recorded call to its flow again, through the whole trigger pipeline (a new history entry)."""
    skip = {"host", "content-length", "transfer-encoding", "connection"}
    headers = [(k, v) for k, v in call.headers if k.lower() not in skip]
    receiver: Receiver = current_app.extensions["flowmock"]
    client = current_app.test_client()
    response = client.open(
        call.path,
        method=call.method,
        query_string=MultiDict(call.query),
        headers=headers,
        data=call.body,
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    history = receiver.store.calls(call.flow_id, limit=1)
    if not history or history[0].http_status != response.status_code:
        return None
    return history[0]
