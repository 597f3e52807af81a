"""flowmock's receiver: a local Power Automate "When a HTTP request is received" trigger with a run history.

The public API is `create_app`, `Receiver` (the service every change goes through), `Store`, `MemoryStore`,
`SQLiteStore`, `LiveServer`, `Flow` (a flow definition), `CallRecord`, the trigger pipeline's values
(`TriggerRequest`, `TriggerResponse`, `TriggerOutcome`), `AdminClient` and the exceptions (all in
`flowmock_receiver.core.errors`); the pytest plugin is `flowmock_receiver.plugin` and its handle
`flowmock_receiver.testing`. Everything else may change.

The layout is the architecture: `core` (no web framework) <- `service` <- `web` and `serving` <- `commands`.
"""

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
from .core.trigger import TriggerOutcome, TriggerRequest, TriggerResponse
from .service import Receiver
from .serving import LiveServer
from .web import create_app

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
