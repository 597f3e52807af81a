from __future__ import annotations

import json

import jsonschema
import pytest

from flowmock_schemas import (
    InvalidSchemaError,
    UnknownSchemaError,
    load_schema,
    schema_names,
    validate,
    validator_for,
)
from tests.conftest import FIXTURES


def test_schema_names_lists_the_four_documented_schemas_and_their_strict_variants():
    assert schema_names() == (
        "backup-collection",
        "collection-activity",
        "team-activity",
        "monitor-results",
        "backup-collection.strict",
        "collection-activity.strict",
        "team-activity.strict",
        "monitor-results.strict",
    )


@pytest.mark.parametrize("name", schema_names())
def test_every_shipped_schema_is_a_valid_draft04_schema(name):
    schema = load_schema(name)
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator.check_schema(schema)


@pytest.mark.parametrize("name", ["backup-collection", "collection-activity", "team-activity", "monitor-results"])
def test_documented_schemas_keep_their_draft04_ids_and_accept_any_object(name):
    schema = load_schema(name)
    assert schema["id"] == "http://example.com/example.json"
    assert "required" not in schema
    assert validate(name, {}) == []


def test_monitor_results_schema_is_the_repaired_document_with_errors_as_an_integer_property():
    schema = load_schema("monitor-results")
    errors = schema["properties"]["metrics"]["properties"]["errors"]
    assert errors == {"id": "/properties/metrics/properties/errors", "type": "integer"}


def test_team_activity_has_the_same_shape_as_collection_activity():
    assert load_schema("team-activity") == load_schema("collection-activity")


def test_strict_variant_requires_every_documented_field_at_every_level():
    strict = load_schema("monitor-results.strict")
    assert set(strict["required"]) == set(strict["properties"])
    metrics = strict["properties"]["metrics"]
    assert metrics["required"] == [
        "errors",
        "failedTests",
        "passedTests",
        "requestCount",
        "totalLatency",
        "warnings",
    ]


def test_strict_backup_checks_the_collection_against_the_postman_v210_schema():
    collection = json.loads((FIXTURES / "collections" / "bodies-and-auth.json").read_text())
    assert validate("backup-collection.strict", {"collection": collection}) == []
    collection["item"] = [
        {"name": "broken", "request": {"url": "http://x", "method": "GET", "auth": {"type": "magic"}}}
    ]
    errors = validate("backup-collection.strict", {"collection": collection})
    assert [(e.path, e.message) for e in errors] == [
        ("$.collection.item[0].request.auth.type", 'Value "magic" is not defined in enum.')
    ]


def test_documented_backup_schema_accepts_any_collection_object():
    assert validate("backup-collection", {"collection": {"item": "not a list"}}) == []


def test_load_schema_returns_a_copy_callers_can_change():
    load_schema("monitor-results")["type"] = "array"
    assert load_schema("monitor-results")["type"] == "object"


def test_unknown_schema_name_raises_an_error_listing_the_known_names():
    with pytest.raises(UnknownSchemaError) as info:
        load_schema("monitor-result")
    assert "monitor-results.strict" in str(info.value)
    assert "'monitor-result'" in str(info.value)


def test_validator_for_is_built_once_per_schema_and_accepts_inline_schemas():
    assert validator_for("monitor-results") is validator_for("monitor-results")
    inline = {"type": "object", "properties": {"n": {"type": "integer"}}}
    assert validator_for(inline) is validator_for(dict(inline))
    assert [e.path for e in validate(inline, {"n": "1"})] == ["$.n"]


def test_type_names_are_compared_case_insensitively_as_power_automate_does():
    assert validate({"type": "Object", "properties": {"a": {"type": "String"}}}, {"a": "x"}) == []
    assert validate({"type": "Object", "properties": {"a": {"type": "String"}}}, {"a": 1}) != []


def test_an_inline_schema_that_is_not_a_schema_is_refused_with_the_place():
    with pytest.raises(InvalidSchemaError, match="properties"):
        validator_for({"type": "object", "properties": {"a": {"type": 5}}})


def test_an_integral_float_is_not_an_integer_as_in_draft04_and_newtonsoft():
    assert [e.message for e in validate({"type": "integer"}, 1.0)] == ["Invalid type. Expected Integer but got Number."]
