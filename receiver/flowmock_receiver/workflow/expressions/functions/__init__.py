"""The one function registry: canonical name -> `Function` (implementation and arity), looked up case-insensitively.

Each family lives in its own module with its own table (`strings`, `numbers`, `collection`, `logical`,
`conversion`, `arithmetic`, `uri`, `manipulation` with `xmljson`, `workflow`); the date and time functions come
from `..datetimes`, whose callables take the evaluation clock first and check their own arguments, so they are
registered as bound functions of any arity.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .. import datetimes
from ..scope import Scope
from . import arithmetic, collection, conversion, logical, manipulation, numbers, strings, uri, workflow
from .base import Function

__all__ = ["REGISTRY", "Function", "is_function", "lookup"]


def _clocked(impl: Callable[..., Any]) -> Callable[..., Any]:
    def call(scope: Scope, *args: Any) -> Any:
        return impl(scope.now, *args)

    return call


def _date_functions(table: Mapping[str, Callable[..., Any]]) -> dict[str, Function]:
    return {name.lower(): Function(name, _clocked(impl), 0, None, bound=True) for name, impl in table.items()}


REGISTRY: dict[str, Function] = {}
_FAMILIES = (
    strings.FUNCTIONS,
    numbers.FUNCTIONS,
    collection.FUNCTIONS,
    logical.FUNCTIONS,
    conversion.FUNCTIONS,
    arithmetic.FUNCTIONS,
    uri.FUNCTIONS,
    manipulation.FUNCTIONS,
    workflow.FUNCTIONS,
)
for _family in _FAMILIES:
    REGISTRY.update(_family)
REGISTRY.update(_date_functions(datetimes.FUNCTIONS))


def lookup(name: str) -> Function | None:
    """The function called `name` in any letter case, or None."""
    return REGISTRY.get(name.lower())


def is_function(name: str) -> bool:
    return name.lower() in REGISTRY
