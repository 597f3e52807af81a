"""What flowmock remembers of a call: one record per call that reached a flow.

A record is a trigger-history entry; when the call was accepted it is also a run (same id, as Power Automate's
trigger history name equals the run name). The raw body is kept as bytes, exactly as received.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any


@dataclass
class CallRecord:
    id: str
    flow_id: str
    time: str
    end_time: str
    status: str  # "Succeeded" or "Failed" (trigger history)
    http_status: int
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: list[tuple[str, str]]
    body: bytes
    contract: dict[str, Any]
    response: dict[str, Any]
    code: str | None = None
    message: str | None = None
    run_id: str | None = None
    client_tracking_id: str | None = None
    outputs: dict[str, Any] | None = None
    duration_ms: float = 0.0
    seq: int = field(default=0, compare=False)

    @property
    def is_run(self) -> bool:
        return self.run_id is not None

    def body_fields(self) -> dict[str, Any]:
        text: str | None
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        return {
            "body": text,
            "body_base64": base64.b64encode(self.body).decode(),
            "body_size": len(self.body),
        }

    def trigger_json(self) -> dict[str, Any]:
        data = self.to_storage()
        request = {
            "method": data.pop("method"),
            "path": data.pop("path"),
            "query": [list(pair) for pair in data.pop("query")],
            "headers": [list(pair) for pair in data.pop("headers")],
            **self.body_fields(),
        }
        del data["outputs"]
        return {**data, "request": request}

    def run_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "flow_id": self.flow_id,
            "status": "Succeeded",
            "start_time": self.time,
            "end_time": self.end_time,
            "client_tracking_id": self.client_tracking_id,
            "outputs": self.outputs,
            "response": self.response,
            "contract": self.contract,
            "request": {"method": self.method, "path": self.path, **self.body_fields()},
        }

    def to_storage(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "flow_id": self.flow_id,
            "time": self.time,
            "end_time": self.end_time,
            "status": self.status,
            "http_status": self.http_status,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "contract": self.contract,
            "response": self.response,
            "code": self.code,
            "message": self.message,
            "run_id": self.run_id,
            "client_tracking_id": self.client_tracking_id,
            "outputs": self.outputs,
            "duration_ms": self.duration_ms,
        }

    @classmethod
    def from_storage(cls, doc: dict[str, Any], body: bytes, seq: int) -> CallRecord:
        doc = dict(doc)
        doc["query"] = [tuple(p) for p in doc["query"]]
        doc["headers"] = [tuple(p) for p in doc["headers"]]
        return cls(body=body, seq=seq, **doc)
