"""The syntax tree of an expression, and its printer.

Three node kinds cover the whole language: a literal, a function call and a property or index access (`.name`,
`['name']` and `[n]` are all one `Access`, since the service treats them alike; `.name` prints as `['name']`).
`print_node` writes text that parses back into an equal tree, which the property-based tests check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .values import format_float


@dataclass(frozen=True, slots=True)
class Literal:
    """A string, integer, float, `true`, `false` or `null`; `position` is where it starts in the text."""

    value: str | int | float | bool | None
    position: int = 0

    def __eq__(self, other: object) -> bool:
        # 1 and 1.0 and True are different literals; positions do not take part in equality.
        return isinstance(other, Literal) and type(self.value) is type(other.value) and self.value == other.value

    def __hash__(self) -> int:
        return hash((type(self.value), self.value))


@dataclass(frozen=True, slots=True)
class Call:
    """`name(args...)`; `name` keeps the spelling of the text (function names are case-insensitive)."""

    name: str
    args: tuple[Node, ...]
    position: int = 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Call) and self.name == other.name and self.args == other.args

    def __hash__(self) -> int:
        return hash((self.name, self.args))


@dataclass(frozen=True, slots=True)
class Access:
    """`target[key]`, `target.key`, or with `?` before them (`null_safe`): a missing property or a null target
    gives null instead of an error."""

    target: Node
    key: Node
    null_safe: bool = False
    position: int = 0

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Access)
            and self.null_safe == other.null_safe
            and self.target == other.target
            and self.key == other.key
        )

    def __hash__(self) -> int:
        return hash((self.target, self.key, self.null_safe))


Node = Literal | Call | Access


def print_literal(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = format_float(value)
        # Keep a float a float when printed: "1" would parse back as an integer.
        if "." not in text and "E" not in text:
            text += ".0"
        return text
    return "'" + str(value).replace("'", "''") + "'"


def print_node(node: Node) -> str:
    """Expression text (without the leading `@`) for a tree."""
    if isinstance(node, Literal):
        return print_literal(node.value)
    if isinstance(node, Call):
        return f"{node.name}({', '.join(print_node(arg) for arg in node.args)})"
    return f"{print_node(node.target)}{'?' if node.null_safe else ''}[{print_node(node.key)}]"
