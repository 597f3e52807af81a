"""Logical comparison functions: and, or, not, if, equals, greater, greaterOrEquals, less, lessOrEquals.

The reference says comparisons treat null as the empty string ("If you use logical functions or conditions to
compare values, null values are converted to empty string values"), so `equals(null, '')` is true and
`greater(null, 'a')` compares '' with 'a'.

`if()` evaluates only the branch it returns: Microsoft's own "Add Attachments to Planner from Teams" template
writes `if(lessOrEquals(length(x), 255), x, substring(x, 0, 255))`, which would fail on every short text if both
branches ran. `and()` and `or()` evaluate all their arguments, left to right, as the reference says of functions.
A condition must be a Boolean: the service refuses the string 'true' ("The template language function 'if' expects
its first parameter to be of type boolean. The provided value is of type 'String'.").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..scope import Scope
from ..values import is_number, type_name, values_equal
from .base import Function, fail, registrar

FUNCTIONS: dict[str, Function] = {}
function = registrar(FUNCTIONS)
Thunk = Callable[[Scope], Any]


def _boolean(name: str, value: Any, which: str) -> bool:
    if isinstance(value, bool):
        return value
    fail(name, f"expects {which} to be of type boolean. The provided value is of type '{type_name(value)}'.")
    raise AssertionError("unreachable")


@function("and", 1, None)
def and_(*values: Any) -> bool:
    results = [_boolean("and", value, "all of its parameters") for value in values]
    return all(results)


@function("or", 1, None)
def or_(*values: Any) -> bool:
    results = [_boolean("or", value, "all of its parameters") for value in values]
    return any(results)


@function("not", 1, expects="one parameter: the Boolean value to negate")
def not_(value: Any) -> bool:
    return not _boolean("not", value, "its parameter")


@function("if", 3, lazy=True, expects="three parameters: the condition, the value if true and the value if false")
def if_(scope: Scope, condition: Thunk, when_true: Thunk, when_false: Thunk) -> Any:
    chosen = when_true if _boolean("if", condition(scope), "its first parameter") else when_false
    return chosen(scope)


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
