"""`Expression`, the cached `parse`, and `evaluate` for one expression.

Python exceptions never leave an evaluation: anything a function raises that is not already an `ExpressionError`
(a bug, or a limit such as recursion depth) is turned into an `ExpressionEvaluationError` naming the expression,
so a flow fails as the service would fail it instead of crashing the receiver.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from .errors import ExpressionError, ExpressionEvaluationError, ExpressionParseError
from .evaluator import Evaluator, compile_tree
from .functions import is_function
from .nodes import Node, print_node
from .parser import parse_tree
from .scope import Scope
from .values import plain


class Expression:
    """A parsed expression: `text` (without the `@`), `tree`, and `evaluate(context)`."""

    __slots__ = ("_run", "text", "tree")

    def __init__(self, text: str, tree: Node) -> None:
        self.text = text
        self.tree = tree
        self._run: Evaluator = compile_tree(tree, text)

    def __repr__(self) -> str:
        return f"Expression({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Expression) and self.tree == other.tree

    def __hash__(self) -> int:
        return hash(self.tree)

    def __str__(self) -> str:
        """Canonical text: parses back into the same tree."""
        return print_node(self.tree)

    def evaluate(self, context: Mapping[str, Any] | None = None) -> Any:
        return self.run(Scope(context))

    def run(self, scope: Scope) -> Any:
        """Evaluate in an existing scope (templates share one scope, so one clock, across their expressions)."""
        try:
            result = self._run(scope)
            return plain(result) if scope.decimals else result
        except ExpressionError:
            raise
        except RecursionError:
            raise ExpressionEvaluationError(
                f"The template language expression '{self.text}' cannot be evaluated because it nests too deeply."
            ) from None
        except Exception as exc:  # never let a Python exception out of an evaluation
            raise ExpressionEvaluationError(
                f"The template language expression '{self.text}' cannot be evaluated: {type(exc).__name__}: {exc}"
            ) from exc


def _strip_at(text: str) -> str:
    return text[1:] if text.startswith("@") and not text.startswith("@@") else text


@lru_cache(maxsize=4096)
def parse(text: str) -> Expression:
    """Parse one expression, with or without its leading `@`; cached, so parsing the same text twice is free.

    Raises `ExpressionParseError` (with `position`, 0-based in the text without `@`) when it is not an expression.
    """
    body = _strip_at(text)
    try:
        return Expression(body, parse_tree(body, is_function))
    except RecursionError:  # from the parser or the compiler, on absurdly deep nesting
        raise ExpressionParseError(
            f"The template language expression '{body}' is not valid: it nests too deeply.", 0
        ) from None


def evaluate(expression: str | Expression, context: Mapping[str, Any] | None = None) -> Any:
    """Evaluate one expression (text with or without `@`, or a parsed `Expression`) in a context dict."""
    parsed = expression if isinstance(expression, Expression) else parse(expression)
    return parsed.evaluate(context)
