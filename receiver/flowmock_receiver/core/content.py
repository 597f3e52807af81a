"""The trigger body as Power Automate exposes it, by content type.

`application/json` (and `+json`) is parsed; `text/plain` becomes a string; anything else becomes
`{"$content-type": ..., "$content": base64}` (the Logic Apps content-type doc). Unparsable JSON is refused with
`InvalidRequestContent` and a Json.NET-style reason, and, as Json.NET's default reader does, nesting deeper than 64
levels is refused too; that also keeps hostile bodies away from recursion limits further down.
"""

from __future__ import annotations

import base64
import codecs
import functools
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from werkzeug.http import parse_options_header

from .jsontext import is_digit_limit_error, parse_float, parse_int

MAX_DEPTH = 64


class ContentError(ValueError):
    """The body cannot be deserialised; `detail` is the Json.NET-style reason."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _reject_constant(name: str) -> Any:
    raise ValueError(f"Unexpected character encountered while parsing value: {name[0]}.")


# Built once: json.loads with an option builds a decoder on every call, a third of the parse of a small body.
# Floats go through `parse_float` so `1e400` stays a number with its literal (see jsontext); integers only when
# one is past Python's digit limit, since hooking every integer would slow every body down.
_decoder = json.JSONDecoder(parse_constant=_reject_constant, parse_float=parse_float)
_big_decoder = json.JSONDecoder(parse_constant=_reject_constant, parse_float=parse_float, parse_int=parse_int)


def _too_deep(value: Any) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node if isinstance(v, dict | list))
    return False


def _json_reason(text: str, exc: json.JSONDecodeError) -> str:
    pos = exc.pos
    where = "Path '', line 0, position 0." if pos == 0 else f"Path '', line {exc.lineno}, position {exc.colno}."
    if exc.msg.startswith("Extra data"):
        char = text[pos] if pos < len(text) else ""
        return f"Additional text encountered after finished reading JSON content: {char}. {where}"
    if pos >= len(text.rstrip()):
        return f"Unexpected end when reading JSON. {where}"
    if exc.msg.startswith("Unterminated string"):
        return f'Unterminated string. Expected delimiter: ". {where}'
    return f"Unexpected character encountered while parsing value: {text[pos]}. {where}"


def _decode(text: str) -> Any:
    try:
        return _decoder.decode(text)
    except json.JSONDecodeError:
        raise
    except ValueError as exc:
        if not is_digit_limit_error(exc):
            raise
        return _big_decoder.decode(text)  # Json.NET reads big integers whole (BigInteger): so does flowmock


def parse_json(raw: bytes) -> Any:
    try:  # UTF-8 without its BOM, as "utf-8-sig" decodes it (that codec's Python wrapper cost a microsecond a call)
        text = raw[3:].decode() if raw.startswith(codecs.BOM_UTF8) else raw.decode()
    except UnicodeDecodeError:
        try:  # UTF-16 and UTF-32 with or without a BOM, detected as json.loads detects them
            text = raw.decode(json.detect_encoding(raw), "surrogatepass")
            text = text.removeprefix("\ufeff")
        except (UnicodeDecodeError, LookupError):
            raise ContentError(
                "Unexpected character encountered while parsing value. Path '', line 0, position 0."
            ) from None
    try:
        value = _decode(text)
    except json.JSONDecodeError as exc:
        raise ContentError(_json_reason(text, exc)) from None
    except ValueError as exc:
        raise ContentError(str(exc)) from None
    except RecursionError:
        raise ContentError(f"The reader's MaxDepth of {MAX_DEPTH} has been exceeded. Path '', line 1.") from None
    # Fewer than MAX_DEPTH brackets in all cannot nest deeper than MAX_DEPTH: skip the walk for most bodies.
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and _too_deep(value):
        raise ContentError(f"The reader's MaxDepth of {MAX_DEPTH} has been exceeded. Path '', line 1.")
    return value


def is_json_type(mimetype: str) -> bool:
    return mimetype == "application/json" or mimetype.endswith("+json")


@functools.lru_cache(maxsize=256)
def _media_type(content_type: str) -> tuple[str, Mapping[str, str]]:
    """The lowercase media type and options of a Content-Type: senders send the same one on every call."""
    mimetype, options = parse_options_header(content_type)
    return mimetype.lower(), MappingProxyType(options)


def trigger_body(raw: bytes, content_type: str | None) -> Any:
    """The `body` of the trigger outputs; raises ContentError for JSON that cannot be parsed."""
    if not raw:
        return None
    mimetype, options = _media_type(content_type or "")
    if is_json_type(mimetype):
        return parse_json(raw)
    if mimetype == "text/plain":
        charset = options.get("charset", "utf-8")
        try:
            return raw.decode(charset)
        except (LookupError, UnicodeDecodeError):
            pass  # not text in its declared charset: keep the bytes, as for any other type
    return {
        "$content-type": content_type or "application/octet-stream",
        "$content": base64.b64encode(raw).decode(),
    }
