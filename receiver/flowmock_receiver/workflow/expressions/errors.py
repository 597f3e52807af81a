"""Errors of the expression language, worded as the service words them.

Power Automate and Logic Apps report every expression failure as `InvalidTemplate` with a message that starts
"Unable to process template language expressions ..."; callers (the flow engine, `flowmock expr`) show
`message` as is, so the wording lives here and in the functions that raise these errors, never in callers.

`detail` is the inner sentence ("The template language function 'length' expects ..."); `message` is the same
sentence until `in_action()` wraps it the way a failed action reports it.
"""

from __future__ import annotations


class ExpressionError(Exception):
    """An expression that cannot be parsed or evaluated. `code` is the service's error code."""

    code = "InvalidTemplate"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.detail = message

    def in_action(self, action: str, part: str = "inputs", line: int = 1, column: int = 0) -> ExpressionError:
        """The same error as a failed action reports it:
        "Unable to process template language expressions in action 'X' inputs at line '1' and column 'N': '...'."
        """
        # Not copy.copy: it rebuilds the error from `args`, which a subclass with more arguments (a parse error's
        # position) cannot be built from. The wrapped error keeps the class and every attribute of this one.
        wrapped = type(self).__new__(type(self))
        wrapped.__dict__.update(self.__dict__)
        wrapped.message = (
            f"Unable to process template language expressions in action '{action}' {part} at line '{line}' and "
            f"column '{column}': '{self.detail}'."
        )
        wrapped.args = (wrapped.message,)
        return wrapped


class ExpressionParseError(ExpressionError):
    """The text is not an expression; `position` is the 0-based offset where parsing stopped."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


class ExpressionEvaluationError(ExpressionError):
    """The expression parsed but failed when evaluated (wrong argument count or type, null dereference, ...)."""
