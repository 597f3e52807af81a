"""The evaluation scope: the caller's context dict, and the clock fixed once per evaluation.

The context is a plain mapping (see the package docstring for its keys) so that the flow engine, `flowmock expr`
and tests can all build one without importing anything. `Scope` only adds what evaluation needs on top: the clock
parsed once (every `utcNow()` in one template sees the same instant, as in one action of a real run) and lookups
that tolerate a missing key.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from typing import Any

from .errors import ExpressionEvaluationError

_EMPTY: Mapping[str, Any] = {}


class Scope:
    __slots__ = ("_now", "context", "decimals")

    def __init__(self, context: Mapping[str, Any] | None) -> None:
        self.context: Mapping[str, Any] = context if context is not None else _EMPTY
        self._now: dt.datetime | None = None
        # Set by decimal(): results may then hold Decimals, which leave the evaluator as floats.
        self.decimals = False

    def section(self, key: str) -> Mapping[str, Any]:
        """A mapping-valued key of the context (`actions`, `variables`, ...); empty when absent."""
        value = self.context.get(key)
        if type(value) is dict or isinstance(value, Mapping):  # the exact-type test first: it is the usual case
            return value
        return _EMPTY

    @property
    def now(self) -> dt.datetime:
        """The context's `now` (an ISO 8601 timestamp or a datetime) as an aware UTC datetime, else the real clock."""
        if self._now is None:
            self._now = parse_now(self.context.get("now"))
        return self._now


def parse_now(value: Any) -> dt.datetime:
    if value is None:
        return dt.datetime.now(dt.UTC)
    if isinstance(value, str):
        return _parse_now_text(value)
    if isinstance(value, dt.datetime):
        moment = value
    else:
        raise ExpressionEvaluationError(
            f"The context's 'now' value must be an ISO 8601 string, not {type(value).__name__}."
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


@functools.lru_cache(maxsize=256)
def _parse_now_text(value: str) -> dt.datetime:
    """Cached: one run evaluates many templates against the same clock. Python's `fromisoformat` reads at most six
    fractional digits, and the service writes seven: the seventh is dropped (the clock is kept to the microsecond)."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    head, dot, tail = text.partition(".")
    if dot:
        digits = len(tail) - len(tail.lstrip("0123456789"))
        text = f"{head}.{tail[: min(digits, 6)].ljust(6, '0')}{tail[digits:]}"
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ExpressionEvaluationError(f"The context's 'now' value '{value}' is not an ISO 8601 timestamp.") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
