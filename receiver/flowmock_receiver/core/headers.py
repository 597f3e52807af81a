"""The response headers of the real trigger, in the formats seen in captures.

A fired call gets the whole `x-ms-*` set; a call the trigger refuses gets only the workflow-level ones (there is no
run to name); `SuppressWorkflowHeadersOnResponse` removes them all.
"""

from __future__ import annotations

from .flows import Flow

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


def workflow_headers(flow: Flow, tracking_id: str, region: str) -> dict[str, str]:
    """The headers every answer from a known flow carries, refused calls included."""
    if flow.suppress_workflow_headers:
        return {}
    return {
        "x-ms-workflow-system-id": f"/locations/{region}/scaleunits/prod-{flow.scale_unit:02d}/workflows/{flow.id}",
        "x-ms-workflow-id": flow.id,
        "x-ms-workflow-version": flow.version,
        "x-ms-workflow-name": flow.id,
        "x-ms-tracking-id": tracking_id,
        "x-ms-request-id": f"{region}:{tracking_id}",
    }


def run_headers(flow: Flow, tracking_id: str, region: str, run_id: str, client_tracking_id: str) -> dict[str, str]:
    """Everything a fired call's answer carries, in the order of the real capture."""
    headers = dict(NO_CACHE)
    if flow.suppress_workflow_headers:
        return headers
    headers.update(
        {
            "x-ms-workflow-run-id": run_id,
            "x-ms-correlation-id": tracking_id,
            "x-ms-client-tracking-id": client_tracking_id,
            "x-ms-trigger-history-name": run_id,
            "x-ms-execution-location": region,
        }
    )
    headers.update(workflow_headers(flow, tracking_id, region))
    headers.update(RATELIMIT)
    return headers
