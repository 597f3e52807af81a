"""`flowmock serve --workers N`: N uvicorn worker processes on one listening socket, sharing one SQLite store.

uvicorn's own supervisor runs them: it starts each worker as a fresh interpreter (the app is built there from
`worker_app`, with the settings this process passes in the environment), restarts one that dies, and on SIGTERM
passes the signal on, so each worker drains its calls in flight and closes its store before the parent exits.

Everything workers must agree on lives in the store: flows and keys (so a key regenerated through one worker is
checked by all), the history (so `runs?wait=` sees calls another worker recorded; it polls). This process creates
the declared flows before any worker starts, so every worker starts with the same keys. Fault counters (throttle
windows, fail_next) are per worker.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import click
import requests
from uvicorn.supervisors import Multiprocess

from flowmock_schemas.clikit import fail, write_atomically

from ..core.sqlite_store import SQLiteStore
from ..web import create_app
from .run import print_flows, receiver_of
from .server import FlowmockASGI, base_url, listen, server_config

SETTINGS_VARIABLE = "FLOWMOCK_WORKER_SETTINGS"


def worker_app() -> FlowmockASGI:
    """Build one worker's app (uvicorn calls this in each worker process); the store closes once calls drain."""
    settings = json.loads(os.environ[SETTINGS_VARIABLE])
    store = SQLiteStore(settings["DATABASE"], shared=True)
    return FlowmockASGI(create_app(settings, store=store), on_shutdown=store.close)


def _announce_when_answering(settings: dict[str, Any], url: str) -> None:
    """Write the ready file once a worker answers, so `--detach` and `flowmock wait` return on a serving server."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"{url}/_flowmock/api/health", timeout=1)
        except requests.RequestException:
            time.sleep(0.05)
            continue
        if settings["ready_file"]:
            write_atomically(settings["ready_file"], url + "\n")
        return


def serve_with_workers(settings: dict[str, Any]) -> None:
    if not settings["app"]["DATABASE"]:
        fail("--workers needs the SQLite store (workers share it); drop --memory", 2)
    try:
        bootstrap = create_app(settings["app"])  # the declared flows, created once before any worker exists
    except (OSError, ValueError) as exc:
        fail(f"cannot start: {exc}", 2)
    try:
        listener = listen(settings["host"], settings["port"])
    except OSError as exc:
        receiver_of(bootstrap).store.close()
        fail(f"cannot listen on {settings['host']}:{settings['port']}: {exc.strerror or exc}", 2)
    url = base_url(settings["host"], int(listener.getsockname()[1]))
    print_flows(bootstrap, url)
    receiver_of(bootstrap).store.close()
    os.environ[SETTINGS_VARIABLE] = json.dumps(settings["app"])
    config = server_config(
        f"{__name__}:worker_app",
        factory=True,
        workers=settings["workers"],
        access_log=not settings["quiet"],
        lifespan="on",
    )
    if settings["pid_file"]:
        write_atomically(settings["pid_file"], f"{os.getpid()}\n")
    threading.Thread(target=_announce_when_answering, args=(settings, url), daemon=True).start()
    try:
        Multiprocess(config, sockets=[listener]).run()
    finally:
        listener.close()
        for name in ("pid_file", "ready_file"):
            if settings[name]:
                Path(settings[name]).unlink(missing_ok=True)
        click.echo("flowmock stopped", err=True)
