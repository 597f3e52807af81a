"""What flowmock remembers of a call: one record per call that reached a flow.

A record is a trigger-history entry; when the call was accepted it is also a run (same id, as Power Automate's
trigger history name equals the run name). The raw body is kept as bytes, exactly as received.

A run's `outputs.body` is what the trigger made of those bytes, so stores keep the bytes only and make it again
when a record is read: a backup of a 226 KB collection was otherwise stored twice and JSON-encoded again on every
call.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from .content import ContentError, trigger_body


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
    # outputs["body"] is trigger_body(body, Content-Type): set by the trigger, so stores need not keep it twice
    body_derived: bool = field(default=False, compare=False, repr=False)
    # An imported flow's run as the engine records it (`RunRecord.to_json()`: status, actions, response_action,
    # error, ...). Stores keep it apart from the call's document because it changes while the run goes on.
    run: dict[str, Any] | None = field(default=None, compare=False)

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
        data = self._fields()
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
        """The run as the admin API shows it. A flow without actions has run once its trigger fired (Succeeded, no
        actions); an imported flow's run carries the workflow's status, actions and Response action."""
        run = self.run or {}
        return {
            "run_id": self.run_id,
            "flow_id": self.flow_id,
            "status": run.get("status", "Succeeded"),
            "start_time": self.time,
            "end_time": run.get("end_time") if self.run is not None else self.end_time,
            "client_tracking_id": self.client_tracking_id,
            "outputs": self.outputs,
            "response": self.response,
            "contract": self.contract,
            "request": {"method": self.method, "path": self.path, **self.body_fields()},
            "actions": run.get("actions", []),
            "response_action": run.get("response_action"),
            "error": run.get("error"),
        }

    def to_storage(self) -> dict[str, Any]:
        """The document a store keeps next to the raw body."""
        doc = self._fields()
        if self.body_derived and self.outputs is not None:
            doc["outputs"] = {k: v for k, v in self.outputs.items() if k != "body"}
            doc["outputs_body"] = "derived"
        return doc

    def _fields(self) -> dict[str, Any]:
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
        if doc.pop("outputs_body", None) == "derived" and doc["outputs"] is not None:
            content_type = next((v for k, v in doc["headers"] if k.lower() == "content-type"), None)
            try:
                derived = trigger_body(body, content_type)
            except ContentError:  # cannot happen for bytes the trigger accepted, unless parsing rules changed
                derived = None
            outputs = doc["outputs"]
            doc["outputs"] = {"headers": outputs.get("headers", {}), "body": derived, **outputs}
            doc["body_derived"] = True
        return cls(body=body, seq=seq, **doc)
