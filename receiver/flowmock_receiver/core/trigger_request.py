"""One call to a trigger URL, as the pipeline needs it and nothing about how it arrived."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .errors import BodyTooLarge


@dataclass(frozen=True, slots=True)
class TriggerRequest:
    """One call to a trigger URL, as the pipeline needs it and nothing about how it arrived.

    The web layer makes one from a WSGI request and replay makes one from a recorded call. The body is read
    through `read_body(limit)` only once the checks before it pass, as the real service reads it: a refused call
    whose body is never wanted costs nothing to read. `read_body` raises `BodyTooLarge` past `limit` bytes and
    `BodyIncomplete` when the client stops early.
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
        cls, method: str, path: str, query_string: str, headers: list[tuple[str, str]], body: bytes
    ) -> TriggerRequest:
        """A request whose body is already in hand (a replayed call, a test)."""

        def read(limit: int) -> bytes:
            if len(body) > limit:
                raise BodyTooLarge(f"{len(body)} bytes, the limit is {limit}")
            return body

        return cls(method, path, query_string, headers, len(body), read, lambda n: body[:n])
