"""`flowmock schema from-sample` follows the Logic Apps designer's rules exactly."""

from __future__ import annotations

from flowmock_schemas import schema_from_sample


def test_scalars_map_to_types_and_objects_get_no_required():
    sample = {
        "parameter1": "string parameter",
        "parameter2": 1,
        "parameter3": False,
        "ratio": 0.5,
        "none": None,
    }
    assert schema_from_sample(sample) == {
        "type": "object",
        "properties": {
            "parameter1": {"type": "string"},
            "parameter2": {"type": "integer"},
            "parameter3": {"type": "boolean"},
            "ratio": {"type": "number"},
            "none": {},
        },
    }


def test_a_whole_float_counts_as_an_integer_as_in_javascript():
    assert schema_from_sample(2.0) == {"type": "integer"}


def test_arrays_of_objects_merge_keys_and_require_only_keys_every_element_has():
    sample = [{"a": 1, "b": "x"}, {"a": 2, "c": True}]
    assert schema_from_sample(sample) == {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"a": {"type": "integer"}, "b": {"type": "string"}, "c": {"type": "boolean"}},
            "required": ["a"],
        },
    }


def test_mixed_and_empty_arrays_get_no_items():
    assert schema_from_sample([1, "a"]) == {"type": "array"}
    assert schema_from_sample([1, 1.5]) == {"type": "array"}
    assert schema_from_sample([]) == {"type": "array"}
    assert schema_from_sample([[1], [2]]) == {
        "type": "array",
        "items": {"type": "array", "items": {"type": "integer"}},
    }


def test_template_expression_names_are_escaped():
    schema = schema_from_sample({"@odata.type": "x", "a@{b}": 1, "mail@example.com": 2})
    assert list(schema["properties"]) == ["@@odata.type", "a@@{b}", "mail@example.com"]
