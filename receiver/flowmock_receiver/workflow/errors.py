"""The workflow package's exceptions: one base, leaves that carry their context.

The expression language keeps its own `ExpressionError` family (`workflow/expressions/errors.py`), because those
errors become an action's `InvalidTemplate` failure inside a run rather than an exception for the caller. Everything
here is raised to the caller: a file that is not a flow, a mock mapping of the wrong shape, an engine asked to run
something it cannot.
"""

from __future__ import annotations


class WorkflowError(Exception):
    """Base of every error the workflow package raises to its caller. `str(error)` is one line for a human."""


class DefinitionError(WorkflowError):
    """A file or value that cannot be imported as a flow. `source` names the file (and the member of a zip)."""

    def __init__(self, message: str, *, source: str | None = None) -> None:
        self.source = source
        self.reason = message
        super().__init__(f"{source}: {message}" if source else message)


class UnknownShapeError(DefinitionError):
    """Valid JSON or a valid zip, but none of the shapes the importer knows (the message lists them)."""


class MockError(WorkflowError):
    """A mock mapping of the wrong shape. `path` locates the offending value, for example `$.Get_user.statusCode`."""

    def __init__(self, message: str, *, path: str = "$") -> None:
        self.path = path
        self.reason = message
        super().__init__(f"{path}: {message}")


class EngineError(WorkflowError):
    """A definition the engine refuses before running it (no actions mapping, a runAfter cycle, ...)."""
