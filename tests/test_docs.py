"""The README is the manual: every endpoint, fixture, command and config key is in it, and its example runs."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
import requests
from click.testing import CliRunner

from flowmock_receiver import create_app
from flowmock_receiver.commands.common import DEFAULT_URL
from flowmock_receiver.commands.execute import env_name
from flowmock_receiver.core.flows import DEFINITION_FIELDS
from flowmock_receiver.core.store import MemoryStore
from flowmock_receiver.serving.config_file import SERVER_KEYS
from flowmock_receiver.web import DEFAULTS
from flowmock_schemas import schema_names, validate
from flowmock_schemas.cli import main
from tests.conftest import ROOT, start_serve

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


def shell_block(marker: str) -> str:
    """The bash block that follows `marker` in the README."""
    return README.split(marker, 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]


@pytest.fixture
def served(tmp_path):
    """A `flowmock serve` with the default flows, as `make serve` starts it, on a free port."""
    ready = tmp_path / "ready"
    server = start_serve(ready, "--port", "0", "--memory", "--quiet")
    try:
        yield ready.read_text().strip()
    finally:
        server.terminate()
        server.wait(timeout=15)


def run_bash(script: str, base: str) -> subprocess.CompletedProcess[str]:
    """Run README shell lines from the repository's root against the server at `base`, with `.venv/bin/` meaning
    the environment these tests run in (wherever it is) and the README's port being the test server's."""
    script = script.replace(".venv/bin/", f"{Path(sys.executable).parent}/").replace(DEFAULT_URL, base)
    env = dict(os.environ, FLOWMOCK_URL=base, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run(["bash", "-e", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(shutil.which("curl") is None, reason="the quick start posts with curl")
def test_the_quick_start_works_by_copy_and_paste_after_make_serve(served):
    script = shell_block("<!-- quick-start-shell: this block is executed by tests/test_docs.py -->")
    assert ".venv/bin/flowmock" in script and "curl" in script
    result = run_bash(script, served)
    assert result.returncode == 0, result.stderr
    status, header, row, ok = result.stdout.splitlines()
    assert status == "202"
    assert header.split()[:2] == ["START", "TIME"] and row.split()[-2:] == ["conforms", "conforms"]
    assert ok == "ok: 1 call recorded, all conform (strict variants too)"
    page = re.search(r"open `(http://127\.0\.0\.1:7071/_flowmock/)` in a browser", README).group(1)
    html = requests.get(page.replace(DEFAULT_URL, served), timeout=5).text
    assert "Post monitoring results" in html and "no field required" in html


@pytest.mark.skipif(shutil.which("curl") is None, reason="the stand-in suite posts with curl")
def test_the_ci_commands_for_a_server_of_its_own_work_as_written(tmp_path):
    script = shell_block("To run the receiver on its own beside a suite instead")
    suite = tmp_path / "npm"  # `npm test` stands for the user's suite: a script that posts to $WEBHOOK_URL
    suite.write_text(
        "#!/bin/sh\n"
        "curl -fsS -X POST \"$WEBHOOK_URL\" -H 'Content-Type: application/json' "
        "--data @fixtures/payloads/monitor-results/valid/failing-run.json\n"
    )
    suite.chmod(0o755)
    script = script.replace("out/", f"{tmp_path}/out/")
    env_path = f"{tmp_path}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    env = dict(os.environ, PATH=env_path)
    result = subprocess.run(
        ["bash", "-e", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "ok: 1 call recorded, all conform" in result.stdout
    assert (tmp_path / "out" / "flowmock-junit.xml").exists() and not (tmp_path / "out" / "flowmock.pid").exists()


def test_the_flowmock_url_variables_are_named_as_the_readme_says():
    for flow_name, variable in re.findall(r'"([^"]+)" is `(FLOWMOCK_URL_[A-Z0-9_]+)`', README):
        assert env_name(flow_name) == variable
    assert "FLOWMOCK_URL_<FLOW>" in README


def test_readme_states_how_long_make_test_takes_as_measured():
    testing = README.split("\n## Testing\n", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"took \d+ s on \d{4}-\d\d-\d\d", testing)  # a measured time, and when it was measured
    assert re.search(r"for [\d,]+ tests", testing)
