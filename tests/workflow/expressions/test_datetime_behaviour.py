"""Date and time behaviour beyond the reference's examples: .NET format rules, kinds, time zones and errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from flowmock_receiver.workflow.expressions.datetimes import FUNCTIONS
from flowmock_receiver.workflow.expressions.errors import ExpressionEvaluationError

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def call(name: str, *args: Any) -> Any:
    return FUNCTIONS[name](NOW, *args)


def fmt(timestamp: str, format_string: str, locale: str | None = None) -> str:
    return str(call("formatDateTime", timestamp, format_string, *([] if locale is None else [locale])))


@pytest.mark.parametrize(
    ("timestamp", "format_string", "expected"),
    [
        pytest.param("2018-03-15T13:00:00.1234567Z", "o", "2018-03-15T13:00:00.1234567Z", id="o-keeps-seven-digits"),
        pytest.param("2018-03-15T13:00:00.1239999Z", "HH:mm:ss.fff", "13:00:00.123", id="f-truncates"),
        pytest.param("2018-03-15T13:00:00.1200000Z", "HH:mm:ss.FFF", "13:00:00.12", id="F-drops-trailing-zeros"),
        pytest.param("2018-03-15T13:00:00Z", "HH:mm:ss.FFF", "13:00:00", id="F-all-zero-drops-the-dot"),
        pytest.param("2018-03-15T00:05:00Z", "hh:mm tt", "12:05 AM", id="hh-midnight-is-12"),
        pytest.param("2018-03-15T13:05:00Z", "h:mm t", "1:05 P", id="t-is-first-letter"),
        pytest.param("2018-03-05T13:05:09Z", "d/M/y H:m:s", "5/3/18 13:5:9", id="single-letters-unpadded"),
        pytest.param("2008-03-05T00:00:00Z", "y yy yyy yyyyy", "8 08 2008 02008", id="year-widths"),
        pytest.param("2018-03-05T00:00:00Z", "ddd MMM", "Mon Mar", id="abbreviated-names"),
        pytest.param("2018-03-05T00:00:00Z", "'Day:' d \\d\\a\\y", "Day: 5 day", id="quotes-and-escapes"),
        pytest.param("2018-03-05T00:00:00Z", "%d", "5", id="percent-makes-one-letter-custom"),
        pytest.param("2018-03-05T00:00:00Z", "K|zzz|zz|z", "Z|+00:00|+00|+0", id="K-and-z-for-utc"),
        pytest.param("2018-03-05T00:00:00", "[K]", "[]", id="K-empty-without-offset"),
        pytest.param("2018-03-05T00:00:00Z", "g", "3/5/2018 12:00 AM", id="g-standard"),
        pytest.param("2018-03-05T00:00:00Z", "s", "2018-03-05T00:00:00", id="s-sortable"),
        pytest.param("2018-03-05T00:00:00Z", "R", "Mon, 05 Mar 2018 00:00:00 GMT", id="R-rfc1123"),
        pytest.param("2018-03-05T13:00:00Z", "F", "Monday, March 5, 2018 1:00:00 PM", id="F-full"),
        pytest.param("2018-03-05T13:00:00Z", "M", "March 5", id="M-month-day"),
        pytest.param("2018-03-05T13:00:00+05:00", "o", "2018-03-05T08:00:00.0000000Z", id="offset-becomes-utc"),
        pytest.param("2018-03-05 13:00", "o", "2018-03-05T13:00:00.0000000", id="space-separated-iso"),
        pytest.param("3/5/2018 1:00 PM", "o", "2018-03-05T13:00:00.0000000", id="en-us-with-designator"),
        pytest.param("Mon, 05 Mar 2018 13:00:00 GMT", "o", "2018-03-05T13:00:00.0000000Z", id="rfc1123-input"),
    ],
)
def test_formatting_follows_dotnet_rules(timestamp: str, format_string: str, expected: str) -> None:
    assert fmt(timestamp, format_string) == expected


def test_the_invariant_culture_has_its_own_long_date() -> None:
    assert fmt("2018-01-02T00:00:00Z", "D", "") == "Tuesday, 02 January 2018"


def test_german_names_come_from_cldr() -> None:
    assert fmt("2018-03-05T00:00:00Z", "dddd, d. MMMM yyyy", "de-DE") == "Montag, 5. März 2018"


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        pytest.param("20 janv. 2010", "fr-FR", "2010-01-20T00:00:00.0000000", id="abbreviated-month-with-dot"),
        pytest.param("dim. 31 janv. 2016 13:05", "fr-FR", "2016-01-31T13:05:00.0000000", id="day-name-and-time"),
        pytest.param("martes, 20 de octubre de 2020", "es-ES", "2020-10-20T00:00:00.0000000", id="spanish-long-date"),
        pytest.param("31.01.2016", "de-DE", "2016-01-31T00:00:00.0000000", id="german-dotted-date"),
        pytest.param("2016/01/31 1:05 PM", "en-US", "2016-01-31T13:05:00.0000000", id="year-first-with-designator"),
        pytest.param("January 31, 2016", "en-US", "2016-01-31T00:00:00.0000000", id="english-long-date"),
    ],
)
def test_parse_date_time_reads_the_locales_own_forms(text: str, locale: str, expected: str) -> None:
    assert call("parseDateTime", text, locale) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(("2018-01-31T00:00:00Z", 1, "Month"), "2018-02-28T00:00:00.0000000Z", id="month-clamps-day"),
        pytest.param(("2020-02-29T00:00:00Z", 1, "Year"), "2021-02-28T00:00:00.0000000Z", id="leap-day-plus-year"),
        pytest.param(("2018-01-01T00:00:00Z", 2, "week"), "2018-01-15T00:00:00.0000000Z", id="unit-any-case"),
        pytest.param(("2018-01-01T00:00:00", -1, "Second"), "2017-12-31T23:59:59.0000000", id="keeps-no-offset"),
    ],
)
def test_add_to_time_moves_by_calendar_units(args: tuple[Any, ...], expected: str) -> None:
    assert call("addToTime", *args) == expected


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        pytest.param(
            "convertFromUtc",
            ("2018-07-01T12:00:00Z", "W. Europe Standard Time"),
            "2018-07-01T14:00:00.0000000",
            id="summer-time-in-berlin",
        ),
        pytest.param(
            "convertFromUtc",
            ("2018-07-01T12:00:00.1234567Z", "pacific standard time"),
            "2018-07-01T05:00:00.1234567",
            id="names-any-case-and-ticks-kept",
        ),
        pytest.param("convertFromUtc", ("2018-07-01T12:00:00Z", "UTC"), "2018-07-01T12:00:00.0000000Z", id="to-utc"),
        pytest.param(
            "convertToUtc",
            ("2018-11-04T01:30:00", "Pacific Standard Time"),
            "2018-11-04T09:30:00.0000000Z",
            id="repeated-hour-is-standard-time",
        ),
        pytest.param(
            "convertTimeZone",
            ("2018-07-01T09:00:00", "Tokyo Standard Time", "GMT Standard Time"),
            "2018-07-01T01:00:00.0000000",
            id="zone-to-zone",
        ),
    ],
)
def test_time_zones_use_windows_names_and_dst_rules(name: str, args: tuple[Any, ...], expected: str) -> None:
    assert call(name, *args) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param("2018-01-02T00:00:00Z", "2018-01-01T12:00:00.5Z", "-11:59:59.5000000", id="negative-fraction"),
        pytest.param("2018-01-01T00:00:00Z", "2018-01-01T00:00:00Z", "00:00:00", id="zero"),
        pytest.param("2018-01-01", "2018-01-03T01:02:03", "2.01:02:03", id="days-and-time"),
    ],
)
def test_date_difference_is_a_dotnet_timespan(start: str, end: str, expected: str) -> None:
    assert call("dateDifference", start, end) == expected


ERRORS = [
    pytest.param("addDays", ("2018-01-01T00:00:00Z",), "expects two or three parameters", id="too-few"),
    pytest.param("utcNow", ("o", "x"), "invoked with '2' parameter(s)", id="too-many"),
    pytest.param("formatDateTime", (), "invoked with '0' parameter(s)", id="none"),
    pytest.param(
        "addDays",
        (20180101, 1),
        "expects its first parameter to be a string that contains the time. The provided value is of type 'Integer'.",
        id="timestamp-not-a-string",
    ),
    pytest.param("dayOfWeek", (None,), "of type 'Null'", id="timestamp-null"),
    pytest.param(
        "addMinutes",
        ("", 1),
        "In function 'addMinutes', the value provided for date time string '' was not valid. "
        "The datetime string must match ISO 8601 format.",
        id="empty-timestamp-as-the-service-words-it",
    ),
    pytest.param("addDays", ("2018-01-01T00:00:00Z", "10"), "integer", id="days-as-string"),
    pytest.param("addDays", ("2018-01-01T00:00:00Z", True), "of type 'Boolean'", id="days-as-boolean"),
    pytest.param("addDays", ("2018-01-01T00:00:00Z", 1.5), "of type 'Float'", id="days-as-float"),
    pytest.param("addToTime", ("2018-01-01T00:00:00Z", 1, "Fortnight"), "'Fortnight'", id="unknown-unit"),
    pytest.param("formatDateTime", ("2018-01-01", 5), "of type 'Integer'", id="format-not-a-string"),
    pytest.param("formatDateTime", ("2018-01-01", "q"), "format 'q' was not valid", id="unknown-standard-format"),
    pytest.param("formatDateTime", ("2018-01-01", "ffffffff"), "seven", id="eight-f"),
    pytest.param("formatDateTime", ("2018-01-01", "yyyy 'open"), "quote", id="unclosed-quote"),
    pytest.param("formatDateTime", ("2018-01-01", "yyyy\\"), "escape", id="trailing-backslash"),
    pytest.param("formatDateTime", ("2018-01-01", "%"), "'%'", id="lone-percent"),
    pytest.param("formatDateTime", ("2018-01-01", "D", "xx-YY"), "locale 'xx-YY'", id="unknown-locale"),
    pytest.param("convertFromUtc", ("2018-01-01T00:00:00Z", "Mars Standard Time"), "time zone id", id="unknown-zone"),
    pytest.param(
        "convertFromUtc", ("2018-01-01T00:00:00Z", "America/Los_Angeles"), "Windows time zone", id="iana-name"
    ),
    pytest.param(
        "convertToUtc", ("2018-03-11T02:30:00", "Pacific Standard Time"), "not a valid time", id="spring-forward-gap"
    ),
    pytest.param("addDays", ("9999-12-31T00:00:00Z", 1), "outside the range", id="past-year-9999"),
    pytest.param("getPastTime", (3000, "Year"), "outside the range", id="before-year-1"),
    pytest.param("parseDateTime", ("2019-05-21", "fr-fr", "ddMMyyyy"), "match the format", id="text-not-in-format"),
    pytest.param("parseDateTime", ("20/10/2014", "en-US"), "was not valid", id="day-first-in-en-us"),
]


@pytest.mark.parametrize(("name", "args", "message"), ERRORS)
def test_bad_arguments_are_expression_errors(name: str, args: tuple[Any, ...], message: str) -> None:
    with pytest.raises(ExpressionEvaluationError) as raised:
        call(name, *args)
    assert message in raised.value.message
    assert raised.value.code == "InvalidTemplate"
