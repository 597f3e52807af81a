"""How a run behaves where the definition does not say: mocks, the response timeout, a caller or none, limits."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flowmock_receiver.workflow.engine.response import RESPONSE_TIMEOUT_SECONDS


@dataclass(frozen=True)
class RunOptions:
    """How a run behaves where the definition does not say.

    `strict_mocks` fails every action that calls out and has no mock. `response_timeout` is the seconds (virtual)
    the caller waits for a Response (120, Power Automate's and Consumption's limit; 225 for Standard), and
    `timeout_status` what it then gets (504 per the current docs; 408 per older ones). `caller_waiting` False runs
    as if started without an HTTP caller (Response actions are then Skipped, `ActionResponseSkipped`).
    `parameters` override the flow's parameter defaults; `workflow` is what `workflow()` returns; `max_actions`
    bounds the actions one run may execute (a runaway loop fails the run instead of hanging the server)."""

    strict_mocks: bool = False
    response_timeout: float = RESPONSE_TIMEOUT_SECONDS
    timeout_status: int = 504
    caller_waiting: bool = True
    parameters: Mapping[str, Any] | None = None
    workflow: Mapping[str, Any] | None = None
    callback_url: str | None = None
    max_actions: int = 200_000
