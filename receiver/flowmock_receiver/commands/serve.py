"""The server's lifecycle: `flowmock serve` (in this process, detached, or as uvicorn worker processes), `wait` and
`stop`.

`serve` imports the serving code for the mode it runs in (one process or several) only when it runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import click

from flowmock_schemas.clikit import fail

from ..client import AdminApiError, AdminClient
from ..core.errors import ConfigFileError
from ..core.headers import check_public_url, check_region
from .common import DEFAULT_PORT, flows_options, url_option


# serve --------------------------------------------------------------------------------------------------------
@click.command()
@click.option("--host", default=None, help="Interface to bind (default 127.0.0.1: loopback only).")
@click.option("--port", type=int, default=None, help=f"Port (default {DEFAULT_PORT}; 0 picks a free one).")
@click.option("--db", default=None, help="SQLite file for flows and history (default ./flowmock.db).")
@click.option("--memory", is_flag=True, help="Keep everything in memory instead of SQLite.")
@flows_options
@click.option("--region", default=None, help="Region named in x-ms-* headers (default westus).")
@click.option("--public-url", default=None, help="Base URL callback URLs are built on (default: as requested).")
@click.option("--admin-remote", is_flag=True, help="Let non-loopback clients use the admin API (needs a token).")
@click.option(
    "--admin-token",
    envvar="FLOWMOCK_ADMIN_TOKEN",
    default=None,
    help="Token every admin client must send (bearer header; a login on the pages). Env FLOWMOCK_ADMIN_TOKEN.",
)
@click.option("--workers", type=int, default=1, show_default=True, help="Worker processes sharing the SQLite store.")
@click.option("--detach", is_flag=True, help="Start in the background and return once the server answers.")
@click.option("--pid-file", default=None, help="Write the server's process id here.")
@click.option("--ready-file", default=None, help="Write the server's base URL here once it answers.")
@click.option("--log-file", default=None, help="With --detach: where the server's output goes.")
@click.option("--timeout", type=float, default=20.0, show_default=True, help="With --detach: seconds to wait.")
@click.option("--quiet", is_flag=True, help="No access log.")
@click.option(
    "--retention",
    "retention_days",
    type=click.FloatRange(min=0),
    default=None,
    help="Days of history kept (28; 0: all).",
)
@click.option("--max-calls", type=click.IntRange(min=0), default=None, help="Keep at most this many calls.")
def serve(**opts: Any) -> None:
    """Run the receiver. Without --config it creates the four default flows and prints their URLs."""
    if opts["detach"]:
        _detach(opts)
        return
    settings = _settings(opts)
    if settings["workers"] > 1:
        from ..serving.multiprocess import serve_with_workers

        serve_with_workers(settings)
        return
    from ..serving.run import serve_here

    serve_here(settings)


def _settings(opts: dict[str, Any]) -> dict[str, Any]:
    from ..serving.config_file import load_config

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
    region = opts["region"] or server.get("region") or env("FLOWMOCK_REGION") or "westus"
    public_url = opts["public_url"] or server.get("public_url") or env("FLOWMOCK_PUBLIC_URL")
    try:
        check_region(region)
        check_public_url(public_url)
    except ValueError as exc:
        fail(str(exc), 2)
    admin_remote = bool(opts["admin_remote"] or server.get("admin_remote", False))
    admin_token = opts["admin_token"] or server.get("admin_token")
    if admin_remote and not admin_token:
        fail("--admin-remote needs a token: --admin-token TOKEN or FLOWMOCK_ADMIN_TOKEN", 2)
    return {
        "host": opts["host"] or server.get("host", "127.0.0.1"),
        "port": port,
        "workers": opts["workers"],
        "app": {
            "DATABASE": db,
            "REGION": region,
            "FLOWS": _declared_flows(opts, file["flows"]),
            "PUBLIC_URL": public_url,
            "ADMIN_ALLOW_REMOTE": admin_remote,
            "ADMIN_TOKEN": admin_token,
            "RETENTION_DAYS": _first(opts["retention_days"], server.get("retention_days"), 28),
            "MAX_CALLS": _first(opts["max_calls"], server.get("max_calls"), None),
        },
        "pid_file": opts["pid_file"],
        "ready_file": opts["ready_file"],
        "quiet": opts["quiet"],
    }


def _declared_flows(opts: dict[str, Any], from_file: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """The config file's flows and each `--flow` file's; declared flows replace the four default ones."""
    from ..serving.config_file import imported_entry

    declared = list(from_file or []) if opts["config_path"] else None
    for path in opts.get("flow_files") or ():
        try:
            entry = imported_entry({"definition": path}, Path.cwd())
        except (ConfigFileError, ValueError) as exc:
            fail(f"--flow {path}: {exc}", 2)
        declared = [*(declared or []), entry]
    return declared


def _first(*values: Any) -> Any:
    """The first value given: an option, then the config file, then the default (0 is a value: keep all)."""
    return next((v for v in values if v is not None), None)


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
    names = ("host", "port", "db", "config_path", "region", "public_url", "workers", "pid_file", "max_calls")
    for name in (*names, "retention_days"):
        value = opts[name]
        if value is not None and not (name == "workers" and value == 1):
            flag = {"config_path": "--config", "retention_days": "--retention"}.get(name, "--" + name.replace("_", "-"))
            args += [flag, str(value)]
    for path in opts.get("flow_files") or ():
        args += ["--flow", str(Path(path).resolve())]
    for flag in ("memory", "admin_remote", "quiet"):
        if opts[flag]:
            args.append("--" + flag.replace("_", "-"))
    log_path = opts["log_file"] or os.devnull
    env = dict(os.environ)
    if opts["admin_token"]:
        env["FLOWMOCK_ADMIN_TOKEN"] = opts["admin_token"]  # the environment, not argv: `ps` shows argv to anyone
    with open(log_path, "ab") as log:
        child = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
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
