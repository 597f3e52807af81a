"""Values of the expression language: JSON values, named and printed the way the service names and prints them.

The service runs on .NET and Json.NET, so three things differ from Python's defaults and are reproduced here:
type names in error messages are Json.NET's (`Integer`, `Float`, `String`, `Boolean`, `Array`, `Object`, `Null`);
a Boolean turned into text is `True`/`False` (.NET's `bool.ToString()`, which is what `@{...}` and `string()` show);
a float turned into text is .NET's shortest round-trip form (`1E+20`, `1E-05`, `2.5`, and `10` for 10.0).

Binary content (what `binary()`, `base64ToBinary()` and friends return) is carried the way the service serializes
it in run history: `{"$content-type": "application/octet-stream", "$content": "<base64>"}`. Functions that take text
accept such an object and read its bytes as UTF-8, which is the service's implicit conversion.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

OCTET_STREAM = "application/octet-stream"
CONTENT_TYPE_KEY = "$content-type"
CONTENT_KEY = "$content"

# .NET's Int64 range: integer arithmetic beyond it fails in the service instead of growing.
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def type_name(value: Any) -> str:
    """The Json.NET token type name the service puts in its messages ("The provided value is of type 'Null'")."""
    if value is None:
        return "Null"
    if value is True or value is False:
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float | Decimal):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, Mapping):
        return "Object"
    return type(value).__name__


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def is_content(value: Any) -> bool:
    """True for a binary or typed content object (`{"$content-type": ..., "$content": ...}`)."""
    return isinstance(value, Mapping) and CONTENT_KEY in value and CONTENT_TYPE_KEY in value


def content(data: bytes, content_type: str = OCTET_STREAM) -> dict[str, str]:
    """Binary content as the service carries it."""
    return {CONTENT_TYPE_KEY: content_type, CONTENT_KEY: base64.b64encode(data).decode("ascii")}


def content_bytes(value: Mapping[str, Any]) -> bytes:
    """The bytes of a content object; a `$content` that is not base64 is taken as text."""
    raw = value.get(CONTENT_KEY)
    if isinstance(raw, str):
        try:
            return base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            return raw.encode("utf-8")
    return to_text(raw).encode("utf-8")


def format_float(number: float) -> str:
    """A double as .NET Core 3.0+ prints it: shortest round-trip digits, exponent form from E+15 and from E-05 down."""
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    if number == 0:
        return "-0" if math.copysign(1.0, number) < 0 else "0"
    text = repr(number)
    mantissa, _, exp_text = text.partition("e")
    digits = mantissa.lstrip("-").replace(".", "")
    point = mantissa.lstrip("-").find(".")
    if point < 0:
        point = len(mantissa.lstrip("-"))
    exponent = int(exp_text) if exp_text else 0
    # Normalise to d.ddd x 10^e
    stripped = digits.lstrip("0")
    lead_zeros = len(digits) - len(stripped)
    decimal_exponent = point - 1 - lead_zeros + exponent
    significant = stripped.rstrip("0") or "0"
    sign = "-" if number < 0 else ""
    if -5 < decimal_exponent < 15:
        if decimal_exponent >= 0:
            whole = significant[: decimal_exponent + 1].ljust(decimal_exponent + 1, "0")
            fraction = significant[decimal_exponent + 1 :]
        else:
            whole = "0"
            fraction = "0" * (-decimal_exponent - 1) + significant
        return f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}"
    mantissa_text = significant[0] + ("." + significant[1:] if len(significant) > 1 else "")
    exp_sign = "+" if decimal_exponent >= 0 else "-"
    return f"{sign}{mantissa_text}E{exp_sign}{abs(decimal_exponent):02d}"


def to_json(value: Any) -> str:
    """Compact JSON, as the service writes an object or array turned into text."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_json_default)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def to_text(value: Any) -> str:
    """A value as text, as `@{...}` and `string()` write it: null is empty, Booleans `True`/`False`, objects JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if value is True:
        return "True"
    if value is False:
        return "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if is_content(value):
        return content_bytes(value).decode("utf-8", errors="replace")
    return to_json(value)


def values_equal(left: Any, right: Any) -> bool:
    """Equality as `equals()`, `contains()`, `union()` see it: numbers by value (1 equals 1.0), strings exactly
    (case-sensitive), objects and arrays deeply. A Boolean equals the number 1 or 0 (the reference's example
    `equals(true, 1)` is true), never a string."""
    if isinstance(left, bool) or isinstance(right, bool):
        if is_number(left) or is_number(right):
            return bool(left == right)
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if is_number(left) and is_number(right):
        return bool(left == right)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(values_equal(a, b) for a, b in zip(left, right, strict=True))
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        return left.keys() == right.keys() and all(values_equal(left[k], right[k]) for k in left)
    return type(left) is type(right) and bool(left == right)


def plain(value: Any) -> Any:
    """The value with every `Decimal` turned into a float: what leaves the evaluator is plain JSON."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


def is_json_value(value: Any) -> bool:
    """True when the value is made only of JSON types (the property-based tests check every result with this)."""
    if value is None or isinstance(value, bool | int | str):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(is_json_value(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_json_value(v) for k, v in value.items())
    return False
