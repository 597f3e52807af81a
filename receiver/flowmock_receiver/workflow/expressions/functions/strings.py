"""String functions: concat, endsWith, startsWith, guid, indexOf, lastIndexOf, nthIndexOf, replace, slice, split,
substring, toLower, toUpper, trim, isInt (formatNumber and isFloat, which need culture data, live in `numbers`).

The reference is explicit about case: `startsWith`, `endsWith`, `indexOf`, `lastIndexOf` and `nthIndexOf` ignore
case, `replace` and `contains` do not. Positions are counted in UTF-16 code units by .NET; flowmock counts code
points, which differs only for characters outside the Basic Multilingual Plane (listed in the README).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from ..values import to_text
from .base import Function, fail, int_arg, registrar, text_arg, type_error

FUNCTIONS: dict[str, Function] = {}
function = registrar(FUNCTIONS)

# The service refuses to build strings longer than this (the documented 104,857,600-character limit).
MAX_STRING_LENGTH = 104_857_600


@function("concat", 1, None)
def concat(*values: Any) -> str:
    result = "".join(to_text(value) for value in values)
    if len(result) > MAX_STRING_LENGTH:
        fail("concat", f"produced a string longer than the limit of '{MAX_STRING_LENGTH}' characters.")
    return result


def _fold(text: str) -> str:
    return text.casefold()


@function("startsWith", 2, expects="two parameters: the string to search and the prefix to find")
def starts_with(text: Any, prefix: Any) -> bool:
    return _fold(text_arg("startsWith", text, 0)).startswith(_fold(text_arg("startsWith", prefix, 1)))


@function("endsWith", 2, expects="two parameters: the string to search and the suffix to find")
def ends_with(text: Any, suffix: Any) -> bool:
    return _fold(text_arg("endsWith", text, 0)).endswith(_fold(text_arg("endsWith", suffix, 1)))


@function(
    "indexOf",
    2,
    expects="two parameters: the string as the first parameter, the value to find the index of as the second parameter",
)
def index_of(text: Any, search: Any) -> int:
    return _fold(text_arg("indexOf", text, 0)).find(_fold(text_arg("indexOf", search, 1)))


@function("lastIndexOf", 2, expects="two parameters: the string to search and the value to find")
def last_index_of(text: Any, search: Any) -> int:
    haystack = _fold(text_arg("lastIndexOf", text, 0))
    needle = _fold(text_arg("lastIndexOf", search, 1))
    if not needle:
        # .NET returns the last position of the string for an empty value (the reference: "returns the last
        # index", i.e. length - 1), and 0 for an empty string.
        return max(len(haystack) - 1, 0)
    return haystack.rfind(needle)


@function("nthIndexOf", 3, expects="three parameters: the string to search, the value to find and the occurrence")
def nth_index_of(text: Any, search: Any, occurrence: Any) -> int:
    haystack = _fold(text_arg("nthIndexOf", text, 0))
    needle = _fold(text_arg("nthIndexOf", search, 1))
    nth = int_arg("nthIndexOf", occurrence, 2)
    if nth == 0:
        fail("nthIndexOf", "expects its third parameter, the occurrence, to be a non-zero integer.")
    if not needle:
        return 0 if nth > 0 else len(haystack)
    if nth > 0:
        pos = -1
        for _ in range(nth):
            pos = haystack.find(needle, pos + 1)
            if pos < 0:
                return -1
        return pos
    end = len(haystack)
    pos = end
    for _ in range(-nth):
        pos = haystack.rfind(needle, 0, end)
        if pos < 0:
            return -1
        end = pos + len(needle) - 1
    return pos


@function("replace", 3, expects="three parameters: the string, the value to replace and the replacement")
def replace(text: Any, old: Any, new: Any) -> str:
    source = text_arg("replace", text, 0, label="string")
    target = text_arg("replace", old, 1)
    if not target:
        fail("replace", "expects its second parameter, the value to replace, to be a non-empty string.")
    return source.replace(target, text_arg("replace", new, 2, allow_null=True))


@function("slice", 2, 3, expects="two or three parameters: the string, the start index and, optionally, the end index")
def slice_(text: Any, start: Any, end: Any = None) -> str:
    source = text_arg("slice", text, 0)
    first = int_arg("slice", start, 1)
    stop = len(source) if end is None else int_arg("slice", end, 2)
    return source[first:stop]


@function("split", 2, expects="two parameters: the string to split and the separating character")
def split(text: Any, delimiter: Any) -> list[str]:
    source = text_arg("split", text, 0)
    separator = text_arg("split", delimiter, 1)
    if not separator:
        return [source]
    return source.split(separator)


@function("substring", 2, 3, expects="two or three parameters: the string, the start index and, optionally, the length")
def substring(text: Any, start: Any, length: Any = None) -> str:
    source = text_arg("substring", text, 0)
    first = int_arg("substring", start, 1)
    count = len(source) - first if length is None else int_arg("substring", length, 2)
    if first < 0 or count < 0 or first + count > len(source):
        fail(
            "substring",
            "parameters are out of range: 'start index' and 'length' must be non-negative integers and their sum "
            "must be no larger than the length of the string.",
        )
    return source[first : first + count]


@function("toLower", 1, expects="one parameter: the string to convert to lower casing")
def to_lower(text: Any) -> str:
    return text_arg("toLower", text, allow_null=True).lower()


@function("toUpper", 1, expects="one parameter: the string to convert to upper casing")
def to_upper(text: Any) -> str:
    return text_arg("toUpper", text, allow_null=True).upper()


@function("trim", 1, expects="one parameter: the string to trim")
def trim(text: Any) -> str:
    return text_arg("trim", text, allow_null=True).strip()


def _guid_x(digits: str) -> str:
    """.NET's "X" GUID format: {0x00000000,0x0000,0x0000,{0x00,0x00,0x00,0x00,0x00,0x00,0x00,0x00}}."""
    tail = ",".join("0x" + digits[i : i + 2] for i in range(16, 32, 2))
    return f"{{0x{digits[:8]},0x{digits[8:12]},0x{digits[12:16]},{{{tail}}}}}"


_GUID_FORMATS: dict[str, Callable[[uuid.UUID], str]] = {
    "d": lambda u: str(u),
    "n": lambda u: u.hex,
    "b": lambda u: "{" + str(u) + "}",
    "p": lambda u: "(" + str(u) + ")",
    "x": lambda u: _guid_x(u.hex),
}


@function("guid", 0, 1, expects="zero or one parameter: the format ('N', 'D', 'B', 'P' or 'X')")
def guid(format_: Any = "D") -> str:
    spec = text_arg("guid", format_) if format_ is not None else "D"
    render = _GUID_FORMATS.get((spec or "D").lower())
    if render is None:
        fail("guid", f"expects a format of 'N', 'D', 'B', 'P' or 'X'; the provided format is '{spec}'.")
        raise AssertionError("unreachable")
    return str(render(uuid.uuid4()))


_INTEGER = re.compile(r"^\s*[+-]?\d+\s*$")


@function("isInt", 1, expects="one parameter: the string to check")
def is_int(text: Any) -> bool:
    if not isinstance(text, str):
        type_error("isInt", "a string", text)
    if not _INTEGER.match(text):
        return False
    return -(2**63) <= int(text) <= 2**63 - 1
