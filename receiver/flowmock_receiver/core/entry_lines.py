"""Trigger-history entries as the lines of `runs export --format jsonl`, built on the server from stored parts.

An export of a million calls must run at 20,000 calls/s or more (issue 18). Made the general way (a row decoded into
a record, the record into the admin API's entry, the entry encoded, sent, decoded by the CLI and encoded again with
sorted keys) a call cost 150-200 µs. So the server writes the line itself, and from a stored row it splices text:
what calls share (contract verdict, path, query, the response with its headers) is encoded once per export and
reused, the response template's per-call ids are filled into its encoded text, and only what differs per call
(times, ids, request headers, the body) is encoded per call. A row holding anything this does not know (a later
version's keys) takes the general way, which is also what the in-memory store uses; a test holds both to the
admin API's entries, encoded as `runs export` always wrote them (`json.dumps(entry, ensure_ascii=False,
sort_keys=True)`, credential headers redacted unless revealed, an imported flow's run joined under `run`).
"""

from __future__ import annotations

import base64
import functools
import json
import math
import re
from collections.abc import Callable, Collection
from json.encoder import encode_basestring
from typing import Any, NamedTuple

from .action_tree import has_actions
from .jsontext import dumps as _plain_dumps
from .records import CallRecord, text_preview
from .redaction import REDACTED, is_credential, redact_entry

RUN_KEYS = ("status", "start_time", "end_time", "error", "response_action", "actions")
"""What a run of an imported flow adds to its entry under `run` (design.md "Runs with actions")."""

ENCODED_AT_HAND = 4096  # shared parts an export keeps encoded
_SLOTS = {"r": "\x01r\x01", "c": "\x01c\x01", "t": "\x01t\x01"}  # control characters: never in a header value
_SLOT_TEXT = re.compile(r"\\u0001([rct])\\u0001")  # a slot as JSON writes it
_DOC_KEYS = frozenset(
    {
        "time",
        "end_time",
        "http_status",
        "method",
        "headers",
        "code",
        "message",
        "client_tracking_id",
        "outputs",
        "outputs_body",
        "duration_ms",
        "tracking",
        "status",
        "run_id",
        "body_size",
        "response",
        "path",
        "query",
        "contract",
        "$response",
        "$path",
        "$query",
        "$contract",
    }
)


def encode(value: Any) -> str:
    """JSON text as `runs export` writes it. A number JSON cannot hold exactly (a 5,000-digit integer) is written
    as the string of its literal rather than failing the export."""
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except ValueError:
        return _plain_dumps(value, ensure_ascii=False, sort_keys=True)


def _scalar(value: Any) -> str:
    """`encode` for the values a row holds most, without its general machinery."""
    kind = type(value)
    if kind is str:
        return encode_basestring(value)
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    return encode(value)


@functools.lru_cache(maxsize=4096)
def _credential(name: str) -> bool:
    return is_credential(name)


class StoredRow(NamedTuple):
    """A call as the SQLite store keeps it: `doc` is `history_codec.pack`'s text (shared parts named by number),
    `body` the body as a history list shows it (whole up to 16 KB, else its preview), `size` the stored body's
    size, `accepted` whether the trigger's status was Succeeded, `run_doc` an imported flow's run as JSON."""

    seq: int
    id: str
    flow_id: str
    accepted: bool
    is_run: bool
    size: int
    doc: str
    body: bytes
    run_doc: str | None


class _Response(NamedTuple):
    """A response's encoded text cut where the call's own ids go (`r` run id, `c` client tracking id, `t` the
    tracking id inside a header value)."""

    parts: tuple[str, ...]
    slots: tuple[str, ...]


class EntryShape:
    """How one export shows its entries, with what it has encoded so far (an export's shared parts are few).

    `reveal`: credential headers shown as sent; `body_url`: where a truncated body is read whole (the call's id
    and `/body` follow); `imported`: the flows whose runs carry actions (only their entries get `run`)."""

    def __init__(self, *, reveal: bool, body_url: str, imported: Collection[str]) -> None:
        self.reveal = reveal
        self.body_url = body_url
        self.imported = frozenset(imported)
        self._shared: dict[tuple[str, int], Any] = {}
        self._pairs: dict[tuple[Any, ...], str] = {}

    # the general way ---------------------------------------------------------------------------------------
    def record_line(self, call: CallRecord) -> str:
        """The line of a record as a history list reads it (bodies over 16 KB as previews)."""
        data = call.trigger_json()
        if call.body_truncated:
            data["request"]["body_url"] = f"{self.body_url}{call.id}/body"
        if not self.reveal:
            data = redact_entry(data)
        if call.flow_id in self.imported and call.run_id is not None and call.status == "Succeeded":
            run = call.run_json()
            if has_actions(run):
                data["run"] = {key: run.get(key) for key in RUN_KEYS}
        return encode(data) + "\n"

    # from a stored row -------------------------------------------------------------------------------------
    def row_line(self, row: StoredRow, shared: Callable[[int], Any]) -> str | None:
        """The line of a stored row, spliced from encoded parts; None when the row holds something only the
        general way knows (`record_line`), or that is not as this version writes it (a missing key, a value of
        another type): the general way then decides. `shared` gives a shared part's value by its number."""
        try:
            return self._spliced(row, shared)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def _spliced(self, row: StoredRow, shared: Callable[[int], Any]) -> str | None:
        doc = json.loads(row.doc)
        if not isinstance(doc, dict) or not _DOC_KEYS.issuperset(doc):
            return None
        response = self._part("response", doc, shared)
        if response is None:
            return None
        body, size = row.body, doc.get("body_size", row.size)
        truncated = len(body) < size
        if truncated:
            text = text_preview(body)
        else:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        status = doc.get("status", "Succeeded" if row.accepted else "Failed")
        run_id = doc.get("run_id", row.id if row.is_run else None)
        client_id, tracking = doc["client_tracking_id"], doc.get("tracking")
        fills = {"r": run_id or "", "c": client_id or "", "t": "\x00t" if tracking is None else tracking}
        filled = [response.parts[0]]
        for slot, part in zip(response.slots, response.parts[1:], strict=True):
            filled += (encode_basestring(fills[slot])[1:-1], part)
        pairs, pair = self._pairs, self._pair
        headers = ", ".join([pairs.get(p) or pair(p) for p in map(tuple, doc["headers"])])
        body_url = f', "body_url": {_scalar(f"{self.body_url}{row.id}/body")}' if truncated else ""
        run = self._run(row, status, run_id, doc["time"])
        return (
            f'{{"client_tracking_id": {_scalar(client_id)}, "code": {_scalar(doc["code"])}, '
            f'"contract": {self._part("contract", doc, shared)}, "duration_ms": {_scalar(doc["duration_ms"])}, '
            f'"end_time": {encode_basestring(doc["end_time"])}, "flow_id": {encode_basestring(row.flow_id)}, '
            f'"http_status": {_scalar(doc["http_status"])}, "id": {encode_basestring(row.id)}, '
            f'"message": {_scalar(doc["message"])}, "request": {{"body": {_scalar(text)}, '
            f'"body_base64": "{base64.b64encode(body).decode()}", "body_size": {size}, '
            f'"body_truncated": {"true" if truncated else "false"}{body_url}, "headers": [{headers}], '
            f'"method": {encode_basestring(doc["method"])}, "path": {self._part("path", doc, shared)}, '
            f'"query": {self._part("query", doc, shared)}}}, "response": {"".join(filled)}, {run}'
            f'"run_id": {_scalar(run_id)}, "seq": {row.seq}, "status": {encode_basestring(status)}, '
            f'"time": {encode_basestring(doc["time"])}}}\n'
        )

    def _pair(self, pair: tuple[Any, ...]) -> str:
        """A request header as its encoded `[name, value]` (redacted unless revealed), kept at hand: senders send
        the same few headers over and over."""
        name, value = pair
        if len(self._pairs) >= ENCODED_AT_HAND:
            self._pairs.clear()
        shown = REDACTED if not self.reveal and _credential(name) else value
        text = self._pairs[pair] = f"[{_scalar(name)}, {_scalar(shown)}]"
        return text

    def _part(self, key: str, doc: dict[str, Any], shared: Callable[[int], Any]) -> Any:
        """A part's encoded text (the response's as `_Response`): a shared one encoded once while at hand (the
        parts of the last `ENCODED_AT_HAND` seen, so a history of hostile variety cannot fill the server's memory)."""
        number = doc.get("$" + key)
        if number is None:
            return self._encoded(key, doc[key])
        cached = self._shared.get((key, number), self)
        if cached is self:
            if len(self._shared) >= ENCODED_AT_HAND:
                self._shared.pop(next(iter(self._shared)))
            cached = self._shared[(key, number)] = self._encoded(key, shared(number))
        return cached

    def _encoded(self, key: str, value: Any) -> Any:
        return self._response(value) if key == "response" else encode(value)

    def _response(self, value: Any) -> _Response | None:
        """The stored response (its headers a template: `history_codec`) encoded with slots for the call's ids;
        None when its text could hold something that looks like a slot (then the general way is taken)."""
        if not isinstance(value, dict) or not isinstance(value.get("headers"), dict):
            return _Response((encode(value),), ())
        headers, used = {}, 0
        for name, header in value["headers"].items():
            if not self.reveal and is_credential(name):
                header = REDACTED
            elif header in ("\x00r", "\x00c"):
                header, used = _SLOTS[header[1]], used + 1
            elif isinstance(header, str) and "\x00t" in header:
                used += header.count("\x00t")
                header = header.replace("\x00t", _SLOTS["t"])
            headers[name] = header
        cut = _SLOT_TEXT.split(encode({**value, "headers": headers}))
        slots = tuple(cut[1::2])
        return _Response(tuple(cut[::2]), slots) if len(slots) == used else None

    def _run(self, row: StoredRow, status: str, run_id: str | None, start_time: str) -> str:
        """`"run": {...}, ` for an imported flow's run with actions; empty otherwise."""
        if row.run_doc is None or row.flow_id not in self.imported or run_id is None or status != "Succeeded":
            return ""
        run = json.loads(row.run_doc)
        actions = run.get("actions", [])
        if not has_actions({"actions": actions, "status": run.get("status", "Succeeded")}):
            return ""
        joined = {
            "status": run.get("status", "Succeeded"),
            "start_time": start_time,
            "end_time": run.get("end_time"),
            "error": run.get("error"),
            "response_action": run.get("response_action"),
            "actions": actions,
        }
        return f'"run": {encode(joined)}, '
