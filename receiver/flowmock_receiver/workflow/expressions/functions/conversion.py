"""Conversion functions: array, createArray, bool, int, float, decimal, string, json, base64, base64ToString,
base64ToBinary, decodeBase64, binary, dataUri, dataUriToString, dataUriToBinary, decodeDataUri, uriComponent,
encodeUriComponent, uriComponentToString, decodeUriComponent, uriComponentToBinary.

Binary results are content objects (`{"$content-type": "application/octet-stream", "$content": "<base64>"}`), the
way the service shows them in run history; text functions read such objects back as UTF-8 text, which is the
implicit conversion the reference describes. `decimal()` returns a Python `Decimal`, so that arithmetic and
`string()` keep its precision, and the evaluator hands it out as a float, as the reference's examples show.
"""

from __future__ import annotations

import base64
import binascii
import urllib.parse
from decimal import Decimal, InvalidOperation
from typing import Any

from ..scope import Scope
from ..values import CONTENT_TYPE_KEY, INT64_MAX, INT64_MIN, content, content_bytes, is_content, to_text
from .base import Function, fail, registrar, text_arg, type_error
from .jsontext import JsonTextError, loads
from .numbers import parse_float
from .xmljson import is_xml_content, xml_to_json

FUNCTIONS: dict[str, Function] = {}
function = registrar(FUNCTIONS)


def _not_convertible(name: str, target: str) -> None:
    fail(
        name,
        f"was invoked with a parameter that is not valid. The value cannot be converted to the target type '{target}'.",
    )


@function("array", 1, expects="one parameter: the value to put in an array")
def array(value: Any) -> list[Any]:
    # An array is returned as it is; anything else becomes a one-item array.
    return value if isinstance(value, list) else [value]


@function("createArray", 0, None)
def create_array(*values: Any) -> list[Any]:
    return list(values)


@function("bool", 1, expects="one parameter: the value to convert to a Boolean")
def bool_(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal):
        return value != 0
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "false"):
            return text == "true"
    _not_convertible("bool", "Boolean")
    raise AssertionError("unreachable")


@function("int", 1, expects="one parameter: the string to convert to an integer")
def int_(value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal):
        rounded = round(value)  # .NET's Convert.ToInt64 rounds half to even, as Python's round does
        if INT64_MIN <= rounded <= INT64_MAX:
            return int(rounded)
    elif isinstance(value, str):
        text = value.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if digits.isdigit() and digits.isascii():
            number = int(text)
            if INT64_MIN <= number <= INT64_MAX:
                return number
    _not_convertible("int", "Integer")
    raise AssertionError("unreachable")


@function("float", 1, 2, expects="one or two parameters: the string to convert and, optionally, the locale")
def float_(value: Any, locale: Any = None) -> float:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float | Decimal):
        return float(value)
    if isinstance(value, str):
        parsed = parse_float("float", value, locale)
        if parsed is not None:
            return parsed
    _not_convertible("float", "Float")
    raise AssertionError("unreachable")


@function("decimal", 1, bound=True, expects="one parameter: the decimal number in a string")
def decimal_(scope: Scope, value: Any) -> Decimal:
    scope.decimals = True
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            number = None
        # .NET's decimal holds 28-29 significant digits, up to about 7.9E+28.
        if number is not None and number.is_finite() and abs(number) < Decimal("79228162514264337593543950336"):
            return number
    _not_convertible("decimal", "Decimal")
    raise AssertionError("unreachable")


@function("string", 1, expects="one parameter: the value to convert to a string")
def string(value: Any) -> str:
    return to_text(value)


@function("json", 1, expects="one parameter: the string or XML to convert to JSON")
def json_(value: Any) -> Any:
    if value is None:
        return {}  # the reference: "If the string is null, the function returns an empty object."
    if is_xml_content(value):
        return xml_to_json("json", content_bytes(value))
    if is_content(value):
        value = content_bytes(value).decode("utf-8", errors="replace")
    if not isinstance(value, str):
        return value
    try:
        return loads(value)
    except JsonTextError as error:
        fail("json", f"parameter is not valid. The provided value '{value}' cannot be parsed: '{error}'.")
    raise AssertionError("unreachable")


# -- base64, data URIs, URI components ---------------------------------------------------------------------------


def _bytes_of(name: str, value: Any) -> bytes:
    if is_content(value):
        return content_bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    type_error(name, "of type 'String'", value)


@function("base64", 1, expects="one parameter: the string to encode")
def base64_(value: Any) -> str:
    return base64.b64encode(_bytes_of("base64", value)).decode("ascii")


def _from_base64(name: str, value: Any) -> bytes:
    if is_content(value):
        return content_bytes(value)
    text = "".join(text_arg(name, value).split())
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        fail(name, "was invoked with a parameter that is not valid. The value is not a valid base64 string.")
    raise AssertionError("unreachable")


@function("base64ToString", 1, expects="one parameter: the base64-encoded string to decode")
def base64_to_string(value: Any) -> str:
    return _from_base64("base64ToString", value).decode("utf-8", errors="replace")


@function("decodeBase64", 1, expects="one parameter: the base64-encoded string to decode")
def decode_base64(value: Any) -> str:
    return _from_base64("decodeBase64", value).decode("utf-8", errors="replace")


@function("base64ToBinary", 1, expects="one parameter: the base64-encoded string to convert")
def base64_to_binary(value: Any) -> dict[str, str]:
    return content(_from_base64("base64ToBinary", value))


@function("binary", 1, expects="one parameter: the string to convert")
def binary(value: Any) -> dict[str, str]:
    if is_content(value):
        return dict(value)
    return content(_bytes_of("binary", value))


@function("dataUri", 1, expects="one parameter: the string to convert")
def data_uri(value: Any) -> str:
    if is_content(value):
        kind = str(value.get(CONTENT_TYPE_KEY) or "application/octet-stream")
        return f"data:{kind};base64,{base64.b64encode(content_bytes(value)).decode('ascii')}"
    text = text_arg("dataUri", value)
    return "data:text/plain;charset=utf-8;base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")


def _parse_data_uri(name: str, value: Any) -> tuple[str, bytes]:
    """(media type, bytes) of `data:[<media type>][;base64],<data>`."""
    text = text_arg(name, value)
    if not text.lower().startswith("data:") or "," not in text:
        fail(name, "was invoked with a parameter that is not valid. The value is not a valid data URI.")
    header, _, data = text[5:].partition(",")
    is_base64 = header.lower().endswith(";base64")
    media_type = header[: -len(";base64")] if is_base64 else header
    if is_base64:
        try:
            payload = base64.b64decode("".join(data.split()), validate=True)
        except (binascii.Error, ValueError):
            fail(name, "was invoked with a parameter that is not valid. The data URI's data is not valid base64.")
            raise AssertionError("unreachable") from None
    else:
        payload = urllib.parse.unquote_to_bytes(data)
    return media_type or "text/plain;charset=US-ASCII", payload


def _charset(media_type: str) -> str:
    for piece in media_type.split(";")[1:]:
        key, _, value = piece.strip().partition("=")
        if key.lower() == "charset" and value:
            return value.strip('"')
    return "utf-8"


@function("dataUriToString", 1, expects="one parameter: the data URI to convert")
def data_uri_to_string(value: Any) -> str:
    media_type, payload = _parse_data_uri("dataUriToString", value)
    try:
        return payload.decode(_charset(media_type), errors="replace")
    except LookupError:
        return payload.decode("utf-8", errors="replace")


@function("dataUriToBinary", 1, expects="one parameter: the data URI to convert")
def data_uri_to_binary(value: Any) -> dict[str, str]:
    media_type, payload = _parse_data_uri("dataUriToBinary", value)
    return content(payload, media_type)


@function("decodeDataUri", 1, expects="one parameter: the data URI to decode")
def decode_data_uri(value: Any) -> dict[str, str]:
    media_type, payload = _parse_data_uri("decodeDataUri", value)
    return content(payload, media_type)


def _escape(name: str, value: Any) -> str:
    # .NET's Uri.EscapeDataString: everything but the RFC 3986 unreserved characters is percent-encoded.
    if is_content(value):
        return urllib.parse.quote_from_bytes(content_bytes(value), safe="")
    return urllib.parse.quote(text_arg(name, value), safe="")


@function("uriComponent", 1, expects="one parameter: the string to encode")
def uri_component(value: Any) -> str:
    return _escape("uriComponent", value)


@function("encodeUriComponent", 1, expects="one parameter: the string to encode")
def encode_uri_component(value: Any) -> str:
    return _escape("encodeUriComponent", value)


@function("uriComponentToString", 1, expects="one parameter: the URI-encoded string to decode")
def uri_component_to_string(value: Any) -> str:
    return urllib.parse.unquote(text_arg("uriComponentToString", value))


@function("decodeUriComponent", 1, expects="one parameter: the URI-encoded string to decode")
def decode_uri_component(value: Any) -> str:
    return urllib.parse.unquote(text_arg("decodeUriComponent", value))


@function("uriComponentToBinary", 1, expects="one parameter: the URI-encoded string to convert")
def uri_component_to_binary(value: Any) -> dict[str, str]:
    return content(urllib.parse.unquote_to_bytes(text_arg("uriComponentToBinary", value)))
