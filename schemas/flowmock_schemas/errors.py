"""The exceptions of flowmock_schemas: one base class, leaves that carry what a caller needs to act."""

from __future__ import annotations

from collections.abc import Sequence


class SchemaRegistryError(Exception):
    """Base class of every error this package raises."""


class UnknownSchemaError(SchemaRegistryError, KeyError):
    """A schema name that is not shipped; the message lists the names that are."""

    def __init__(self, name: str, known: Sequence[str]) -> None:
        self.name = name
        self.known = tuple(known)
        super().__init__(name)

    def __str__(self) -> str:
        return f"unknown schema {self.name!r}; known schemas: {', '.join(self.known)}"


class InvalidSchemaError(SchemaRegistryError, ValueError):
    """An inline schema that is not a valid draft-04 JSON schema."""


class PayloadError(SchemaRegistryError, ValueError):
    """A file that cannot be read or is not JSON (with the line and column, as a person would want)."""
