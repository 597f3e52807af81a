"""flowmock's receiver: a local Power Automate "When a HTTP request is received" trigger with a run history.

The public API is `create_app`, `Receiver`, `Store`, `MemoryStore`, `SQLiteStore`, `LiveServer`, `Flow`,
`CallRecord`, `AdminClient` and the exceptions in `flowmock_receiver.errors`; the pytest plugin is
`flowmock_receiver.plugin`. Everything else may change.
"""

from .app import Receiver, create_app
from .client import AdminApiError, AdminClient
from .errors import FlowDefinitionError, FlowmockError, TriggerError
from .flows import Flow
from .records import CallRecord
from .server import LiveServer
from .sqlite_store import SQLiteStore
from .store import MemoryStore, Store

__all__ = [
    "AdminApiError",
    "AdminClient",
    "CallRecord",
    "Flow",
    "FlowDefinitionError",
    "FlowmockError",
    "LiveServer",
    "MemoryStore",
    "Receiver",
    "SQLiteStore",
    "Store",
    "TriggerError",
    "create_app",
]
