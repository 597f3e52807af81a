"""URI parsing functions: uriHost, uriPath, uriPathAndQuery, uriPort, uriQuery, uriScheme.

The service reads the text with .NET's `System.Uri`, which accepts only absolute URIs: a relative one is an error.
A missing path is "/", a missing port is the scheme's default (80, 443, 21, ...), and the query keeps its "?".
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from .base import Function, fail, registrar, text_arg

FUNCTIONS: dict[str, Function] = {}
function = registrar(FUNCTIONS)

_DEFAULT_PORTS = {"http": 80, "https": 443, "ftp": 21, "ws": 80, "wss": 443, "sftp": 22, "ldap": 389, "gopher": 70}


def _parse(name: str, value: Any) -> urllib.parse.SplitResult:
    text = text_arg(name, value).strip()
    try:
        parts = urllib.parse.urlsplit(text)
        _ = parts.port  # raises ValueError for a port that is not a number or out of range
    except ValueError:
        parts = None
    if parts is None or not parts.scheme or not (parts.netloc or parts.scheme in ("file", "mailto", "urn")):
        fail(name, f"was invoked with a parameter that is not valid: '{text}' is not an absolute URI.")
        raise AssertionError("unreachable")
    return parts


@function("uriHost", 1, expects="one parameter: the URI")
def uri_host(value: Any) -> str:
    return _parse("uriHost", value).hostname or ""


@function("uriPath", 1, expects="one parameter: the URI")
def uri_path(value: Any) -> str:
    return _parse("uriPath", value).path or "/"


@function("uriPathAndQuery", 1, expects="one parameter: the URI")
def uri_path_and_query(value: Any) -> str:
    parts = _parse("uriPathAndQuery", value)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


@function("uriPort", 1, expects="one parameter: the URI")
def uri_port(value: Any) -> int:
    parts = _parse("uriPort", value)
    if parts.port is not None:
        return parts.port
    return _DEFAULT_PORTS.get(parts.scheme.lower(), -1)


@function("uriQuery", 1, expects="one parameter: the URI")
def uri_query(value: Any) -> str:
    parts = _parse("uriQuery", value)
    return f"?{parts.query}" if parts.query else ""


@function("uriScheme", 1, expects="one parameter: the URI")
def uri_scheme(value: Any) -> str:
    return _parse("uriScheme", value).scheme.lower()
