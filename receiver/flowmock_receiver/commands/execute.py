"""`flowmock exec -- COMMAND...`: a receiver around one command, with reports and a verdict at the end.

In CI the code under test is often not Python (a Node or Java suite), and the job needs three things flowmock's own
repository used a shell script for: a receiver before the suite starts, its callback URLs in the suite's
environment, and reports of what arrived, written even when the suite fails (the job's `if: always()` upload
step publishes them). `exec` does all of it in one process a user's repository needs nothing else for:

1. starts a receiver in this process, in memory, on a free port (the declared or default flows, as `serve`);
2. runs COMMAND with `FLOWMOCK_URL` (the base URL, which `flowmock flows` and `runs` read) and one
   `FLOWMOCK_URL_<FLOW>` per flow (the callback URL; the flow's name upper-cased, each run of characters other than
   A-Z and 0-9 made one `_`: "Post monitoring results" is `FLOWMOCK_URL_POST_MONITORING_RESULTS`);
3. writes the reports (JSON Lines, HAR, JUnit), whatever COMMAND's exit status;
4. applies the assertions asked for, stops the receiver, and exits with COMMAND's failure if it failed (a signal
   as 128 + its number, as shells report it), else 1 when an assertion failed, else 0.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import click
from flask import Flask

from flowmock_schemas.clikit import fail, write_atomically

from ..client import AdminApiError, AdminClient
from ..core.errors import ConfigFileError
from ..core.store import MemoryStore
from ..serving.config_file import imported_entry, load_config
from ..serving.run import print_flows, receiver_of
from ..serving.server import LiveServer
from ..web import create_app
from .common import flows_options, plural
from .reports import write_har, write_jsonl, write_junit
from .verdicts import check_history, ok_line, stream_entries, tally

REPORT_FILES = {"jsonl": "flowmock.jsonl", "har": "flowmock.har", "junit": "flowmock-junit.xml"}
COMMAND_NOT_FOUND = 127  # what a shell answers for a command it cannot find, and 126 for one it cannot run
COMMAND_NOT_EXECUTABLE = 126


def env_name(flow_name: str) -> str:
    """`FLOWMOCK_URL_<FLOW>`: the name upper-cased, each run of other characters one `_`, none at either end."""
    return "FLOWMOCK_URL_" + re.sub(r"[^A-Z0-9]+", "_", flow_name.upper()).strip("_")


def flow_environment(app: Flask, base_url: str) -> dict[str, str]:
    """The variables COMMAND gets: the base URL and each flow's callback URL (exit 2 when two flows' names give
    the same variable, which would hide one of them)."""
    receiver = receiver_of(app)
    env = {"FLOWMOCK_URL": base_url}
    owners: dict[str, str] = {}
    for flow in receiver.store.list_flows():
        name = env_name(flow.name)
        if name == "FLOWMOCK_URL_":
            name += flow.id.upper()  # a name with no letter or digit in it: the id stands in
        if name in owners:
            fail(f"flows {owners[name]!r} and {flow.name!r} would both be ${name}: give them distinct names", 2)
        owners[name] = flow.name
        env[name] = flow.callback_url(receiver.public_url or base_url)
    return env


@dataclass
class Settings:
    host: str
    port: int
    app: dict[str, Any]


def _settings(config_path: str | None, flow_files: tuple[str, ...], port: int | None) -> Settings:
    server: dict[str, Any] = {}
    flows: list[dict[str, Any]] | None = None
    if config_path:
        try:
            loaded = load_config(config_path)
        except ConfigFileError as exc:
            fail(str(exc), 2)
        server, flows = loaded["server"], loaded["flows"]
    for path in flow_files:  # as `serve --flow`: exported flows, declared beside (or instead of) the file's
        try:
            flows = [*(flows or []), imported_entry({"definition": path}, Path.cwd())]
        except (ConfigFileError, ValueError) as exc:
            fail(f"--flow {path}: {exc}", 2)
    if port is not None and not 0 <= port <= 65535:
        fail(f"--port must be a number from 0 to 65535, got {port}", 2)
    # The file's port is for `serve`; exec hands URLs over in the environment, so a free port by default lets
    # two jobs share a machine.
    return Settings(
        host=str(server.get("host", "127.0.0.1")),
        port=port or 0,
        app={
            "DATABASE": None,  # a fresh history for each run: the reports are this command's calls only
            "FLOWS": flows,
            "REGION": server.get("region") or os.environ.get("FLOWMOCK_REGION") or "westus",
            "PUBLIC_URL": server.get("public_url"),
            "ADMIN_ALLOW_REMOTE": bool(server.get("admin_remote", False)),
        },
    )


def run_command(command: list[str], env: dict[str, str]) -> int:
    """Run COMMAND to its end and return its exit status as a shell would report it.

    Ctrl-C reaches COMMAND too (it shares the terminal's process group), so exec waits for it to finish rather
    than leaving it behind; SIGTERM (a CI job being cancelled) is passed on to it.
    """
    try:
        child = subprocess.Popen(command, env=env)
    except FileNotFoundError:
        click.echo(f"flowmock exec: {command[0]}: command not found", err=True)
        return COMMAND_NOT_FOUND
    except PermissionError:
        click.echo(f"flowmock exec: {command[0]}: permission denied", err=True)
        return COMMAND_NOT_EXECUTABLE
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: child.send_signal(signal.SIGTERM))
    try:
        while True:
            try:
                code = child.wait()
                break
            except KeyboardInterrupt:
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 128 - code if code < 0 else code


def write_reports(
    report_dir: str,
    entries: list[dict[str, Any]],
    base_url: str,
    names: dict[str, str],
    *,
    strict: bool,
) -> list[str]:
    """The three reports of every call (the export's entries, each imported flow's run with actions under `run`),
    under `report_dir`, as `runs export` writes them; returns their paths."""
    try:
        flowmock_version = version("flowmock")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
        flowmock_version = "0"
    buffers = {kind: io.StringIO() for kind in REPORT_FILES}
    write_jsonl(entries, buffers["jsonl"])
    write_har(entries, buffers["har"], base_url, flowmock_version)
    write_junit(sorted(entries, key=lambda entry: entry["time"]), buffers["junit"], names, strict=strict)
    texts = {kind: buffer.getvalue() for kind, buffer in buffers.items()}
    paths = []
    for kind, text in texts.items():
        path = str(Path(report_dir) / REPORT_FILES[kind])
        write_atomically(path, text)
        paths.append(path)
    return paths


@click.command("exec", context_settings={"allow_interspersed_args": False, "ignore_unknown_options": True})
@flows_options
@click.option("--report-dir", default="flowmock-reports", show_default=True, help="Where the reports go.")
@click.option("--assert-all-conform", is_flag=True, help="Exit 1 unless every call was accepted and conformed.")
@click.option("--strict", is_flag=True, help="--assert-all-conform, and bodies also met their schema's .strict.")
@click.option("--min-count", type=int, default=None, help="Exit 1 unless at least this many calls arrived.")
@click.option("--port", type=int, default=None, help="Port to listen on (default: a free one).")
@click.option("--quiet", is_flag=True, help="No start-up banner.")
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def exec_command(
    config_path: str | None,
    flow_files: tuple[str, ...],
    report_dir: str,
    assert_all_conform: bool,
    strict: bool,
    min_count: int | None,
    port: int | None,
    quiet: bool,
    command: tuple[str, ...],
) -> None:
    """Run COMMAND with a receiver beside it: FLOWMOCK_URL and FLOWMOCK_URL_<FLOW> in its environment, reports in
    --report-dir afterwards (even when COMMAND fails), then the assertions.

    \b
    flowmock exec --config flowmock.toml --assert-all-conform -- npm test
    """
    settings = _settings(config_path, flow_files, port)
    try:
        app = create_app(settings.app, store=MemoryStore())
    except (OSError, ValueError) as exc:
        fail(f"cannot start: {exc}", 2)
    try:
        server = LiveServer(app, settings.host, settings.port).start()
    except OSError as exc:
        fail(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror or exc}", 2)
    try:
        env = flow_environment(app, server.url)
        if not quiet:
            print_flows(app, server.url, err=True)
            click.echo(f"flowmock exec: {', '.join('$' + name for name in env)} set for: {' '.join(command)}", err=True)
        code = run_command(list(command), {**os.environ, **env})
        try:
            client = AdminClient(server.url)
            entries = list(stream_entries(client.stream("/export")))  # runs joined by the server, as `runs export`
            names = {f["id"]: f["name"] for f in client.get("/flows")["flows"]}
        except AdminApiError as exc:  # pragma: no cover - our own server, in this process
            fail(f"cannot read the history: {exc}", 1)
        paths = write_reports(report_dir, entries, server.url, names, strict=strict)
        click.echo(f"flowmock exec: {plural(len(entries), 'call')} recorded; reports: {', '.join(paths)}", err=True)
    finally:
        server.stop(drain=5.0)
    checking = assert_all_conform or strict
    verdicts = tally(entries, strict=strict)
    problems = check_history(verdicts, all_conform=checking, strict=strict, min_count=min_count)
    if problems:
        click.echo("\n".join(problems), err=True)
    elif checking or min_count is not None:
        click.echo(ok_line(verdicts, all_conform=checking, strict=strict), err=True)
    if code:
        fail(f"{command[0]} exited with status {code}", code)
    if problems:
        fail("the recorded calls did not meet the assertions", 1)
