"""Power Automate's built-in "Date Time" actions: `"type": "Expression"` with a `kind`.

They are the expression language's date functions in action form (Current time, Add to time, Subtract from time,
Get future time, Get past time, Convert time zone), so each is run as the matching function over its evaluated
inputs, and its result is `body('<action>')`, as the service exposes it. A kind not listed here is treated as an
action that calls out (taken from a mock, or marked not mocked).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flowmock_receiver.workflow.engine.base import Handler, Runner, as_mapping
from flowmock_receiver.workflow.engine.conditions import literal
from flowmock_receiver.workflow.engine.external import call_external
from flowmock_receiver.workflow.engine.records import ActionRecord

_KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "currenttime": ("utcNow", ()),
    "addtotime": ("addToTime", ("baseTime", "interval", "timeUnit", "formatString")),
    "subtractfromtime": ("subtractFromTime", ("baseTime", "interval", "timeUnit", "formatString")),
    "getfuturetime": ("getFutureTime", ("interval", "timeUnit", "formatString")),
    "getpasttime": ("getPastTime", ("interval", "timeUnit", "formatString")),
    "converttimezone": ("convertTimeZone", ("baseTime", "sourceTimeZone", "destinationTimeZone", "formatString")),
}
"""Kind -> (function, inputs in argument order); a trailing input that is absent is left out of the call."""


def expression_action(run: Runner, name: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    kind = str(spec.get("kind", "")).lower()
    if kind not in _KINDS:
        call_external(run, name, spec, record)
        return
    function, keys = _KINDS[kind]
    inputs = as_mapping(run.evaluate(spec.get("inputs")))
    record.inputs = dict(inputs)
    arguments = [inputs.get(key) for key in keys]
    while arguments and arguments[-1] in (None, ""):
        arguments.pop()
    value = run.evaluate("@" + function + "(" + ", ".join(literal(argument) for argument in arguments) + ")")
    record.outputs = {"body": value}
    record.code = "OK"


HANDLERS: dict[str, Handler] = {"expression": expression_action}
