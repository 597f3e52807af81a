"""`flowmock runs show` and `runs export` on runs with actions: the tree, one action's inputs and outputs, and the
actions in JSON Lines and JUnit (HAR unchanged)."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from flowmock_receiver import LiveServer
from flowmock_receiver.commands.run_tree import format_tree
from flowmock_receiver.core.action_tree import walk
from flowmock_schemas.cli import main
from tests.runview import make_app, ship_order, ship_order_run


@pytest.fixture(scope="module")
def served():
    app = make_app()
    run_id = ship_order(app)
    with LiveServer(app) as live:
        yield live, app, run_id


def cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_runs_show_prints_the_action_tree_with_type_status_and_duration(served):
    live, _, run_id = served
    result = cli("runs", "show", "--url", live.url, run_id)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith(f"run {run_id}  Failed  1 min 18 s  answered by Respond_failed")
    assert lines[1] == "ActionFailed: An action failed. No dependent actions succeeded."
    assert lines[2].split() == ["ACTION", "TYPE", "STATUS", "DURATION", "NOTE"]
    rows = {line.strip().split()[0]: line for line in lines[3:]}
    assert rows["Init_reserved"].split()[:4] == ["Init_reserved", "InitializeVariable", "Succeeded", "1"]
    assert "    repetition 2" in result.output and "[If no]" in result.output
    courier = next(line for line in lines if line.strip().startswith("Book_courier"))
    assert courier.startswith("  Book_courier") and "Failed" in courier and "1 min 18 s" in courier
    assert "ServiceUnavailable: The mocked response has status code 503" in courier
    email = next(line for line in lines if line.strip().startswith("Email_customer"))
    assert email.endswith("skipped: waited for 'Book_courier' to be Succeeded; it was Failed")
    assert next(line for line in lines if "Post_to_Teams" in line).endswith("not mocked")


def test_runs_show_action_prints_one_actions_inputs_and_outputs_as_json(served):
    live, _, run_id = served
    result = cli("runs", "show", "--url", live.url, run_id, "--action", "Book_courier")
    detail = json.loads(result.output)
    assert detail["path"] == "Try/Book_courier" and detail["status"] == "Failed"
    assert detail["inputs"]["uri"] == "https://courier.example.com/api/pickups"
    assert detail["outputs"]["statusCode"] == 503 and "children" not in detail


def test_runs_show_action_inside_a_loop_prints_one_record_per_repetition(served):
    live, _, run_id = served
    detail = json.loads(cli("runs", "show", "--url", live.url, run_id, "--action", "Reserve_stock").output)
    assert [d["status"] for d in detail] == ["Succeeded", "Skipped", "Succeeded"]
    assert detail[2]["outputs"]["body"] == {"reservation": "R-1002"}


def test_runs_show_names_the_actions_when_the_action_is_unknown(served):
    live, _, run_id = served
    result = CliRunner().invoke(main, ["runs", "show", "--url", live.url, run_id, "--action", "Nope"])
    assert result.exit_code == 1
    assert "has no action 'Nope'" in result.output and "Catch, Init_reserved" in result.output


def test_runs_show_json_prints_the_whole_run(served):
    live, _, run_id = served
    data = json.loads(cli("runs", "show", "--url", live.url, run_id, "--json").output)
    assert data["run_id"] == run_id and data["actions"][1]["name"] == "Try"


def test_a_hostile_action_name_cannot_write_to_the_terminal():
    action = {"name": "evil\x1b[2J\nfake row", "type": "Compose", "status": "Failed", "error": {"code": "X\r"}}
    text = format_tree({"run_id": "r", "status": "Failed", "actions": [action]})
    assert "\x1b" not in text and "\r" not in text and "evil\\x1b[2J\\x0afake row" in text
    assert len(text.splitlines()) == 3


def test_jsonl_export_carries_each_runs_actions_whole(served):
    live, _, run_id = served
    [line] = cli("runs", "export", "--url", live.url, "--format", "jsonl").output.splitlines()
    entry = json.loads(line)
    assert entry["id"] == run_id and entry["run"]["status"] == "Failed"
    recorded = [located.key for located in walk(entry["run"]["actions"])]
    assert recorded == [located.key for located in walk(ship_order_run()["actions"])]
    courier = next(located.action for located in walk(entry["run"]["actions"]) if located.key == "Try/Book_courier")
    assert courier["outputs"]["body"]["error"]["code"] == "NoCourierAvailable"  # inputs and outputs whole
    assert entry["run"]["response_action"] == "Respond_failed"


def test_junit_export_has_one_case_per_action_with_failed_actions_as_failures(served):
    live, _, run_id = served
    root = ET.fromstring(cli("runs", "export", "--url", live.url, "--format", "junit").output)
    [suite] = root.findall("testsuite")
    cases = suite.findall("testcase")
    assert len(cases) == 1 + 22  # the call, then every action at every depth
    actions = {c.get("name"): c for c in cases[1:]}
    assert all(c.get("classname") == f"flowmock.Ship order.{run_id}" for c in cases[1:])
    courier = actions["Try/Book_courier (Http)"].find("failure")
    assert courier is not None and courier.get("type") == "ServiceUnavailable"
    assert float(actions["Try/Book_courier (Http)"].get("time")) > 60  # its retries, in virtual time
    skipped = actions["Try/Email_customer (OpenApiConnection)"].find("skipped")
    assert skipped is not None and "waited for 'Book_courier'" in skipped.get("message")
    assert actions["Catch/Respond_failed (Response)"].find("failure") is None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("23", "2", "6")
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("23", "2", "6")


def test_har_export_is_the_http_exchange_only(served):
    live, _, _ = served
    har = json.loads(cli("runs", "export", "--url", live.url, "--format", "har").output)
    [entry] = har["log"]["entries"]
    assert "run" not in entry and "actions" not in json.dumps(entry)
