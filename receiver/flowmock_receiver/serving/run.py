"""Running the receiver in this process for `flowmock serve`: the banner, the ready and pid files, SIGTERM.

On SIGTERM (or Ctrl-C) uvicorn stops accepting, gives calls in flight up to 5 s to finish and be recorded, and only
then does the store close: a caller that got its 202 finds its call in the history after a restart.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask

from flowmock_schemas.clikit import fail, write_atomically

from ..core.contract import requirements
from ..service import Receiver
from ..web import create_app
from .server import LiveServer


def receiver_of(app: Flask) -> Receiver:
    receiver: Receiver = app.extensions["flowmock"]
    return receiver


def print_flows(app: Flask, base_url: str, *, err: bool = False) -> None:
    """The start-up banner: where the server listens, its store, and each flow's callback URL and what its schema
    requires (the documented schemas require nothing: saying so keeps "validated" from promising more)."""
    receiver = receiver_of(app)
    store_text = f"SQLite {getattr(receiver.store, 'path', '')}" if receiver.store.kind == "sqlite" else "memory"
    click.echo(f"flowmock listening on {base_url} (store: {store_text})", err=err)
    if receiver.store.read_only_reason is not None:
        click.echo(f"flowmock: {receiver.store.read_only_reason}", err=True)
    retention = receiver.retention
    kept = f"{retention.days:g} days" if retention.days else "everything"
    cap = f", at most {retention.max_calls} calls" if retention.max_calls is not None else ""
    click.echo(f"History kept: {kept}{cap}", err=err)
    for flow in receiver.store.list_flows():
        schema = flow.schema if isinstance(flow.schema, str) else "custom schema" if flow.schema else "no schema"
        checks = ", validated: non-conforming calls get 400" if flow.schema_validation and flow.schema else ""
        click.echo(f"  {flow.name} [{schema}{checks}]", err=err)
        click.echo(f"    requires {requirements(flow.schema)}", err=err)
        click.echo(f"    {flow.callback_url(receiver.public_url or base_url)}", err=err)
    click.echo(f"Admin API: {base_url}/_flowmock/api  Run history: {base_url}/_flowmock/", err=err)
    sys.stdout.flush()


def serve_here(settings: dict[str, Any]) -> None:
    """Serve until SIGTERM or Ctrl-C, with the settings `flowmock serve` worked out."""
    try:
        app = create_app(settings["app"])
    except (OSError, ValueError) as exc:
        fail(f"cannot start: {exc}", 2)
    try:
        server = LiveServer(app, settings["host"], settings["port"], access_log=not settings["quiet"])
    except OSError as exc:
        receiver_of(app).store.close()
        fail(f"cannot listen on {settings['host']}:{settings['port']}: {exc.strerror or exc}", 2)

    # uvicorn handles SIGTERM while it serves and raises it again once it has drained; by then there is nothing
    # left to do but close the store, so the signal must not kill the process before that. Until uvicorn installs
    # its handlers (after the ready file is written), a SIGTERM asks the server to stop instead of being lost:
    # `serve --detach` followed at once by `flowmock stop` would otherwise wait and then kill.
    signal.signal(signal.SIGTERM, lambda signum, frame: server.request_exit())
    if settings["pid_file"]:
        write_atomically(settings["pid_file"], f"{os.getpid()}\n")
    print_flows(app, server.url)
    if settings["ready_file"]:
        write_atomically(settings["ready_file"], server.url + "\n")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        receiver_of(app).store.close()
        if settings["pid_file"]:
            Path(settings["pid_file"]).unlink(missing_ok=True)
        if settings["ready_file"]:
            Path(settings["ready_file"]).unlink(missing_ok=True)
        click.echo("flowmock stopped", err=True)
