"""The pytest handle (the `flowmock` fixture's type) and the values it reads back.

`Flowmock` creates flows (`create_flow(*, schema=..., ...)`, keyword-only) and returns `FlowHandle`s, which call
the flow (`post`), read `runs` (`Run`) and `trigger_history` (`TriggerEntry`), and assert on them. It works over
HTTP (`Flowmock(url)`) or in process (`Flowmock.in_process(app)`).
"""

from .handle import FlowHandle, Flowmock, FlowmockTimeout, differences
from .values import Answer, Run, SchemaViolation, TriggerEntry

__all__ = [
    "Answer",
    "FlowHandle",
    "Flowmock",
    "FlowmockTimeout",
    "Run",
    "SchemaViolation",
    "TriggerEntry",
    "differences",
]
