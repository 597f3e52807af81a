"""The date and time functions against the worked examples of Microsoft's function reference.

Each case cites its section of "Reference guide to functions in expressions for workflows in Azure Logic Apps
and Power Automate" (expression-functions-reference.md, alphabetical list) in its id. The functions are called
directly through `FUNCTIONS`, with the clock fixed where an example says "suppose the current timestamp is".

The examples are those of the current reference (ms.date 10/06/2025). Earlier revisions printed
`addDays('2018-03-15T13:00:00Z', 10)` as "2018-03-25T00:00:0000000Z", which loses both the hour and the dot
before the fraction; the current text, like every other result in the reference, writes the "o" format
"2018-03-25T00:00:00.0000000Z" for midnight input, so those old results are not tested.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from flowmock_receiver.workflow.expressions.datetimes import FUNCTIONS
from flowmock_receiver.workflow.expressions.errors import ExpressionEvaluationError

#: The clock of utcNow's examples: "utcNow() // Returns 2025-09-25T05:18:31.3384797Z" (to the microsecond).
UTC_NOW_EXAMPLE = dt.datetime(2025, 9, 25, 5, 18, 31, 338479, tzinfo=dt.UTC)
ANY_CLOCK = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def call(name: str, *args: Any, now: dt.datetime = ANY_CLOCK) -> Any:
    return FUNCTIONS[name](now, *args)


REFERENCE_EXAMPLES = [
    pytest.param("addDays", ("2018-03-15T00:00:00Z", 10), "2018-03-25T00:00:00.0000000Z", id="addDays-example-1"),
    pytest.param("addDays", ("2018-03-15T00:00:00Z", -5), "2018-03-10T00:00:00.0000000Z", id="addDays-example-2"),
    pytest.param("addHours", ("2018-03-15T00:00:00Z", 10), "2018-03-15T10:00:00.0000000Z", id="addHours-example-1"),
    pytest.param("addHours", ("2018-03-15T15:00:00Z", -5), "2018-03-15T10:00:00.0000000Z", id="addHours-example-2"),
    pytest.param("addMinutes", ("2018-03-15T00:10:00Z", 10), "2018-03-15T00:20:00.0000000Z", id="addMinutes-example-1"),
    pytest.param("addMinutes", ("2018-03-15T00:20:00Z", -5), "2018-03-15T00:15:00.0000000Z", id="addMinutes-example-2"),
    pytest.param("addSeconds", ("2018-03-15T00:00:00Z", 10), "2018-03-15T00:00:10.0000000Z", id="addSeconds-example-1"),
    pytest.param("addSeconds", ("2018-03-15T00:00:30Z", -5), "2018-03-15T00:00:25.0000000Z", id="addSeconds-example-2"),
    pytest.param(
        "addToTime", ("2018-01-01T00:00:00Z", 1, "Day"), "2018-01-02T00:00:00.0000000Z", id="addToTime-example-1"
    ),
    pytest.param(
        "addToTime", ("2018-01-01T00:00:00Z", 1, "Day", "D"), "Tuesday, January 2, 2018", id="addToTime-example-2"
    ),
    pytest.param(
        "convertFromUtc",
        ("2018-01-01T08:00:00.0000000Z", "Pacific Standard Time"),
        "2018-01-01T00:00:00.0000000",
        id="convertFromUtc-example-1",
    ),
    pytest.param(
        "convertFromUtc",
        ("2018-01-01T08:00:00.0000000Z", "Pacific Standard Time", "D"),
        "Monday, January 1, 2018",
        id="convertFromUtc-example-2",
    ),
    pytest.param(
        "convertTimeZone",
        ("2018-01-01T08:00:00.0000000Z", "UTC", "Pacific Standard Time"),
        "2018-01-01T00:00:00.0000000",
        id="convertTimeZone-example-1",
    ),
    # convertTimeZone example 2 passes '2018-01-01T80:00:00.0000000Z': hour 80 does not exist, and example 1 and
    # the "D" result it shows ("Monday, January 1, 2018") only follow from 08:00, so the typo is corrected here;
    # the text as published is an invalid timestamp (see test_the_reference_typo_hour_80_is_not_a_timestamp).
    pytest.param(
        "convertTimeZone",
        ("2018-01-01T08:00:00.0000000Z", "UTC", "Pacific Standard Time", "D"),
        "Monday, January 1, 2018",
        id="convertTimeZone-example-2-hour-corrected",
    ),
    pytest.param(
        "convertToUtc",
        ("01/01/2018 00:00:00", "Pacific Standard Time"),
        "2018-01-01T08:00:00.0000000Z",
        id="convertToUtc-example-1",
    ),
    pytest.param(
        "convertToUtc",
        ("01/01/2018 00:00:00", "Pacific Standard Time", "D"),
        "Monday, January 1, 2018",
        id="convertToUtc-example-2",
    ),
    pytest.param("dateDifference", ("2015-02-08", "2018-07-30"), "1268.00:00:00", id="dateDifference-example"),
    pytest.param("dayOfMonth", ("2018-03-15T13:27:36Z",), 15, id="dayOfMonth-example"),
    pytest.param("dayOfWeek", ("2018-03-15T13:27:36Z",), 4, id="dayOfWeek-example"),
    pytest.param("dayOfYear", ("2018-03-15T13:27:36Z",), 74, id="dayOfYear-example"),
    pytest.param("formatDateTime", ("03/15/2018",), "2018-03-15T00:00:00.0000000", id="formatDateTime-example-1"),
    pytest.param(
        "formatDateTime",
        ("03/15/2018 12:00:00", "yyyy-MM-ddTHH:mm:ss"),
        "2018-03-15T12:00:00",
        id="formatDateTime-example-2",
    ),
    pytest.param("formatDateTime", ("01/31/2016", "dddd MMMM d"), "Sunday January 31", id="formatDateTime-example-3"),
    pytest.param(
        "formatDateTime",
        ("01/31/2016", "dddd MMMM d", "fr-fr"),
        "dimanche janvier 31",
        id="formatDateTime-example-4-fr-fr",
    ),
    pytest.param(
        "formatDateTime",
        ("01/31/2016", "dddd MMMM d", "fr-FR"),
        "dimanche janvier 31",
        id="formatDateTime-example-5-fr-FR",
    ),
    pytest.param(
        "formatDateTime",
        ("01/31/2016", "dddd MMMM d", "es-es"),
        "domingo enero 31",
        id="formatDateTime-example-6-es-es",
    ),
    pytest.param("parseDateTime", ("20/10/2014", "fr-fr"), "2014-10-20T00:00:00.0000000", id="parseDateTime-example-1"),
    pytest.param(
        "parseDateTime", ("20 octobre 2010", "fr-FR"), "2010-10-20T00:00:00.0000000", id="parseDateTime-example-2"
    ),
    pytest.param(
        "parseDateTime",
        ("martes 20 octubre 2020", "es-es"),
        "2020-10-20T00:00:00.0000000",
        id="parseDateTime-example-3",
    ),
    pytest.param(
        "parseDateTime", ("21052019", "fr-fr", "ddMMyyyy"), "2019-05-21T00:00:00.0000000", id="parseDateTime-example-4"
    ),
    pytest.param(
        "parseDateTime", ("20190521", "fr-fr", "yyyyMMdd"), "2019-05-21T00:00:00.0000000", id="parseDateTime-example-5"
    ),
    pytest.param(
        "parseDateTime",
        ("10/20/2014 15h", "en-US", "MM/dd/yyyy HH\\h"),
        "2014-10-20T15:00:00.0000000",
        id="parseDateTime-example-6",
    ),
    pytest.param("startOfDay", ("2018-03-15T13:30:30Z",), "2018-03-15T00:00:00.0000000Z", id="startOfDay-example"),
    pytest.param("startOfHour", ("2018-03-15T13:30:30Z",), "2018-03-15T13:00:00.0000000Z", id="startOfHour-example"),
    pytest.param(
        "startOfMonth", ("2018-03-15T13:30:30Z",), "2018-03-01T00:00:00.0000000Z", id="startOfMonth-example-1"
    ),
    pytest.param("startOfMonth", ("2018-03-15T13:30:30Z", "yyyy-MM-dd"), "2018-03-01", id="startOfMonth-example-2"),
    pytest.param(
        "subtractFromTime",
        ("2018-01-02T00:00:00Z", 1, "Day"),
        "2018-01-01T00:00:00.0000000Z",
        id="subtractFromTime-example-1",
    ),
    # subtractFromTime example 2 shows "Monday, January, 1, 2018" for the "D" format; every other "D" result in the
    # reference (addToTime, convertFromUtc, getFutureTime, utcNow) has no comma after the month, as en-US's long
    # date pattern "dddd, MMMM d, yyyy" has none, so the stray comma is the example's typo.
    pytest.param(
        "subtractFromTime",
        ("2018-01-02T00:00:00Z", 1, "Day", "D"),
        "Monday, January 1, 2018",
        id="subtractFromTime-example-2-without-stray-comma",
    ),
]


@pytest.mark.parametrize(("name", "args", "expected"), REFERENCE_EXAMPLES)
def test_reference_example_gives_the_documented_result(name: str, args: tuple[Any, ...], expected: Any) -> None:
    assert call(name, *args) == expected


@pytest.mark.parametrize(
    ("name", "args", "now", "expected"),
    [
        pytest.param(
            "getFutureTime",
            (5, "Day"),
            dt.datetime(2018, 3, 1, tzinfo=dt.UTC),
            "2018-03-06T00:00:00.0000000Z",
            id="getFutureTime-example-1",
        ),
        pytest.param(
            "getFutureTime",
            (5, "Day", "D"),
            dt.datetime(2018, 3, 1, tzinfo=dt.UTC),
            "Tuesday, March 6, 2018",
            id="getFutureTime-example-2",
        ),
        pytest.param(
            "getPastTime",
            (5, "Day"),
            dt.datetime(2018, 2, 1, tzinfo=dt.UTC),
            "2018-01-27T00:00:00.0000000Z",
            id="getPastTime-example-1",
        ),
        pytest.param(
            "getPastTime",
            (5, "Day", "D"),
            dt.datetime(2018, 2, 1, tzinfo=dt.UTC),
            "Saturday, January 27, 2018",
            id="getPastTime-example-2",
        ),
        # utcNow's examples share one clock, 2025-09-25T05:18:31.3384797Z; a Python datetime holds six of its
        # seven fractional digits, so the default-format example ends in ...3384790Z here.
        pytest.param("utcNow", (), UTC_NOW_EXAMPLE, "2025-09-25T05:18:31.3384790Z", id="utcNow-example-default"),
        pytest.param("utcNow", ("u",), UTC_NOW_EXAMPLE, "2025-09-25 05:18:31Z", id="utcNow-example-u"),
        pytest.param(
            "utcNow", ("U",), UTC_NOW_EXAMPLE, "Thursday, September 25, 2025 5:18:31 AM", id="utcNow-example-U"
        ),
        pytest.param("utcNow", ("d",), UTC_NOW_EXAMPLE, "9/25/2025", id="utcNow-example-d"),
        pytest.param("utcNow", ("D",), UTC_NOW_EXAMPLE, "Thursday, September 25, 2025", id="utcNow-example-D"),
        pytest.param("utcNow", ("t",), UTC_NOW_EXAMPLE, "5:18 AM", id="utcNow-example-t"),
        pytest.param("utcNow", ("T",), UTC_NOW_EXAMPLE, "5:18:31 AM", id="utcNow-example-T"),
        pytest.param("utcNow", ("y",), UTC_NOW_EXAMPLE, "September 2025", id="utcNow-example-y"),
        pytest.param("utcNow", ("yyyy",), UTC_NOW_EXAMPLE, "2025", id="utcNow-example-yyyy"),
        pytest.param("utcNow", ("ddd, d MMM yyyy",), UTC_NOW_EXAMPLE, "Thu, 25 Sep 2025", id="utcNow-example-custom"),
    ],
)
def test_clock_example_gives_the_documented_result(
    name: str, args: tuple[Any, ...], now: dt.datetime, expected: str
) -> None:
    assert call(name, *args, now=now) == expected


def test_ticks_counts_100_nanosecond_intervals_since_year_one() -> None:
    # The ticks section has no worked example; DateTime.Ticks of 2018-03-15T13:00:00Z is a published .NET fact.
    assert call("ticks", "2018-03-15T13:00:00Z") == 636_567_156_000_000_000
    assert call("ticks", "0001-01-01T00:00:00Z") == 0
    assert call("ticks", "2018-03-15T13:00:00.0000001Z") == 636_567_156_000_000_001


def test_the_reference_typo_hour_80_is_not_a_timestamp() -> None:
    with pytest.raises(ExpressionEvaluationError, match=re.escape("date time string '2018-01-01T80:00:00.0000000Z'")):
        call("convertTimeZone", "2018-01-01T80:00:00.0000000Z", "UTC", "Pacific Standard Time", "D")
