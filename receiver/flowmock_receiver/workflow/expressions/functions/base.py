"""What every function family shares: the `Function` record, the registering decorator, argument checks and the
service's wording for argument errors.

The service words argument errors per function ("The template language function 'toLower' expects one parameter:
the string to convert to lower casing. The function was invoked with '2' parameters."); a function registers its own
`expects` text where the real one is known, and gets a generic sentence of the same shape otherwise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from ..errors import ExpressionEvaluationError
from ..values import INT64_MAX, INT64_MIN, content_bytes, is_content, is_number, type_name

_WORDS = ("zero", "one", "two", "three", "four", "five", "six")
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh")


@dataclass(frozen=True, slots=True)
class Function:
    """One expression function. `bound` functions take the evaluation `Scope` first (workflow and date functions);
    `lazy` ones take the scope and their arguments unevaluated, as closures of the scope, and evaluate only what
    they need (`if`). `max_args` None means any number; arity is checked by the evaluator before the call."""

    name: str
    impl: Callable[..., Any]
    min_args: int
    max_args: int | None
    bound: bool = False
    expects: str | None = None
    lazy: bool = False

    def arity_error(self, count: int) -> ExpressionEvaluationError:
        if self.expects is not None:
            wanted = self.expects
        elif self.max_args == 0:
            return fail(self.name, "must not have any parameters.", raise_it=False)
        elif self.max_args is None:
            return fail(self.name, f"must have at least {_count(self.min_args)} parameter(s).", raise_it=False)
        elif self.min_args == self.max_args:
            wanted = f"{_count(self.min_args)} parameter(s)"
        else:
            wanted = f"between {_count(self.min_args)} and {_count(self.max_args)} parameter(s)"
        return fail(
            self.name, f"expects {wanted}. The function was invoked with '{count}' parameter(s).", raise_it=False
        )


def _count(n: int) -> str:
    return _WORDS[n] if n < len(_WORDS) else str(n)


def usage(name: str) -> str:
    return f" Please see https://aka.ms/logicexpressions#{name.lower()} for usage details."


def fail(name: str, what: str, *, raise_it: bool = True) -> ExpressionEvaluationError:
    """`The template language function '<name>' <what>` plus the service's usage pointer."""
    error = ExpressionEvaluationError(f"The template language function '{name}' {what}{usage(name)}")
    if raise_it:
        raise error
    return error


def type_error(name: str, expected: str, value: Any, ordinal: int | None = None, label: str | None = None) -> NoReturn:
    """`... expects its [first ]parameter[ 'label'] to be <expected>. The provided value is of type 'Null'.`"""
    which = "parameter" if ordinal is None else f"{_ORDINALS[ordinal]} parameter"
    if label is not None:
        which += f" '{label}'"
    fail(name, f"expects its {which} to be {expected}. The provided value is of type '{type_name(value)}'.")
    raise AssertionError("unreachable")


def registrar(table: dict[str, Function]) -> Callable[..., Callable[[Callable[..., Any]], Callable[..., Any]]]:
    """A decorator that records functions of one family in `table`, keyed by lower-cased name."""

    def register(
        name: str,
        min_args: int = 0,
        max_args: int | None = -1,
        *,
        bound: bool = False,
        expects: str | None = None,
        lazy: bool = False,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorate(impl: Callable[..., Any]) -> Callable[..., Any]:
            upper = min_args if max_args == -1 else max_args
            table[name.lower()] = Function(name, impl, min_args, upper, bound, expects, lazy)
            return impl

        return decorate

    return register


# -- argument coercions shared by several families ------------------------------------------------------------


def text_arg(
    name: str, value: Any, ordinal: int | None = None, *, allow_null: bool = False, label: str | None = None
) -> str:
    """A string argument; binary content is read as UTF-8 text (the service's implicit conversion). With `label`
    the message names the parameter as the service does for some functions ("its first parameter 'string'")."""
    if isinstance(value, str):
        return value
    if value is None and allow_null:
        return ""
    if is_content(value):
        return content_bytes(value).decode("utf-8", errors="replace")
    expected = "a string" if ordinal is None or label is not None else "of type string"
    type_error(name, expected, value, ordinal, label)


def int_arg(name: str, value: Any, ordinal: int | None = None) -> int:
    """An integer argument; an integral float is accepted (the service converts), anything else is an error."""
    if isinstance(value, bool):
        type_error(name, "an integer", value, ordinal)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    type_error(name, "an integer", value, ordinal)


def number_arg(name: str, value: Any, ordinal: int | None = None) -> Any:
    if is_number(value):
        return value  # type: ignore[no-any-return]
    type_error(name, "an integer or a decimal number", value, ordinal)


def array_arg(name: str, value: Any, ordinal: int | None = None) -> list[Any]:
    if isinstance(value, list):
        return value
    type_error(name, "an array", value, ordinal)


def object_arg(name: str, value: Any, ordinal: int | None = None) -> Mapping[str, Any]:
    if isinstance(value, Mapping):
        return value
    type_error(name, "an object", value, ordinal)


def checked_int(name: str, value: int) -> int:
    """Integer results stay in .NET's Int64 range, as the service's arithmetic does."""
    if not INT64_MIN <= value <= INT64_MAX:
        fail(name, "produced an integer that is outside the range of a 64-bit integer.")
    return value
