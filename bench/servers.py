"""Receivers for `make bench`, each in its own process: `python -m bench.servers KIND PORT [DB] [READY_FILE]`.

KIND is `receiver-sqlite` (the SQLite store) or `receiver-memory` (the in-memory store), both on `LiveServer`, the
pytest fixture's server. Prints `READY <monitor-results callback URL>` once it listens and, given READY_FILE,
writes the base URL there (as `flowmock serve --ready-file` does).
"""

from __future__ import annotations

import sys
from pathlib import Path


def main() -> None:
    kind, port = sys.argv[1], int(sys.argv[2])
    from flowmock_receiver import LiveServer, create_app
    from flowmock_receiver.core.sqlite_store import SQLiteStore
    from flowmock_receiver.core.store import MemoryStore

    store = SQLiteStore(sys.argv[3]) if kind == "receiver-sqlite" else MemoryStore()
    app = create_app(store=store)
    live = LiveServer(app, "127.0.0.1", port)
    flow = next(f for f in store.list_flows() if f.schema == "monitor-results")
    print(f"READY {flow.callback_url(live.url)}", flush=True)
    if len(sys.argv) > 4:
        Path(sys.argv[4]).write_text(live.url + "\n")
    try:
        live.serve_forever()
    finally:
        store.close()


if __name__ == "__main__":
    main()
