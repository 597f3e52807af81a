"""Properties of the date and time functions over generated timestamps, formats and locales."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from flowmock_receiver.workflow.expressions.cultures import culture
from flowmock_receiver.workflow.expressions.datetimes import FUNCTIONS
from flowmock_receiver.workflow.expressions.dotnet_format import ROUND_TRIP, format_datetime
from flowmock_receiver.workflow.expressions.errors import ExpressionError
from flowmock_receiver.workflow.expressions.net_datetime import MAX_TICKS, TICKS_PER_SECOND, Kind, NetDateTime

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
LOCALES = st.sampled_from(["en-US", "", "fr-FR", "es-es", "de-DE", "ja-JP", "ar-SA", "xx-YY"])
# Letters and punctuation that mean something in .NET format strings, so generated formats hit the rules.
FORMAT_ALPHABET = st.sampled_from([*"dfFghHKmMstyz:/%'\"\\ .-TZoOrRuUDGMY", "x", "é"])


def net_datetimes() -> st.SearchStrategy[NetDateTime]:
    """Any representable tick count, UTC or without an offset; shrinks towards 0001-01-01T00:00:00."""
    return st.builds(
        NetDateTime, st.integers(min_value=0, max_value=MAX_TICKS), st.sampled_from([Kind.UTC, Kind.UNSPECIFIED])
    )


@given(net_datetimes())
def test_any_timestamp_written_as_o_parses_back_to_itself(value: NetDateTime) -> None:
    text = format_datetime(value, "o", culture(None))
    assert FUNCTIONS["formatDateTime"](NOW, text) == text
    assert FUNCTIONS["ticks"](NOW, text) == value.ticks


@given(net_datetimes())
def test_the_o_shortcut_writes_what_the_general_engine_writes(value: NetDateTime) -> None:
    assert format_datetime(value, "o", culture(None)) == format_datetime(value, ROUND_TRIP, culture(None))


@given(net_datetimes(), st.text(FORMAT_ALPHABET, max_size=12) | st.text(max_size=6), LOCALES)
def test_format_date_time_returns_a_string_or_an_expression_error(
    value: NetDateTime, format_string: str, locale: str
) -> None:
    timestamp = format_datetime(value, "o", culture(None))
    try:
        result = FUNCTIONS["formatDateTime"](NOW, timestamp, format_string, locale)
    except ExpressionError:
        return
    assert isinstance(result, str)


@given(st.text(max_size=30), LOCALES, st.none() | st.text(FORMAT_ALPHABET, max_size=10))
def test_parse_date_time_returns_a_timestamp_or_an_expression_error(
    text: str, locale: str, format_string: str | None
) -> None:
    try:
        result = FUNCTIONS["parseDateTime"](NOW, text, locale, format_string)
    except ExpressionError:
        return
    assert isinstance(result, str)


@given(
    st.datetimes(min_value=dt.datetime(1000, 1, 1), max_value=dt.datetime(9000, 1, 1)),
    st.integers(min_value=-50_000, max_value=50_000),  # 50,000 weeks stay within 958 years
    st.sampled_from(["Second", "Minute", "Hour", "Day", "Week"]),
)
def test_subtracting_what_was_added_gives_the_timestamp_back(start: dt.datetime, interval: int, unit: str) -> None:
    timestamp = FUNCTIONS["formatDateTime"](NOW, start.isoformat() + "Z")
    later = FUNCTIONS["addToTime"](NOW, timestamp, interval, unit)
    assert FUNCTIONS["subtractFromTime"](NOW, later, interval, unit) == timestamp


@given(
    st.datetimes(min_value=dt.datetime(1000, 1, 1), max_value=dt.datetime(9000, 1, 1)),
    st.integers(min_value=-(10**9), max_value=10**9),
)
def test_date_difference_measures_what_add_seconds_added(start: dt.datetime, seconds: int) -> None:
    timestamp = start.isoformat() + "Z"
    later = FUNCTIONS["addSeconds"](NOW, timestamp, seconds)
    difference = FUNCTIONS["dateDifference"](NOW, timestamp, later)
    ticks = FUNCTIONS["ticks"](NOW, later) - FUNCTIONS["ticks"](NOW, FUNCTIONS["formatDateTime"](NOW, timestamp))
    assert ticks == seconds * TICKS_PER_SECOND
    assert difference.startswith("-") == (seconds < 0)


def json_values() -> st.SearchStrategy[Any]:
    """JSON values biased towards what the date functions take: timestamps, units, zone names, formats, integers."""
    meaningful = st.sampled_from(
        ["2018-03-15T13:00:00Z", "03/15/2018", "Day", "Month", "UTC", "Pacific Standard Time", "o", "D", "fr-FR", ""]
    )
    scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12) | meaningful
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=3), inner, max_size=2),
        max_leaves=3,
    )


@given(st.sampled_from(sorted(FUNCTIONS)), st.lists(json_values(), max_size=4), st.datetimes(timezones=st.just(dt.UTC)))
def test_every_function_returns_json_or_raises_the_expression_error(
    name: str, args: list[Any], now: dt.datetime
) -> None:
    try:
        result = FUNCTIONS[name](now, *args)
    except ExpressionError:
        return
    assert isinstance(result, str | int)
