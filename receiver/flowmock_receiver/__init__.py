"""flowmock's receiver: a local Power Automate "When a HTTP request is received" trigger with a run history.

The public API is `create_app`, `Receiver` (the service every change goes through), `Store`, `MemoryStore`,
`SQLiteStore`, `LiveServer`, `Flow` (a flow definition), `CallRecord`, the trigger pipeline's values
(`TriggerRequest`, `TriggerResponse`, `TriggerOutcome`), `AdminClient` and the exceptions (all in
`flowmock_receiver.core.errors`); the pytest plugin is `flowmock_receiver.plugin` and its handle
`flowmock_receiver.testing`. Everything else may change.

The layout is the architecture: `core` (no web framework) <- `service` <- `web` and `serving` <- `commands`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names, for type checkers and readers; at run time each is imported when first used
    from .client import AdminClient
    from .core.errors import (
        AdminApiError,
        CallNotFound,
        FlowAlreadyExists,
        FlowDefinitionError,
        FlowmockError,
        FlowNotFound,
        TriggerError,
    )
    from .core.flows import Flow
    from .core.records import CallRecord
    from .core.sqlite_store import SQLiteStore
    from .core.store import MemoryStore, Store
    from .core.trigger import TriggerOutcome, TriggerResponse
    from .core.trigger_request import TriggerRequest
    from .service import Receiver
    from .serving import LiveServer
    from .web import create_app

# Where each public name lives. Importing the package imports none of them, so the commands that only talk to a
# server over HTTP (`flowmock flows`, `runs`, `wait`) start without importing Flask and the web layer.
_LOCATIONS = {
    "AdminClient": ".client",
    "AdminApiError": ".core.errors",
    "CallNotFound": ".core.errors",
    "FlowAlreadyExists": ".core.errors",
    "FlowDefinitionError": ".core.errors",
    "FlowmockError": ".core.errors",
    "FlowNotFound": ".core.errors",
    "TriggerError": ".core.errors",
    "Flow": ".core.flows",
    "CallRecord": ".core.records",
    "SQLiteStore": ".core.sqlite_store",
    "MemoryStore": ".core.store",
    "Store": ".core.store",
    "TriggerOutcome": ".core.trigger",
    "TriggerRequest": ".core.trigger_request",
    "TriggerResponse": ".core.trigger",
    "Receiver": ".service",
    "LiveServer": ".serving",
    "create_app": ".web",
}


def __getattr__(name: str) -> Any:
    """`from flowmock_receiver import create_app` imports the web layer then, and only then (PEP 562)."""
    location = _LOCATIONS.get(name)
    if location is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(location, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "AdminApiError",
    "AdminClient",
    "CallNotFound",
    "CallRecord",
    "Flow",
    "FlowAlreadyExists",
    "FlowDefinitionError",
    "FlowNotFound",
    "FlowmockError",
    "LiveServer",
    "MemoryStore",
    "Receiver",
    "SQLiteStore",
    "Store",
    "TriggerError",
    "TriggerOutcome",
    "TriggerRequest",
    "TriggerResponse",
    "create_app",
]
