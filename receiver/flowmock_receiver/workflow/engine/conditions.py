"""Conditions: the If/Until object form, and the trigger's `conditions`.

An If action's `expression` is either an expression string (`"@equals(...)"`) or the designer's object form,
`{"and": [{"equals": ["@triggerBody()?['kind']", "order"]}, {"not": {"contains": [...]}}]}`: an operator name
(`and`, `or`, `not`, `equals`, `contains`, `greater`, `greaterOrEquals`, `less`, `lessOrEquals`, `startsWith`,
`endsWith`) over operands. The object form means the expression with the same functions, so it is translated to one
(operands that are `@...` expressions go in as they are; others are evaluated as templates and go in as literals)
and evaluated by the expression language, which then decides every comparison exactly as `@equals()` does.

Trigger conditions (`"conditions": [{"expression": "@..."}]` on the trigger) must all be true for the trigger to
fire; otherwise the service records the trigger as Skipped and starts no run ("the run history just shows the
trigger as Skipped", learn.microsoft.com/azure/logic-apps/logic-apps-securing-a-logic-app and the trigger reference).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flowmock_receiver.workflow.expressions import ExpressionError, evaluate
from flowmock_receiver.workflow.expressions.nodes import print_literal

OPERATORS = (
    "and",
    "or",
    "not",
    "equals",
    "contains",
    "greater",
    "greaterOrEquals",
    "less",
    "lessOrEquals",
    "startsWith",
    "endsWith",
)
_CANONICAL = {name.lower(): name for name in OPERATORS}


class ConditionShapeError(ValueError):
    """The object form uses an unknown operator or the wrong operand count."""


def condition_text(expression: Any, evaluate_operand: Callable[[Any], Any]) -> str:
    """Expression text (without `@`) for a condition in either form."""
    if isinstance(expression, str):
        if expression.startswith("@") and not expression.startswith(("@@", "@{")):
            return expression[1:]
        return literal(evaluate_operand(expression))
    if isinstance(expression, bool):
        return literal(expression)
    if not isinstance(expression, Mapping) or len(expression) != 1:
        raise ConditionShapeError(
            f"a condition must be an expression or an object with one operator, not {expression!r}"
        )
    operator, operands = next(iter(expression.items()))
    name = _CANONICAL.get(str(operator).lower())
    if name is None:
        raise ConditionShapeError(f"unknown condition operator '{operator}'; known: {', '.join(OPERATORS)}")
    if name == "not":
        inner = operands[0] if isinstance(operands, list) and len(operands) == 1 else operands
        return f"not({condition_text(inner, evaluate_operand)})"
    if not isinstance(operands, list) or not operands:
        raise ConditionShapeError(f"the operator '{operator}' needs a list of operands")
    if name in ("and", "or"):
        parts = [condition_text(operand, evaluate_operand) for operand in operands]
        if len(parts) == 1:
            return parts[0]
        return f"{name}({', '.join(parts)})"
    if len(operands) != 2:
        raise ConditionShapeError(f"the operator '{operator}' needs two operands, not {len(operands)}")
    return f"{name}({', '.join(_operand(operand, evaluate_operand) for operand in operands)})"


def _operand(operand: Any, evaluate_operand: Callable[[Any], Any]) -> str:
    if isinstance(operand, str) and operand.startswith("@") and not operand.startswith(("@@", "@{")):
        return operand[1:]
    return literal(evaluate_operand(operand))


def literal(value: Any) -> str:
    """A value as expression text: what the expression printer writes for scalars, objects and arrays through
    `json('...')`, and a float JSON cannot hold as `null`."""
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    if isinstance(value, dict | list):
        return "json(" + print_literal(json.dumps(value, separators=(",", ":"), ensure_ascii=False)) + ")"
    return print_literal(value)


@dataclass(frozen=True)
class TriggerDecision:
    """Whether the trigger fires. `status` is the trigger history's: Succeeded (fired), Skipped (a condition was
    false: no run) or Failed (a condition could not be evaluated: no run, `error` says why)."""

    fired: bool
    status: str
    condition: str | None = None
    error: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"fired": self.fired, "status": self.status, "condition": self.condition, "error": self.error}


def decide_trigger(conditions: tuple[str, ...] | list[str], context: Mapping[str, Any]) -> TriggerDecision:
    """Evaluate the trigger's conditions in order; the first that is not true decides."""
    for text in conditions:
        try:
            value = evaluate(text, context)
        except ExpressionError as exc:
            return TriggerDecision(False, "Failed", text, {"code": exc.code, "message": exc.message})
        if value is not True:
            if isinstance(value, bool):
                return TriggerDecision(False, "Skipped", text)
            return TriggerDecision(
                False,
                "Failed",
                text,
                {
                    "code": "InvalidTemplate",
                    "message": f"The trigger condition '{text}' evaluated to {json.dumps(value)}, not a Boolean.",
                },
            )
    return TriggerDecision(True, "Succeeded")
