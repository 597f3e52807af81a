"""Math functions: add, sub, mul, div, mod, max, min, rand, range.

Integers are .NET Int64 and stay integers (`div(11, 5)` is 2, truncated toward zero; `mod(-5, 3)` is -2, the sign
of the dividend, as C#'s `%`); one float operand makes the result a float (`div(11.0, 5)` is 2.2). Results outside
the Int64 range and division by zero are errors, as in the service.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal
from typing import Any

from .base import Function, array_arg, checked_int, fail, int_arg, number_arg, registrar

FUNCTIONS: dict[str, Function] = {}
function = registrar(FUNCTIONS)


Number = int | float | Decimal


def _pair(name: str, left: Any, right: Any) -> tuple[Any, Any]:
    """Both operands; a `decimal()` value meeting a float becomes a float, as .NET converts them."""
    a, b = number_arg(name, left, 0), number_arg(name, right, 1)
    if isinstance(a, Decimal) and isinstance(b, float):
        return float(a), b
    if isinstance(b, Decimal) and isinstance(a, float):
        return a, float(b)
    return a, b


def _float_result(name: str, value: Any) -> Any:
    if not math.isfinite(value):
        fail(name, "produced a result that is not a finite number.")
    return value


# The service's own spelling ("seccond"), as its error for add(1) shows.
@function(
    "add",
    2,
    expects="two parameters: the first summand as the first parameter and the seccond summand as the second parameter",
)
def add(left: Any, right: Any) -> Any:
    a, b = _pair("add", left, right)
    if isinstance(a, int) and isinstance(b, int):
        return checked_int("add", a + b)
    return _float_result("add", a + b)


@function("sub", 2, expects="two parameters: the minuend and the subtrahend")
def sub(left: Any, right: Any) -> Any:
    a, b = _pair("sub", left, right)
    if isinstance(a, int) and isinstance(b, int):
        return checked_int("sub", a - b)
    return _float_result("sub", a - b)


@function("mul", 2, expects="two parameters: the numbers to multiply")
def mul(left: Any, right: Any) -> Any:
    a, b = _pair("mul", left, right)
    if isinstance(a, int) and isinstance(b, int):
        return checked_int("mul", a * b)
    return _float_result("mul", a * b)


@function("div", 2, expects="two parameters: the dividend and the divisor")
def div(left: Any, right: Any) -> Any:
    a, b = _pair("div", left, right)
    if b == 0:
        fail("div", "cannot divide by zero: its second parameter, the divisor, is 0.")
    if isinstance(a, int) and isinstance(b, int):
        quotient = abs(a) // abs(b)
        return checked_int("div", quotient if (a >= 0) == (b >= 0) else -quotient)
    return _float_result("div", a / b)


@function("mod", 2, expects="two parameters: the dividend and the divisor")
def mod(left: Any, right: Any) -> Any:
    a, b = _pair("mod", left, right)
    if b == 0:
        fail("mod", "cannot divide by zero: its second parameter, the divisor, is 0.")
    if isinstance(a, int) and isinstance(b, int):
        remainder = abs(a) % abs(b)
        return remainder if a >= 0 else -remainder
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        return Decimal(a) % Decimal(b)  # Decimal's % keeps the dividend's sign, as C#'s does
    return _float_result("mod", math.fmod(a, b))


def _numbers(name: str, values: tuple[Any, ...]) -> list[Number]:
    if len(values) == 1 and isinstance(values[0], list):
        items = array_arg(name, values[0])
        if not items:
            fail(name, "expects a non-empty array of numbers.")
        return [number_arg(name, item) for item in items]
    return [number_arg(name, value, index) for index, value in enumerate(values)]


@function("max", 1, None)
def max_(*values: Any) -> Any:
    return max(_numbers("max", values))


@function("min", 1, None)
def min_(*values: Any) -> Any:
    return min(_numbers("min", values))


@function("rand", 2, expects="two parameters: the smallest integer and the integer just above the largest one")
def rand(low: Any, high: Any) -> int:
    lowest = int_arg("rand", low, 0)
    above = int_arg("rand", high, 1)
    if lowest >= above:
        fail("rand", "expects its first parameter to be less than its second parameter.")
    return random.randrange(lowest, above)


# The reference: the count "must be a positive integer that doesn't exceed 100,000", and start + count must not
# exceed 2,147,483,647.
MAX_RANGE = 100_000
INT32_MAX = 2_147_483_647


@function("range", 2, expects="two parameters: the start integer and the count of integers")
def range_(start: Any, count: Any) -> list[int]:
    first = int_arg("range", start, 0)
    total = int_arg("range", count, 1)
    if total < 0:
        fail("range", "expects its second parameter, the count, to be a non-negative integer.")
    if total > MAX_RANGE:
        fail("range", f"expects its second parameter, the count, to be at most '{MAX_RANGE}'.")
    if first + total > INT32_MAX:
        fail("range", f"expects the sum of its parameters, the start and the count, to be at most '{INT32_MAX}'.")
    return list(range(first, first + total))
