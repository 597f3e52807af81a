"""Postman's monitor notification policies, and their state carried across invocations."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from flowmock_sender import PolicyState, decide


def run_sequence(policy: str, outcomes: list[bool]) -> list[int]:
    failures, notified = 0, []
    for index, succeeded in enumerate(outcomes, start=1):
        notify, failures = decide(policy, failures, succeeded)
        if notify:
            notified.append(index)
    return notified


def test_failures_policy_notifies_three_failures_then_the_first_success():
    f, s = False, True
    assert run_sequence("failures", [f, f, f, f, f, s, s]) == [1, 2, 3, 6]


def test_failures_policy_stays_silent_for_a_monitor_that_never_fails():
    assert run_sequence("failures", [True] * 10) == []


def test_first_success_after_a_single_failure_is_notified():
    assert run_sequence("failures", [True, False, True, True, False, False, True]) == [2, 3, 5, 6, 7]


def test_all_policy_notifies_every_completed_run():
    assert run_sequence("all", [True, False, True]) == [1, 2, 3]


def reference_model(outcomes: list[bool]) -> list[int]:
    """Postman staff's wording, literally: the first 3 failures after a success, and the first success after
    one or more failures."""
    notified = []
    previous_success_index = 0
    for index, succeeded in enumerate(outcomes, start=1):
        if succeeded:
            if index > 1 and not outcomes[index - 2]:
                notified.append(index)
            previous_success_index = index
        elif index - previous_success_index <= 3:
            notified.append(index)
    return notified


@given(st.lists(st.booleans(), max_size=300))
def test_failures_policy_matches_the_reference_model_on_long_random_sequences(outcomes):
    assert run_sequence("failures", outcomes) == reference_model(outcomes)


@given(st.lists(st.booleans(), min_size=1, max_size=40), st.integers(min_value=0, max_value=40))
def test_state_persisted_between_invocations_continues_the_same_sequence(tmp_path_factory, outcomes, split):
    path = tmp_path_factory.mktemp("state") / "state.json"
    notified = []
    for index, succeeded in enumerate(outcomes, start=1):
        state = PolicyState(path)  # a fresh object each run, as separate CLI invocations are
        if state.record("failures", "12345678-monitor", succeeded):
            notified.append(index)
    assert notified == reference_model(outcomes)
    assert PolicyState(path).failures("another-monitor") == 0
