"""One call to a trigger URL, as the pipeline needs it and nothing about how it arrived, and the answer it gets."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from .errors import BodyIncomplete, BodyTooLarge

TRIGGER_PATH = re.compile(
    r"^/(?:powerautomate/automations/direct/)?workflows/([^/]+)/triggers/([^/]+)/paths/invoke(?:/(.*))?$"
)


def match_trigger_path(path: str) -> tuple[str, str, str] | None:
    """(flow id, trigger name, relative path) when `path` is a trigger URL's path, else None."""
    match = TRIGGER_PATH.match(path)
    if match is None:
        return None
    return match.group(1), match.group(2), match.group(3) or ""


class TriggerResponse(NamedTuple):
    """The answer to send: status, headers in order (no Content-Length: the server adds it) and the body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True, slots=True)
class TriggerRequest:
    """One call to a trigger URL, as the pipeline needs it and nothing about how it arrived.

    The web layer makes one from a WSGI request or an ASGI scope, and replay makes one from a recorded call. The
    body is read through `read_body(limit)` only once the checks before it pass, as the real service reads it: a
    refused call whose body is never wanted costs nothing to read. `read_body` raises `BodyTooLarge` past `limit`
    bytes and `BodyIncomplete` when the client stops early.
    """

    method: str
    path: str  # decoded, with its leading slash
    query_string: str  # as sent (still percent-encoded)
    headers: list[tuple[str, str]]
    content_length: int | None
    read_body: Callable[[int], bytes]
    # at most n bytes from the start of the body, for a call refused before its body is wanted
    read_prefix: Callable[[int], bytes] | None = None

    @classmethod
    def from_bytes(
        cls,
        method: str,
        path: str,
        query_string: str,
        headers: list[tuple[str, str]],
        body: bytes,
        *,
        content_length: int | None = -1,
        complete: bool = True,
    ) -> TriggerRequest:
        """A request whose body is already in hand (a replayed call, a test, a small body the server read first).
        `content_length` is what the client declared (by default the body's size); `complete=False` is a body
        whose client stopped before the end, which the pipeline refuses as it refuses one read late."""

        def read(limit: int) -> bytes:
            if not complete:
                raise BodyIncomplete("the client stopped sending")
            if len(body) > limit:
                raise BodyTooLarge(f"{len(body)} bytes, the limit is {limit}")
            return body

        declared = len(body) if content_length == -1 else content_length
        return cls(method, path, query_string, headers, declared, read, lambda n: body[:n])
