"""Retry policies, as the service applies them to actions that call out (Http, connectors, child flows).

From "Handle errors and exceptions in Azure Logic Apps" (learn.microsoft.com/azure/logic-apps/
logic-apps-exception-handling): a request that "times out or fails, resulting in a 408, 429, or 5xx response" is
retried per the action's `retryPolicy` (`inputs.retryPolicy`): `none`; `fixed` (`count` retries, `interval` apart);
`exponential` (`count` retries, each after a random interval from an exponentially growing range bounded by
`minimumInterval` and `maximumInterval`); or the **default**, "an exponential interval policy that sends up to 4
retries at exponentially increasing intervals [which] scale by 7.5 seconds but are capped between 5 and 45 seconds".

The exponential range for retry n is [max((2^(n-2))·interval, minimum), min(2^(n-1)·interval, maximum)] (retry 1:
[max(0, minimum), min(interval, maximum)]), per the same page. The service draws a random point in it; flowmock takes
the midpoint, so virtual times are reproducible. Count is 1 to 90, intervals are ISO 8601 durations.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flowmock_receiver.workflow.engine.base import ActionFailure
from flowmock_receiver.workflow.engine.clock import parse_duration

RETRYABLE = frozenset({408, 429})
MAX_COUNT = 90
MAX_INTERVAL = 86400.0
"""Retry intervals are at most one day (the limits reference gives retry intervals up to P1D)."""


@dataclass(frozen=True)
class RetryPolicy:
    kind: str
    count: int
    interval: float = 0.0
    minimum: float = 0.0
    maximum: float = 0.0

    def delay(self, retry: int) -> float:
        """Seconds to wait before retry number `retry` (1-based)."""
        if self.kind == "fixed":
            return self.interval
        low = max(0.0 if retry == 1 else self.interval * 2 ** (retry - 2), self.minimum)
        high = min(self.interval * 2 ** (retry - 1), self.maximum)
        return float(low + max(low, high)) / 2

    def to_json(self) -> dict[str, Any]:
        return {
            "type": self.kind,
            "count": self.count,
            "interval": self.interval,
            "minimum": self.minimum,
            "maximum": self.maximum,
        }


DEFAULT_POLICY = RetryPolicy("exponential", 4, interval=7.5, minimum=5.0, maximum=45.0)
NO_RETRY = RetryPolicy("none", 0)


def is_retryable(status_code: Any) -> bool:
    return isinstance(status_code, int) and (status_code in RETRYABLE or 500 <= status_code <= 599)


def policy_of(value: Any) -> RetryPolicy:
    """The policy an action's `inputs.retryPolicy` (already evaluated) asks for; absent or `default` gives the
    service's default."""
    if value is None:
        return DEFAULT_POLICY
    if not isinstance(value, Mapping):
        raise ActionFailure("InvalidTemplate", "The 'retryPolicy' of an action must be an object.")
    kind = str(value.get("type", "default")).lower()
    if kind == "default":
        return DEFAULT_POLICY
    if kind == "none":
        return NO_RETRY
    if kind not in ("fixed", "exponential"):
        raise ActionFailure(
            "InvalidTemplate",
            f"The retry policy type '{value.get('type')}' is not one of default, none, fixed, exponential.",
        )
    count = value.get("count", 4)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_COUNT:
        raise ActionFailure(
            "InvalidTemplate", f"The retry policy count must be an integer from 1 to {MAX_COUNT}, not {count!r}."
        )
    try:
        interval = parse_duration(str(value.get("interval", "PT7.5S")))
        minimum = parse_duration(str(value["minimumInterval"])) if "minimumInterval" in value else 5.0
        maximum = parse_duration(str(value["maximumInterval"])) if "maximumInterval" in value else 86400.0
    except ValueError as exc:
        raise ActionFailure(
            "InvalidTemplate", f"The retry policy has an interval that is not an ISO 8601 duration: {exc}"
        ) from exc
    if max(interval, minimum) > MAX_INTERVAL:
        raise ActionFailure("InvalidTemplate", "A retry interval can be at most one day (P1D).")
    return RetryPolicy(kind, count, interval=interval, minimum=minimum, maximum=min(maximum, MAX_INTERVAL))
