"""Trigger calls answered from uvicorn's event loop: the server's hot path.

A call served through WSGI hops from the event loop to a pool thread and back, and with SQLite its record hops to
the writer thread and back too: about four thread switches under the GIL, which were most of a call's cost. Here
the request is built from the ASGI scope and a small body is read with `receive()`; then the pipeline (a function
of values, `core.trigger`) runs on the loop itself, and the record goes to the in-memory store at once or joins the
batch of SQLite records the loop commits at the end of its turn, with the loop serving other calls until then
(`SQLiteStore.record_async`, `core.sqlite_recorder`). Calls that can block or
take long run the same pipeline on a pool thread instead, one hop each way: an imported flow (the workflow engine
runs its actions), a flow with injected latency (it sleeps), and any call when the store is neither of the two
built in (its `record` may block).

`answer` declines, having read nothing, the calls whose body must be read as the pipeline asks for it, and the
server sends them through the WSGI app:

- `Expect: 100-continue`: 100 Continue must go out only once the call is authorized and its declared size is
  within the flow's limit, which the pipeline decides as it reads;
- a chunked body, or one over `NATIVE_BODY_BYTES`: a chunked body is counted against the flow's limit as it
  arrives (a 413, never a cut body), and a big one is spooled, read, parsed and validated off the loop, one large
  body in memory at a time (`core.memory`).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor
from typing import Any

from ..core.flows import Flow
from ..core.sqlite_store import SQLiteStore
from ..core.store import MemoryStore, StoreFull
from ..core.trigger import not_recorded
from ..core.trigger_request import TriggerRequest, TriggerResponse
from ..service import Receiver
from ..web.dispatch import internal_error

# Bodies up to this size are read and validated on the loop (the monitor-results payload is 439 bytes; validating
# the documented schemas takes microseconds). A bigger one would hold every other call while it is parsed.
NATIVE_BODY_BYTES = 64 * 1024

# Header names as Werkzeug shows them to the WSGI path (and so as history has always recorded them), cached.
_NAMES: dict[bytes, str] = {}


def _header_name(raw: bytes) -> str:
    name = _NAMES.get(raw)
    if name is None:
        name = raw.decode("latin-1").replace("_", "-").title()
        if len(_NAMES) < 1024:  # a client inventing names must not grow the cache without bound
            _NAMES[raw] = name
    return name


_FRAMING = ("Content-Type", "Content-Length")


def request_headers(raw: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    """The headers as the WSGI path records them: names title-cased, repeated ones joined with commas in the
    order first seen, an empty Content-Type or Content-Length left out (Werkzeug's view of a WSGI environ)."""
    joined: dict[str, str] = {}
    for name, value in raw:
        key = _header_name(name)
        if key in _FRAMING and b"_" in name:  # HTTP_CONTENT_TYPE: a name Werkzeug never shows
            continue
        text = value.decode("latin-1")
        joined[key] = f"{joined[key]},{text}" if key in joined else text
    if not joined.get("Content-Type", True):
        del joined["Content-Type"]
    if not joined.get("Content-Length", True):
        del joined["Content-Length"]
    return list(joined.items())


class NativeTrigger:
    """The event-loop path for one receiver's trigger calls; `pool` runs the calls that could block the loop."""

    def __init__(self, receiver: Receiver, pool: Executor) -> None:
        self.receiver = receiver
        self._pool = pool
        store = receiver.store
        self._sqlite = store if isinstance(store, SQLiteStore) else None
        self._usable = self._sqlite is not None or isinstance(store, MemoryStore)

    def _on_loop(self, flow: Flow | None) -> bool:
        if flow is None:
            return True
        return self._usable and flow.workflow is None and not (flow.faults or {}).get("latency_ms")

    async def answer(self, scope: Any, receive: Any, send: Any, route: tuple[str, str, str]) -> bool:
        """Answer a trigger call and return True; False, having read and sent nothing, when its body must be read
        as the pipeline asks for it (see the module's docstring)."""
        raw_headers: list[tuple[bytes, bytes]] = scope["headers"]
        length: int | None = None
        for name, value in raw_headers:
            if name == b"content-length":
                if not value.isdigit() or length is not None:
                    return False
                length = int(value)
            elif name in (b"expect", b"transfer-encoding"):
                return False
        if length is not None and length > NATIVE_BODY_BYTES:
            return False
        method: str = scope["method"]
        path: str = scope["path"]
        try:
            flow = self.receiver.store.get_flow(route[0])
            response = await self._run(scope, receive, method, path, raw_headers, length, flow, route)
            start, end = _messages(response, head=method == "HEAD")
        except Exception as exc:
            start, end = _messages(internal_error(self.receiver, exc, method, path), head=method == "HEAD")
        await send(start)
        await send(end)
        return True

    async def _run(
        self,
        scope: Any,
        receive: Any,
        method: str,
        path: str,
        raw_headers: list[tuple[bytes, bytes]],
        length: int | None,
        flow: Flow | None,
        route: tuple[str, str, str],
    ) -> TriggerResponse:
        # An unknown flow is refused before its body is wanted, as on the WSGI path; a known one's small body is
        # read now, whole (the pipeline decides what to keep of it).
        body, complete = (b"", True) if flow is None or not length else await _read_body(receive, length)
        request = TriggerRequest.from_bytes(
            method,
            path,
            scope["query_string"].decode("latin-1"),
            request_headers(raw_headers),
            body,
            content_length=length,
            complete=complete,
        )
        if not self._on_loop(flow):
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, self._on_thread, request, route, flow)
        kept: list[Any] = []
        outcome = self.receiver.trigger.handle(request, *route, flow=flow, keep=kept.append)
        if not kept:
            return outcome.response
        try:
            if self._sqlite is not None:
                await self._sqlite.record_async(kept[0])
            else:
                self.receiver.store.record(kept[0])
        except StoreFull as full:  # never a 202 for a call with no record: the sender must retry
            return not_recorded(full)
        if self.receiver.waiters:
            # Long polls count runs holding the lock that wakes them; the loop must never wait for it.
            self._pool.submit(self.receiver.recorded)
        else:
            self.receiver.recorded()
        return outcome.response

    def _on_thread(self, request: TriggerRequest, route: tuple[str, str, str], flow: Flow | None) -> TriggerResponse:
        """The whole pipeline on a pool thread, recording as a WSGI call does (the thread waits for the commit)."""
        return self.receiver.trigger.handle(request, *route, flow=flow).response


async def _read_body(receive: Any, length: int) -> tuple[bytes, bool]:
    """The body of a declared `length`, and whether it all arrived (False: the client went away first)."""
    message = await receive()
    if message["type"] != "http.request":
        return b"", False
    body: bytes = message.get("body", b"")
    if message.get("more_body", False):
        chunks = [body]
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks), False
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
    return body, len(body) >= length


# Answer header names as ASGI wants them (lowercase bytes): the same twenty or so on every answer, so encoded once.
_ANSWER_NAMES: dict[str, bytes] = {}


def _answer_name(name: str) -> bytes:
    raw = name.lower().encode("latin-1")
    if len(_ANSWER_NAMES) < 1024:  # a flow's own Response headers are few; bounded all the same
        _ANSWER_NAMES[name] = raw
    return raw


def _messages(response: TriggerResponse, *, head: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ASGI messages of a whole answer: uvicorn adds the Date header and writes the status line."""
    status, headers, body = response
    names = _ANSWER_NAMES
    encoded = [(names.get(name) or _answer_name(name), value.encode("latin-1")) for name, value in headers]
    encoded.append((b"content-length", str(len(body)).encode("latin-1")))
    return (
        {"type": "http.response.start", "status": status, "headers": encoded},
        {"type": "http.response.body", "body": b"" if head else body},
    )
