"""flowmock's schema of the Postman Collection v2.1.0 format, as `backup-collection.strict` applies it.

Real-shaped collections pass, every variant the format allows passes, and each kind of breakage is reported once,
at the path of the broken value (not at the enclosing item), with Json.NET's wording.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest

from flowmock_schemas import load_schema, validate
from tests.conftest import FIXTURES

COLLECTION = json.loads((FIXTURES / "collections" / "inherited-auth-and-events.json").read_text())


def errors_after(change: Callable[[dict[str, Any]], Any]) -> list[tuple[str, str]]:
    collection = copy.deepcopy(COLLECTION)
    change(collection)
    return [(e.path, e.message) for e in validate("backup-collection.strict", {"collection": collection})]


def stock_request(collection: dict[str, Any]) -> dict[str, Any]:
    """The folder's request with its own OAuth 1.0 auth and a raw body."""
    return collection["item"][0]["item"][1]["request"]


def test_the_schema_is_draft04_with_only_local_references():
    schema = load_schema("postman-collection-v2.1.0")
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["required"] == ["info", "item"]
    refs = json.dumps(schema).count('"$ref": "#/definitions/')
    assert refs == json.dumps(schema).count('"$ref"') > 0


@pytest.mark.parametrize("path", sorted((FIXTURES / "collections").glob("*.json")), ids=lambda p: p.stem)
def test_real_shaped_collections_conform(path):
    assert validate("postman-collection-v2.1.0", json.loads(path.read_text())) == []


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda c: c["item"].append({"name": "r", "request": "https://x.test/"}), id="request-as-url-string"
        ),
        pytest.param(lambda c: stock_request(c).update(url="https://x.test/{{a}}"), id="url-as-string"),
        pytest.param(lambda c: stock_request(c).update(method="get"), id="any-method-string"),
        pytest.param(lambda c: stock_request(c).update(header="Accept: */*"), id="headers-as-one-string"),
        pytest.param(lambda c: stock_request(c).update(body=None, auth=None), id="null-body-and-auth"),
        pytest.param(
            lambda c: c["info"].update(description=None, version="2.1.0"), id="description-null-version-string"
        ),
        pytest.param(
            lambda c: c["info"].update(schema="http://schema.getpostman.com/json/draft-07/collection/v2.1.0/"),
            id="draft07-schema-url",
        ),
        pytest.param(lambda c: c["info"].update(_exporter_id="4821", fork={"label": "x"}), id="export-extras"),
        pytest.param(lambda c: c["variable"].append({"id": "only-an-id", "value": [1, 2]}), id="variable-named-by-id"),
        pytest.param(lambda c: c["item"].append({"name": "empty folder", "item": []}), id="empty-folder"),
    ],
)
def test_variants_the_format_allows_conform(change):
    assert errors_after(change) == []


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        pytest.param(
            lambda c: c.pop("info"),
            "$.collection",
            "Required properties are missing from object: info.",
            id="no-info",
        ),
        pytest.param(
            lambda c: c["info"].pop("schema"),
            "$.collection.info",
            "Required properties are missing from object: schema.",
            id="info-without-schema",
        ),
        pytest.param(
            lambda c: c.update(item={}),
            "$.collection.item",
            "Invalid type. Expected Array but got Object.",
            id="item-not-a-list",
        ),
        pytest.param(
            lambda c: c["auth"].update(type="magic"),
            "$.collection.auth.type",
            'Value "magic" is not defined in enum.',
            id="unknown-collection-auth-type",
        ),
        pytest.param(
            lambda c: stock_request(c)["auth"].update(type="kerberos"),
            "$.collection.item[0].item[1].request.auth.type",
            'Value "kerberos" is not defined in enum.',
            id="unknown-request-auth-type-deep-in-a-folder",
        ),
        pytest.param(
            lambda c: stock_request(c)["body"].update(mode="xml"),
            "$.collection.item[0].item[1].request.body.mode",
            'Value "xml" is not defined in enum.',
            id="unknown-body-mode",
        ),
        pytest.param(
            lambda c: stock_request(c).update(header=[{"key": "Accept"}]),
            "$.collection.item[0].item[1].request.header[0]",
            "Required properties are missing from object: value.",
            id="header-without-value",
        ),
        pytest.param(
            lambda c: c["variable"][1].update(type="banana"),
            "$.collection.variable[1].type",
            'Value "banana" is not defined in enum.',
            id="unknown-variable-type",
        ),
        pytest.param(
            lambda c: c["event"][0].update(listen=5),
            "$.collection.event[0].listen",
            "Invalid type. Expected String but got Integer.",
            id="event-listen-not-a-string",
        ),
        pytest.param(
            lambda c: c["item"].append({"name": "r", "request": "https://x.test/", "response": [{"code": "200"}]}),
            "$.collection.item[3].response[0].code",
            "Invalid type. Expected Integer but got String.",
            id="saved-response-code-as-string",
        ),
        pytest.param(
            lambda c: c["info"].update(version={"major": 1, "minor": 0, "patch": -1}),
            "$.collection.info.version.patch",
            "Integer -1 is less than minimum value of 0.",
            id="negative-version-part",
        ),
        pytest.param(
            lambda c: c["item"][0].pop("item"),
            "$.collection.item[0]",
            "JSON is valid against no schemas from 'oneOf'.",
            id="folder-without-item",
        ),
        pytest.param(
            lambda c: c["item"][2].update(item=[]),
            "$.collection.item[2]",
            "JSON is valid against no schemas from 'oneOf'.",
            id="request-and-folder-at-once",
        ),
        pytest.param(
            lambda c: c["variable"].append({"value": 1}),
            "$.collection.variable[3]",
            "JSON does not match any schemas from 'anyOf'.",
            id="variable-without-key-or-id",
        ),
    ],
)
def test_a_broken_collection_fails_once_at_the_broken_value(change, path, message):
    assert errors_after(change) == [(path, message)]


def test_an_entry_that_is_neither_request_nor_folder_hints_at_what_is_missing():
    collection = copy.deepcopy(COLLECTION)
    collection["item"][0].pop("item")
    [error] = validate("backup-collection.strict", {"collection": collection})
    assert error.hint is not None and "Required properties are missing from object: request" in error.hint
