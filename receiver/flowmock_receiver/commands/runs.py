"""`flowmock runs`: read, export, check and clear the recorded history of a running server."""

from __future__ import annotations

import codecs
import contextlib
import json
import sys
import time
from collections.abc import Iterator
from importlib.metadata import version
from typing import IO, Any

import click

from flowmock_schemas.clikit import atomic_output, fail

from ..client import AdminApiError
from ..core.action_tree import has_actions
from .common import call as _call
from .common import client as _client
from .common import json_option, plural, table, url_option
from .reports import write_har, write_junit
from .run_tree import action_detail, format_tree
from .verdicts import check_history, from_server, ok_line, stream_entries


@click.group()
def runs() -> None:
    """Inspect, export, check and clear the recorded history of a running server."""


@runs.command("list")
@url_option
@click.option("--flow", "flow_id", default=None, help="Only this flow.")
@click.option("--all", "every_call", is_flag=True, help="Every call (trigger history), not only runs.")
@click.option("--limit", type=int, default=50, show_default=True)
@click.option("--before", type=int, default=None, help="Calls older than this seq (the next page: the last seq shown).")
@click.option("--after", type=int, default=None, help="Calls newer than this seq.")
@json_option
def runs_list(
    url: str, flow_id: str | None, every_call: bool, limit: int, before: int | None, after: int | None, as_json: bool
) -> None:
    """Newest first, a page at a time: `--before SEQ` continues with older calls (the cursor does not slow with
    depth). CONTRACT is the verdict against the flow's schema, STRICT against its `.strict` variant."""
    kind = "triggers" if every_call else "runs"
    params: dict[str, Any] = {"limit": limit}
    params.update({k: v for k, v in (("before", before), ("after", after)) if v is not None})
    data = _call(_client(url).get, f"/flows/{flow_id}/{kind}" if flow_id else f"/{kind}", params=params)
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    if every_call:
        headers = ["TIME", "ID", "FLOW", "HTTP", "STATUS", "CODE", "CONTRACT", "STRICT"]
        rows = [
            [e["time"], e["id"], e["flow_id"], str(e["http_status"]), e["status"], e["code"] or "-", *_verdicts(e)]
            for e in data[kind]
        ]
    else:
        headers = ["START TIME", "RUN ID", "FLOW", "STATUS", "CONTRACT", "STRICT"]
        rows = [[e["start_time"], e["run_id"], e["flow_id"], e["status"], *_verdicts(e)] for e in data[kind]]
    for line in table(headers, rows):
        click.echo(line)
    if len(data[kind]) == limit and data[kind]:
        click.echo(f"{data['total']} in all; older: --before {data[kind][-1]['seq']}", err=True)


def _verdicts(entry: dict[str, Any]) -> list[str]:
    """The flow's verdict and the strict one, in words: a body never checked (a 413) is neither."""
    words = {True: "conforms", False: "NONCONFORMING", None: "not checked"}
    contract = entry["contract"]
    strict = contract.get("strict")
    return [words[contract.get("valid")], words[strict["valid"]] if strict else "-"]


reveal_option = click.option(
    "--reveal-credentials", is_flag=True, help="Show Authorization, Cookie and API-key headers instead of [redacted]."
)


@runs.command("show")
@url_option
@reveal_option
@click.argument("run_id")
@click.option("--action", "action_name", default=None, help="Print this action's inputs and outputs as JSON.")
@json_option
def runs_show(url: str, reveal_credentials: bool, run_id: str, action_name: str | None, as_json: bool) -> None:
    """A run's actions as a tree (name, type, status, duration), or the whole record as JSON.

    A run without actions (a flow defined in flowmock's terms) and a refused call (a trigger-history entry, no run)
    print as JSON."""
    client = _client(url)
    client.reveal_credentials = reveal_credentials
    try:
        data = client.get(f"/runs/{run_id}")
    except AdminApiError as exc:
        if exc.status != 404 or action_name:
            fail(str(exc), 1)
        data = _call(client.get, f"/triggers/{run_id}")
    if action_name is not None:
        detail = action_detail(data, action_name)
        if detail is None:
            names = sorted({a["name"] for a in data.get("actions") or []})
            fail(f"run {run_id} has no action '{action_name}' (top-level actions: {', '.join(names) or 'none'})", 1)
        click.echo(json.dumps(detail, indent=2, ensure_ascii=False))
    elif as_json or not has_actions(data):
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        click.echo(format_tree(data), nl=False)


@runs.command("clear")
@url_option
@click.option("--flow", "flow_id", default=None, help="Only this flow's history.")
def runs_clear(url: str, flow_id: str | None) -> None:
    _call(_client(url).delete, f"/flows/{flow_id}/runs" if flow_id else "/runs")
    click.echo("history cleared")


@runs.command("export")
@url_option
@click.option("--format", "fmt", type=click.Choice(["jsonl", "har", "junit"]), required=True)
@click.option("--flow", "flow_id", default=None, help="Only this flow.")
@click.option("--out", default=None, help="Write here instead of standard output.")
@reveal_option
def runs_export(url: str, fmt: str, flow_id: str | None, out: str | None, reveal_credentials: bool) -> None:
    """Every recorded call as JSON Lines (with its run's actions), a HAR 1.2 log, or JUnit XML (one test case per
    call, and one per action of a run that has actions), streamed: the server writes the history as JSON Lines a
    page at a time (`GET /_flowmock/api/export`), copied as it arrives or turned into HAR or JUnit entry by entry,
    so memory stays flat whatever the history's size. Credential headers are redacted unless
    --reveal-credentials: exports end up in CI artifacts. On a terminal, a progress line goes to standard error."""
    client = _client(url)
    client.reveal_credentials = reveal_credentials
    total = _call(client.get, f"/flows/{flow_id}/triggers" if flow_id else "/triggers", params={"limit": 1})["total"]
    names = {f["id"]: f["name"] for f in _call(client.get, "/flows")["flows"]} if fmt == "junit" else {}
    chunks = client.stream(f"/flows/{flow_id}/export" if flow_id else "/export")
    with _output(out) as stream:
        try:
            if fmt == "jsonl":
                count = _copy(chunks, stream, total)
            elif fmt == "har":
                count = write_har(_progress(stream_entries(chunks), total), stream, url, version("flowmock"))
            else:
                count = write_junit(_progress(stream_entries(chunks), total), stream, names)
        except AdminApiError as exc:
            fail(str(exc), 1)
    if out:
        click.echo(f"{plural(count, 'call')} written to {out}", err=True)


def _on_terminal() -> bool:
    return sys.stderr.isatty()


class _Progress:
    """A progress line on standard error, rewritten in place at most five times a second; only on a terminal."""

    def __init__(self, total: int) -> None:
        self.total, self.shown = total, _on_terminal()
        self.started = self.last = time.monotonic()

    def update(self, n: int) -> None:
        now = time.monotonic()
        if self.shown and now - self.last >= 0.2:
            self.last = now
            rate = n / max(now - self.started, 1e-9)
            click.echo(f"\r{n}/{self.total} calls ({rate:,.0f}/s)", err=True, nl=False)

    def done(self, n: int) -> None:
        if self.shown:
            click.echo(f"\r{n}/{self.total} calls, done" + " " * 20, err=True)


def _copy(chunks: Iterator[bytes], out: IO[str], total: int) -> int:
    """The server's JSON Lines copied as they arrive; the number of lines."""
    decoder, progress, n = codecs.getincrementaldecoder("utf-8")(), _Progress(total), 0
    for chunk in chunks:
        out.write(decoder.decode(chunk))
        n += chunk.count(b"\n")
        progress.update(n)
    out.write(decoder.decode(b"", final=True))
    progress.done(n)
    return n


def _progress(entries: Iterator[dict[str, Any]], total: int) -> Iterator[dict[str, Any]]:
    """Pass entries through, with the progress line."""
    progress, n = _Progress(total), 0
    for n, entry in enumerate(entries, 1):
        progress.update(n)
        yield entry
    progress.done(n)


@contextlib.contextmanager
def _output(path: str | None) -> Iterator[IO[str]]:
    """Standard output, or a file that appears whole once written (`atomic_output`)."""
    if path is None:
        yield sys.stdout
        return
    with atomic_output(path) as stream:
        yield stream


@runs.command("assert")
@url_option
@click.option("--flow", "flow_id", default=None, help="Only this flow.")
@click.option("--all-conform", is_flag=True, help="Every call was accepted and its body conformed.")
@click.option(
    "--strict", is_flag=True, help="--all-conform, and bodies also met their documented schema's .strict variant."
)
@click.option("--min-count", type=int, default=None, help="At least this many calls were recorded.")
def runs_assert(url: str, flow_id: str | None, all_conform: bool, strict: bool, min_count: int | None) -> None:
    """Exit 1 with a readable summary when the recorded history does not meet the expectation. Counts come from the
    server's counters; only --strict reads the history, streamed (strict verdicts are not indexed)."""
    if not all_conform and not strict and min_count is None:
        fail("say what to check: --all-conform, --strict and/or --min-count N", 2)
    checking = all_conform or strict
    verdicts = _call(from_server, _client(url), flow_id, all_conform=checking, strict=strict)
    problems = check_history(verdicts, all_conform=checking, strict=strict, min_count=min_count)
    if problems:
        click.echo("\n".join(problems), err=True)
        sys.exit(1)
    click.echo(ok_line(verdicts, all_conform=checking, strict=strict))
