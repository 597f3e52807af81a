"""Collection functions: chunk, contains, empty, first, last, intersection, union, join, length, reverse, skip,
take, sort.

Strings count as collections of characters where the reference says so (`first('hello')` is 'h', `take('abcde', 3)`
is 'abc'); objects where it says so (`contains` looks for a key, `union` and `intersection` merge properties).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..values import is_number, to_text, type_name, values_equal
from .base import Function, array_arg, fail, int_arg, registrar, type_error

FUNCTIONS: dict[str, Function] = {}
function = registrar(FUNCTIONS)


@function("contains", 2, expects="two parameters: the collection and the value to find")
def contains(collection: Any, value: Any) -> bool:
    if isinstance(collection, str):
        if not isinstance(value, str):
            value = to_text(value)
        return value in collection
    if isinstance(collection, list):
        return any(values_equal(item, value) for item in collection)
    if isinstance(collection, Mapping):
        return isinstance(value, str) and value in collection
    type_error("contains", "a dictionary, an array or a string", collection, 0)


@function("empty", 1, expects="one parameter: the collection or string to check")
def empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str | list | Mapping):
        return len(value) == 0
    type_error("empty", "an object, an array or a string", value)


@function("first", 1, expects="one parameter: the collection to take the first item from")
def first(collection: Any) -> Any:
    if isinstance(collection, str | list):
        return collection[0] if collection else None
    if collection is None:
        return None
    type_error("first", "an array or a string", collection)


@function("last", 1, expects="one parameter: the collection to take the last item from")
def last(collection: Any) -> Any:
    if isinstance(collection, str | list):
        return collection[-1] if collection else None
    if collection is None:
        return None
    type_error("last", "an array or a string", collection)


@function("length", 1, expects="exactly one parameter: an array or a string the length of which is returned")
def length(value: Any) -> int:
    if isinstance(value, str | list):
        return len(value)
    type_error("length", "an array or a string", value)


def _unique(items: list[Any]) -> list[Any]:
    kept: list[Any] = []
    for item in items:
        if not any(values_equal(item, seen) for seen in kept):
            kept.append(item)
    return kept


def _same_kind(name: str, collections: tuple[Any, ...]) -> str:
    if all(isinstance(c, list) for c in collections):
        return "array"
    if all(isinstance(c, Mapping) for c in collections):
        return "object"
    fail(
        name,
        "expects parameters of the same type: all arrays or all objects. The provided values are of type "
        + ", ".join(f"'{type_name(c)}'" for c in collections)
        + ".",
    )
    raise AssertionError("unreachable")


@function("union", 2, None)
def union(*collections: Any) -> Any:
    if _same_kind("union", collections) == "array":
        return _unique([item for collection in collections for item in collection])
    merged: dict[str, Any] = {}
    for collection in collections:
        merged.update(collection)
    return merged


@function("intersection", 2, None)
def intersection(*collections: Any) -> Any:
    if _same_kind("intersection", collections) == "array":
        head, *rest = collections
        return [
            item for item in _unique(list(head)) if all(any(values_equal(item, x) for x in other) for other in rest)
        ]
    head, *rest = collections
    common: dict[str, Any] = {}
    for key, value in head.items():
        if all(key in other and values_equal(other[key], value) for other in rest):
            common[key] = value
    return common


@function("join", 2, expects="two parameters: the array to join and the delimiter")
def join(collection: Any, delimiter: Any) -> str:
    items = array_arg("join", collection, 0)
    if not isinstance(delimiter, str):
        type_error("join", "a string", delimiter, 1)
    return delimiter.join(to_text(item) for item in items)


@function("reverse", 1, expects="one parameter: the array to reverse")
def reverse(collection: Any) -> list[Any]:
    return list(reversed(array_arg("reverse", collection)))


@function("skip", 2, expects="two parameters: the collection and the number of items to remove from the front")
def skip(collection: Any, count: Any) -> Any:
    if isinstance(collection, str):
        return collection[max(int_arg("skip", count, 1), 0) :]
    items = array_arg("skip", collection, 0)
    return items[max(int_arg("skip", count, 1), 0) :]


@function("take", 2, expects="two parameters: the collection and the number of items to take from the front")
def take(collection: Any, count: Any) -> Any:
    if not isinstance(collection, str | list):
        type_error("take", "an array or a string", collection, 0)
    return collection[: max(int_arg("take", count, 1), 0)]


@function("chunk", 2, expects="two parameters: the string or array to split and the length of each chunk")
def chunk(collection: Any, size: Any) -> list[Any]:
    if not isinstance(collection, str | list):
        type_error("chunk", "an array or a string", collection, 0)
    step = int_arg("chunk", size, 1)
    if step <= 0:
        fail("chunk", "expects its second parameter, the length of each chunk, to be greater than zero.")
    return [collection[i : i + step] for i in range(0, len(collection), step)]


def _sort_key(name: str, value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (1, value)
    if is_number(value):
        return (2, value)
    if isinstance(value, str):
        return (3, value)
    fail(name, f"cannot sort values of type '{type_name(value)}': only strings, numbers and Booleans can be sorted.")
    raise AssertionError("unreachable")


@function("sort", 1, 2, expects="one or two parameters: the array to sort and, optionally, the key to sort objects by")
def sort(collection: Any, sort_by: Any = None) -> list[Any]:
    items = array_arg("sort", collection, 0)
    if sort_by is None:
        keys = [_sort_key("sort", item) for item in items]
    else:
        if not isinstance(sort_by, str):
            type_error("sort", "of type string", sort_by, 1)
        keys = []
        for item in items:
            if not isinstance(item, Mapping):
                type_error("sort", "an array of objects when a key is given", item, 0)
            keys.append(_sort_key("sort", item.get(sort_by)))
    kinds = {kind for kind, _ in keys if kind}
    if len(kinds) > 1:
        fail("sort", "expects the values to sort to be of one type: all strings, all numbers or all Booleans.")
    order = sorted(range(len(items)), key=lambda i: keys[i])  # stable, as .NET's OrderBy
    return [items[i] for i in order]
