"""Logical comparison functions: and, or, not, if, equals, greater, greaterOrEquals, less, lessOrEquals.

The reference says comparisons treat null as the empty string ("If you use logical functions or conditions to
compare values, null values are converted to empty string values"), so `equals(null, '')` is true and
`greater(null, 'a')` compares '' with 'a'. Arguments are evaluated left to right before the call, as the reference
says of every function, so `if()` evaluates both branches (see the README's known differences).
"""

from __future__ import annotations

from typing import Any

from ..values import is_number, type_name, values_equal
from .base import Function, fail, registrar

FUNCTIONS: dict[str, Function] = {}
function = registrar(FUNCTIONS)


def _boolean(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        # The service reads the strings 'true' and 'false' as Booleans (what `bool('true')` would give).
        return value.lower() == "true"
    fail(
        name, f"expects all of its parameters to be Boolean values. The provided value is of type '{type_name(value)}'."
    )
    raise AssertionError("unreachable")


@function("and", 1, None)
def and_(*values: Any) -> bool:
    results = [_boolean("and", value) for value in values]
    return all(results)


@function("or", 1, None)
def or_(*values: Any) -> bool:
    results = [_boolean("or", value) for value in values]
    return any(results)


@function("not", 1, expects="one parameter: the Boolean value to negate")
def not_(value: Any) -> bool:
    return not _boolean("not", value)


@function("if", 3, expects="three parameters: the condition, the value if true and the value if false")
def if_(condition: Any, when_true: Any, when_false: Any) -> Any:
    return when_true if _boolean("if", condition) else when_false


def _null_as_empty(value: Any) -> Any:
    return "" if value is None else value


@function("equals", 2, expects="two parameters: the values to compare")
def equals(left: Any, right: Any) -> bool:
    return values_equal(_null_as_empty(left), _null_as_empty(right))


def _compare(name: str, left: Any, right: Any) -> int:
    """-1, 0 or 1; numbers with numbers, strings with strings, ignoring case (`greater('b', 'A')` is true in the
    service, as its ordinal-ignore-case comparison gives)."""
    left, right = _null_as_empty(left), _null_as_empty(right)
    if is_number(left) and is_number(right):
        return (left > right) - (left < right)  # type: ignore[no-any-return]
    if isinstance(left, str) and isinstance(right, str):
        a, b = left.upper(), right.upper()
        return (a > b) - (a < b)
    if isinstance(left, bool) and isinstance(right, bool):
        return int(left) - int(right)
    fail(
        name,
        "expects two parameters of matching types: both integers or decimal numbers, or both strings. The provided "
        f"values are of type '{type_name(left)}' and '{type_name(right)}'.",
    )
    raise AssertionError("unreachable")


@function("greater", 2)
def greater(left: Any, right: Any) -> bool:
    return _compare("greater", left, right) > 0


@function("greaterOrEquals", 2)
def greater_or_equals(left: Any, right: Any) -> bool:
    return _compare("greaterOrEquals", left, right) >= 0


@function("less", 2)
def less(left: Any, right: Any) -> bool:
    return _compare("less", left, right) < 0


@function("lessOrEquals", 2)
def less_or_equals(left: Any, right: Any) -> bool:
    return _compare("lessOrEquals", left, right) <= 0
