"""flowmock's own hypothesis strategies: what they generate conforms (or fails exactly where announced)."""

from __future__ import annotations

import pytest
from hypothesis import Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from flowmock_schemas import schema_names, validate, validator_for
from flowmock_schemas.strategies import from_schema, invalid_payloads, raw_bodies

KEYWORD_SCHEMA = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    "id": "http://example.com/example.json",
    "type": "object",
    "required": ["kind", "count", "when", "tag"],
    "additionalProperties": False,
    "definitions": {"tag": {"type": "string", "pattern": "^[A-Z]{2}-[0-9]{3}$"}},
    "properties": {
        "kind": {"enum": ["monitor", "backup"]},
        "version": {"const": 2},
        "count": {"type": "integer", "minimum": 1, "maximum": 10},
        "ratio": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
        "name": {"type": "string", "minLength": 2, "maxLength": 5},
        "when": {"type": "string", "format": "date-time"},
        "id": {"type": "string", "format": "uuid"},
        "mail": {"type": "string", "format": "email"},
        "link": {"type": "string", "format": "uri"},
        "tag": {"$ref": "#/definitions/tag"},
        "items": {"type": "array", "items": {"type": "object", "properties": {"n": {"type": "boolean"}}}},
    },
}


@pytest.mark.parametrize("name", schema_names())
@given(data=st.data())
def test_every_generated_payload_validates_against_its_schema(name, data):
    payload = data.draw(from_schema(name))
    assert validate(name, payload) == []


@given(from_schema(KEYWORD_SCHEMA))
def test_generator_honours_every_supported_keyword(payload):
    assert validate(KEYWORD_SCHEMA, payload) == []
    assert payload["kind"] in ("monitor", "backup") and 1 <= payload["count"] <= 10


@pytest.mark.parametrize("name", [n for n in schema_names() if n.endswith(".strict")])
@given(data=st.data())
def test_every_invalid_payload_fails_exactly_at_the_announced_path(name, data):
    broken = data.draw(invalid_payloads(name))
    errors = validate(name, broken.payload)
    assert [e.path for e in errors] == [broken.path], broken


@given(invalid_payloads(KEYWORD_SCHEMA))
def test_invalid_payloads_cover_the_kinds_of_violation(broken):
    assert broken.kind in {"wrong-type", "missing-required", "extra-property", "enum", "pattern"}
    assert not validator_for(KEYWORD_SCHEMA).is_valid(broken.payload)


def test_every_kind_of_violation_is_generated():
    fast = settings(max_examples=500, phases=[Phase.generate], database=None)
    for kind in ("wrong-type", "missing-required", "extra-property", "enum", "pattern"):
        found = find(invalid_payloads(KEYWORD_SCHEMA), lambda b, kind=kind: b.kind == kind, settings=fast)
        assert found.kind == kind


def test_shrinking_gives_a_minimal_example():
    minimal = find(
        from_schema("monitor-results.strict"), lambda p: p["metrics"]["errors"] > 0, settings=settings(database=None)
    )
    assert minimal == {
        "collection_name": "",
        "collection_uid": "",
        "environment_name": "",
        "environment_uid": "",
        "metrics": {
            "errors": 1,
            "failedTests": 0,
            "passedTests": 0,
            "requestCount": 0,
            "totalLatency": 0,
            "warnings": 0,
        },
        "monitor_name": "",
        "monitor_uid": "",
        "user_id": "",
        "user_name": "",
    }


@pytest.mark.parametrize(
    ("schema", "keyword"),
    [
        pytest.param({"type": "array", "minItems": 1}, "minItems", id="minItems"),
        pytest.param({"allOf": [{}]}, "allOf", id="allOf"),
        pytest.param({"properties": {"a": {"not": {}}}}, "not", id="nested"),
        pytest.param({"$ref": "http://example.com/s.json"}, "local", id="remote-ref"),
        pytest.param({"type": "string", "format": "ipv4"}, "ipv4", id="format"),
    ],
)
def test_unsupported_keywords_raise_invalid_argument_naming_them(schema, keyword):
    with pytest.raises(InvalidArgument, match=keyword):
        from_schema(schema)


def test_a_schema_that_accepts_anything_has_no_invalid_payloads():
    with pytest.raises(InvalidArgument, match="nothing to violate"):
        invalid_payloads({})


@given(raw_bodies())
def test_raw_bodies_are_content_type_and_bytes(pair):
    content_type, body = pair
    assert content_type is None or isinstance(content_type, str)
    assert isinstance(body, bytes)
