"""Syntax tree to a Python closure, and the rules of property and index selection.

Each tree is compiled once into nested closures (a literal becomes a constant, a call a direct call of the
function's implementation) so that evaluating a cached expression costs a few Python calls per node instead of a
walk that dispatches on node types every time: that is what keeps a Response body of ten expressions under the
50 µs the bench checks.

Selection follows the service: `x['a']` on an object without `a`, or on null, is an error unless written `x?['a']`;
an index outside an array is an error unless `?` is used; selecting from a string, number or Boolean is always an
error. Property names match exactly first and then case-insensitively (headers and most service objects are
case-insensitive dictionaries); a name holding '/' that matches neither is a path, as Power Automate's designer
writes them (`triggerOutputs()?['body/Title']`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .errors import ExpressionEvaluationError
from .functions import Function, lookup
from .nodes import Call, Literal, Node
from .scope import Scope
from .values import is_number, to_text, type_name

Evaluator = Callable[[Scope], Any]

_USAGE = " Please see https://aka.ms/logicexpressions for usage details."


def _cannot(text: str, reason: str) -> ExpressionEvaluationError:
    return ExpressionEvaluationError(
        f"The template language expression '{text}' cannot be evaluated because {reason}{_USAGE}"
    )


def select(value: Any, key: Any, null_safe: bool, text: str) -> Any:
    """`value[key]` with the service's rules; `text` is the whole expression, which the messages quote."""
    if type(value) is dict or isinstance(value, Mapping):  # the exact-type test first: it is the usual case
        if isinstance(key, str):
            if key in value:
                return value[key]
            folded = key.casefold()
            for name, item in value.items():
                if isinstance(name, str) and name.casefold() == folded:
                    return item
            if "/" in key.strip("/"):
                # Power Automate's path keys: `outputs('Get_items')?['body/value']` is outputs.body.value.
                current = value
                for segment in key.strip("/").split("/"):
                    current = select(current, segment, null_safe, text)
                return current
            if null_safe:
                return None
            available = ", ".join(str(name) for name in value)
            raise _cannot(text, f"property '{key}' doesn't exist, available properties are '{available}'.")
        if null_safe and key is None:
            return None
        raise _cannot(
            text, f"property '{to_text(key)}' cannot be selected. Object properties can only be selected by names."
        )
    if isinstance(value, list):
        if is_number(key) and (isinstance(key, int) or float(key).is_integer()):
            index = int(key)
            if 0 <= index < len(value):
                return value[index]
            if null_safe:
                return None
            raise _cannot(text, f"array index '{index}' is outside bounds (0, {len(value) - 1}) of array.")
        if null_safe and key is None:
            return None
        raise _cannot(
            text,
            f"property '{to_text(key)}' cannot be selected. Array elements can only be selected using an integer "
            "index.",
        )
    if value is None and null_safe:
        return None
    raise _cannot(
        text,
        f"property '{to_text(key)}' cannot be selected. Property selection is not supported on values of type "
        f"'{type_name(value)}'.",
    )


def compile_tree(node: Node, text: str) -> Evaluator:
    """A closure that evaluates `node` in a scope. `text` is the expression's source, for error messages."""
    if isinstance(node, Literal):
        value = node.value
        return lambda scope: value
    if isinstance(node, Call):
        function = lookup(node.name)
        if function is None:  # the parser refuses unknown names; a hand-built tree may still hold one
            raise ExpressionEvaluationError(
                f"The template language function '{node.name}' is not defined or not valid."
            )
        return _compile_call(function, [compile_tree(arg, text) for arg in node.args])
    target = compile_tree(node.target, text)
    if isinstance(node.key, Literal):
        key_value = node.key.value
        null_safe = node.null_safe
        return lambda scope: select(target(scope), key_value, null_safe, text)
    key = compile_tree(node.key, text)
    null_safe = node.null_safe
    return lambda scope: select(target(scope), key(scope), null_safe, text)


def _compile_call(function: Function, args: list[Evaluator]) -> Evaluator:
    count = len(args)
    impl = function.impl
    if count < function.min_args or (function.max_args is not None and count > function.max_args):
        # A run-time error, as in the service ("The function was invoked with '1' parameter(s)"), so that a flow
        # with such a call still imports and fails in the action that runs it; a fresh error for each raise.
        def wrong_arity(scope: Scope) -> Any:
            raise function.arity_error(count)

        return wrong_arity
    if function.lazy:
        return lambda scope: impl(scope, *args)
    if function.bound:
        if count == 0:
            return lambda scope: impl(scope)
        if count == 1:
            (first,) = args
            return lambda scope: impl(scope, first(scope))
        return lambda scope: impl(scope, *[arg(scope) for arg in args])
    if count == 0:
        return lambda scope: impl()
    if count == 1:
        (only,) = args
        return lambda scope: impl(only(scope))
    if count == 2:
        left, right = args
        return lambda scope: impl(left(scope), right(scope))
    return lambda scope: impl(*[arg(scope) for arg in args])
