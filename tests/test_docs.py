"""The README is the manual: every endpoint, fixture, command and config key is in it, and its example runs."""

from __future__ import annotations

import re
import shlex

import click
import pytest
from click.testing import CliRunner

from flowmock_receiver import create_app
from flowmock_receiver.core.flows import DEFINITION_FIELDS
from flowmock_receiver.core.store import MemoryStore
from flowmock_receiver.serving.config_file import SERVER_KEYS
from flowmock_receiver.web import DEFAULTS
from flowmock_schemas import schema_names, validate
from flowmock_schemas.cli import main
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def admin_routes() -> list[str]:
    app = create_app(store=MemoryStore())
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/_flowmock/api"):
            routes.append(re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
    return sorted(set(routes))


@pytest.mark.parametrize("route", admin_routes())
def test_every_admin_endpoint_is_documented(route):
    documented = re.sub(r"\{(\w+)\}", "{x}", README)
    assert re.sub(r"\{(\w+)\}", "{x}", route) in documented


def commands(group: click.Group, prefix: str = "flowmock") -> list[str]:
    ctx = click.Context(group)
    found = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        found.append(f"{prefix} {name}")
        if isinstance(command, click.Group):
            found.extend(commands(command, f"{prefix} {name}"))
    return found


@pytest.mark.parametrize("command", commands(main))
def test_every_cli_command_is_documented(command):
    *parents, name = command.split()
    line_pattern = re.escape(" ".join(parents)) + r"\b[^\n]*\b" + re.escape(name) + r"\b"
    assert re.search(line_pattern, README), command


@pytest.mark.parametrize("fixture", ["flowmock", "flowmock_server", "flowmock_app"])
def test_every_fixture_is_in_the_fixture_table(fixture):
    assert f"| `{fixture}` |" in README


@pytest.mark.parametrize("field", DEFINITION_FIELDS)
def test_every_flow_definition_field_is_documented(field):
    assert f"`{field}`" in README


@pytest.mark.parametrize("key", sorted(SERVER_KEYS))
def test_every_config_file_key_is_documented(key):
    assert re.search(rf"^{key} = ", README, re.M), key


@pytest.mark.parametrize("key", sorted(k for k in DEFAULTS))
def test_every_app_config_key_is_documented(key):
    assert f"`{key}`" in README


@pytest.mark.parametrize("name", schema_names())
def test_every_schema_is_documented(name):
    assert f"`{name}`" in README or (name.endswith(".strict") and "`*.strict`" in README)


def test_readme_shows_the_two_commands_on_its_first_screen():
    first_screen = "\n".join(README.splitlines()[:15])
    assert "make serve" in first_screen and "make test" in first_screen


def test_the_quick_start_example_runs(pytester):
    block = README.split("<!-- quick-start: this block is executed by tests/test_docs.py -->", 1)[1]
    code = block.split("```python\n", 1)[1].split("```", 1)[0]
    pytester.makepyfile(code)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)


def readme_command(prefix: str) -> list[str]:
    """The README's example command line that starts with `prefix`, continuation lines joined, split as a shell would."""
    lines = README.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(prefix))
    text = lines[start]
    while text.endswith("\\"):
        start += 1
        text = text[:-1] + lines[start]
    return shlex.split(text)


def test_the_readme_send_activity_example_runs_as_written(flowmock):
    flow = flowmock.default_flows["collection-activity"]
    argv = [flow.url if arg == "URL" else arg for arg in readme_command("flowmock send activity")]
    assert argv[0] == "flowmock" and "URL" not in argv
    result = CliRunner().invoke(main, argv[1:], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("delivered: 202")
    [body] = flow.bodies
    assert validate("collection-activity.strict", body) == []
