"""The per-call shortcuts on the trigger's hot path give exactly what the long way gives: run times as Azure writes
them across second boundaries, the same seconds-since-1970 history filters and retention compare against, the
same body parsing whatever Content-Type arrives, and the same answer headers."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowmock_receiver.core import ids
from flowmock_receiver.core.content import ContentError, trigger_body
from flowmock_receiver.core.records import epoch
from flowmock_receiver.core.trigger_request import TriggerResponse
from flowmock_receiver.serving.native import _messages


def _long_way(moment: float) -> str:
    seconds = int(moment)
    whole = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
    return f"{whole}.{int((moment - seconds) * 1e6):06d}0Z"


@given(st.lists(st.floats(min_value=0, max_value=4e9), min_size=1, max_size=20))
def test_run_times_are_right_whatever_second_came_before(moments: list[float]) -> None:
    # Sorted and not: a cached second must never leak into a call made in another second.
    for moment in [*moments, *sorted(moments)]:
        assert ids.timestamp(moment) == _long_way(moment)


def test_run_times_roll_over_at_the_second() -> None:
    assert ids.timestamp(1_800_000_000.999999) == "2027-01-15T08:00:00.9999990Z"
    assert ids.timestamp(1_800_000_001.0) == "2027-01-15T08:00:01.0000000Z"
    assert ids.timestamp(1_800_000_000.5) == "2027-01-15T08:00:00.5000000Z"


@given(st.floats(min_value=0, max_value=4e9))
def test_record_times_read_back_to_the_same_seconds_as_datetime_gives(moment: float) -> None:
    text = ids.timestamp(moment)
    assert epoch(text) == datetime.fromisoformat(text[:26]).replace(tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-01T00:00:00Z", 1767225600.0),  # imported history may carry other forms
        ("2026-01-01T00:00:00.5Z", 1767225600.5),
        ("2026-01-01T00:00:00.1234567Z", 1767225600.123456),
    ],
)
def test_record_times_in_other_forms_still_read(text: str, expected: float) -> None:
    assert epoch(text) == expected


def test_a_malformed_record_time_is_still_refused() -> None:
    with pytest.raises(ValueError):
        epoch("2026-01-01T00:00:00.12345²Z")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"a": 1}', {"a": 1}),
        (b'\xef\xbb\xbf{"a": 1}', {"a": 1}),  # one BOM is dropped, as "utf-8-sig" drops it
        ('{"é": "ü"}'.encode(), {"é": "ü"}),
    ],
)
def test_json_bodies_parse_with_or_without_a_bom(raw: bytes, expected: object) -> None:
    assert trigger_body(raw, "application/json") == expected


def test_a_second_bom_or_a_cut_one_is_refused_as_before() -> None:
    for raw in (b'\xef\xbb\xbf\xef\xbb\xbf{"a": 1}', b'\xef\xbb{"a": 1}'):
        with pytest.raises(ContentError):
            trigger_body(raw, "application/json")


def test_content_types_are_read_the_same_each_time_they_come() -> None:
    for _ in range(2):
        assert trigger_body(b'{"a": 1}', "Application/JSON; charset=utf-8") == {"a": 1}
        assert trigger_body(b"caf\xe9", "text/plain; charset=latin-1") == "café"
        assert trigger_body(b"\x00\x01", "application/octet-stream") == {
            "$content-type": "application/octet-stream",
            "$content": "AAE=",
        }


def test_answer_headers_go_out_lowercase_with_their_values_each_time() -> None:
    answer = TriggerResponse(202, [("X-Ms-Workflow-Run-Id", "085"), ("Content-Type", "application/json")], b"{}")
    for _ in range(2):
        start, end = _messages(answer, head=False)
        assert start["headers"] == [
            (b"x-ms-workflow-run-id", b"085"),
            (b"content-type", b"application/json"),
            (b"content-length", b"2"),
        ]
        assert end["body"] == b"{}"
