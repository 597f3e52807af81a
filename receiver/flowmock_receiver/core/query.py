"""A trigger URL's query string, parsed once per URL: a sender calls the same callback URL over and over, so
parsing it once instead of once per call takes a measurable share off every call."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType
from typing import NamedTuple
from urllib.parse import parse_qsl

import werkzeug.urls  # noqa: F401  registers the "werkzeug.url_quote" codec error handler parse_query names

SAS_PARAMS = ("sp", "sv", "sig", "se")  # not part of a run's `queries` output


class Query(NamedTuple):
    """A parsed query string: the pairs as sent, and what the checks and the run's outputs read from it."""

    pairs: tuple[tuple[str, str], ...]
    first: Mapping[str, str]  # the first value of each name, as `request.args.get` gives it (read-only: shared)
    outputs: tuple[tuple[str, str], ...]  # `queries` in the run's outputs: first values, SAS parameters left out


@functools.lru_cache(maxsize=256)
def parse_query(query_string: str) -> Query:
    """The query string parsed as Werkzeug's `request.args` parses it. A sender calls the same callback URL over
    and over, so parsing it once per URL instead of once per call takes a measurable share off every call."""
    pairs = tuple(
        parse_qsl(query_string.encode("latin-1").decode(), keep_blank_values=True, errors="werkzeug.url_quote")
    )
    first: dict[str, str] = {}
    for key, value in pairs:
        first.setdefault(key, value)
    return Query(pairs, MappingProxyType(first), tuple((k, v) for k, v in first.items() if k not in SAS_PARAMS))
