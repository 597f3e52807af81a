"""The date and time functions of the workflow expression language, as the service evaluates them.

`FUNCTIONS` maps each function's canonical name, spelled as Microsoft's reference spells it, to a callable
`(now, *args)`: `now` is the evaluation clock (an aware UTC `datetime`), `args` the evaluated JSON arguments.
Each function checks its own arguments in the service's order (count, then each parameter's type, then its
value) and reports a failure as `ExpressionEvaluationError` with the service's wording where it is known:

- "In function 'addMinutes', the value provided for date time string '' was not valid. The datetime string
  must match ISO 8601 format." (reported by users of the service, word for word);
- "The template language function 'addDays' expects its first parameter to be a string that contains the
  time. The provided value is of type 'Integer'.";
- "The template language function 'indexOf' expects two parameters: ... The function was invoked with '3'
  parameter(s). Please see https://aka.ms/logicexpressions#indexof for usage details." (the shape; the
  description of each function's parameters is flowmock's).

The wordings for an unknown time zone, time unit or locale, a bad format string and a result past 9999 are
flowmock's own: the service's are not published.

Timestamps are `NetDateTime`s, so seven fractional digits survive every function; results are written in the
"o" format ("2018-03-15T13:00:00.0000000Z") unless a format is given.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from typing import Any

from .cultures import Culture, UnknownCulture, culture
from .dotnet_format import InvalidFormat, format_datetime, parse_exact
from .errors import ExpressionEvaluationError
from .net_datetime import TICKS_PER_DAY, TICKS_PER_SECOND, Kind, NetDateTime, OutOfRange, format_timespan
from .timestamp_parsing import parse_timestamp
from .timezones import InvalidLocalTime, UnknownTimeZone, convert, find_zone, from_utc, to_utc

__all__ = ["FUNCTIONS"]

_ORDINALS = ("first", "second", "third", "fourth")
_TYPE_NAMES: tuple[tuple[type, str], ...] = (
    (bool, "Boolean"),
    (int, "Integer"),
    (float, "Float"),
    (str, "String"),
    (dict, "Object"),
    (list, "Array"),
)
#: Ticks per fixed-length time unit; months and years move by the calendar instead.
_UNIT_TICKS = {
    "second": TICKS_PER_SECOND,
    "minute": 60 * TICKS_PER_SECOND,
    "hour": 3600 * TICKS_PER_SECOND,
    "day": TICKS_PER_DAY,
    "week": 7 * TICKS_PER_DAY,
}
_UNIT_MONTHS = {"month": 1, "year": 12}


def type_name(value: Any) -> str:
    """The service's name for a JSON value's type, as its error messages write it."""
    if value is None:
        return "Null"
    return next((name for kind, name in _TYPE_NAMES if isinstance(value, kind)), type(value).__name__)


def _fail(message: str) -> ExpressionEvaluationError:
    return ExpressionEvaluationError(message)


def _arity(name: str, args: tuple[Any, ...], low: int, high: int, expectation: str) -> None:
    if not low <= len(args) <= high:
        raise _fail(
            f"The template language function '{name}' expects {expectation}. The function was invoked with "
            f"'{len(args)}' parameter(s). Please see https://aka.ms/logicexpressions#{name} for usage details."
        )


def _timestamp(
    name: str, value: Any, now: _dt.datetime, position: int = 0, locale: Culture | None = None
) -> NetDateTime:
    if not isinstance(value, str):
        raise _fail(
            f"The template language function '{name}' expects its {_ORDINALS[position]} parameter to be a string "
            f"that contains the time. The provided value is of type '{type_name(value)}'."
        )
    parsed = parse_timestamp(value, locale or culture(None), now.date())
    if parsed is None:
        raise _fail(
            f"In function '{name}', the value provided for date time string '{value}' was not valid. "
            "The datetime string must match ISO 8601 format."
        )
    return parsed


def _integer(name: str, value: Any, position: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _fail(
            f"The template language function '{name}' expects its {_ORDINALS[position]} parameter to be an "
            f"integer {what}. The provided value is of type '{type_name(value)}'."
        )
    return value


def _string(name: str, value: Any, position: int, what: str) -> str:
    if not isinstance(value, str):
        raise _fail(
            f"The template language function '{name}' expects its {_ORDINALS[position]} parameter to be a string "
            f"{what}. The provided value is of type '{type_name(value)}'."
        )
    return value


def _culture(name: str, value: Any, position: int) -> Culture:
    locale = _string(name, value, position, "that contains the locale")
    try:
        return culture(locale)
    except UnknownCulture:
        raise _fail(
            f"In function '{name}', the value provided for the locale '{locale}' was not valid or doesn't have "
            "an associated locale."
        ) from None


def _render(name: str, value: NetDateTime, args: tuple[Any, ...], position: int, locale: Culture | None = None) -> str:
    """Format the result with the optional format argument at `position` ("o" when absent or empty)."""
    format_string = "o"
    if len(args) > position:
        format_string = _string(name, args[position], position, "that contains the format") or "o"
    try:
        return format_datetime(value, format_string, locale or culture(None))
    except InvalidFormat as error:
        raise _fail(
            f"In function '{name}', the value provided for the format '{format_string}' was not valid: {error}. "
            "The format must be a standard or custom .NET date and time format string."
        ) from None


def _guarded(name: str, compute: Callable[[], Any]) -> Any:
    """Run a computation that may leave .NET's calendar range or meet a missing local time."""
    try:
        return compute()
    except (OutOfRange, OverflowError):
        raise _fail(
            f"In function '{name}', the result is outside the range of dates that can be represented "
            "(0001-01-01T00:00:00 to 9999-12-31T23:59:59.9999999)."
        ) from None
    except InvalidLocalTime as error:
        raise _fail(f"In function '{name}', the value provided is not a valid time: {error}.") from None


def _zone(name: str, value: Any, position: int) -> str:
    zone = _string(name, value, position, "that contains the time zone")
    try:
        find_zone(zone)
    except UnknownTimeZone:
        raise _fail(
            f"In function '{name}', the value provided for the time zone id '{zone}' was not valid. "
            "The time zone must be a Windows time zone id such as 'Pacific Standard Time' or 'UTC'."
        ) from None
    return zone


def _now(now: _dt.datetime) -> NetDateTime:
    """The evaluation clock as a UTC timestamp; a naive clock is taken to be UTC, as the service's clock is."""
    return NetDateTime.from_datetime(now, Kind.UTC)


def _shift(name: str, value: NetDateTime, interval: int, unit_value: Any, position: int) -> NetDateTime:
    unit = _string(name, unit_value, position, "that contains the time unit")
    key = unit.strip().lower()
    if key in _UNIT_TICKS:
        return _guarded(name, lambda: value.add_ticks(interval * _UNIT_TICKS[key]))  # type: ignore[no-any-return]
    if key in _UNIT_MONTHS:
        return _guarded(name, lambda: value.add_months(interval * _UNIT_MONTHS[key]))  # type: ignore[no-any-return]
    raise _fail(
        f"The template language function '{name}' expects its {_ORDINALS[position]} parameter to be a time unit: "
        f"'Second', 'Minute', 'Hour', 'Day', 'Week', 'Month' or 'Year'. The provided value is '{unit}'."
    )


def _adder(name: str, unit: str) -> Callable[..., Any]:
    def add(now: _dt.datetime, *args: Any) -> str:
        _arity(
            name, args, 2, 3, f"two or three parameters: the timestamp, the number of {unit}s and optionally the format"
        )
        value = _timestamp(name, args[0], now)
        interval = _integer(name, args[1], 1, f"that is the number of {unit}s")
        return _render(name, _shift(name, value, interval, unit, 1), args, 2)

    add.__doc__ = f"`{name}(timestamp, {unit}s, format?)`: the timestamp moved by whole {unit}s."
    return add


def _unit_mover(name: str, sign: int) -> Callable[..., Any]:
    def move(now: _dt.datetime, *args: Any) -> str:
        _arity(
            name,
            args,
            3,
            4,
            "three or four parameters: the timestamp, the interval, the time unit and optionally the format",
        )
        value = _timestamp(name, args[0], now)
        interval = _integer(name, args[1], 1, "that is the number of time units")
        return _render(name, _shift(name, value, sign * interval, args[2], 2), args, 3)

    move.__doc__ = f"`{name}(timestamp, interval, unit, format?)`; units are Second .. Year, in any case."
    return move


def _clock_mover(name: str, sign: int) -> Callable[..., Any]:
    def move(now: _dt.datetime, *args: Any) -> str:
        _arity(name, args, 2, 3, "two or three parameters: the interval, the time unit and optionally the format")
        interval = _integer(name, args[0], 0, "that is the number of time units")
        return _render(name, _shift(name, _now(now), sign * interval, args[1], 1), args, 2)

    move.__doc__ = f"`{name}(interval, unit, format?)`: the evaluation clock moved by the interval."
    return move


def _start_of(name: str, truncate: Callable[[NetDateTime], NetDateTime]) -> Callable[..., Any]:
    def start(now: _dt.datetime, *args: Any) -> str:
        _arity(name, args, 1, 2, "one or two parameters: the timestamp and optionally the format")
        return _render(name, truncate(_timestamp(name, args[0], now)), args, 1)

    start.__doc__ = f"`{name}(timestamp, format?)`: the timestamp truncated, keeping whether it said 'Z'."
    return start


def _component(name: str, read: Callable[[_dt.datetime], int]) -> Callable[..., Any]:
    def component(now: _dt.datetime, *args: Any) -> int:
        _arity(name, args, 1, 1, "exactly one parameter: the timestamp")
        return read(_timestamp(name, args[0], now).to_datetime())

    component.__doc__ = f"`{name}(timestamp)`: one integer component of the timestamp."
    return component


def convert_from_utc(now: _dt.datetime, *args: Any) -> str:
    """`convertFromUtc(timestamp, destinationTimeZone, format?)`: the wall clock there, without an offset."""
    name = "convertFromUtc"
    _arity(
        name, args, 2, 3, "two or three parameters: the timestamp, the destination time zone and optionally the format"
    )
    value = _timestamp(name, args[0], now)
    zone = _zone(name, args[1], 1)
    return _render(name, _guarded(name, lambda: from_utc(value, zone)), args, 2)


def convert_to_utc(now: _dt.datetime, *args: Any) -> str:
    """`convertToUtc(timestamp, sourceTimeZone, format?)`: the timestamp's wall clock, read in the zone, as UTC."""
    name = "convertToUtc"
    _arity(name, args, 2, 3, "two or three parameters: the timestamp, the source time zone and optionally the format")
    value = _timestamp(name, args[0], now)
    zone = _zone(name, args[1], 1)
    return _render(name, _guarded(name, lambda: to_utc(value, zone)), args, 2)


def convert_time_zone(now: _dt.datetime, *args: Any) -> str:
    """`convertTimeZone(timestamp, sourceTimeZone, destinationTimeZone, format?)`."""
    name = "convertTimeZone"
    _arity(
        name,
        args,
        3,
        4,
        "three or four parameters: the timestamp, the source and destination time zones and optionally the format",
    )
    value = _timestamp(name, args[0], now)
    source = _zone(name, args[1], 1)
    destination = _zone(name, args[2], 2)
    return _render(name, _guarded(name, lambda: convert(value, source, destination)), args, 3)


def date_difference(now: _dt.datetime, *args: Any) -> str:
    """`dateDifference(startDate, endDate)`: end minus start as a .NET TimeSpan string ("1268.00:00:00")."""
    name = "dateDifference"
    _arity(name, args, 2, 2, "two parameters: the start date and the end date")
    start = _timestamp(name, args[0], now, 0)
    end = _timestamp(name, args[1], now, 1)
    return format_timespan(end.ticks - start.ticks)


def format_date_time(now: _dt.datetime, *args: Any) -> str:
    """`formatDateTime(timestamp, format?, locale?)`: the default locale is en-US, the default format "o"."""
    name = "formatDateTime"
    _arity(name, args, 1, 3, "one to three parameters: the timestamp, optionally the format and optionally the locale")
    value = _timestamp(name, args[0], now)
    locale = _culture(name, args[2], 2) if len(args) > 2 else None
    return _render(name, value, args, 1, locale)


def parse_date_time(now: _dt.datetime, *args: Any) -> str:
    """`parseDateTime(timestamp, locale?, format?)`: read in the locale, exactly by the format when one is given."""
    name = "parseDateTime"
    _arity(name, args, 1, 3, "one to three parameters: the timestamp, optionally the locale and optionally the format")
    locale = _culture(name, args[1], 1) if len(args) > 1 and args[1] is not None else culture(None)
    if len(args) < 3 or args[2] in (None, ""):
        return _render(name, _timestamp(name, args[0], now, 0, locale), (), 1)
    text = _string(name, args[0], 0, "that contains the time")
    format_string = _string(name, args[2], 2, "that contains the format")
    try:
        parsed = _guarded(name, lambda: parse_exact(text, format_string, locale, now.date()))
    except InvalidFormat as error:
        raise _fail(
            f"In function '{name}', the value provided for the format '{format_string}' was not valid: {error}. "
            "The format must be a standard or custom .NET date and time format string."
        ) from None
    if parsed is None:
        raise _fail(
            f"In function '{name}', the value provided for date time string '{text}' was not valid. "
            f"The datetime string must match the format '{format_string}'."
        )
    return _render(name, parsed, (), 1)


def ticks(now: _dt.datetime, *args: Any) -> int:
    """`ticks(timestamp)`: 100-nanosecond intervals since 0001-01-01T00:00:00 (`DateTime.Ticks`)."""
    _arity("ticks", args, 1, 1, "exactly one parameter: the timestamp")
    return _timestamp("ticks", args[0], now).ticks


def utc_now(now: _dt.datetime, *args: Any) -> str:
    """`utcNow(format?)`: the evaluation clock, "o" by default."""
    _arity("utcNow", args, 0, 1, "zero or one parameter: optionally the format")
    return _render("utcNow", _now(now), args, 0)


FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "addDays": _adder("addDays", "day"),
    "addHours": _adder("addHours", "hour"),
    "addMinutes": _adder("addMinutes", "minute"),
    "addSeconds": _adder("addSeconds", "second"),
    "addToTime": _unit_mover("addToTime", 1),
    "convertFromUtc": convert_from_utc,
    "convertTimeZone": convert_time_zone,
    "convertToUtc": convert_to_utc,
    "dateDifference": date_difference,
    "dayOfMonth": _component("dayOfMonth", lambda value: value.day),
    "dayOfWeek": _component("dayOfWeek", lambda value: (value.weekday() + 1) % 7),
    "dayOfYear": _component("dayOfYear", lambda value: value.timetuple().tm_yday),
    "formatDateTime": format_date_time,
    "getFutureTime": _clock_mover("getFutureTime", 1),
    "getPastTime": _clock_mover("getPastTime", -1),
    "parseDateTime": parse_date_time,
    "startOfDay": _start_of("startOfDay", lambda value: value.replace_time_of_day()),
    "startOfHour": _start_of("startOfHour", lambda value: value.replace_time_of_day(hour=value.to_datetime().hour)),
    "startOfMonth": _start_of(
        "startOfMonth",
        lambda value: value.replace_time_of_day().add_ticks(-(value.to_datetime().day - 1) * TICKS_PER_DAY),
    ),
    "subtractFromTime": _unit_mover("subtractFromTime", -1),
    "ticks": ticks,
    "utcNow": utc_now,
}
