"""`flowmock exec -- COMMAND`: a receiver around a command, the URLs in its environment, reports whatever happens."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from flowmock_receiver.commands.execute import env_name
from flowmock_schemas import validate
from tests.conftest import FLOWMOCK, ROOT, monitor_payload

CI_FLOWS = ROOT / "examples" / "ci" / "flowmock.toml"
MONITOR_ID = "0c1a5e1f0c1a5e1f0c1a5e1f0c1a5e1f"

# The parts of HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) that viewers need.
NAME_VALUE = {
    "type": "object",
    "required": ["name", "value"],
    "properties": {"name": {"type": "string"}, "value": {"type": "string"}},
}
HAR_SCHEMA = {
    "type": "object",
    "required": ["log"],
    "properties": {
        "log": {
            "type": "object",
            "required": ["version", "creator", "entries"],
            "properties": {
                "version": {"enum": ["1.2"]},
                "creator": {"type": "object", "required": ["name", "version"]},
                "entries": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["startedDateTime", "time", "request", "response", "cache", "timings"],
                        "properties": {
                            "startedDateTime": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$"},
                            "time": {"type": "number"},
                            "request": {
                                "type": "object",
                                "required": [
                                    "method",
                                    "url",
                                    "httpVersion",
                                    "cookies",
                                    "headers",
                                    "queryString",
                                    "headersSize",
                                    "bodySize",
                                ],
                                "properties": {
                                    "headers": {"type": "array", "items": NAME_VALUE},
                                    "queryString": {"type": "array", "items": NAME_VALUE},
                                    "postData": {"type": "object", "required": ["mimeType"]},
                                },
                            },
                            "response": {
                                "type": "object",
                                "required": [
                                    "status",
                                    "statusText",
                                    "httpVersion",
                                    "cookies",
                                    "headers",
                                    "content",
                                    "redirectURL",
                                    "headersSize",
                                    "bodySize",
                                ],
                                "properties": {
                                    "status": {"type": "integer"},
                                    "content": {"type": "object", "required": ["size", "mimeType"]},
                                },
                            },
                            "timings": {"type": "object", "required": ["send", "wait", "receive"]},
                        },
                    },
                },
            },
        }
    },
}


def poster(variable: str, body: object, *, then_exit: int = 0) -> list[str]:
    """A command that posts `body` to the callback URL in $variable, as a suite under test would."""
    code = (
        "import json, os, sys, urllib.request, urllib.error\n"
        f"request = urllib.request.Request(os.environ[{variable!r}], data=json.dumps({body!r}).encode(),\n"
        "                                 headers={'Content-Type': 'application/json'}, method='POST')\n"
        "try:\n"
        "    print(urllib.request.urlopen(request, timeout=10).status)\n"
        "except urllib.error.HTTPError as error:\n"
        "    print(error.code)\n"
        f"sys.exit({then_exit})\n"
    )
    return [sys.executable, "-c", code]


def flowmock_exec(
    tmp_path: Path, *options: str, command: list[str], timeout: float = 60
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*FLOWMOCK, "exec", "--report-dir", str(tmp_path / "reports"), *options, "--", *command],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=tmp_path,
    )


def junit(tmp_path: Path) -> ET.Element:
    return ET.parse(tmp_path / "reports" / "flowmock-junit.xml").getroot()


def test_the_command_gets_each_flows_callback_url_and_the_reports_are_written(tmp_path):
    body = monitor_payload()
    result = flowmock_exec(
        tmp_path,
        "--config",
        str(CI_FLOWS),
        "--assert-all-conform",
        command=poster("FLOWMOCK_URL_POST_MONITORING_RESULTS", body),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "202"  # the command's own output is left alone
    reports = tmp_path / "reports"
    [line] = (reports / "flowmock.jsonl").read_text().splitlines()
    assert json.loads(line)["flow_id"] == MONITOR_ID
    assert json.loads(json.loads(line)["request"]["body"]) == body
    har = json.loads((reports / "flowmock.har").read_text())
    assert validate(HAR_SCHEMA, har) == [] and "sig=REDACTED" in har["log"]["entries"][0]["request"]["url"]
    assert (junit(tmp_path).get("tests"), junit(tmp_path).get("failures")) == ("1", "0")
    assert "ok: 1 call recorded, all conform" in result.stderr


def test_flowmock_url_is_the_base_url_the_flowmock_commands_read(tmp_path):
    command = [*FLOWMOCK, "flows", "url", MONITOR_ID]  # --url comes from $FLOWMOCK_URL
    result = flowmock_exec(tmp_path, "--config", str(CI_FLOWS), command=command)
    assert result.returncode == 0, result.stderr
    url = result.stdout.strip()
    assert re.fullmatch(rf"http://127\.0\.0\.1:\d+/workflows/{MONITOR_ID}/triggers/manual/paths/invoke\?.*sig=.+", url)
    assert ":7071/" not in url  # a free port, not the config file's: two jobs can share a machine


def test_a_failing_command_still_leaves_every_report_and_its_exit_status_wins(tmp_path):
    result = flowmock_exec(
        tmp_path, "--assert-all-conform", command=poster("FLOWMOCK_URL_POST_MONITORING_RESULTS", {}, then_exit=3)
    )
    assert result.returncode == 3
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == [
        "flowmock-junit.xml",
        "flowmock.har",
        "flowmock.jsonl",
    ]
    assert junit(tmp_path).get("tests") == "1"
    assert f"flowmock: {sys.executable} exited with status 3" in result.stderr


def test_a_contract_break_fails_the_assertion_with_exit_1_and_a_failed_junit_case(tmp_path):
    result = flowmock_exec(
        tmp_path,
        "--config",
        str(CI_FLOWS),
        "--assert-all-conform",
        command=poster("FLOWMOCK_URL_POST_MONITORING_RESULTS", {"user_id": 5}),
    )
    assert result.returncode == 1
    assert "1 of 1 call failed the contract" in result.stderr
    assert "$.user_id: Invalid type. Expected String but got Integer." in result.stderr
    [failure] = junit(tmp_path).iter("failure")
    assert "$.user_id: Invalid type. Expected String but got Integer." in failure.text


def test_strict_fails_a_body_the_documented_schema_accepts_but_its_strict_variant_does_not(tmp_path):
    command = poster("FLOWMOCK_URL_POST_MONITORING_RESULTS", {"monitor_name": "nightly"})
    lenient = flowmock_exec(tmp_path, "--assert-all-conform", command=command)
    assert lenient.returncode == 0, lenient.stderr  # the documented schema requires nothing
    strict = flowmock_exec(tmp_path, "--strict", command=command)
    assert strict.returncode == 1
    assert "monitor-results.strict: $: Required properties are missing from object: collection_name" in strict.stderr
    [failure] = junit(tmp_path).iter("failure")
    assert "monitor-results.strict: $: Required properties are missing" in failure.text


def test_min_count_fails_a_run_in_which_nothing_arrived(tmp_path):
    result = flowmock_exec(tmp_path, "--min-count", "1", command=[sys.executable, "-c", "pass"])
    assert result.returncode == 1
    assert "expected at least 1 call, 0 recorded" in result.stderr
    assert junit(tmp_path).get("tests") == "0"


def test_a_command_that_does_not_exist_exits_127_and_still_leaves_reports(tmp_path):
    result = flowmock_exec(tmp_path, command=["no-such-command-for-flowmock"])
    assert result.returncode == 127
    assert "no-such-command-for-flowmock: command not found" in result.stderr
    assert (tmp_path / "reports" / "flowmock.jsonl").read_text() == ""


def test_a_command_killed_by_a_signal_exits_128_plus_its_number(tmp_path):
    result = flowmock_exec(
        tmp_path, command=[sys.executable, "-c", "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"]
    )
    assert result.returncode == 128 + signal.SIGKILL


def test_sigterm_is_passed_on_to_the_command_and_the_reports_are_still_written(tmp_path):
    marker = tmp_path / "got-sigterm"
    code = (
        "import signal, sys, time, pathlib\n"
        f"signal.signal(signal.SIGTERM, lambda *a: (pathlib.Path({str(marker)!r}).write_text('yes'), sys.exit(143)))\n"
        "print('ready', flush=True)\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen(
        [*FLOWMOCK, "exec", "--quiet", "--report-dir", str(tmp_path / "reports"), "--", sys.executable, "-c", code],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert proc.stdout.readline().strip() == "ready"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 143
    finally:
        proc.kill()
    assert marker.read_text() == "yes"
    assert (tmp_path / "reports" / "flowmock-junit.xml").exists()


@pytest.mark.parametrize(
    ("flow_name", "variable"),
    [
        pytest.param("Post monitoring results", "FLOWMOCK_URL_POST_MONITORING_RESULTS", id="spaces"),
        pytest.param("orders (v2) – EU", "FLOWMOCK_URL_ORDERS_V2_EU", id="punctuation-runs-become-one-underscore"),
        pytest.param("  crm.sync  ", "FLOWMOCK_URL_CRM_SYNC", id="no-underscore-at-either-end"),
    ],
)
def test_a_flow_name_becomes_an_environment_variable_name(flow_name, variable):
    assert env_name(flow_name) == variable


def test_two_flows_that_would_share_a_variable_are_an_input_error(tmp_path):
    config = tmp_path / "flows.toml"
    config.write_text("[[flows]]\nname = 'Orders EU'\n\n[[flows]]\nname = 'orders-eu'\n")
    result = flowmock_exec(tmp_path, "--config", str(config), command=[sys.executable, "-c", "pass"])
    assert result.returncode == 2
    assert "flows 'Orders EU' and 'orders-eu' would both be $FLOWMOCK_URL_ORDERS_EU" in result.stderr


def recipe_exec_command(recipe: Path) -> str:
    """The `flowmock exec` command line of a CI recipe, its folded YAML lines joined as YAML joins them."""
    lines = recipe.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("flowmock exec"))
    indent = len(lines[start]) - len(lines[start].lstrip())
    parts = []
    for line in lines[start:]:
        if len(line) - len(line.lstrip()) != indent or not line.strip():
            break
        parts.append(line.strip())
    return " ".join(parts)


@pytest.mark.parametrize("recipe", sorted((ROOT / "examples" / "ci").glob("*.yml")), ids=lambda p: p.name)
def test_each_ci_recipe_runs_its_tests_with_flowmock_exec_as_written(recipe, tmp_path):
    command = recipe_exec_command(recipe)
    assert "flowmock-ci.sh" not in recipe.read_text()  # a user's repository has no such script
    assert "npm test" in command
    (tmp_path / "ci").mkdir()
    (tmp_path / "ci" / "flowmock.toml").write_text(CI_FLOWS.read_text())
    # `npm test` stands for the user's suite: here, a script that posts to the URL the recipe hands it.
    suite = tmp_path / "suite.py"
    suite.write_text(
        "import json, os, urllib.request\n"
        f"body = json.dumps({monitor_payload()!r}).encode()\n"
        "request = urllib.request.Request(os.environ['WEBHOOK_URL'], data=body, headers={'Content-Type': 'application/json'})\n"
        "assert urllib.request.urlopen(request, timeout=10).status == 202\n"
    )
    shell = command.replace("npm test", f"{shlex.quote(sys.executable)} suite.py")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    started = time.monotonic()
    result = subprocess.run(["bash", "-c", shell], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 60
    suite_report = ET.parse(tmp_path / "flowmock-reports" / "flowmock-junit.xml").getroot()
    assert (suite_report.get("tests"), suite_report.get("failures")) == ("1", "0")


def test_an_exported_flow_given_with_flow_runs_and_its_actions_reach_the_reports(tmp_path):
    package = ROOT / "fixtures" / "flows" / "packages" / "order-intake.zip"
    code = (
        "import json, os, urllib.request, urllib.error\n"
        "url = os.environ['FLOWMOCK_URL_ORDER_INTAKE'].replace('{region}', 'emea')\n"
        "body = json.dumps({'orderId': 'SO-1', 'lines': [{'sku': 'A', 'qty': 2}]}).encode()\n"
        "request = urllib.request.Request(url, data=body, headers={'Content-Type': 'application/json'})\n"
        "try:\n"
        "    print(urllib.request.urlopen(request, timeout=30).status)\n"
        "except urllib.error.HTTPError as error:\n"
        "    print(error.code)\n"
    )
    result = flowmock_exec(tmp_path, "--flow", str(package), command=[sys.executable, "-c", code])
    assert result.returncode == 0, result.stderr
    [line] = (tmp_path / "reports" / "flowmock.jsonl").read_text().splitlines()
    entry = json.loads(line)
    assert entry["http_status"] == int(result.stdout.strip())
    assert "Create_order" in json.dumps(entry["run"]["actions"])  # the run's actions, as `runs export` writes them
    cases = [case.get("name") for case in junit(tmp_path).iter("testcase")]
    assert any("Create_order" in name for name in cases)
