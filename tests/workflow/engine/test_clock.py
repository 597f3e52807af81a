"""The virtual clock, ISO 8601 durations and timestamps as definitions write them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from flowmock_receiver.workflow.engine.clock import VirtualClock, format_time, parse_duration, parse_time


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("PT20S", 20),
        ("PT7.5S", 7.5),
        ("PT1H", 3600),
        ("P1D", 86400),
        ("P1DT2H3M4S", 93784),
        ("pt5m", 300),
        ("P2W", 1209600),
    ],
)
def test_iso_durations_read_as_seconds(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "P", "PT", "20S", "PT-5S", "1 hour", "PTS"])
def test_text_that_is_not_a_duration_is_refused(text):
    with pytest.raises(ValueError):
        parse_duration(text)


@pytest.mark.parametrize(
    "text",
    ["2026-03-02T00:00:00Z", "2026-03-02T00:00:00.1234567Z", "2026-03-02T01:00:00+01:00", "2026-03-02T00:00:00"],
)
def test_timestamps_in_any_service_form_read_as_utc(text):
    assert parse_time(text) == datetime(2026, 3, 2, 0, 0, 0, 123456 if ".12" in text else 0, tzinfo=UTC)


def test_the_clock_moves_only_when_told_and_prints_seven_digits():
    clock = VirtualClock(datetime(2026, 1, 1, tzinfo=UTC))
    assert clock.iso() == "2026-01-01T00:00:00.0000000Z"
    clock.advance(1.5)
    clock.advance(-10)  # never backwards
    assert clock.iso() == "2026-01-01T00:00:01.5000000Z"
    clock.advance_to(datetime(2025, 1, 1, tzinfo=UTC))
    assert clock.elapsed() == 1.5
    assert format_time(datetime(2026, 1, 1, 1, tzinfo=UTC)) == "2026-01-01T01:00:00.0000000Z"


def test_a_naive_start_is_taken_as_utc():
    assert VirtualClock(datetime(2026, 1, 1)).now().tzinfo is UTC
