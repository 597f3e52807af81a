"""What flowmock remembers of a call: one record per call that reached a flow.

A record is a trigger-history entry; when the call was accepted it is also a run (same id, as Power Automate's
trigger history name equals the run name). The raw body is kept as bytes, exactly as received.

A run's `outputs.body` is what the trigger made of those bytes, so stores keep the bytes only and make it again
when a record is read: a backup of a 226 KB collection was otherwise stored twice and JSON-encoded again on every
call.

Reads of history must stay small whatever was sent (a few 50 MB bodies made one poll of the history page hundreds
of MB of JSON), so a store can hand back a record with only the first `PREVIEW_BYTES` of a large body:
`body_size` keeps the real size, `body_truncated` says so, and the whole body is read separately, streamed.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from .content import ContentError, trigger_body

PREVIEW_BYTES = 1024  # what a list shows of a body over its limit
LIST_BODY_LIMIT = 16 * 1024  # bodies up to this size come whole in history lists
DETAIL_BODY_LIMIT = 1024 * 1024  # ... and up to this size in one call's detail; larger ones through the body URL


def epoch(timestamp: str) -> float:
    """Seconds since 1970 of a record's timestamp (`2026-01-01T00:00:00.0000000Z`: .NET's seven digits)."""
    # The form `ids.timestamp` writes, as every store does on every call: its whole second is parsed once, and the
    # result is the one datetime.timestamp() gives (whole microseconds over 10**6), bit for bit.
    if len(timestamp) == 28 and timestamp[19] == "." and timestamp[20:26].isascii() and timestamp[20:26].isdigit():
        return (_whole_second(timestamp[:19]) * 1_000_000 + int(timestamp[20:26])) / 1_000_000
    text = timestamp.rstrip("Z")
    return datetime.fromisoformat(text[:26]).replace(tzinfo=UTC).timestamp()


@functools.lru_cache(maxsize=64)
def _whole_second(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def text_preview(raw: bytes) -> str | None:
    """`raw` as text when it is UTF-8, allowing a character cut at the end of a preview; None for binary."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start >= len(raw) - 3 and exc.reason == "unexpected end of data":
            return raw[: exc.start].decode("utf-8")
        return None


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
    # the size of the body as sent; more than len(body) when only a prefix was kept or read back
    body_size: int = field(default=-1, compare=False)

    def __post_init__(self) -> None:
        if self.body_size < 0:
            self.body_size = len(self.body)

    @property
    def body_truncated(self) -> bool:
        return len(self.body) < self.body_size

    @property
    def contract_valid(self) -> bool | None:
        """The verdict: True, False, or None when the body was never checked (too large, or refused unread)."""
        valid = self.contract.get("valid", True)
        return None if valid is None else bool(valid)

    @property
    def is_run(self) -> bool:
        return self.run_id is not None

    def body_fields(self) -> dict[str, Any]:
        """The body as JSON carries it; a truncated one is its preview, with `body_truncated` set."""
        truncated = self.body_truncated
        if truncated:
            text = text_preview(self.body)
        else:
            try:
                text = self.body.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        return {
            "body": text,
            "body_base64": base64.b64encode(self.body).decode(),
            "body_size": self.body_size,
            "body_truncated": truncated,
        }

    def trigger_json(self) -> dict[str, Any]:
        data = {"seq": self.seq, **self._fields()}
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
            "seq": self.seq,
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
        if self.body_size != len(self.body):  # only a prefix was kept (a refused call's)
            doc["body_size"] = self.body_size
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
    def from_storage(
        cls, doc: dict[str, Any], body: bytes, seq: int, body_size: int = -1, *, derive: bool = True
    ) -> CallRecord:
        """A record from a store's document; `body` may be a prefix of a body of `body_size` bytes, and then a
        derived `outputs.body` cannot be made again: it is None (read the body separately). Without `derive`,
        it is None too: a trigger-history list never shows outputs, and parsing every body was half its cost."""
        doc = dict(doc)
        doc.setdefault("body_size", body_size)
        truncated = len(body) < doc["body_size"]
        doc["query"] = [tuple(p) for p in doc["query"]]
        doc["headers"] = [tuple(p) for p in doc["headers"]]
        if doc.pop("outputs_body", None) == "derived" and doc["outputs"] is not None:
            content_type = next((v for k, v in doc["headers"] if k.lower() == "content-type"), None)
            try:
                derived = None if truncated or not derive else trigger_body(body, content_type)
            except ContentError:  # cannot happen for bytes the trigger accepted, unless parsing rules changed
                derived = None
            outputs = doc["outputs"]
            doc["outputs"] = {"headers": outputs.get("headers", {}), "body": derived, **outputs}
            doc["body_derived"] = True
        return cls(body=body, seq=seq, **doc)
