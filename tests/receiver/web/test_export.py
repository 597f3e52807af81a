"""`GET /_flowmock/api/export` and `runs export`: the server writes the history as JSON Lines itself (issue 18), and
every line is exactly what `runs export` wrote when it built the file from the admin API's lists (each entry
encoded with sorted keys, credential headers redacted unless revealed, an imported flow's run under `run`), for
both stores, a page at a time without gaps or repeats."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from flowmock_receiver import LiveServer
from flowmock_receiver.client import AdminClient
from flowmock_receiver.commands import runs as runs_command
from flowmock_receiver.core.action_tree import has_actions
from flowmock_receiver.core.entry_lines import RUN_KEYS
from flowmock_receiver.core.sqlite_store import SQLiteStore
from flowmock_receiver.core.store import MemoryStore
from flowmock_receiver.web import export
from flowmock_schemas.cli import main
from tests.helpers import call_flow
from tests.receiver.conftest import url_without
from tests.runview import PLAIN, make_app, ship_order

SECRET_HEADERS = {"X-Api-Key": "key-123", "Cookie": "session=key-123", "X-Auth-Token": "key-123"}


def with_runs(entries: list[dict[str, Any]], runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each trigger-history entry, with `run` (status, times, error, response_action, actions) when its run recorded
    actions; entries of flowmock-defined flows and refused calls stay as they are."""
    by_id = {run.get("run_id"): run for run in runs if has_actions(run)}
    joined = []
    for entry in entries:
        run = by_id.get(entry.get("run_id"))
        joined.append(dict(entry) if run is None else {**entry, "run": {k: run.get(k) for k in RUN_KEYS}})
    return joined


@pytest.fixture(params=["memory", "sqlite"])
def history(request, tmp_path):
    """A served history of every kind of call: accepted, refused unsigned, non-conforming, a binary body, a body
    over 16 KB (listed as a preview with its body URL), credential headers, and an imported flow's run."""
    store = MemoryStore() if request.param == "memory" else SQLiteStore(tmp_path / "flowmock.db")
    app = make_app(store)
    client = app.test_client()
    flows = {f["name"]: f for f in client.get("/_flowmock/api/flows").get_json()["flows"]}
    typed = client.post(
        "/_flowmock/api/flows", json={"name": "typed", "schema": {"properties": {"n": {"type": "integer"}}}}
    ).get_json()
    plain, typed_url = flows[PLAIN]["callback_url"], typed["callback_url"]
    assert call_flow(client, plain, {"hello": "wörld"}, headers=SECRET_HEADERS).status_code == 202
    assert call_flow(client, url_without(plain, "sig"), {"a": 1}).status_code == 401
    assert call_flow(client, typed_url, {"n": "not a number"}).status_code == 202
    assert call_flow(client, plain, data=b"\xff\xfe\x00binary", content_type="image/png").status_code == 202
    assert call_flow(client, plain, {"big": "x" * 20_000}).status_code == 202
    ship_order(app)
    for n in range(5):
        call_flow(client, typed_url, {"n": n})
    with LiveServer(app) as live:
        yield live, typed["id"]
    store.close()


def _as_runs_export_wrote_it(url: str, flow_id: str | None, *, reveal: bool) -> list[str]:
    """The lines `runs export --format jsonl` wrote before the server streamed them: the admin API's trigger
    entries, oldest first, joined with the runs of imported flows, each encoded with sorted keys."""
    client = AdminClient(url, reveal_credentials=reveal)
    imported = {f["id"] for f in client.get("/flows")["flows"] if f.get("imported")}
    entries = client.all_triggers(flow_id)
    runs = [run for run in client.all_runs(flow_id) if run["flow_id"] in imported]
    return [json.dumps(entry, ensure_ascii=False, sort_keys=True) for entry in with_runs(entries, runs)]


@pytest.mark.parametrize("reveal", [False, True], ids=["redacted", "revealed"])
def test_jsonl_export_is_line_for_line_what_runs_export_built_from_the_admin_lists(history, reveal):
    live, _ = history
    args = ["runs", "export", "--url", live.url, "--format", "jsonl"] + (["--reveal-credentials"] if reveal else [])
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines == _as_runs_export_wrote_it(live.url, None, reveal=reveal)
    assert len(lines) == 11 and ("key-123" in result.stdout) is reveal
    entries = [json.loads(line) for line in lines]
    assert sum("run" in e for e in entries) == 1 and sum("body_url" in e["request"] for e in entries) == 1


def test_one_flows_export_holds_only_that_flows_calls(history):
    live, typed = history
    result = CliRunner().invoke(main, ["runs", "export", "--url", live.url, "--format", "jsonl", "--flow", typed])
    assert result.stdout.splitlines() == _as_runs_export_wrote_it(live.url, typed, reveal=False)
    assert len(result.stdout.splitlines()) == 6


def test_the_stream_pages_through_the_history_without_gaps_or_repeats(history, monkeypatch):
    live, _ = history
    monkeypatch.setattr(export, "PAGE", 3)  # 11 calls: pages of 3, 3, 3 and 2
    streamed = b"".join(AdminClient(live.url).stream("/export")).decode().splitlines()
    seqs = [json.loads(line)["seq"] for line in streamed]
    assert seqs == sorted(set(seqs)) and len(seqs) == 11
    after = b"".join(AdminClient(live.url).stream("/export", params={"after": seqs[4]})).decode().splitlines()
    assert after == streamed[5:]


def test_export_of_an_unknown_flow_is_a_readable_error(history):
    live, _ = history
    result = CliRunner().invoke(main, ["runs", "export", "--url", live.url, "--format", "jsonl", "--flow", "nope"])
    assert result.exit_code == 2 and "FlowNotFound" in result.output


def test_export_shows_progress_on_a_terminal_only(history, monkeypatch):
    live, _ = history
    args = ["runs", "export", "--url", live.url, "--format", "jsonl"]
    quiet = CliRunner().invoke(main, args)
    monkeypatch.setattr(runs_command, "_on_terminal", lambda: True)
    shown = CliRunner().invoke(main, args)
    assert quiet.stderr == "" and shown.stdout == quiet.stdout
    assert shown.stderr.endswith("\r11/11 calls, done" + " " * 20 + "\n")


def test_har_and_junit_exports_are_made_from_the_same_stream(history):
    live, _ = history
    har = CliRunner().invoke(main, ["runs", "export", "--url", live.url, "--format", "har"])
    entries: list[dict[str, Any]] = json.loads(har.stdout)["log"]["entries"]
    assert len(entries) == 11 and "key-123" not in har.stdout
    junit = CliRunner().invoke(main, ["runs", "export", "--url", live.url, "--format", "junit"])
    assert junit.exit_code == 0 and junit.stdout.count("<testcase") > 11  # the run's actions add cases
