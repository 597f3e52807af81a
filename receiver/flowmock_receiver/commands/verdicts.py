"""What `runs assert` and `exec` judge a recorded history by: how many calls, how many broke the contract, and the
first few of those to show.

A history may hold a million calls, so none of this holds it: the counts come from the server's counters (a
trigger list's `total` is exact and never a scan) and the first failures from two short filtered pages; only the
strict verdicts, which no index knows, are tallied from the export stream as it goes by.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ..client import AdminClient
from .common import plural
from .reports import call_failed, failure_text

SHOWN = 20  # failures listed by name; the rest are counted


@dataclass
class Verdicts:
    total: int = 0
    failed: int = 0  # calls refused, or whose body broke the contract (with `strict`, its strict variant too)
    examples: list[dict[str, Any]] = field(default_factory=list)  # the oldest `SHOWN` of them, oldest first


def tally(entries: Iterable[dict[str, Any]], *, strict: bool) -> Verdicts:
    """Counted as the entries go by, keeping only the first failures."""
    verdicts = Verdicts()
    for entry in entries:
        verdicts.total += 1
        if call_failed(entry, strict=strict):
            verdicts.failed += 1
            if len(verdicts.examples) < SHOWN:
                verdicts.examples.append(entry)
    return verdicts


def from_server(client: AdminClient, flow_id: str | None, *, all_conform: bool, strict: bool) -> Verdicts:
    """A running server's history judged without reading it whole (see the module's docstring)."""
    base = f"/flows/{flow_id}" if flow_id else ""
    if strict:
        return tally(stream_entries(client.stream(f"{base}/export")), strict=True)

    def first(limit: int, **filters: str) -> tuple[int, list[dict[str, Any]]]:
        """The filter's exact count and its oldest `limit` calls (`after=0`: the page just after the start)."""
        data = client.get(f"{base}/triggers", params={"limit": limit, "after": 0, **filters})
        return data["total"], data["triggers"]

    total, _ = first(1)
    if not all_conform:
        return Verdicts(total)
    refused, oldest_refused = first(SHOWN, status="Failed")
    broken, oldest_broken = first(SHOWN, valid="false")
    both = first(1, status="Failed", valid="false")[0] if refused and broken else 0
    oldest = sorted({e["seq"]: e for e in oldest_refused + oldest_broken}.values(), key=lambda e: e["seq"])
    return Verdicts(total, refused + broken - both, oldest[:SHOWN])


def stream_entries(chunks: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    """The entries of an export stream's JSON Lines, one by one as their lines complete."""
    rest = b""
    for chunk in chunks:
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        for line in lines:
            yield json.loads(line)
    if rest.strip():
        yield json.loads(rest)


def check_history(
    verdicts: Verdicts, *, all_conform: bool, strict: bool = False, min_count: int | None = None
) -> list[str]:
    """What is wrong with a recorded history, one line each (empty when it meets the expectation)."""
    problems = []
    if min_count is not None and verdicts.total < min_count:
        problems.append(f"expected at least {plural(min_count, 'call')}, {verdicts.total} recorded")
    if all_conform and verdicts.failed:
        problems.append(f"{verdicts.failed} of {plural(verdicts.total, 'call')} failed the contract:")
        for entry in verdicts.examples:
            detail = failure_text(entry, strict=strict).replace("\n", "; ")
            problems.append(f"  {entry['time']} {entry['id']} (flow {entry['flow_id']}): {detail}")
        if verdicts.failed > len(verdicts.examples):
            problems.append(f"  ... and {verdicts.failed - len(verdicts.examples)} more")
    return problems


def ok_line(verdicts: Verdicts, *, all_conform: bool, strict: bool) -> str:
    conform = ", all conform (strict variants too)" if strict else ", all conform" if all_conform else ""
    return f"ok: {plural(verdicts.total, 'call')} recorded{conform}"
