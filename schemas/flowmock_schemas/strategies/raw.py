"""Hostile raw bodies: what a receiver must survive whatever its schema."""

from __future__ import annotations

import json
import string
from typing import Any

from hypothesis import strategies as st

from .subset import json_values

HOSTILE_CONTENT_TYPES = (
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=utf-16",
    "application/json; charset=bogus",
    "text/plain",
    "text/plain; charset=iso-8859-1",
    "text/plain; charset=nope",
    "application/xml",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=----x",
    "application/octet-stream",
    "application/vnd.api+json",
    "image/png",
    "",
    ";",
    "application/json; charset=utf-8; charset=latin1",
)


def raw_bodies() -> st.SearchStrategy[tuple[str | None, bytes]]:
    """(content type, body) pairs a receiver must survive: broken JSON, invalid UTF-8, deep nesting, huge numbers,
    lone surrogates, BOMs, NaN, and plain random bytes. Shrinks towards an empty body without a content type."""
    deep = st.integers(1, 3000).map(lambda n: b"[" * n + b"]" * n)
    unclosed = st.integers(1, 3000).map(lambda n: b'{"a":' * n)
    specials = st.sampled_from(
        [
            b"",
            b"{",
            b"}",
            b"null",
            b"NaN",
            b"-Infinity",
            b"1e999999",
            b'"\\ud800"',
            b"\xef\xbb\xbf{}",
            b"\xff\xfe{\x00}\x00",
            b'{"a": 1, "a": 2}',
            b"[1,]",
            b"{'a': 1}",
            b"\x00",
            b"9" * 5000,
            b'{"user_id": 5}',
        ]
    )
    text = st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass"))
    valid_json = json_values.map(lambda v: _dumps(v))
    bodies = st.one_of(specials, st.binary(max_size=2000), text, valid_json, deep, unclosed)
    content_types = (
        st.none()
        | st.sampled_from(HOSTILE_CONTENT_TYPES)
        | st.text(string.printable, max_size=30).filter(lambda s: "\n" not in s and "\r" not in s)
    )
    return st.tuples(content_types, bodies)


def _dumps(value: Any) -> bytes:
    return json.dumps(value).encode()
