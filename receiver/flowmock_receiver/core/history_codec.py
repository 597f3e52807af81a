"""How the SQLite store writes a call record compactly: what every call shares is kept once.

A monitor-results call took about 4.2 KB in SQLite for a 510-byte body, because each row repeated the ~20
response headers (the same for every call but for three ids), the request headers again as the run's outputs, the
query string and path of the callback URL, and the verdict `{"valid": true, "errors": []}`. Here a row keeps only
what differs: the response headers become a shared template plus the call's tracking id (run and client tracking
ids are known from the row), outputs derived from the request are a marker, and parts that repeat (path, query,
template, a small verdict or error body) are interned in the `shared` table and named by number. Unknown keys
(a later version's run actions) pass through untouched.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from .jsontext import storage_json
from .query import SAS_PARAMS
from .records import CallRecord

_encode = json.JSONEncoder(separators=(",", ":")).encode  # ASCII: a lone surrogate cannot be UTF-8
SHARED_MAX_TEXT = 2048  # longer parts are kept in the row: they rarely repeat

Intern = Callable[[str], int | None]  # a part's JSON text -> its shared number, or None to keep it inline
Lookup = Callable[[int], Any]  # a shared number -> the part's value (parsed once; treat as read-only)
_VALID = {"valid": True, "errors": []}
_VALID_TEXT = _encode(_VALID)


@functools.lru_cache(maxsize=512)
def _encoded(value: Any) -> str:
    """JSON of a hashable form of a shared part: the same sender sends the same parts over and over."""
    return _encode(value)


def _shared_text(key: str, value: Any) -> str:
    if key == "query":
        return _encoded(tuple(tuple(pair) for pair in value))
    if key == "path" and isinstance(value, str):
        return _encoded(value)
    if key == "contract":
        return _contract_text(value)
    if key == "response" and list(value) == ["status", "headers", "body"]:
        return _encoded_response(value["status"], tuple(value["headers"].items()), value["body"])
    return _encode(value)


def _contract_text(contract: Any) -> str:
    """The verdict's JSON; the two a conforming call gets (alone, or with its strict variant's beside it) from a
    cache, as nearly every call has one of them."""
    if contract == _VALID:
        return _VALID_TEXT
    strict = contract.get("strict") if isinstance(contract, dict) else None
    schema = strict.get("schema") if isinstance(strict, dict) else None
    if isinstance(schema, str):
        conforming, text = _valid_with_strict(schema)
        if contract == conforming:
            return text
    return _encode(contract)


@functools.lru_cache(maxsize=64)
def _valid_with_strict(schema: str) -> tuple[dict[str, Any], str]:
    """The verdict of a body that conforms to its schema and to that schema's strict variant, and its JSON."""
    value = {**_VALID, "strict": {"schema": schema, **_VALID}}
    return value, _encode(value)


@functools.lru_cache(maxsize=512)
def _encoded_response(status: Any, headers: tuple[tuple[str, str], ...], body: Any) -> str:
    return _encode({"status": status, "headers": dict(headers), "body": body})


def _output_headers(headers: list[tuple[str, str]], hide_authorization: bool) -> dict[str, str]:
    return {k: v for k, v in headers if not (hide_authorization and k.lower() == "authorization")}


def _output_queries(query: list[tuple[str, str]]) -> dict[str, str]:
    first: dict[str, str] = {}
    for key, value in query:
        first.setdefault(key, value)
    return {k: v for k, v in first.items() if k not in SAS_PARAMS}


def _template(headers: dict[str, str], run_id: str | None, client_id: str | None) -> tuple[dict[str, str], str | None]:
    """Response headers with the call's own ids replaced by markers (NUL never appears in a header value)."""
    tracking = headers.get("x-ms-tracking-id")
    marks = {} if client_id is None else {client_id: "\x00c"}
    if run_id is not None:
        marks[run_id] = "\x00r"  # the run id wins where the client's tracking id is the run id
    out = {}
    for key, value in headers.items():
        mark = marks.get(value)
        if mark is not None:
            value = mark
        elif tracking and tracking in value:
            value = value.replace(tracking, "\x00t")
        out[key] = value
    return out, tracking


def _fill(template: dict[str, str], run_id: str | None, client_id: str | None, tracking: str | None) -> dict[str, str]:
    out = {}
    for key, value in template.items():
        if value == "\x00r":
            value = run_id or ""
        elif value == "\x00c":
            value = client_id or ""
        elif tracking is not None and "\x00t" in value:
            value = value.replace("\x00t", tracking)
        out[key] = value
    return out


def pack(call: CallRecord, intern: Intern) -> str:
    """The row's document for `call` (its id, flow, status and run flag are columns of their own)."""
    doc = call.to_storage()
    del doc["id"], doc["flow_id"]
    if doc["status"] in ("Succeeded", "Failed"):
        del doc["status"]
    if doc["run_id"] in (None, call.id):
        del doc["run_id"]

    def shared(key: str, value: Any) -> None:
        text = _shared_text(key, value)
        number = intern(text) if len(text) <= SHARED_MAX_TEXT else None
        if number is not None:
            del doc[key]
            doc["$" + key] = number

    outputs = doc.get("outputs")
    if isinstance(outputs, dict):
        outputs = dict(outputs)
        if outputs.get("headers") == _output_headers(call.headers, True):
            outputs["headers"] = 1
        elif outputs.get("headers") == _output_headers(call.headers, False):
            outputs["headers"] = 2
        if outputs.get("queries") == _output_queries(call.query):
            outputs["queries"] = 1
        doc["outputs"] = outputs
    response = doc["response"]
    if isinstance(response, dict) and isinstance(response.get("headers"), dict):
        template, tracking = _template(response["headers"], call.run_id, call.client_tracking_id)
        doc["response"] = {**response, "headers": template}
        if tracking is not None:
            doc["tracking"] = tracking
        shared("response", doc["response"])
    shared("path", doc["path"])
    shared("query", doc["query"])
    shared("contract", doc["contract"])
    return storage_json(_encode, doc)


def unpack(text: str, lookup: Lookup, call_id: str, flow_id: str, ok: int, run: bool) -> dict[str, Any]:
    """The record document (`CallRecord.to_storage`'s shape) back from a row."""
    doc: dict[str, Any] = json.loads(text)
    for key in [k for k in doc if k.startswith("$")]:
        value = lookup(doc.pop(key))
        doc[key[1:]] = dict(value) if isinstance(value, dict) else value
    doc["id"] = call_id
    doc["flow_id"] = flow_id
    doc.setdefault("status", "Succeeded" if ok == 1 else "Failed")  # any other status is kept in the row
    doc.setdefault("run_id", call_id if run else None)
    response = doc["response"]
    if isinstance(response, dict) and isinstance(response.get("headers"), dict):
        tracking = doc.pop("tracking", None)
        response["headers"] = _fill(response["headers"], doc["run_id"], doc.get("client_tracking_id"), tracking)
    outputs = doc.get("outputs")
    if isinstance(outputs, dict):
        pairs = [(str(k), str(v)) for k, v in doc["headers"]]
        if outputs.get("headers") in (1, 2):
            outputs["headers"] = _output_headers(pairs, outputs["headers"] == 1)
        if outputs.get("queries") == 1:
            outputs["queries"] = _output_queries([(str(k), str(v)) for k, v in doc["query"]])
    return doc
