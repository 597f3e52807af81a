"""`flowmock serve --workers N`: N gunicorn processes (gthread workers) sharing one SQLite store.

Everything a worker needs to agree on lives in the store: flows and keys (so a key regenerated through one worker
is checked by all), the history (so `runs?wait=` sees calls another worker recorded; it polls). The master creates
the declared flows once before forking, so every worker starts with the same keys. Fault counters (throttle
windows, fail_next) are per worker.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from flowmock_schemas.clikit import fail

from ..core.sqlite_store import SQLiteStore
from ..web import create_app
from .run import print_flows, receiver_of


def serve_with_gunicorn(settings: dict[str, Any]) -> None:
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:  # pragma: no cover - gunicorn is a dependency; this guards a broken install
        fail("--workers needs gunicorn (pip install gunicorn)", 2)

    if not settings["app"]["DATABASE"]:
        fail("--workers needs the SQLite store (workers share it); drop --memory", 2)
    # Create the declared flows once, before any worker exists; its store is closed before workers are forked.
    bootstrap = create_app(settings["app"])
    bind = f"{settings['host']}:{settings['port']}"

    def when_ready(server: Any) -> None:
        host, port = server.LISTENERS[0].sock.getsockname()[:2]
        url = f"http://{host}:{port}"
        if settings["pid_file"]:
            Path(settings["pid_file"]).write_text(f"{os.getpid()}\n")
        print_flows(bootstrap, url)
        receiver_of(bootstrap).store.close()
        if settings["ready_file"]:
            tmp = Path(settings["ready_file"] + ".tmp")
            tmp.write_text(url + "\n")
            os.replace(tmp, settings["ready_file"])

    def worker_exit(server: Any, worker: Any) -> None:
        app = getattr(worker, "wsgi", None)
        receiver = getattr(app, "extensions", {}).get("flowmock") if app is not None else None
        if receiver is not None:
            receiver.store.close()

    def on_exit(server: Any) -> None:
        for name in ("pid_file", "ready_file"):
            if settings[name]:
                Path(settings[name]).unlink(missing_ok=True)

    class FlowmockApplication(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": bind,
                "workers": settings["workers"],
                "worker_class": "gthread",
                "threads": 8,
                "accesslog": None if settings["quiet"] else "-",
                "when_ready": when_ready,
                "worker_exit": worker_exit,
                "on_exit": on_exit,
                "graceful_timeout": 10,
                "keepalive": 5,
            }
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Flask:
            return create_app(settings["app"], store=SQLiteStore(settings["app"]["DATABASE"], shared=True))

    FlowmockApplication().run()
