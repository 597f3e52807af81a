"""The history as one stream of JSON Lines (`GET /_flowmock/api/export`, `/flows/{id}/export`): what `runs export`
copies to its file.

Paging through the admin API's lists made the server build each entry as a dict for `jsonify` and the CLI decode
and encode it again; a million calls took minutes. Here the store writes each call's line itself (`entry_lines`),
a page at a time by cursor, oldest first, so memory stays flat whatever the history's size and calls recorded
meanwhile are included, none twice. The admin API's guard (loopback or token) covers these routes like the rest.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Response, request

from ..core.entry_lines import EntryShape
from ..core.jsontext import utf8
from ..core.store import Store
from .access import receiver as _receiver
from .admin import _int_arg, bp

PAGE = 1000  # calls per read: a short read transaction each, about 2.5 MB of lines for a 510-byte body
MEDIA_TYPE = "application/jsonl"


@bp.get("/export")
def export_all() -> Response:
    return _export(None)


@bp.get("/flows/<flow_id>/export")
def export_flow(flow_id: str) -> Response:
    _receiver().flow(flow_id)  # an unknown flow is a 404 before the stream starts
    return _export(flow_id)


def _export(flow_id: str | None) -> Response:
    """Every call after `after` (a seq; default 0: all), oldest first, one line each: the entry as the admin API
    lists it (bodies over 16 KB as previews with their `body_url`), keys sorted, credential headers redacted unless
    `reveal=credentials`, and an imported flow's run (status, times, error, actions) under `run`."""
    receiver = _receiver()
    after = _int_arg("after", 0, 0, 2**63 - 1)
    shape = EntryShape(
        reveal=request.args.get("reveal") == "credentials",
        body_url=f"{request.script_root}/_flowmock/api/triggers/",
        imported=[flow.id for flow in receiver.store.list_flows() if flow.workflow is not None],
    )
    return Response(_lines(receiver.store, flow_id, shape, after), mimetype=MEDIA_TYPE)


def _lines(store: Store, flow_id: str | None, shape: EntryShape, after: int) -> Iterator[bytes]:
    while True:
        lines, after = store.export_lines(flow_id, shape, after=after, limit=PAGE)
        if not lines:
            return
        yield utf8("".join(lines))
        if len(lines) < PAGE:
            return
