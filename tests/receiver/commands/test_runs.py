"""`flowmock runs list / assert / export` and `flows` as a person reads them: tables, verdicts, exit codes, files."""

from __future__ import annotations

import os
import stat
from typing import ClassVar

import pytest
from click.testing import CliRunner

from flowmock_receiver import LiveServer, create_app
from flowmock_receiver.client import AdminClient
from flowmock_receiver.commands.verdicts import check_history, tally
from flowmock_receiver.core.store import MemoryStore
from flowmock_receiver.testing import Flowmock
from flowmock_schemas.cli import main
from tests.conftest import monitor_payload


@pytest.fixture
def live():
    app = create_app(store=MemoryStore())
    with LiveServer(app) as server:
        yield server


@pytest.fixture
def monitor(live):
    return Flowmock(live.url).default_flows["monitor-results"]


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def columns(line: str, header: str) -> dict[str, str]:
    """The cells of a table row, cut where the header's column names start (cells may hold spaces)."""
    names = header.split()
    starts = [header.index(name) for name in names]
    ends = [*starts[1:], None]
    return {name: line[start:end].strip() for name, start, end in zip(names, starts, ends, strict=True)}


def test_runs_list_has_a_header_row_and_shows_both_verdicts(live, monitor):
    monitor.post(monitor_payload())
    monitor.post({"monitor_name": "nightly"})  # the documented schema accepts it; its strict variant does not
    header, *rows = cli("runs", "list", "--url", live.url).output.splitlines()
    assert header.split() == ["START", "TIME", "RUN", "ID", "FLOW", "STATUS", "CONTRACT", "STRICT"]
    newest, oldest = (
        columns(row, header.replace("START TIME", "START_TIME").replace("RUN ID", "RUN_ID")) for row in rows
    )
    assert (newest["CONTRACT"], newest["STRICT"]) == ("conforms", "NONCONFORMING")
    assert (oldest["CONTRACT"], oldest["STRICT"]) == ("conforms", "conforms")
    assert newest["FLOW"] == monitor.id


def test_runs_list_all_keeps_the_flow_column_and_long_codes_keep_columns_aligned(live, monitor):
    monitor.post({"user_id": 5})  # TriggerInputSchemaMismatch: a long code
    monitor.post(monitor_payload(), key="primary", url=monitor.url.replace("sig=", "sig=x"))  # 401, another length
    monitor.post(monitor_payload())
    header, *rows = cli("runs", "list", "--url", live.url, "--all").output.splitlines()
    assert len(rows) == 3
    for name in ("FLOW", "HTTP", "STATUS", "CODE", "CONTRACT", "STRICT"):
        # every row's cell starts where the header's name does: a long code pushes no column out of line
        start = header.index(name)
        assert all(row[start - 2 : start] == "  " and row[start] != " " for row in rows), (name, rows)
    cells = [columns(row, header) for row in rows]
    assert [c["FLOW"] for c in cells] == [monitor.id] * 3
    assert [c["CODE"] for c in cells] == ["-", "DirectApiInvalidAuthorizationSignature", "TriggerInputSchemaMismatch"]


def test_a_call_refused_before_its_body_was_read_is_listed_as_not_checked(live, monitor):
    monitor.update(max_body_bytes=10)
    assert monitor.post(monitor_payload()).status == 413
    header, row = cli("runs", "list", "--url", live.url, "--all").output.splitlines()
    assert columns(row, header)["CONTRACT"] == "not checked"


def test_runs_assert_strict_also_fails_bodies_that_break_the_strict_variant(live, monitor):
    monitor.post({"monitor_name": "nightly"})
    lenient = cli("runs", "assert", "--url", live.url, "--all-conform")
    assert lenient.exit_code == 0 and lenient.output == "ok: 1 call recorded, all conform\n"
    strict = cli("runs", "assert", "--url", live.url, "--strict")
    assert strict.exit_code == 1
    assert "1 of 1 call failed the contract" in strict.output
    assert "monitor-results.strict: $: Required properties are missing from object: collection_name" in strict.output


def test_runs_assert_counts_in_correct_english(live, monitor):
    for _ in range(2):
        monitor.post(monitor_payload())
    assert cli("runs", "assert", "--url", live.url, "--strict").output == (
        "ok: 2 calls recorded, all conform (strict variants too)\n"
    )
    missing = cli("runs", "assert", "--url", live.url, "--min-count", "3")
    assert "expected at least 3 calls, 2 recorded" in missing.output


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["flows", "show"], id="flows-show"),
        pytest.param(["flows", "url"], id="flows-url"),
        pytest.param(["flows", "disable"], id="flows-disable"),
        pytest.param(["runs", "list", "--flow"], id="runs-list"),
        pytest.param(["runs", "clear", "--flow"], id="runs-clear"),
        pytest.param(["runs", "export", "--format", "jsonl", "--flow"], id="runs-export"),
    ],
)
def test_an_unknown_flow_id_is_an_input_error_exit_2(live, command):
    result = cli(*command, "0" * 32, "--url", live.url)
    assert result.exit_code == 2, result.output
    assert result.output.startswith("flowmock: FlowNotFound:")


def test_an_unknown_run_id_is_an_input_error_exit_2(live):
    result = cli("runs", "show", "--url", live.url, "08585126097002631194816968720CU18")
    assert result.exit_code == 2 and result.output.startswith("flowmock: TriggerHistoryNotFound:")


@pytest.mark.parametrize("fmt", ["jsonl", "har", "junit"])
def test_export_files_get_the_permissions_the_umask_gives_new_files(live, monitor, tmp_path, fmt):
    monitor.post(monitor_payload())
    previous = os.umask(0o022)
    try:
        out = tmp_path / f"report.{fmt}"
        result = cli("runs", "export", "--url", live.url, "--format", fmt, "--out", str(out))
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o644  # not a temporary file's 0600: CI steps and people read it
    assert result.output == f"1 call written to {out}\n"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left behind


class CountingClient(AdminClient):
    """An admin client that notes what each request asked for."""

    asked: ClassVar[list[tuple[str, dict]]] = []

    def get(self, path, **kwargs):
        self.asked.append((path, dict(kwargs.get("params") or {})))
        return super().get(path, **kwargs)

    def stream(self, path, **kwargs):
        self.asked.append((path, {}))
        return super().stream(path, **kwargs)


@pytest.fixture
def mixed(live, monitor, monkeypatch):
    """35 calls, 27 of them failing the contract in every way: refused unsigned, refused for their schema,
    accepted but non-conforming; each whole history's verdict (as `runs assert` made it reading every call)."""
    for n in range(35):
        if n < 5:
            monitor.post(monitor_payload(), key="primary", url=monitor.url.replace("sig=", "sig=x"))
        elif n < 15:
            monitor.post({"user_id": n})  # 400 TriggerInputSchemaMismatch: refused and non-conforming
        elif n < 27:
            if n == 15:
                monitor.update(schema_validation=False)
            monitor.post({"user_id": n})  # accepted, non-conforming
        else:
            monitor.post(monitor_payload())
    CountingClient.asked = []
    monkeypatch.setattr("flowmock_receiver.commands.runs._client", CountingClient)
    everything = AdminClient(live.url).all_triggers()
    return {strict: tally(everything, strict=strict) for strict in (False, True)}


@pytest.mark.parametrize("flag", ["--all-conform", "--strict"])
def test_runs_assert_reports_the_whole_histories_verdict_from_counters_and_the_stream(live, mixed, flag):
    result = cli("runs", "assert", "--url", live.url, flag, "--min-count", "40")
    strict = flag == "--strict"
    expected = check_history(mixed[strict], all_conform=True, strict=strict, min_count=40)
    assert result.exit_code == 1 and result.stderr.splitlines() == expected
    assert expected[0] == "expected at least 40 calls, 35 recorded"
    assert expected[1] == f"{mixed[strict].failed} of 35 calls failed the contract:" and len(expected) == 2 + 20 + 1
    assert expected[-1] == f"  ... and {mixed[strict].failed - 20} more"
    if strict:  # strict verdicts are not indexed: read once, streamed
        assert [path for path, _ in CountingClient.asked] == ["/export"]
    else:  # counts and the first failures only: no request reads more than 20 calls
        assert max(params["limit"] for _, params in CountingClient.asked) == 20
        assert all(path == "/triggers" for path, _ in CountingClient.asked)


def test_runs_assert_min_count_reads_one_count(live, mixed):
    result = cli("runs", "assert", "--url", live.url, "--min-count", "35")
    assert result.exit_code == 0 and result.output == "ok: 35 calls recorded\n"
    assert CountingClient.asked == [("/triggers", {"limit": 1, "after": 0})]
