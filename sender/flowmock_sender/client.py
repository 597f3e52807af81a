"""Delivering a payload: requests with urllib3's `Retry` on an adapter of the sender's own, not a hand-written loop.

A caller's session (auth, proxies, certificates, headers) prepares each request; the sender's adapter sends it,
so the caller's session is never changed (mounting on it would retry every other call it makes too).

Retries cover 429 and 5xx (POST included: a Power Automate trigger that answered 5xx started no run), with
exponential backoff, jitter and a cap, and honour `Retry-After` (urllib3 does so for 413, 429 and 503), capped
too so a hostile receiver cannot park the sender for hours. 4xx other than 429 is final: the receiver said no.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from flowmock_schemas import validate
from flowmock_schemas.clikit import redact

from .errors import InvalidPayload, RejectedError, RetriesExhausted, TransportError

log = logging.getLogger("flowmock.sender")
RETRY_STATUSES = (429, 500, 502, 503, 504)


class CappedRetry(Retry):
    """urllib3's Retry with an upper bound on how long a `Retry-After` header may make us sleep."""

    retry_after_cap: float = 120.0

    def get_retry_after(self, response: Any) -> float | None:
        seconds = super().get_retry_after(response)
        return None if seconds is None else min(seconds, self.retry_after_cap)

    def new(self, **kw: Any) -> CappedRetry:
        fresh: CappedRetry = super().new(**kw)  # type: ignore[assignment]
        fresh.retry_after_cap = self.retry_after_cap
        return fresh


def default_retry(
    total: int = 5, *, backoff_factor: float = 0.5, backoff_max: float = 30.0, retry_after_cap: float = 120.0
) -> CappedRetry:
    retry = CappedRetry(
        total=total,
        connect=total,
        read=0,  # a read error after sending may mean the run started: do not post twice
        status=total,
        backoff_factor=backoff_factor,
        backoff_max=backoff_max,
        backoff_jitter=backoff_factor,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=None,  # every method, POST included
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    retry.retry_after_cap = retry_after_cap
    return retry


class RedactingFilter(logging.Filter):
    """Hides `sig` in log lines. The sender's own lines are redacted already; urllib3's debug lines name the URL
    with its signature, and which loggers to filter is the application's choice (`flowmock send` installs it on
    urllib3's), so importing the sender changes no logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


@dataclass(frozen=True)
class Delivery:
    """A delivered payload: the receiver's status, its run id when it sent one, and how many attempts it took."""

    status: int
    run_id: str | None
    attempts: int
    headers: dict[str, str]
    body: bytes


class Sender:
    """Posts payloads to one callback URL."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        retry: Retry | int | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.url = url
        self.timeout = timeout
        self.retry = retry if isinstance(retry, Retry) else default_retry(5 if retry is None else retry)
        self.session = session or requests.Session()
        # The sender raises RetriesExhausted itself, with the attempts from the answer's retry history; a Retry
        # that raised on status instead would hide that history (a caller's own Retry defaults to raising).
        self._adapter = HTTPAdapter(max_retries=self.retry.new(raise_on_status=False))

    def __repr__(self) -> str:
        return f"Sender({redact(self.url)!r})"

    def send(self, payload: Any, *, schema: str | None = None, headers: dict[str, str] | None = None) -> Delivery:
        """Validate (when a schema is given), post, and return the Delivery or raise a SenderError."""
        if schema is not None:
            errors = validate(schema, payload)
            if errors:
                raise InvalidPayload(schema, errors)
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return self.post(body, headers={"Content-Type": "application/json", **(headers or {})})

    def post(self, body: bytes, *, headers: dict[str, str] | None = None) -> Delivery:
        session = self.session
        prepared = session.prepare_request(requests.Request("POST", self.url, data=body, headers=headers))
        settings = session.merge_environment_settings(prepared.url, {}, None, None, None)
        try:
            response = self._adapter.send(
                prepared,
                timeout=self.timeout,
                verify=True if settings["verify"] is None else settings["verify"],
                cert=settings["cert"],
                proxies=settings["proxies"],
            )
        except requests.exceptions.RetryError as exc:
            raise RetriesExhausted(self._attempts(None), None, str(exc), self.url) from None
        except requests.exceptions.Timeout:
            raise TransportError(f"no answer from {self.url} within {self.timeout:g} s") from None
        except requests.exceptions.RequestException as exc:
            raise TransportError(f"cannot reach {self.url}: {type(exc).__name__}") from None
        attempts = self._attempts(response)
        log.info("POST %s -> %s after %d attempt(s)", redact(self.url), response.status_code, attempts)
        if response.status_code in RETRY_STATUSES:
            raise RetriesExhausted(attempts, response.status_code, response.text[:500], self.url)
        if response.status_code >= 400:
            code, message = _error_of(response)
            raise RejectedError(response.status_code, code, message, self.url)
        return Delivery(
            status=response.status_code,
            run_id=response.headers.get("x-ms-workflow-run-id"),
            attempts=attempts,
            headers=dict(response.headers),
            body=response.content,
        )

    def _attempts(self, response: requests.Response | None) -> int:
        """Attempts made: the answer's retry history plus the call that got it; without an answer (urllib3 gave
        up on retries it raised for), the whole budget."""
        if response is None:
            total = self.retry.total
            return total + 1 if isinstance(total, int) and not isinstance(total, bool) else 1
        retries = getattr(response.raw, "retries", None)
        history = getattr(retries, "history", ()) or ()
        return len(history) + 1


def _error_of(response: requests.Response) -> tuple[str | None, str | None]:
    try:
        error = response.json().get("error", {})
        return error.get("code"), error.get("message")
    except (ValueError, AttributeError):
        return None, response.text[:500] or None
