"""The golden payloads in fixtures/ say what each schema accepts and where each invalid one fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowmock_schemas import validate
from tests.conftest import FIXTURES

PAYLOADS = FIXTURES / "payloads"
VALID = sorted(PAYLOADS.glob("*/valid/*.json"))
INVALID = sorted(p for p in PAYLOADS.glob("*/invalid/*.json") if not p.name.endswith(".expect.json"))


def _id(path: Path) -> str:
    return f"{path.parent.parent.name}/{path.stem}"


@pytest.mark.parametrize("path", VALID, ids=_id)
def test_every_valid_fixture_conforms_to_its_schema_and_the_strict_variant(path):
    payload = json.loads(path.read_text())
    schema = path.parent.parent.name
    assert validate(schema, payload) == []
    assert validate(schema + ".strict", payload) == []


@pytest.mark.parametrize("path", INVALID, ids=_id)
def test_every_invalid_fixture_fails_at_the_path_its_sidecar_names(path):
    expect = json.loads(path.with_name(path.stem + ".expect.json").read_text())
    payload = json.loads(path.read_text())
    for schema in expect["schemas"]:
        errors = validate(schema, payload)
        assert [(e.path, e.message) for e in errors] == [(expect["path"], expect["message"])], schema


def test_there_are_golden_payloads_for_every_schema():
    assert {p.parent.parent.name for p in VALID} == {
        "backup-collection",
        "collection-activity",
        "team-activity",
        "monitor-results",
    }
    assert len(INVALID) >= 6


@pytest.mark.parametrize("path", sorted((FIXTURES / "collections").glob("*.json")), ids=lambda p: p.stem)
def test_sample_collections_are_valid_backup_payloads(path):
    assert validate("backup-collection.strict", {"collection": json.loads(path.read_text())}) == []
