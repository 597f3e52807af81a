"""JSON text as Json.NET reads it, which is what `json()` and `xml()` parse with in the service.

Json.NET is more lenient than RFC 8259, and flows rely on it: inside an expression a double quote needs no escape
but a single quote does, so people write `json('{''name'': ''Ada''}')`, whose text is `{'name': 'Ada'}`. Single-
quoted strings, unquoted property names and comments are therefore rewritten into strict JSON before Python's
parser reads it; anything else still has to be valid JSON.
"""

from __future__ import annotations

import json
import math
from typing import Any

_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_$")
_NAME_CHARS = _NAME_START | frozenset("0123456789")


class JsonTextError(ValueError):
    """Not JSON, even for Json.NET; the message is Python's reason, for the service-shaped error around it."""


def loads(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except ValueError as strict_error:
        reason = strict_error.msg if isinstance(strict_error, json.JSONDecodeError) else str(strict_error)
        try:
            return json.loads(_strict(text), parse_constant=_no_constant, parse_float=_finite)
        except ValueError:
            raise JsonTextError(reason) from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"Unexpected value '{name}'")


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise ValueError(f"The number '{text}' is too large for a double")
    return number


def _strict(text: str) -> str:
    """The same document with single-quoted strings, bare property names and comments made strict JSON."""
    out: list[str] = []
    i, length = 0, len(text)
    while i < length:
        char = text[i]
        if char == '"':
            end = i + 1
            while end < length and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            out.append(text[i : end + 1])
            i = end + 1
        elif char == "'":
            end = i + 1
            chunk: list[str] = []
            while end < length and text[end] != "'":
                if text[end] == "\\" and end + 1 < length:
                    chunk.append(text[end : end + 2] if text[end + 1] != "'" else "'")
                    end += 2
                    continue
                chunk.append('\\"' if text[end] == '"' else text[end])
                end += 1
            out.append('"' + "".join(chunk) + '"')
            i = end + 1
        elif text.startswith("//", i):
            i = text.find("\n", i)
            i = length if i < 0 else i
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = length if end < 0 else end + 2
        elif char in _NAME_START:
            end = i
            while end < length and text[end] in _NAME_CHARS:
                end += 1
            word = text[i:end]
            after = end
            while after < length and text[after] in " \t\r\n":
                after += 1
            out.append(f'"{word}"' if after < length and text[after] == ":" else word)
            i = end
        else:
            out.append(char)
            i += 1
    return "".join(out)
