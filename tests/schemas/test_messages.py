"""The Newtonsoft wording and order that Power Automate's TriggerInputSchemaMismatch message is built from."""

from __future__ import annotations

import pytest

from flowmock_schemas import mismatch_details, validate

ORDER_SCHEMA = {
    "type": "object",
    "required": ["item"],
    "additionalProperties": False,
    "properties": {
        "item": {"type": "string"},
        "qty": {"type": "integer"},
        "priority": {"type": "string", "pattern": "^(Urgent|Normal|Low)$"},
    },
}


def test_real_service_example_is_reproduced_word_for_word_and_in_order():
    errors = validate(ORDER_SCHEMA, {"product": "x", "priority": "Right Now"})
    assert mismatch_details(errors) == (
        "Property 'product' has not been defined and the schema does not allow additional properties.,"
        "String 'Right Now' does not match regex pattern '^(Urgent|Normal|Low)$'.,"
        "Required properties are missing from object: item."
    )
    assert [e.path for e in errors] == ["$.product", "$.priority", "$"]


@pytest.mark.parametrize(
    ("schema", "value", "message"),
    [
        pytest.param({"type": "boolean"}, "yes", "Invalid type. Expected Boolean but got String.", id="type"),
        pytest.param(
            {"type": ["string", "null"]},
            3,
            "Invalid type. Expected String, Null but got Integer.",
            id="types",
        ),
        pytest.param({"minLength": 10}, "X", "String 'X' is less than minimum length of 10.", id="minLength"),
        pytest.param({"maxLength": 2}, "abc", "String 'abc' exceeds maximum length of 2.", id="maxLength"),
        pytest.param({"enum": ["A", "B"]}, "Invalid Team", 'Value "Invalid Team" is not defined in enum.', id="enum"),
        pytest.param({"minimum": 10}, 5, "Integer 5 is less than minimum value of 10.", id="minimum"),
        pytest.param({"maximum": 10}, 10.5, "Float 10.5 exceeds maximum value of 10.", id="maximum"),
        pytest.param(
            {"type": "array", "minItems": 1},
            [],
            "Array item count 0 is less than minimum count of 1.",
            id="minItems",
        ),
    ],
)
def test_each_keyword_is_phrased_as_json_net_schema_phrases_it(schema, value, message):
    assert [e.message for e in validate(schema, value)] == [message]


def test_missing_properties_of_one_object_are_reported_together():
    schema = {"type": "object", "required": ["a", "b"], "properties": {"a": {}, "b": {}}}
    assert [e.message for e in validate(schema, {})] == ["Required properties are missing from object: a, b."]


def test_paths_use_brackets_for_indexes_and_quotes_for_odd_keys():
    schema = {"type": "object", "properties": {"a b": {"type": "array", "items": {"type": "integer"}}}}
    assert [e.path for e in validate(schema, {"a b": [1, "2"]})] == ["$['a b'][1]"]


def test_long_values_are_truncated_in_messages():
    errors = validate({"maxLength": 3}, "x" * 10_000)
    assert len(errors[0].message) < 200
