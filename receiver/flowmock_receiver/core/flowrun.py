"""The seam between the trigger and an imported flow's actions, and how a Response becomes the HTTP answer.

The core runs no workflow: for a flow that carries one (`Flow.workflow`), the trigger asks a `FlowRunner` (the
service's, which drives the engine) whether the trigger conditions let the call fire and, once it fires, for the
answer its actions give. The trigger still owns everything around it, in the service's order: the checks before, the
record committed before the answer, the `x-ms-*` headers and the headers the service drops from a Response.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from .errors import JSON_CONTENT_TYPE
from .flows import Flow, response_headers_kept
from .jsontext import body_bytes, utf8
from .records import CallRecord

SKIPPED = "Skipped"
"""The trigger history status of a call whose trigger conditions were false: no run starts."""

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


@dataclass(frozen=True)
class ConditionVerdict:
    """Whether an imported flow's trigger conditions let a call fire: `Succeeded` (fire), `Skipped` (a condition
    was false) or `Failed` (a condition could not be evaluated; `message` says why)."""

    status: str
    condition: str | None = None
    message: str | None = None


@dataclass(frozen=True)
class FlowAnswer:
    """What a fired call to an imported flow is answered: a Response action's evaluated status, headers and body
    (`error` False), or the service's error envelope in `body` (`error` True: 502 NoResponse, 504 ResponseTimeout).
    `run` is the run (`RunRecord.to_json()`) as it stood when the answer was known: recorded with the call."""

    status: int
    headers: dict[str, str]
    body: Any
    error: bool = False
    run: dict[str, Any] | None = None


class StartedRun(Protocol):
    """A run that has decided its answer and may go on; told when its call is committed, so that its later
    progress is written to that record and never before it."""

    @property
    def answer(self) -> FlowAnswer: ...

    def recorded(self, call: CallRecord) -> None: ...


class FlowRunner(Protocol):
    """What the trigger needs from whoever runs imported flows (the service, with the workflow engine)."""

    def decide(self, flow: Flow, outputs: Mapping[str, Any]) -> ConditionVerdict: ...

    def start(
        self, flow: Flow, outputs: Mapping[str, Any], *, run_id: str, tracking_id: str, base_url: str | None
    ) -> StartedRun: ...


def encode_answer(declared: Mapping[str, str], value: Any, method: str) -> tuple[dict[str, str], bytes, str | None]:
    """A Response action's headers (minus those the service drops) and body as bytes, with its content type.

    Text goes out as UTF-8 (`text/plain` unless the Response sets a type), other values as compact JSON
    (`application/json; charset=utf-8`), and binary content (`{"$content-type", "$content": <base64>}`, as run
    history shows it) as its decoded bytes with its own type. Headers an HTTP response cannot carry (a line break in
    a value evaluated from the request) are left out rather than breaking the answer.
    """
    kept = {
        key: value
        for key, value in response_headers_kept(declared, method).items()
        if _HEADER_NAME.match(key) and _sendable(value)
    }
    content_type = next((v for k, v in kept.items() if k.lower() == "content-type"), None)
    kept = {k: v for k, v in kept.items() if k.lower() != "content-type"}
    if value is None:
        return kept, b"", content_type
    if isinstance(value, str):
        return kept, utf8(value), content_type or "text/plain; charset=utf-8"
    binary = _binary(value)
    if binary is not None:
        return kept, binary[1], content_type or binary[0]
    return kept, body_bytes(value), content_type or JSON_CONTENT_TYPE


def _sendable(value: str) -> bool:
    if "\r" in value or "\n" in value:
        return False
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _binary(value: Any) -> tuple[str, bytes] | None:
    if not isinstance(value, dict) or set(value) != {"$content-type", "$content"}:
        return None
    kind, content = value["$content-type"], value["$content"]
    if not isinstance(kind, str) or not isinstance(content, str):
        return None
    try:
        return kind, base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        return None
