"""`flowmock send`: exit codes, one readable line, the policy across invocations, integrations files."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowmock_schemas.cli import main
from tests.conftest import FIXTURES

REPORT = str(FIXTURES / "newman" / "newman6-conduit-report.json")
PASSING = str(FIXTURES / "newman" / "newman3-sparse-timings-report.json")


def run(*args: str):
    return CliRunner().invoke(main, ["send", *args], catch_exceptions=False)


def test_dry_run_prints_the_payload_and_sends_nothing():
    result = run(
        "monitor-results",
        "--newman-report",
        REPORT,
        "--dry-run",
        "--user-id",
        "12345678",
        "--user-name",
        "jane",
        "--monitor-id",
        "1e6b6cc1-c760-48e0-968f-4bfaeeae9af1",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["metrics"]["totalLatency"] == 23
    assert payload["monitor_uid"] == "12345678-1e6b6cc1-c760-48e0-968f-4bfaeeae9af1"


@pytest.mark.parametrize("uid", ["12345678-1e6b6cc1-c760-48e0-968f-4bfaeeae9af1", "m-1", "1e6b6cc1"])
def test_a_monitor_uid_is_sent_as_given_never_with_the_owner_prepended(uid):
    result = run("monitor-results", "--newman-report", REPORT, "--dry-run", "--user-id", "42", "--monitor-uid", uid)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["monitor_uid"] == uid


def test_monitor_uid_and_monitor_id_together_are_a_usage_error():
    result = run("monitor-results", "--newman-report", REPORT, "--dry-run", "--monitor-uid", "1-a", "--monitor-id", "a")
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert "not both" in result.output


def test_backup_is_delivered_and_reported_in_one_line(flowmock):
    flow = flowmock.default_flows["backup-collection"]
    result = run(
        "backup",
        "--collection",
        str(FIXTURES / "collections" / "inherited-auth-and-events.json"),
        "--url",
        flow.url,
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith("delivered: 202, run ")
    assert len(flow.runs) == 1


def test_rejection_exits_1_with_the_receivers_code_and_message(flowmock):
    flow = flowmock.create_flow(schema={"type": "object", "required": ["nope"]}, schema_validation=True)
    result = run(
        "activity",
        "--action",
        "update",
        "--model",
        "request",
        "--model-name",
        "x",
        "--model-uid",
        "1-2",
        "--collection-name",
        "C",
        "--collection-uid",
        "1-3",
        "--user-id",
        "1",
        "--user-name",
        "a",
        "--url",
        flow.url,
    )
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert "rejected: 400 TriggerInputSchemaMismatch" in result.output
    assert "sig=" not in result.output


def test_input_errors_exit_2_in_one_line(tmp_path):
    not_json = tmp_path / "r.json"
    not_json.write_text("{")
    for args in (
        ["monitor-results", "--newman-report", str(not_json), "--url", "http://127.0.0.1:9"],
        ["monitor-results", "--newman-report", str(tmp_path / "missing.json"), "--url", "http://127.0.0.1:9"],
        ["backup", "--collection", REPORT, "--url", "http://127.0.0.1:9"],
        ["monitor-results", "--newman-report", REPORT],
        ["activity", "--action", "x"],
    ):
        result = run(*args)
        assert result.exit_code == 2, (args, result.output)
        assert result.output.count("\n") == 1, result.output


def test_activity_names_every_missing_option_at_once():
    result = run("activity", "--action", "update", "--model", "request", "--url", "http://127.0.0.1:9")
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert (
        "Missing options '--model-name', '--model-uid', '--collection-name', '--collection-uid', '--user-id',"
        " '--user-name'." in result.output
    )


def test_activity_takes_collection_and_user_from_an_integration(flowmock, tmp_path):
    flow = flowmock.default_flows["team-activity"]
    config = tmp_path / "integrations.toml"
    config.write_text(
        f"""
[[integrations]]
nickname = "team"
type = "team-activity"
collection = "Shop"
collection_uid = "4821-0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9"
notification_url = "{flow.url}"
user_id = "4821"
user_name = "mira"
"""
    )
    args = ["--action", "create", "--model", "folder", "--model-name", "Returns", "--model-uid", "4821-9"]
    result = run("activity", *args, "--integration", "team", "--config", str(config))
    assert result.exit_code == 0, result.output
    [body] = flow.bodies
    assert body["message"] == "mira created a folder Returns in the Shop collection"
    assert (body["collection_uid"], body["user_id"]) == ("4821-0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9", "4821")


def test_failures_policy_across_separate_invocations(flowmock, tmp_path):
    flow = flowmock.default_flows["monitor-results"]
    state = str(tmp_path / "state.json")
    common = [
        "--url",
        flow.url,
        "--policy",
        "failures",
        "--state",
        state,
        "--user-id",
        "1",
        "--user-name",
        "a",
        "--monitor-uid",
        "m-1",
    ]
    outputs = []
    for report in [REPORT] * 5 + [PASSING, PASSING]:
        result = run("monitor-results", "--newman-report", report, *common)
        assert result.exit_code == 0, result.output
        outputs.append(result.output.split(":")[0])
    assert outputs == ["delivered"] * 3 + ["not sent"] * 2 + ["delivered", "not sent"]
    assert [r.body["metrics"]["failedTests"] for r in flow.runs] == [2, 2, 2, 0]


def test_failures_policy_counts_a_monitor_known_only_by_name_by_its_name(flowmock, tmp_path):
    flow = flowmock.default_flows["monitor-results"]
    state = str(tmp_path / "state.json")
    common = ["--url", flow.url, "--policy", "failures", "--state", state, "--user-id", "1", "--user-name", "a"]
    outputs = []
    # The two reports come from different collections: the sequence is the monitor's, named on the command line.
    for report in [REPORT] * 4 + [PASSING]:
        result = run("monitor-results", "--newman-report", report, "--monitor-name", "nightly", *common)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    assert [o.split(":")[0] for o in outputs] == ["delivered"] * 3 + ["not sent", "delivered"]
    assert "monitor 'nightly' (no uid: counted by name)" in outputs[3]
    assert {r.body["monitor_uid"] for r in flow.runs} == {""}
    other = run("monitor-results", "--newman-report", REPORT, "--monitor-name", "weekly", *common)
    assert other.output.startswith("delivered")  # another monitor, another sequence


def test_integration_file_supplies_url_type_and_policy(flowmock, tmp_path):
    flow = flowmock.default_flows["monitor-results"]
    config = tmp_path / "integrations.toml"
    config.write_text(
        f"""
[[integrations]]
nickname = "nightly"
type = "monitor-results"
workspace = "Team Workspace"
monitor = "Conduit nightly"
monitor_id = "1e6b6cc1-c760-48e0-968f-4bfaeeae9af1"
notification_url = "{flow.url}"
notification_policy = "all"
user_id = "12345678"
user_name = "jane.doe"
"""
    )
    result = run("--integration", "nightly", "--config", str(config), "--newman-report", PASSING)
    assert result.exit_code == 0, result.output
    [body] = flow.bodies
    assert body["monitor_name"] == "Conduit nightly" and body["user_name"] == "jane.doe"
    assert body["monitor_uid"] == "12345678-1e6b6cc1-c760-48e0-968f-4bfaeeae9af1"  # the bare id, made a uid
    unknown = run("--integration", "weekly", "--config", str(config), "--newman-report", PASSING)
    assert unknown.exit_code == 2 and "no integration named 'weekly'" in unknown.output


def test_the_installed_command_prints_no_traceback_on_bad_input(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from flowmock_schemas.cli import main; main()",
            "send",
            "backup",
            "--collection",
            str(tmp_path / "nope.json"),
            "--url",
            "http://127.0.0.1:9",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1


NEWMAN_HOME = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "flowmock" / "newman6"


@pytest.fixture(scope="module")
def newman():
    """Real Newman from the npm registry, where Node.js and npm exist, installed once into ~/.cache/flowmock and
    reused by every later run (the install took most of this test's time)."""
    if shutil.which("newman"):
        return shutil.which("newman")
    installed = NEWMAN_HOME / "node_modules" / ".bin" / "newman"
    if installed.exists():
        return str(installed)
    if not shutil.which("npm"):
        pytest.skip("npm is not installed: the real-Newman test needs Node.js and npm")
    NEWMAN_HOME.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".newman-", dir=NEWMAN_HOME.parent))
    try:
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(staging), "newman@6"],
            check=True,
            capture_output=True,
            timeout=300,
        )
        with contextlib.suppress(OSError):  # another run installed it meanwhile: use theirs
            staging.rename(NEWMAN_HOME)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"could not install newman from the npm registry: {exc}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return str(installed)


@pytest.mark.newman
def test_a_real_newman_run_report_becomes_a_monitor_result_that_arrives(flowmock, newman, tmp_path):
    target = flowmock.create_flow(name="api under test", response={"status": 200, "body": {"ok": True}})
    collection = {
        "info": {
            "name": "Smoke",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "item": [
            {
                "name": "ok",
                "request": {
                    "method": "POST",
                    "url": target.url,
                    "body": {"mode": "raw", "raw": "{}", "options": {"raw": {"language": "json"}}},
                },
                "event": [
                    {
                        "listen": "test",
                        "script": {
                            "exec": [
                                "pm.test('status is 200', () => pm.response.to.have.status(200));",
                                "pm.test('status is 201', () => pm.response.to.have.status(201));",
                            ]
                        },
                    }
                ],
            },
        ],
    }
    path = tmp_path / "smoke.json"
    path.write_text(json.dumps(collection))
    report = tmp_path / "report.json"
    subprocess.run(
        [newman, "run", str(path), "-r", "json", "--reporter-json-export", str(report)],
        capture_output=True,
        timeout=120,
    )
    monitor = flowmock.default_flows["monitor-results"]
    result = run(
        "monitor-results",
        "--newman-report",
        str(report),
        "--url",
        monitor.url,
        "--user-id",
        "1",
        "--user-name",
        "ci",
        "--monitor-uid",
        "m",
    )
    assert result.exit_code == 0, result.output
    [body] = monitor.bodies
    assert body["metrics"]["requestCount"] == 1
    assert (body["metrics"]["passedTests"], body["metrics"]["failedTests"]) == (1, 1)
    assert body["metrics"]["totalLatency"] >= 0 and body["collection_name"] == "Smoke"
    assert len(target.runs) == 1
