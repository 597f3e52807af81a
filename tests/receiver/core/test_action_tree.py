"""Reading a run's action tree: paths, durations, and skip reasons (the path from the trigger to an
action, for assertion messages, is the pytest handle's: tests/plugin)."""

from __future__ import annotations

import pytest

from flowmock_receiver.core.action_tree import (
    branch_label,
    duration_ms,
    find,
    format_duration,
    has_actions,
    mock_label,
    parse_time,
    skip_reason,
    walk,
)
from tests.runview import ship_order_run


@pytest.fixture(scope="module")
def actions():
    return ship_order_run()["actions"]


def test_walk_visits_children_then_each_repetition_with_the_repetition_in_the_path(actions):
    keys = [located.key for located in walk(actions)]
    assert keys[:5] == [
        "Init_reserved",
        "Try",
        "Try/For_each_line",
        "Try/For_each_line[0]/Line_has_quantity",
        "Try/For_each_line[0]/Line_has_quantity/Reserve_stock",
    ]
    assert keys[-1] == "Catch/Respond_failed"


def test_find_returns_one_record_per_repetition(actions):
    assert [f.key for f in find(actions, "Reserve_stock")] == [
        f"Try/For_each_line[{i}]/Line_has_quantity/Reserve_stock" for i in range(3)
    ]
    assert find(actions, "Nope") == []


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param("2026-01-01T00:00:00.1000000Z", "2026-01-01T00:00:00.1125000Z", 12.5, id="seven-digits"),
        pytest.param("2026-01-01T00:00:00Z", "2026-01-01T00:01:00Z", 60_000.0, id="no-fraction"),
        pytest.param("2026-01-01T01:00:00+01:00", "2026-01-01T00:00:01Z", 1000.0, id="offsets"),
        pytest.param("2026-01-01T00:00:00Z", None, None, id="still-running"),
        pytest.param("yesterday", "2026-01-01T00:00:00Z", None, id="not-a-time"),
    ],
)
def test_duration_reads_the_service_timestamps(start, end, expected):
    assert duration_ms({"start_time": start, "end_time": end}) == expected


def test_parse_time_keeps_microseconds_of_seven_digit_fractions():
    parsed = parse_time("2016-08-11T03:18:19.7755341Z")
    assert parsed is not None and parsed.microsecond == 775534 and parsed.utcoffset() is not None


@pytest.mark.parametrize(
    ("ms", "text"),
    [
        (None, "–"),
        (0.4, "0 ms"),
        (12.0, "12 ms"),
        (1500.0, "1.5 s"),
        (2000.0, "2 s"),
        (77_515.0, "1 min 18 s"),
        (120_000.0, "2 min"),
        (3_780_000.0, "1 h 3 min"),
        (7_200_000.0, "2 h"),
    ],
)
def test_durations_are_written_as_the_run_history_writes_them(ms, text):
    assert format_duration(ms) == text


def test_skip_reasons_name_the_predecessor_the_wanted_statuses_and_the_actual_one():
    skipped = {
        "name": "Catch",
        "status": "Skipped",
        "error": {
            "code": "ActionConditionFailed",
            "message": "The execution of template action 'Catch' is skipped: the 'runAfter' condition for action "
            "'Try it's' is not satisfied. Expected status values 'Failed, TimedOut' and actual value 'Succeeded'.",
        },
    }
    assert skip_reason(skipped) == "waited for 'Try it's' to be Failed or TimedOut; it was Succeeded"
    assert skip_reason({"status": "Succeeded"}) is None
    branch = {"status": "Skipped", "error": {"code": "ActionBranchingConditionNotSatisfied", "message": "..."}}
    assert skip_reason(branch) == "its branch was not taken"
    assert skip_reason({"status": "Skipped"}, {"name": "Scope", "status": "Skipped"}) == (
        "'Scope', which holds it, was skipped"
    )


def test_branch_labels_follow_the_designer():
    assert branch_label("If", "actions") == "If yes" and branch_label("If", "else") == "If no"
    assert branch_label("Switch", "gold") == "Case gold" and branch_label("Switch", "default") == "Default"
    assert branch_label("Scope", "actions") is None


def test_only_outside_calls_get_a_mock_label():
    assert [mock_label(m) for m in ("default", True, False)] == ["not mocked", "mocked", None]


@pytest.mark.parametrize(
    ("run", "expected"),
    [
        pytest.param({"status": "Succeeded"}, False, id="no-actions-key"),
        pytest.param({"status": "Succeeded", "actions": []}, False, id="flowmock-defined-flow"),
        pytest.param({"status": "Running", "actions": []}, True, id="imported-flow-starting"),
        pytest.param({"status": "Failed", "actions": [{"name": "A"}]}, True, id="imported-flow"),
        pytest.param({"status": "Failed", "actions": "A"}, False, id="not-a-list"),
    ],
)
def test_only_runs_of_imported_flows_have_actions_to_show(run, expected):
    assert has_actions(run) is expected
