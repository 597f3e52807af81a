"""The run's clock: virtual, so waiting costs no real time and recorded times still add up.

Retries wait their intervals and `Delay`/`Wait` actions wait theirs in the service; a test that ran those waits for
real would take minutes. The engine instead advances this clock by the wait, so a retried action's `end_time` is its
`start_time` plus the retry intervals, exactly as the service's history would show it, and `utcNow()` in a later
action sees the later time. Work that takes no virtual time (evaluating an expression) is given a fixed small step,
so consecutive actions still have ordered, distinct start times.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

ACTION_STEP = timedelta(microseconds=1000)
"""Virtual time one action takes when nothing in it waits (1 ms: ordered times, no real cost)."""


class VirtualClock:
    """A UTC clock that moves only when told. `start` defaults to the real time at creation."""

    def __init__(self, start: datetime | None = None) -> None:
        moment = start or datetime.now(UTC)
        self._now = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        self.started = self._now

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float) -> None:
        if seconds > 0:
            self._now += timedelta(seconds=seconds)

    def advance_to(self, moment: datetime) -> None:
        if moment > self._now:
            self._now = moment

    def step(self) -> None:
        self._now += ACTION_STEP

    def elapsed(self) -> float:
        return (self._now - self.started).total_seconds()

    def iso(self) -> str:
        return format_time(self._now)


def format_time(moment: datetime) -> str:
    """The service's timestamp form: seven fractional digits and `Z` (`2016-08-11T03:18:19.7755341Z`)."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S") + f".{moment.microsecond:06d}0Z"


def parse_time(text: str) -> datetime:
    """An ISO 8601 timestamp (any number of fractional digits, `Z` or an offset) as an aware UTC datetime."""
    match = re.fullmatch(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?", text.strip())
    if not match:
        raise ValueError(f"not an ISO 8601 timestamp: {text!r}")
    base, fraction, zone = match.groups()
    moment = datetime.fromisoformat(
        base + (f".{(fraction or '0')[:6]:0<6}") + ("+00:00" if zone in (None, "Z") else zone)
    )
    return moment.astimezone(UTC)


_DURATION = re.compile(
    r"^P(?:(?P<years>\d+(?:\.\d+)?)Y)?(?:(?P<months>\d+(?:\.\d+)?)M)?(?:(?P<weeks>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<days>\d+(?:\.\d+)?)D)?(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)
_SECONDS = {
    "years": 365 * 86400.0,
    "months": 30 * 86400.0,
    "weeks": 7 * 86400.0,
    "days": 86400.0,
    "hours": 3600.0,
    "minutes": 60.0,
    "seconds": 1.0,
}


def parse_duration(text: str) -> float:
    """Seconds in an ISO 8601 duration (`PT20S`, `PT1H`, `P1D`), the form retry intervals and limits use.
    Months and years count as 30 and 365 days (the service's exact calendar arithmetic is not needed here)."""
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if not match or text.strip().upper() in ("P", "PT"):
        raise ValueError(f"not an ISO 8601 duration: {text!r}")
    return sum(float(value) * _SECONDS[unit] for unit, value in match.groupdict().items() if value)


UNIT_SECONDS = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0, "week": 604800.0, "month": 2592000.0}
"""The `Delay` action's units (`interval.unit`), as the designer offers them."""
