"""Errors of the expression language, worded as the service words them.

Power Automate and Logic Apps report every expression failure as `InvalidTemplate` with a message that starts
"Unable to process template language expressions ..."; callers (the flow engine, `flowmock expr`) show
`message` as is, so the wording lives here and in the functions that raise these errors, never in callers.
"""

from __future__ import annotations


class ExpressionError(Exception):
    """An expression that cannot be parsed or evaluated. `code` is the service's error code."""

    code = "InvalidTemplate"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ExpressionParseError(ExpressionError):
    """The text is not an expression; `position` is the 0-based offset where parsing stopped."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


class ExpressionEvaluationError(ExpressionError):
    """The expression parsed but failed when evaluated (wrong argument count or type, null dereference, ...)."""
