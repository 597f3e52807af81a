"""The pytest handle (the `flowmock` fixture's type) and the values it reads back.

`Flowmock` creates flows (`create_flow(*, schema=..., ...)`, keyword-only) or imports exported ones
(`import_flow(path, mocks=...)`) and returns `FlowHandle`s, which call the flow (`post`), read `runs` (`Run`, with an
imported flow's `actions` as `ActionResult`s) and `trigger_history` (`TriggerEntry`), and assert on them
(`assert_received`, `assert_action`). It works over HTTP (`Flowmock(url)`) or in process (`Flowmock.in_process(app)`).
"""

from .actions import ActionResult, differences
from .handle import FlowHandle, Flowmock, FlowmockTimeout
from .values import Answer, Run, SchemaViolation, TriggerEntry

__all__ = [
    "ActionResult",
    "Answer",
    "FlowHandle",
    "Flowmock",
    "FlowmockTimeout",
    "Run",
    "SchemaViolation",
    "TriggerEntry",
    "differences",
]
