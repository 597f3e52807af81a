"""`flowmock expr`: a result as JSON on stdout; one line and exit 1 for an expression error, exit 2 for usage."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from flowmock_schemas.cli import main


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, ["expr", *args], catch_exceptions=False)

    return invoke


def test_prints_the_result_as_json(run):
    result = run("@concat('a', 'b')")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == "ab"


def test_takes_the_expression_without_its_at_sign(run):
    assert json.loads(run("createArray(1, 2.5, null, true)").stdout) == [1, 2.5, None, True]


def test_trigger_body_file_is_what_trigger_body_returns(run, tmp_path):
    body = tmp_path / "body.json"
    body.write_text('{"id": 42, "tags": ["a"]}')
    result = run("triggerBody()?['tags'][0]", "--trigger-body", str(body))
    assert result.exit_code == 0 and json.loads(result.stdout) == "a"


def test_context_file_gives_variables_actions_and_the_clock(run, tmp_path):
    context = tmp_path / "context.json"
    context.write_text(
        json.dumps(
            {
                "variables": {"n": 2},
                "actions": {"Compose": {"status": "Succeeded", "outputs": {"body": "x"}}},
                "now": "2018-03-15T13:00:00Z",
            }
        )
    )
    result = run("concat(body('Compose'), variables('n'), utcNow('yyyy'))", "--context", str(context))
    assert result.exit_code == 0 and json.loads(result.stdout) == "x22018"


def test_trigger_body_file_wins_over_the_context_body(run, tmp_path):
    context = tmp_path / "context.json"
    context.write_text(json.dumps({"trigger": {"body": {"id": 1}, "headers": {"h": "v"}}}))
    body = tmp_path / "body.json"
    body.write_text('{"id": 2}')
    result = run(
        "concat(triggerBody()['id'], triggerOutputs()['headers']['h'])",
        "--context",
        str(context),
        "--trigger-body",
        str(body),
    )
    assert json.loads(result.stdout) == "2v"


def test_template_evaluates_a_json_value(run):
    result = run("--template", '{"n": "@add(1, 2)", "s": "n=@{add(1, 2)}", "k": [true]}')
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"n": 3, "s": "n=3", "k": [True]}


def test_template_evaluates_text_with_interpolations(run):
    result = run("--template", "a @{toUpper('b')} c")
    assert json.loads(result.stdout) == "a B c"


def test_an_expression_error_is_one_line_and_exit_1(run):
    result = run("length(1)")
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "flowmock: InvalidTemplate: The template language function 'length' expects its parameter"
    )


def test_a_parse_error_is_exit_1_and_names_the_position(run):
    result = run("concat('a' 'b')")
    assert result.exit_code == 1
    assert "at position '11' is not expected" in result.stderr


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        pytest.param([], "Missing argument", id="no-expression"),
        pytest.param(
            ["x()", "--context", "/nonexistent/context.json"], "cannot read the context", id="unreadable-context"
        ),
        pytest.param(["x()", "--bogus"], "No such option", id="unknown-option"),
    ],
)
def test_usage_and_file_errors_exit_2(run, args, needle):
    result = run(*args)
    assert result.exit_code == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_a_context_that_is_not_a_json_object_exits_2(run, tmp_path):
    context = tmp_path / "context.json"
    context.write_text("[1, 2]")
    result = run("utcNow()", "--context", str(context))
    assert result.exit_code == 2 and "must be a JSON object" in result.stderr


def test_a_trigger_body_that_is_not_json_exits_2_naming_the_line(run, tmp_path):
    body = tmp_path / "body.json"
    body.write_text("{\n  oops\n}")
    result = run("triggerBody()", "--trigger-body", str(body))
    assert result.exit_code == 2 and "line 2" in result.stderr
