"""Compose, Parse JSON, Filter array, Select, Join, Create CSV/HTML table."""

from __future__ import annotations

import pytest

from tests.workflow.engine.flows import act, compose, run

PEOPLE = [{"name": "Ada", "age": 36}, {"name": "Bo", "age": 12}, {"name": "Cy, Jr.", "age": 40}]


def test_compose_outputs_its_evaluated_inputs_keeping_types():
    record, _, _ = run({"C": compose({"n": "@add(1, 2)", "text": "n=@{add(1, 2)}", "raw": "user@example.com"})})
    assert act(record, "C").outputs == {"n": 3, "text": "n=3", "raw": "user@example.com"}


def test_an_expression_error_fails_the_action_with_invalid_template_worded_for_the_action():
    record, _, _ = run({"C": compose("@div(1, 0)")})
    error = act(record, "C").error
    assert act(record, "C").status == "Failed"
    assert error["code"] == "InvalidTemplate"
    assert error["message"].startswith("Unable to process template language expressions in action 'C' inputs")


def parse(content, schema=None):
    return {"type": "ParseJson", "inputs": {"content": content, "schema": schema or {}}, "runAfter": {}}


def test_parse_json_parses_text_and_passes_objects_through():
    record, _, _ = run({"Text": parse('{"a": [1, 2]}'), "Object": parse("@triggerBody()")}, {"b": True})
    assert act(record, "Text").outputs == {"body": {"a": [1, 2]}}
    assert act(record, "Object").outputs == {"body": {"b": True}}


def test_parse_json_fails_validation_failed_with_json_net_worded_errors():
    schema = {"type": "object", "properties": {"id": {"type": "integer"}}, "required": ["id", "name"]}
    record, _, _ = run({"P": parse("@triggerBody()", schema)}, {"id": "x"})
    parsed = act(record, "P")
    assert parsed.status == "Failed"
    assert parsed.error == {"code": "ValidationFailed", "message": "The schema validation failed."}
    messages = [e["message"] for e in parsed.outputs["errors"]]
    assert "Invalid type. Expected Integer but got String." in messages
    assert any(m.startswith("Required properties are missing from object: name") for m in messages)


def test_parse_json_of_text_that_is_not_json_fails():
    record, _, _ = run({"P": parse("{not json")})
    assert act(record, "P").status == "Failed"


def query(where):
    return {"type": "Query", "inputs": {"from": "@triggerBody()", "where": where}, "runAfter": {}}


def test_filter_array_keeps_the_items_whose_condition_is_true():
    record, _, _ = run({"Q": query("@greaterOrEquals(item()['age'], 18)")}, PEOPLE)
    assert [p["name"] for p in act(record, "Q").outputs["body"]] == ["Ada", "Cy, Jr."]


def test_filter_array_takes_the_object_condition_form_too():
    record, _, _ = run({"Q": query({"less": ["@item()['age']", 18]})}, PEOPLE)
    assert act(record, "Q").outputs["body"] == [PEOPLE[1]]


def test_array_operations_need_an_array_in_from():
    record, _, _ = run({"Q": query("@true")}, {"not": "an array"})
    assert act(record, "Q").error["message"] == (
        "The 'from' property value in the 'query' action inputs is of type 'Object'. The value must be an array."
    )


def test_select_maps_each_item_to_an_object_or_a_value():
    actions = {
        "Objects": {
            "type": "Select",
            "inputs": {
                "from": "@triggerBody()",
                "select": {"who": "@item()['name']", "adult": "@greater(item()['age'], 17)"},
            },
            "runAfter": {},
        },
        "Values": {"type": "Select", "inputs": {"from": "@triggerBody()", "select": "@item()['age']"}, "runAfter": {}},
    }
    record, _, _ = run(actions, PEOPLE)
    assert act(record, "Objects").outputs["body"][0] == {"who": "Ada", "adult": True}
    assert act(record, "Values").outputs["body"] == [36, 12, 40]


def test_select_inside_a_loop_sees_its_own_item_and_the_loop_item_by_name():
    actions = {
        "Loop": {
            "type": "Foreach",
            "foreach": "@createArray('x')",
            "actions": {
                "S": {
                    "type": "Select",
                    "inputs": {"from": "@createArray(1, 2)", "select": "@concat(items('Loop'), string(item()))"},
                    "runAfter": {},
                }
            },
            "runAfter": {},
        }
    }
    record, _, _ = run(actions)
    assert act(record, "Loop").repetitions[0].actions[0].outputs["body"] == ["x1", "x2"]


def test_join_writes_values_as_text_with_the_separator():
    record, _, _ = run(
        {"J": {"type": "Join", "inputs": {"from": "@triggerBody()", "joinWith": " | "}, "runAfter": {}}},
        ["a", 1, True, None, {"k": 1}],
    )
    assert act(record, "J").outputs["body"] == 'a | 1 | True |  | {"k":1}'


def test_csv_table_with_automatic_columns_quotes_as_csv_does():
    record, _, _ = run(
        {"T": {"type": "Table", "inputs": {"from": "@triggerBody()", "format": "CSV"}, "runAfter": {}}}, PEOPLE
    )
    assert act(record, "T").outputs["body"] == 'name,age\r\nAda,36\r\nBo,12\r\n"Cy, Jr.",40\r\n'


def test_html_table_with_custom_columns_escapes_values():
    columns = [
        {"header": "Who", "value": "@item()['name']"},
        {"header": "Next year", "value": "@add(item()['age'], 1)"},
    ]
    record, _, _ = run(
        {
            "T": {
                "type": "Table",
                "inputs": {"from": "@triggerBody()", "format": "HTML", "columns": columns},
                "runAfter": {},
            }
        },
        [{"name": "<b>", "age": 1}],
    )
    assert act(record, "T").outputs["body"] == (
        "<table><thead><tr><th>Who</th><th>Next year</th></tr></thead><tbody><tr><td>&lt;b&gt;</td><td>2</td></tr></tbody></table>"
    )


@pytest.mark.parametrize("fmt", ["XML", 5])
def test_a_table_format_other_than_csv_or_html_fails(fmt):
    record, _, _ = run({"T": {"type": "Table", "inputs": {"from": "@createArray()", "format": fmt}, "runAfter": {}}})
    assert act(record, "T").status == "Failed"


def test_action_returns_the_running_action_even_inside_a_scope():
    record, _, _ = run(
        {
            "Outer": {"type": "Scope", "actions": {"Inner": compose("@action()['name']")}, "runAfter": {}},
            "After": compose("@action()['name']", {"Outer": ["Succeeded"]}),
        }
    )
    assert act(record, "Inner").outputs == "Inner"
    assert act(record, "After").outputs == "After"


def date_action(kind, **inputs):
    return {"type": "Expression", "kind": kind, "inputs": inputs, "runAfter": {}}


def test_the_date_time_actions_run_as_the_date_functions_on_the_virtual_clock():
    actions = {
        "Now": date_action("CurrentTime"),
        "Later": date_action("AddToTime", baseTime="2026-03-01T09:00:00Z", interval=2, timeUnit="Day"),
        "Earlier": date_action(
            "SubtractFromTime",
            baseTime="2026-03-01T09:00:00Z",
            interval=1,
            timeUnit="Hour",
            formatString="yyyy-MM-dd HH:mm",
        ),
        "Future": date_action("GetFutureTime", interval=1, timeUnit="Minute"),
        "Past": date_action("GetPastTime", interval=1, timeUnit="Day", formatString="yyyy-MM-dd"),
        "Local": date_action(
            "ConvertTimeZone",
            baseTime="2026-03-01T09:00:00Z",
            sourceTimeZone="UTC",
            destinationTimeZone="W. Europe Standard Time",
            formatString="HH:mm",
        ),
        "Read": compose("@body('Local')", {"Local": ["Succeeded"]}),
    }
    record, _, _ = run(actions)
    assert act(record, "Now").outputs["body"].startswith("2026-03-01T09:00:00")
    assert act(record, "Later").outputs["body"].startswith("2026-03-03T09:00:00")
    assert act(record, "Earlier").outputs["body"] == "2026-03-01 08:00"
    assert act(record, "Future").outputs["body"].startswith("2026-03-01T09:01:00")
    assert act(record, "Past").outputs["body"] == "2026-02-28"
    assert act(record, "Read").outputs == "10:00"


def test_an_unknown_expression_kind_is_mocked_like_a_connector():
    record, _, _ = run({"Text": date_action("FindTextPosition", text="abc", searchText="b")})
    assert act(record, "Text").mocked == "default"
