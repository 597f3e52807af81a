"""A .NET `DateTime` as the workflow service holds one: 100-nanosecond ticks plus a kind.

Python's `datetime` stops at microseconds, but the service writes seven fractional digits
("2025-09-25T05:18:31.3384797Z") and `ticks()` counts 100-ns intervals, so a timestamp that goes
through an expression must keep its seventh digit; this type carries the tick count and uses
`datetime` only for calendar arithmetic. The kind is the service's way of remembering whether a
timestamp said "Z" (`UTC`: "o" appends "Z"), said nothing (`UNSPECIFIED`: no suffix, as
`formatDateTime('03/15/2018')` returns '2018-03-15T00:00:00.0000000'), or was made local (`LOCAL`,
which the service's clock, running in UTC, writes as "+00:00").
"""

from __future__ import annotations

import datetime as _dt
import enum
from dataclasses import dataclass

TICKS_PER_MICROSECOND = 10
TICKS_PER_SECOND = 10_000_000
TICKS_PER_DAY = 86_400 * TICKS_PER_SECOND
#: DateTime.MaxValue.Ticks: 9999-12-31T23:59:59.9999999.
MAX_TICKS = 3_155_378_975_999_999_999
_EPOCH = _dt.datetime(1, 1, 1)


class Kind(enum.Enum):
    """`DateTimeKind`: what the timestamp says about its offset, which decides how "o" and "K" end."""

    UNSPECIFIED = "Unspecified"
    UTC = "Utc"
    LOCAL = "Local"


class OutOfRange(ValueError):
    """A result before 0001-01-01 or after 9999-12-31, which .NET cannot represent."""


@dataclass(frozen=True, order=True)
class NetDateTime:
    """A tick count since 0001-01-01T00:00:00 and a `Kind`; immutable, ordered by ticks then kind."""

    ticks: int
    kind: Kind = Kind.UNSPECIFIED

    def __post_init__(self) -> None:
        if not 0 <= self.ticks <= MAX_TICKS:
            raise OutOfRange(f"{self.ticks} ticks is outside the range of DateTime")

    @classmethod
    def from_datetime(cls, value: _dt.datetime, kind: Kind | None = None, extra_ticks: int = 0) -> NetDateTime:
        """From a `datetime` (an aware one is converted to UTC first); `extra_ticks` adds sub-microsecond digits."""
        if value.tzinfo is not None:
            value = value.astimezone(_dt.UTC).replace(tzinfo=None)
            kind = Kind.UTC if kind is None else kind
        delta = value - _EPOCH
        ticks = (delta.days * 86_400 + delta.seconds) * TICKS_PER_SECOND + delta.microseconds * TICKS_PER_MICROSECOND
        return cls(ticks + extra_ticks, Kind.UNSPECIFIED if kind is None else kind)

    def to_datetime(self) -> _dt.datetime:
        """The naive calendar value, truncated to the microsecond; `sub_microsecond` holds the rest."""
        return _EPOCH + _dt.timedelta(microseconds=self.ticks // TICKS_PER_MICROSECOND)

    @property
    def sub_microsecond(self) -> int:
        """The seventh fractional digit, which `datetime` cannot hold."""
        return self.ticks % TICKS_PER_MICROSECOND

    @property
    def fraction_ticks(self) -> int:
        """The ticks past the whole second: 0..9_999_999, the digits "fffffff" prints."""
        return self.ticks % TICKS_PER_SECOND

    def with_kind(self, kind: Kind) -> NetDateTime:
        return NetDateTime(self.ticks, kind)

    def add_ticks(self, ticks: int) -> NetDateTime:
        if not 0 <= self.ticks + ticks <= MAX_TICKS:
            raise OutOfRange("The added or subtracted value results in an un-representable DateTime.")
        return NetDateTime(self.ticks + ticks, self.kind)

    def add_months(self, months: int) -> NetDateTime:
        """`DateTime.AddMonths`: the day is clamped to the end of the target month (Jan 31 + 1 month = Feb 28)."""
        value = self.to_datetime()
        index = value.year * 12 + value.month - 1 + months
        year, month = divmod(index, 12)
        month += 1
        if not 1 <= year <= 9999:
            raise OutOfRange("The added or subtracted value results in an un-representable DateTime.")
        day = min(value.day, _days_in_month(year, month))
        moved = value.replace(year=year, month=month, day=day)
        return NetDateTime.from_datetime(moved, self.kind, self.sub_microsecond)

    def replace_time_of_day(self, *, hour: int | None = None, minute: int = 0) -> NetDateTime:
        """Truncate to the start of the day (`hour` None) or of the given hour, keeping the kind."""
        value = self.to_datetime()
        start = value.replace(hour=0 if hour is None else hour, minute=minute, second=0, microsecond=0)
        return NetDateTime.from_datetime(start, self.kind)


def _days_in_month(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (_dt.date(year, month + 1, 1) - _dt.date(year, month, 1)).days


def format_timespan(ticks: int) -> str:
    """A .NET `TimeSpan` in the constant ("c") format: `[-][d.]hh:mm:ss[.fffffff]`, as `dateDifference` writes it.

    The day count appears only when non-zero and the fraction only when non-zero, always with seven digits:
    1268 days is "1268.00:00:00", half a second "00:00:00.5000000".
    """
    sign = "-" if ticks < 0 else ""
    ticks = abs(ticks)
    days, rest = divmod(ticks, TICKS_PER_DAY)
    seconds, fraction = divmod(rest, TICKS_PER_SECOND)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    text = f"{sign}{f'{days}.' if days else ''}{hours:02d}:{minutes:02d}:{seconds:02d}"
    return text + (f".{fraction:07d}" if fraction else "")
