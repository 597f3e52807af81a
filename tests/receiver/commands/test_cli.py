"""`flowmock serve / wait / stop / flows / runs` as a CI script or a person uses them."""

from __future__ import annotations

import json
import signal
import socket
import subprocess

import pytest
import requests
from click.testing import CliRunner

from flowmock_receiver import LiveServer, create_app
from flowmock_receiver.core.store import MemoryStore
from flowmock_schemas.cli import main
from tests.conftest import FLOWMOCK, start_serve


def test_detach_with_a_broken_config_fails_in_one_line_and_leaves_no_process(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[[flows]]\nname = 'x'\nresponse = {status = 302}\n")
    pid_file = tmp_path / "pid"
    result = subprocess.run(
        [
            *FLOWMOCK,
            "serve",
            "--detach",
            "--config",
            str(config),
            "--port",
            "0",
            "--memory",
            "--pid-file",
            str(pid_file),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert not pid_file.exists()


def test_serve_reports_a_broken_config_file_with_its_reason(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("[[flows]]\nname = 'x'\nresponse = {status = 302}\n")
    result = subprocess.run(
        [*FLOWMOCK, "serve", "--config", str(config), "--memory"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "flows[0]: 'response.status' 302: a Response action cannot return a 3xx status" in result.stderr


def test_serve_on_a_port_in_use_exits_2_in_one_line(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = subprocess.run(
            [*FLOWMOCK, "serve", "--port", str(port), "--memory"], capture_output=True, text=True, timeout=60
        )
    assert result.returncode == 2
    assert result.stderr.startswith(f"flowmock: cannot listen on 127.0.0.1:{port}")


def test_wait_gives_up_with_one_line_when_nothing_answers():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = CliRunner().invoke(main, ["wait", "--url", f"http://127.0.0.1:{port}", "--timeout", "0.3"])
    assert result.exit_code == 1
    assert "not ready after 0.3 s: cannot reach flowmock" in result.output


def test_stop_without_a_pid_file_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["stop", "--pid-file", str(tmp_path / "none")])
    assert result.exit_code == 2 and "cannot read" in result.output


def test_serve_with_sqlite_keeps_history_and_urls_across_a_restart(tmp_path):
    db, ready = tmp_path / "flowmock.db", tmp_path / "ready"

    def start() -> subprocess.Popen:
        return start_serve(ready, "--port", "0", "--db", str(db), "--quiet", stdout=subprocess.PIPE, text=True)

    first = start()
    base = ready.read_text().strip()
    flows = requests.get(f"{base}/_flowmock/api/flows", timeout=5).json()["flows"]
    monitor = next(f for f in flows if f["schema"] == "monitor-results")
    assert requests.post(monitor["callback_url"], json={"user_id": "1"}, timeout=5).status_code == 202
    first.send_signal(signal.SIGTERM)
    assert first.wait(timeout=10) == 0
    printed = first.stdout.read()
    assert monitor["callback_url"] in printed  # serve prints the callback URLs of the default flows

    second = start()
    try:
        base2 = ready.read_text().strip()
        runs = requests.get(f"{base2}/_flowmock/api/flows/{monitor['id']}/runs", timeout=5).json()["runs"]
        assert [r["outputs"]["body"] for r in runs] == [{"user_id": "1"}]
        same_url = monitor["callback_url"].replace(base, base2)
        assert requests.post(same_url, json={}, timeout=5).status_code == 202
    finally:
        second.terminate()
        second.wait(timeout=10)


@pytest.fixture
def live():
    app = create_app(store=MemoryStore())
    with LiveServer(app) as server:
        yield server


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_flows_and_runs_commands_talk_to_a_running_server(live):
    url = ["--url", live.url]
    listed = cli("flows", "list", *url)
    assert listed.exit_code == 0 and listed.output.count("\n") == 4 and "monitor-results" in listed.output
    created = cli("flows", "create", *url, "--name", "cli flow", "--schema", "team-activity.strict", "--validation")
    hook = created.output.strip()
    assert created.exit_code == 0 and hook.startswith(live.url + "/workflows/")
    flow_id = hook.split("/workflows/")[1].split("/")[0]
    assert cli("flows", "url", *url, flow_id).output.strip() == hook
    assert json.loads(cli("flows", "show", *url, flow_id).output)["schema_validation"] is True
    assert cli("flows", "disable", *url, flow_id).output.strip() == f"{flow_id} disabled"
    assert requests.post(hook, json={}, timeout=5).status_code == 400
    cli("flows", "enable", *url, flow_id)
    assert requests.post(hook, json={"action": 1}, timeout=5).status_code == 400
    new_hook = cli("flows", "regenerate-key", *url, flow_id).output.strip()
    assert new_hook != hook and requests.post(hook, json={}, timeout=5).status_code == 401

    every = cli("runs", "list", *url, "--flow", flow_id, "--all")
    header, *rows = every.output.splitlines()
    assert header.split() == ["TIME", "ID", "FLOW", "HTTP", "STATUS", "CODE", "CONTRACT", "STRICT"]
    assert [row.split()[4] for row in rows] == ["Failed"] * 3
    entry = json.loads(cli("runs", "list", *url, "--all", "--json").output)["triggers"][0]
    assert json.loads(cli("runs", "show", *url, entry["id"]).output)["id"] == entry["id"]
    assert cli("runs", "clear", *url).exit_code == 0
    assert json.loads(cli("runs", "list", *url, "--all", "--json").output)["triggers"] == []
    missing = CliRunner().invoke(main, ["flows", "show", *url, "0" * 32])
    assert missing.exit_code == 2 and missing.output.startswith("flowmock: FlowNotFound:")


def test_runs_assert_checks_the_minimum_count(live):
    result = CliRunner().invoke(main, ["runs", "assert", "--url", live.url, "--min-count", "1"])
    assert result.exit_code == 1
    assert "expected at least 1 call, 0 recorded" in result.output


def test_commands_against_no_server_fail_in_one_line():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = CliRunner().invoke(main, ["flows", "list", "--url", f"http://127.0.0.1:{port}"])
    assert result.exit_code == 1
    assert (
        result.output == f"flowmock: cannot reach flowmock at http://127.0.0.1:{port} (is `flowmock serve` running?)\n"
    )
