"""JSON in and out for the values Python's `json` cannot carry: numbers beyond a double, integers past Python's
4,300-digit conversion limit, and strings holding lone UTF-16 surrogates.

A sender may post `{"n": 1e400}` or a 5,000-digit integer: both are valid JSON, and Json.NET (the real trigger's
reader) keeps big integers whole. Python reads `1e400` as `inf`, which `json.dumps` writes as `Infinity` (not
JSON), and refuses to convert long integers to text at all. So the trigger's parser keeps such numbers as
`BigNumber`/`BigInteger`: they compare and validate as the number they are, and remember the literal as it was
sent. In every JSON flowmock writes (the admin API, exports, error bodies) a number JSON output cannot hold exactly
is written as a string of that literal (`"1e400"`); the raw body keeps the exact bytes. A string with a lone
surrogate (`"\\udfff"`, legal in JSON text) is written escaped, and shown escaped on the pages, never as a crash.
"""

from __future__ import annotations

import json
import marshal
import math
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any


class BigNumber(float):
    """A JSON number literal a double cannot hold (`1e400` is `inf` as a float): the float, and the literal."""

    text: str

    def __new__(cls, text: str) -> BigNumber:
        made = super().__new__(cls, text)
        made.text = text
        return made

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


class BigInteger(int):
    """An integer literal past Python's int/str conversion limit, built without that conversion (through Decimal,
    which has no limit), remembering its literal so messages and outputs can show it."""

    text: str

    def __new__(cls, text: str) -> BigInteger:
        made = super().__new__(cls, Decimal(text))
        made.text = text
        return made

    def __repr__(self) -> str:
        return self.text

    __str__ = __repr__


def parse_float(text: str) -> float:
    value = float(text)
    return value if math.isfinite(value) else BigNumber(text)


def parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # over the digit limit
        return BigInteger(text)


def is_digit_limit_error(exc: ValueError) -> bool:
    """Whether `json.loads` failed on an integer over Python's conversion limit (the JSON itself is fine)."""
    return "integer string conversion" in str(exc)


def _plain(value: Any) -> Any:
    """`value` with every number JSON output cannot carry replaced by the string of its literal."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, BigNumber | BigInteger):
        return value.text
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 14_000:
        return str(Decimal(value))  # Decimal's text has no digit limit
    return value


def dumps(value: Any, **options: Any) -> str:
    """`json.dumps` that always writes valid JSON (`allow_nan=False`). The common case pays nothing extra: only a
    value that fails is walked and written again with its unrepresentable numbers as strings."""
    options["allow_nan"] = False
    try:
        return json.dumps(value, **options)
    except ValueError:
        return json.dumps(_plain(value), **options)


def body_bytes(value: Any) -> bytes:
    """A JSON answer body (a Response action's): compact, valid JSON, UTF-8 even with lone surrogates."""
    return utf8(dumps(value, separators=(",", ":"), ensure_ascii=False))


def _base_types(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _base_types(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_base_types(item) for item in value]
    if isinstance(value, BigNumber):
        return float(value)
    if isinstance(value, BigInteger):
        return int(value)
    return value


def marshal_dumps(value: Any) -> bytes:
    """`marshal.dumps` for records holding parsed bodies: marshal refuses subclasses of float and int, so a value
    with a BigNumber or BigInteger is stored as the plain number (its literal is kept in the raw body)."""
    try:
        return marshal.dumps(value)
    except ValueError:
        return marshal.dumps(_base_types(value))


def storage_json(encode: Callable[[Any], str], value: Any) -> str:
    """`encode(value)` for a store's JSON documents; a number JSON text cannot hold (a 5,000-digit integer in a
    run's actions) is stored as the string of its literal rather than failing the call."""
    try:
        return encode(value)
    except ValueError:
        return encode(_plain(value))


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` with each lone surrogate written as its `\\uXXXX` escape: what a page or a UTF-8 body can carry.
    (Valid pairs never reach here as surrogates: Python joins them into one code point when it decodes JSON.)"""
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def utf8(text: str) -> bytes:
    """`text` as UTF-8; lone surrogates, which UTF-8 cannot encode, escaped first."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return printable(text).encode("utf-8")
