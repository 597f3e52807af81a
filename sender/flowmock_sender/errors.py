"""The sender's exceptions: one tree, each leaf carrying what a caller needs to act on it.

    SenderError
    ├── InputError          an input file is unreadable, not JSON, or not what it claims to be
    ├── InvalidPayload      the payload built does not conform to its schema (nothing was sent)
    ├── RejectedError       the receiver answered 4xx: its error code and message
    ├── RetriesExhausted    429/5xx every time, until the retry budget ran out
    └── TransportError      no HTTP answer at all (refused connection, timeout, TLS)

Messages never contain a callback URL's `sig`: a log line must not be a working credential.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flowmock_schemas import SchemaError
from flowmock_schemas.clikit import redact


class SenderError(Exception):
    """Base class of every sender error."""

    def __init__(self, message: str) -> None:
        super().__init__(redact(message))


class InputError(SenderError):
    """An input (collection file, Newman report, integrations file) cannot be used."""


class InvalidPayload(SenderError):
    """The payload does not conform to its schema; it was not sent."""

    def __init__(self, schema: str, errors: Sequence[SchemaError]) -> None:
        self.schema = schema
        self.errors = list(errors)
        first = "; ".join(str(e) for e in self.errors[:3])
        more = f" (and {len(self.errors) - 3} more)" if len(self.errors) > 3 else ""
        super().__init__(f"payload does not conform to {schema}: {first}{more}")


class RejectedError(SenderError):
    """The receiver refused the call (4xx): `code` and `error_message` are Power Automate's."""

    def __init__(self, status: int, code: str | None, error_message: str | None, url: str) -> None:
        self.status = status
        self.code = code
        self.error_message = error_message
        self.url = redact(url)
        super().__init__(f"rejected with {status} {code or ''}: {error_message or '(no message)'}".replace("  ", " "))


class RetriesExhausted(SenderError):
    """Every attempt got 429 or 5xx; `last_status` is the last answer's status."""

    def __init__(self, attempts: int, last_status: int | None, last_body: Any, url: str) -> None:
        self.attempts = attempts
        self.last_status = last_status
        self.last_body = last_body
        self.url = redact(url)
        super().__init__(f"gave up on {self.url} after {attempts} attempts; last answer {last_status}: {last_body}")


class TransportError(SenderError):
    """No HTTP answer: the connection failed or timed out."""
