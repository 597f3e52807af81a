"""Mock mappings: accepted shapes, and one clear error with a path for each wrong one."""

from __future__ import annotations

import pytest

from flowmock_receiver.workflow.errors import MockError
from flowmock_receiver.workflow.mocks import ActionMock, parse_mocks, unknown_mock_names


def test_every_documented_form_parses():
    mocks = parse_mocks(
        {
            "Get": {"statusCode": 200, "headers": {"x": "1"}, "body": {"id": "@{triggerBody()?['id']}"}},
            "Send": {"status": "Succeeded", "outputs": {"body": {"id": "m-1"}}},
            "Flaky": {"sequence": [{"statusCode": 503}, {"statusCode": 200, "body": "ok"}]},
            "Broken": {"status": "Failed", "error": {"code": "NotFound", "message": "no such row"}},
            "Null_body": {"body": None},
        }
    )
    assert mocks["Get"].status_code == 200 and mocks["Get"].http_shaped
    assert mocks["Send"].has_outputs and not mocks["Send"].http_shaped
    assert mocks["Flaky"].for_call(0).status_code == 503
    assert mocks["Flaky"].for_call(5).body == "ok"
    assert mocks["Null_body"].has_body and mocks["Null_body"].body is None


def test_mocks_round_trip_through_json():
    raw = {"A": {"statusCode": 404, "body": "x"}, "B": {"sequence": [{"status": "TimedOut"}, {"outputs": {}}]}}
    assert {name: mock.to_json() for name, mock in parse_mocks(raw).items()} == raw


def test_none_means_no_mocks():
    assert parse_mocks(None) == {}


@pytest.mark.parametrize(
    ("value", "path", "words"),
    [
        pytest.param([], "$", "must be an object", id="not-a-mapping"),
        pytest.param({"A": "200"}, "$.A", "must be an object", id="mock-not-object"),
        pytest.param({"A": {"stauts": "Failed"}}, "$.A", "unknown key 'stauts'", id="typo"),
        pytest.param({"A": {"status": "Skipped"}}, "$.A.status", "Succeeded, Failed, TimedOut", id="bad-status"),
        pytest.param({"A": {"outputs": {}, "body": 1}}, "$.A", "either outputs or statusCode", id="both-forms"),
        pytest.param({"A": {"statusCode": 99}}, "$.A.statusCode", "between 100 and 599", id="code-range"),
        pytest.param({"A": {"statusCode": True}}, "$.A.statusCode", "integer", id="code-bool"),
        pytest.param({"A": {"statusCode": "200"}}, "$.A.statusCode", "integer or an expression", id="code-text"),
        pytest.param({"A": {"headers": []}}, "$.A.headers", "must be an object", id="headers-list"),
        pytest.param({"A": {"error": "boom"}}, "$.A.error", "code and message", id="error-text"),
        pytest.param({"A": {"error": {"code": 1}}}, "$.A.error.code", "must be a string", id="error-code-type"),
        pytest.param({"A": {"error": {"why": "x"}}}, "$.A.error", "unknown key 'why'", id="error-key"),
        pytest.param(
            {"A": {"status": "Succeeded", "error": {"code": "x"}}}, "$.A.error", "no error", id="succeeded-with-error"
        ),
        pytest.param({"A": {"sequence": []}}, "$.A.sequence", "non-empty list", id="empty-sequence"),
        pytest.param(
            {"A": {"sequence": [{"sequence": [{}]}]}},
            "$.A.sequence[0].sequence",
            "cannot hold another",
            id="nested-sequence",
        ),
        pytest.param({"A": {"sequence": [{}], "status": "Failed"}}, "$.A", "nothing else", id="sequence-and-more"),
        pytest.param(
            {"A": {"sequence": [{"statusCode": 0}]}}, "$.A.sequence[0].statusCode", "between", id="sequence-entry"
        ),
        pytest.param({"": {}}, "$", "non-empty strings", id="empty-name"),
    ],
)
def test_a_wrong_mock_is_refused_with_its_path(value, path, words):
    with pytest.raises(MockError) as raised:
        parse_mocks(value)
    assert raised.value.path == path
    assert words in str(raised.value)


def test_mock_names_that_match_no_action_are_reported_at_any_depth():
    definition = {
        "actions": {
            "Scope": {"type": "Scope", "actions": {"Inner": {}}},
            "If": {"type": "If", "actions": {"Yes": {}}, "else": {"actions": {"No": {}}}},
            "Switch": {
                "type": "Switch",
                "cases": {"C": {"actions": {"InCase": {}}}},
                "default": {"actions": {"InDefault": {}}},
            },
        }
    }
    mocks = {name: ActionMock() for name in ("Inner", "Yes", "No", "InCase", "InDefault", "Typo")}
    assert unknown_mock_names(mocks, definition) == ["Typo"]
