"""Servers for `make bench`, each in its own process: `python -m bench.servers KIND PORT [DB]`.

The bare Flask endpoint and both receivers serve on flowmock's own server (Werkzeug's WSGI server and handler, one
thread serving at a time: the same stack); pytest-httpserver is measured as it ships (Werkzeug's single-threaded
server), and the bare endpoint once more on Werkzeug's stock thread-per-request server for comparison. Prints
`READY <url>` once it answers.
"""

from __future__ import annotations

import sys
import time


def bare_flask():  # type: ignore[no-untyped-def]
    from flask import Flask, request

    app = Flask("bare")

    @app.post("/hook")
    def hook():  # type: ignore[no-untyped-def]
        request.get_json()
        return "", 202

    return app


def main() -> None:
    kind, port = sys.argv[1], int(sys.argv[2])
    if kind == "httpserver":
        from pytest_httpserver import HTTPServer

        server = HTTPServer(host="127.0.0.1", port=port)
        server.expect_request("/hook", method="POST").respond_with_data("", status=202)
        server.start()
        print(f"READY {server.url_for('/hook')}", flush=True)
        try:
            while True:
                time.sleep(3600)
        finally:
            server.stop()
        return
    from werkzeug.serving import make_server

    from flowmock_receiver import LiveServer, create_app
    from flowmock_receiver.core.sqlite_store import SQLiteStore
    from flowmock_receiver.core.store import MemoryStore

    if kind == "bare":  # on the receiver's own server stack, so the ratio measures the receiver's work
        live = LiveServer(bare_flask(), "127.0.0.1", port)
        print(f"READY {live.url}/hook", flush=True)
        live.serve_forever()
        return
    if kind == "bare-werkzeug-threaded":  # Werkzeug's stock thread-per-request server, for comparison
        server = make_server("127.0.0.1", port, bare_flask(), threaded=True)
        print(f"READY http://127.0.0.1:{server.server_port}/hook", flush=True)
        server.serve_forever(poll_interval=0.05)
        return
    store = SQLiteStore(sys.argv[3]) if kind == "receiver-sqlite" else MemoryStore()
    app = create_app(store=store)
    live = LiveServer(app, "127.0.0.1", port)
    flow = next(f for f in store.list_flows() if f.schema == "monitor-results")
    print(f"READY {flow.callback_url(live.url)}", flush=True)
    try:
        live.serve_forever()
    finally:
        store.close()


if __name__ == "__main__":
    main()
