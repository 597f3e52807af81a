"""`flowmock validate` and `flowmock schema`: exit codes and one readable line per problem."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from flowmock_schemas.cli import main
from tests.conftest import FIXTURES


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_validate_exits_0_with_one_line_when_every_file_conforms(run):
    files = sorted(str(p) for p in (FIXTURES / "payloads" / "monitor-results" / "valid").glob("*.json"))
    result = run("validate", "monitor-results.strict", *files)
    assert result.exit_code == 0, result.output
    assert result.output == f"ok: all {len(files)} files conform to monitor-results.strict\n"
    single = run("validate", "monitor-results", files[0])
    assert single.output == f"ok: {files[0]} conforms to monitor-results\n"


def test_validate_prints_one_line_per_error_and_exits_1(run, tmp_path):
    report = tmp_path / "report.json"
    report.write_text(json.dumps({"metrics": {"errors": "3"}}))
    result = run("validate", "monitor-results", str(report))
    assert result.exit_code == 1
    assert result.output == f"{report}: $.metrics.errors: Invalid type. Expected Integer but got String.\n"


def test_validate_with_an_unknown_schema_exits_2_listing_the_known_ones(run, tmp_path):
    result = run("validate", "monitor", str(tmp_path / "x.json"))
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert "known schemas: backup-collection" in result.output


def test_invalid_json_is_a_usage_error_with_line_and_column(run, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "a": 1,\n  "b": }\n')
    result = run("validate", "monitor-results", str(bad))
    assert result.exit_code == 2
    assert result.output == f"flowmock: {bad}: invalid JSON at line 3, column 8: Expecting value\n"


def test_unreadable_file_is_a_usage_error_in_one_line(run, tmp_path):
    result = run("validate", "monitor-results", str(tmp_path / "missing.json"))
    assert result.exit_code == 2
    assert "cannot read" in result.output and result.output.count("\n") == 1


def test_validate_accepts_a_schema_file(run, tmp_path):
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps({"type": "object", "required": ["id"]}))
    payload = tmp_path / "p.json"
    payload.write_text("{}")
    result = run("validate", str(schema), str(payload))
    assert result.exit_code == 1
    assert "Required properties are missing from object: id." in result.output


def test_schema_from_sample_prints_the_designer_schema(run, tmp_path):
    sample = tmp_path / "sample.json"
    sample.write_text(json.dumps({"name": "x", "count": 2}))
    result = run("schema", "from-sample", str(sample))
    assert result.exit_code == 0
    assert json.loads(result.output) == {
        "type": "object",
        "properties": {"name": {"type": "string"}, "count": {"type": "integer"}},
    }


def test_unknown_option_is_one_line_and_exit_2(run):
    result = run("validate", "--nope")
    assert result.exit_code == 2
    assert result.output.count("\n") == 1


def test_no_command_prints_the_help_and_exits_2(run):
    result = run()
    assert result.exit_code == 2
    assert "Commands:" in result.output and "Traceback" not in result.output
