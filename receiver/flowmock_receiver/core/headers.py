"""The response headers of the real trigger, in the formats seen in captures.

A fired call gets the whole `x-ms-*` set; a call the trigger refuses gets only the workflow-level ones (there is no
run to name); `SuppressWorkflowHeadersOnResponse` removes them all.
"""

from __future__ import annotations

import functools
import re
from typing import Any
from urllib.parse import urlsplit

from . import ids
from .flows import Flow

_REGION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def check_region(region: str) -> str:
    """The region, refused unless it is a plain name: it is written into `x-ms-execution-location`,
    `x-ms-request-id` and `x-ms-workflow-system-id`, and a CR or LF in it would start headers of its own."""
    if not isinstance(region, str) or not _REGION.fullmatch(region):
        raise ValueError(
            f"region {region!r} is not a region name (letters, digits, '.', '_' and '-', at most 64, as 'westus')"
        )
    return region


def check_public_url(url: Any) -> str | None:
    """The base of callback URLs, refused unless it is a plain http(s) URL: it is written into every callback URL
    and the admin API trusts it as this server's own address (Host and Origin checks)."""
    if url is None or url == "":
        return None
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(f"public URL {url!r} must be an http(s) URL such as http://flowmock.test:7071")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise ValueError(f"public URL {url!r} contains whitespace or control characters")
    return str(url)


NO_CACHE = {
    "Cache-Control": "no-cache",
    "Pragma": "no-cache",
    "Expires": "-1",
    "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
}

# Remaining quotas as the service reports them; flowmock has no quotas, so they are the fresh-window values.
RATELIMIT = {
    "x-ms-ratelimit-burst-remaining-workflow-writes": "2999",
    "x-ms-ratelimit-remaining-workflow-download-contentsize": "214748364",
    "x-ms-ratelimit-remaining-workflow-upload-contentsize": "214748364",
    "x-ms-ratelimit-time-remaining-directapirequests": "19999999",
}


@functools.lru_cache(maxsize=1024)
def _system_id(region: str, flow_id: str) -> str:
    """`x-ms-workflow-system-id`: the same for every call to a flow, so made once (every answer carries it)."""
    return f"/locations/{region}/scaleunits/prod-{ids.scale_unit(flow_id):02d}/workflows/{flow_id}"


def workflow_headers(flow: Flow, tracking_id: str, region: str) -> dict[str, str]:
    """The headers every answer from a known flow carries, refused calls included."""
    if flow.suppress_workflow_headers:
        return {}
    return {
        "x-ms-workflow-system-id": _system_id(region, flow.id),
        "x-ms-workflow-id": flow.id,
        "x-ms-workflow-version": flow.version,
        "x-ms-workflow-name": flow.id,
        "x-ms-tracking-id": tracking_id,
        "x-ms-request-id": f"{region}:{tracking_id}",
    }


def run_headers(flow: Flow, tracking_id: str, region: str, run_id: str, client_tracking_id: str) -> dict[str, str]:
    """Everything a fired call's answer carries, in the order of the real capture."""
    if flow.suppress_workflow_headers:
        return dict(NO_CACHE)
    return {
        **NO_CACHE,
        "x-ms-workflow-run-id": run_id,
        "x-ms-correlation-id": tracking_id,
        "x-ms-client-tracking-id": client_tracking_id,
        "x-ms-trigger-history-name": run_id,
        "x-ms-execution-location": region,
        **workflow_headers(flow, tracking_id, region),
        **RATELIMIT,
    }
