"""The receiver's commands: `serve`, `wait`, `stop`, and `flows` / `runs`, which talk to a running server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from flowmock_schemas.cli import fail

from .client import AdminApiError, AdminClient
from .errors import ConfigFileError

DEFAULT_PORT = 7071  # the port Azure Functions and Logic Apps Standard use locally
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"

url_option = click.option(
    "--url",
    envvar="FLOWMOCK_URL",
    default=DEFAULT_URL,
    show_default=True,
    help="Base URL of the running flowmock server (env FLOWMOCK_URL).",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


def _client(url: str) -> AdminClient:
    return AdminClient(url)


def _call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except AdminApiError as exc:
        fail(str(exc), 1)


def _write_atomically(path: str, text: str) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=target.parent, delete=False, prefix=".flowmock-") as handle:
        handle.write(text)
    os.replace(handle.name, target)


# serve --------------------------------------------------------------------------------------------------------
@click.command()
@click.option("--host", default=None, help="Interface to bind (default 127.0.0.1: loopback only).")
@click.option("--port", type=int, default=None, help=f"Port (default {DEFAULT_PORT}; 0 picks a free one).")
@click.option("--db", default=None, help="SQLite file for flows and history (default ./flowmock.db).")
@click.option("--memory", is_flag=True, help="Keep everything in memory instead of SQLite.")
@click.option("--config", "config_path", default=None, help="TOML file declaring [server] settings and [[flows]].")
@click.option("--region", default=None, help="Region named in x-ms-* headers (default westus).")
@click.option("--public-url", default=None, help="Base URL callback URLs are built on (default: as requested).")
@click.option("--admin-remote", is_flag=True, help="Let non-loopback clients use the admin API.")
@click.option("--workers", type=int, default=1, show_default=True, help="Processes (more than 1 runs gunicorn).")
@click.option("--detach", is_flag=True, help="Start in the background and return once the server answers.")
@click.option("--pid-file", default=None, help="Write the server's process id here.")
@click.option("--ready-file", default=None, help="Write the server's base URL here once it answers.")
@click.option("--log-file", default=None, help="With --detach: where the server's output goes.")
@click.option("--timeout", type=float, default=20.0, show_default=True, help="With --detach: seconds to wait.")
@click.option("--quiet", is_flag=True, help="No access log.")
def serve(**opts: Any) -> None:
    """Run the receiver. Without --config it creates the four default flows and prints their URLs."""
    if opts["detach"]:
        _detach(opts)
        return
    settings = _settings(opts)
    if settings["workers"] > 1:
        from .multiprocess import serve_with_gunicorn

        serve_with_gunicorn(settings)
        return
    _serve_here(settings)


def _settings(opts: dict[str, Any]) -> dict[str, Any]:
    from .config_file import load_config

    file: dict[str, Any] = {"server": {}, "flows": None}
    if opts["config_path"]:
        try:
            file = load_config(opts["config_path"])
        except ConfigFileError as exc:
            fail(str(exc), 2)
    server = file["server"]
    env = os.environ.get
    db = None if opts["memory"] else (opts["db"] or server.get("db") or env("FLOWMOCK_DATABASE") or "flowmock.db")
    if db and opts["config_path"] and not opts["db"] and not Path(db).is_absolute():
        db = str(Path(opts["config_path"]).resolve().parent / db)
    port = opts["port"] if opts["port"] is not None else server.get("port", DEFAULT_PORT)
    if not isinstance(port, int) or not 0 <= port <= 65535:
        fail(f"port must be a number from 0 to 65535, got {port!r}", 2)
    if opts["workers"] < 1:
        fail("--workers must be at least 1", 2)
    return {
        "host": opts["host"] or server.get("host", "127.0.0.1"),
        "port": port,
        "workers": opts["workers"],
        "app": {
            "DATABASE": db,
            "REGION": opts["region"] or server.get("region") or env("FLOWMOCK_REGION") or "westus",
            "FLOWS": file["flows"] if opts["config_path"] else None,
            "PUBLIC_URL": opts["public_url"] or server.get("public_url") or env("FLOWMOCK_PUBLIC_URL"),
            "ADMIN_ALLOW_REMOTE": bool(opts["admin_remote"] or server.get("admin_remote", False)),
        },
        "pid_file": opts["pid_file"],
        "ready_file": opts["ready_file"],
        "quiet": opts["quiet"],
    }


def print_flows(app: Any, base_url: str) -> None:
    receiver = app.extensions["flowmock"]
    store_text = f"SQLite {receiver.store.path}" if receiver.store.kind == "sqlite" else "memory"
    click.echo(f"flowmock listening on {base_url} (store: {store_text})")
    for flow in receiver.store.list_flows():
        click.echo(f"  {flow.name} [{flow.schema if isinstance(flow.schema, str) else 'custom schema'}]")
        click.echo(f"    {flow.callback_url(receiver.public_url or base_url)}")
    click.echo(f"Admin API: {base_url}/_flowmock/api  Run history: {base_url}/_flowmock/")
    sys.stdout.flush()


def _serve_here(settings: dict[str, Any]) -> None:
    from .app import create_app
    from .server import LiveServer

    try:
        app = create_app(settings["app"])
    except (OSError, ValueError) as exc:
        fail(f"cannot start: {exc}", 2)
    try:
        server = LiveServer(app, settings["host"], settings["port"], access_log=not settings["quiet"])
    except OSError as exc:
        app.extensions["flowmock"].store.close()
        fail(f"cannot listen on {settings['host']}:{settings['port']}: {exc.strerror or exc}", 2)

    def _terminate(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    if settings["pid_file"]:
        _write_atomically(settings["pid_file"], f"{os.getpid()}\n")
    print_flows(app, server.url)
    if settings["ready_file"]:
        _write_atomically(settings["ready_file"], server.url + "\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop(drain=5.0)  # calls in flight finish and are recorded before the store closes
        app.extensions["flowmock"].store.close()
        if settings["pid_file"]:
            Path(settings["pid_file"]).unlink(missing_ok=True)
        if settings["ready_file"]:
            Path(settings["ready_file"]).unlink(missing_ok=True)
        click.echo("flowmock stopped", err=True)


def _detach(opts: dict[str, Any]) -> None:
    """Start `flowmock serve` in a new session and return once it has written its ready file."""
    ready = opts["ready_file"] or os.path.join(tempfile.mkdtemp(prefix="flowmock-"), "ready")
    Path(ready).unlink(missing_ok=True)
    args = [
        sys.executable,
        "-c",
        "from flowmock_schemas.cli import main; main()",
        "serve",
        "--ready-file",
        ready,
    ]
    for name in ("host", "port", "db", "config_path", "region", "public_url", "workers", "pid_file"):
        value = opts[name]
        if value is not None and not (name == "workers" and value == 1):
            flag = "--config" if name == "config_path" else "--" + name.replace("_", "-")
            args += [flag, str(value)]
    for flag in ("memory", "admin_remote", "quiet"):
        if opts[flag]:
            args.append("--" + flag.replace("_", "-"))
    log_path = opts["log_file"] or os.devnull
    with open(log_path, "ab") as log:
        child = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + opts["timeout"]
    while time.monotonic() < deadline:
        if Path(ready).exists():
            click.echo(Path(ready).read_text().strip())
            return
        code = child.poll()
        if code is not None:
            hint = f" (see {log_path})" if opts["log_file"] else " (run without --detach to see why)"
            fail(f"the server exited with code {code} before it was ready{hint}", 1)
        time.sleep(0.02)
    child.kill()  # never leave an orphan behind a failed start
    child.wait()
    fail(f"the server was not ready within {opts['timeout']:g} s", 1)


# wait / stop ----------------------------------------------------------------------------------------------------
@click.command()
@url_option
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds to wait.")
def wait(url: str, timeout: float) -> None:
    """Block until the flowmock server at URL answers (exit 1 when it does not within the timeout)."""
    client = AdminClient(url, timeout=2.0)
    deadline = time.monotonic() + timeout
    last = ""
    while True:
        try:
            client.get("/health")
            click.echo(f"flowmock is ready at {url}")
            return
        except AdminApiError as exc:
            last = str(exc)
        if time.monotonic() >= deadline:
            fail(f"not ready after {timeout:g} s: {last}", 1)
        time.sleep(0.05)


@click.command()
@click.option("--pid-file", required=True, help="The file `serve --pid-file` wrote.")
@click.option("--timeout", type=float, default=15.0, show_default=True, help="Seconds to wait for a clean exit.")
def stop(pid_file: str, timeout: float) -> None:
    """Stop a server started with --pid-file and wait until it has exited and closed its store."""
    try:
        pid = int(Path(pid_file).read_text().strip())
    except OSError as exc:
        fail(f"{pid_file}: cannot read: {exc.strerror or exc}", 2)
    except ValueError:
        fail(f"{pid_file}: does not hold a process id", 2)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        Path(pid_file).unlink(missing_ok=True)
        fail(f"no process {pid} (already stopped?)", 1)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            click.echo(f"flowmock (pid {pid}) stopped")
            return
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    fail(f"pid {pid} did not exit within {timeout:g} s and was killed", 1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie has exited; only its parent has not collected it yet
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


# flows -----------------------------------------------------------------------------------------------------------
@click.group()
def flows() -> None:
    """List, show, create and change flows on a running server."""


@flows.command("list")
@url_option
@json_option
def flows_list(url: str, as_json: bool) -> None:
    data = _call(_client(url).get, "/flows")
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for flow in data["flows"]:
        schema = flow["schema"] if isinstance(flow["schema"], str) else ("custom" if flow["schema"] else "-")
        click.echo(
            f"{flow['id']}  {flow['state']:<8}  {schema:<26}  runs={flow['runs']:<5} "
            f"failures={flow['failures']:<5} {flow['name']}"
        )


@flows.command("show")
@url_option
@click.argument("flow_id")
def flows_show(url: str, flow_id: str) -> None:
    click.echo(json.dumps(_call(_client(url).get, f"/flows/{flow_id}"), indent=2))


@flows.command("url")
@url_option
@click.option("--secondary", is_flag=True, help="The URL signed with the secondary key.")
@click.argument("flow_id")
def flows_url(url: str, secondary: bool, flow_id: str) -> None:
    """Print a flow's callback URL (for scripts: HOOK=$(flowmock flows url ID))."""
    flow = _call(_client(url).get, f"/flows/{flow_id}")
    click.echo(flow["secondary_callback_url" if secondary else "callback_url"])


@flows.command("create")
@url_option
@click.option("--file", "file_", default=None, help="A JSON flow definition.")
@click.option("--name", default=None)
@click.option("--schema", default=None, help="A schema name, e.g. monitor-results.strict.")
@click.option("--validation/--no-validation", default=None, help="Reject non-conforming bodies with 400.")
@click.option("--method", default=None)
@click.option("--relative-path", default=None)
@click.option("--host", "host", type=click.Choice(["logic", "powerplatform"]), default=None)
@json_option
def flows_create(url: str, file_: str | None, as_json: bool, **fields: Any) -> None:
    """Create a flow from --file or from the options; prints its callback URL."""
    from flowmock_schemas.cli import read_json_or_fail

    definition: dict[str, Any] = read_json_or_fail(file_) if file_ else {}
    if not isinstance(definition, dict):
        fail(f"{file_}: a flow definition must be a JSON object", 2)
    names = {"validation": "schema_validation"}
    for key, value in fields.items():
        if value is not None:
            definition[names.get(key, key)] = value
    flow = _call(_client(url).post, "/flows", json=definition)
    click.echo(json.dumps(flow, indent=2) if as_json else flow["callback_url"])


def _patch(url: str, flow_id: str, changes: dict[str, Any]) -> None:
    flow = _call(_client(url).patch, f"/flows/{flow_id}", json=changes)
    click.echo(f"{flow['id']} {flow['state']}")


@flows.command("enable")
@url_option
@click.argument("flow_id")
def flows_enable(url: str, flow_id: str) -> None:
    _patch(url, flow_id, {"state": "enabled"})


@flows.command("disable")
@url_option
@click.argument("flow_id")
def flows_disable(url: str, flow_id: str) -> None:
    _patch(url, flow_id, {"state": "disabled"})


@flows.command("delete")
@url_option
@click.argument("flow_id")
def flows_delete(url: str, flow_id: str) -> None:
    _call(_client(url).delete, f"/flows/{flow_id}")
    click.echo(f"{flow_id} deleted")


@flows.command("regenerate-key")
@url_option
@click.option("--key-type", type=click.Choice(["primary", "secondary"]), default="primary", show_default=True)
@click.argument("flow_id")
def flows_regenerate_key(url: str, key_type: str, flow_id: str) -> None:
    """Replace one key: URLs signed with it stop working, URLs signed with the other keep working."""
    flow = _call(_client(url).post, f"/flows/{flow_id}/regenerate-key", json={"key_type": key_type})
    click.echo(flow["callback_url" if key_type == "primary" else "secondary_callback_url"])


# runs --------------------------------------------------------------------------------------------------------------
@click.group()
def runs() -> None:
    """Inspect, export, check and clear the recorded history of a running server."""


@runs.command("list")
@url_option
@click.option("--flow", "flow_id", default=None, help="Only this flow.")
@click.option("--all", "every_call", is_flag=True, help="Every call (trigger history), not only runs.")
@click.option("--limit", type=int, default=50, show_default=True)
@json_option
def runs_list(url: str, flow_id: str | None, every_call: bool, limit: int, as_json: bool) -> None:
    kind = "triggers" if every_call else "runs"
    data = _call(_client(url).get, f"/flows/{flow_id}/{kind}" if flow_id else f"/{kind}", params={"limit": limit})
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for entry in data[kind]:
        verdict = "conforms" if entry["contract"]["valid"] else "NONCONFORMING"
        if every_call:
            click.echo(
                f"{entry['time']}  {entry['id']}  {entry['http_status']}  {entry['status']:<9}  "
                f"{entry['code'] or '-':<36}  {verdict}"
            )
        else:
            click.echo(f"{entry['start_time']}  {entry['run_id']}  {entry['status']}  {entry['flow_id']}  {verdict}")


@runs.command("show")
@url_option
@click.argument("run_id")
def runs_show(url: str, run_id: str) -> None:
    client = _client(url)
    try:
        data = client.get(f"/runs/{run_id}")
    except AdminApiError as exc:
        if exc.status != 404:
            fail(str(exc), 1)
        data = _call(client.get, f"/triggers/{run_id}")
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


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
def runs_export(url: str, fmt: str, flow_id: str | None, out: str | None) -> None:
    """Every recorded call as JSON Lines, a HAR 1.2 log, or JUnit XML (one test case per call)."""
    from importlib.metadata import version

    from .reports import to_har, to_jsonl, to_junit

    client = _client(url)
    entries = _call(client.all_triggers, flow_id)
    if fmt == "jsonl":
        text = to_jsonl(entries)
    elif fmt == "har":
        text = json.dumps(to_har(entries, url, version("flowmock")), indent=2, ensure_ascii=False) + "\n"
    else:
        names = {f["id"]: f["name"] for f in _call(client.get, "/flows")["flows"]}
        text = to_junit(entries, names)
    if out:
        _write_atomically(out, text)
        click.echo(f"{len(entries)} calls written to {out}", err=True)
    else:
        click.echo(text, nl=False)


@runs.command("assert")
@url_option
@click.option("--flow", "flow_id", default=None, help="Only this flow.")
@click.option("--all-conform", is_flag=True, help="Every call was accepted and its body conformed.")
@click.option("--min-count", type=int, default=None, help="At least this many calls were recorded.")
def runs_assert(url: str, flow_id: str | None, all_conform: bool, min_count: int | None) -> None:
    """Exit 1 with a readable summary when the recorded history does not meet the expectation."""
    from .reports import call_failed, failure_text

    if not all_conform and min_count is None:
        fail("say what to check: --all-conform and/or --min-count N", 2)
    entries = _call(_client(url).all_triggers, flow_id)
    problems = []
    if min_count is not None and len(entries) < min_count:
        problems.append(f"expected at least {min_count} calls, {len(entries)} recorded")
    if all_conform:
        bad = [e for e in entries if call_failed(e)]
        if bad:
            problems.append(f"{len(bad)} of {len(entries)} calls failed the contract:")
            for entry in bad[:20]:
                detail = failure_text(entry).replace("\n", "; ")
                problems.append(f"  {entry['time']} {entry['id']} (flow {entry['flow_id']}): {detail}")
            if len(bad) > 20:
                problems.append(f"  ... and {len(bad) - 20} more")
    if problems:
        click.echo("\n".join(problems), err=True)
        sys.exit(1)
    click.echo(f"ok: {len(entries)} calls recorded" + (", all conform" if all_conform else ""))
