"""Expression text to syntax tree: a small hand-written recursive-descent parser.

Why hand-written rather than lark: the grammar is five rules (literal, call, `.name`, `[...]`, `?`), and what
matters is the error, not the grammar: the service names the offending character and its 0-based position
("... is not valid: the string character '=' at position '48' is not expected."), which is one line here and a
translation layer over a generated parser's exceptions. It also costs no dependency, and it parses a typical
expression in a few microseconds (parsing is cached anyway, see `expression.parse`).

Grammar (whitespace allowed between tokens):

    expression := primary accessor*
    primary    := string | number | 'true' | 'false' | 'null' | name '(' [expression (',' expression)*] ')'
    accessor   := '?'? ( '[' expression ']' | '.' property )
    string     := "'" ( any character but "'" | "''" )* "'"
    number     := '-'? digits ('.' digits)? (('e' | 'E') ('+' | '-')? digits)?

A function name must be a known function (the service refuses unknown names when the flow is saved, and so does
this parser, naming the position of the name).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .errors import ExpressionParseError
from .nodes import Access, Call, Literal, Node
from .values import INT64_MAX, INT64_MIN

_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_NAME_CHARS = _NAME_START | frozenset("0123456789")
# A `.property` may also hold `$` and `-`, as in `body('Get_file').$content` or `outputs('x').headers.x-ms-id`.
_PROPERTY_CHARS = _NAME_CHARS | frozenset("$-@#")
_DIGITS = frozenset("0123456789")
_SPACE = frozenset(" \t\r\n")
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][+-]?\d+)?")
_KEYWORDS: dict[str, bool | None] = {"true": True, "false": False, "null": None}


def _not_valid(text: str, reason: str, position: int) -> ExpressionParseError:
    return ExpressionParseError(f"The template language expression '{text}' is not valid: {reason}", position)


class _Parser:
    __slots__ = ("is_function", "pos", "text")

    def __init__(self, text: str, is_function: Callable[[str], bool]) -> None:
        self.text = text
        self.pos = 0
        self.is_function = is_function

    # -- errors -----------------------------------------------------------------------------------------------

    def unexpected(self, position: int | None = None) -> ExpressionParseError:
        at = self.pos if position is None else position
        if at >= len(self.text):
            return _not_valid(self.text, f"the expression ends unexpectedly at position '{at}'.", at)
        return _not_valid(self.text, f"the string character '{self.text[at]}' at position '{at}' is not expected.", at)

    # -- scanning ---------------------------------------------------------------------------------------------

    def skip_space(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in _SPACE:
            pos += 1
        self.pos = pos

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, char: str) -> None:
        self.skip_space()
        if self.peek() != char:
            raise self.unexpected()
        self.pos += 1

    # -- grammar ----------------------------------------------------------------------------------------------

    def parse(self) -> Node:
        self.skip_space()
        if self.pos >= len(self.text):
            raise _not_valid(self.text, "the expression is empty.", self.pos)
        node = self.expression()
        self.skip_space()
        if self.pos < len(self.text):
            raise self.unexpected()
        return node

    def expression(self) -> Node:
        node = self.primary()
        while True:
            self.skip_space()
            start = self.pos
            char = self.peek()
            null_safe = False
            if char == "?":
                null_safe = True
                self.pos += 1
                self.skip_space()
                char = self.peek()
                if char not in ("[", "."):
                    raise self.unexpected()
            if char == "[":
                self.pos += 1
                self.skip_space()
                key = self.expression()
                self.expect("]")
                node = Access(node, key, null_safe, start)
            elif char == ".":
                self.pos += 1
                self.skip_space()
                key_start = self.pos
                while self.pos < len(self.text) and self.text[self.pos] in _PROPERTY_CHARS:
                    self.pos += 1
                if self.pos == key_start:
                    raise self.unexpected()
                node = Access(node, Literal(self.text[key_start : self.pos], key_start), null_safe, start)
            else:
                return node

    def primary(self) -> Node:
        self.skip_space()
        char = self.peek()
        start = self.pos
        if char == "'":
            return self.string()
        if self._starts_number():
            return self.number()
        if char and char in _NAME_START:
            while self.pos < len(self.text) and self.text[self.pos] in _NAME_CHARS:
                self.pos += 1
            name = self.text[start : self.pos]
            self.skip_space()
            if self.peek() != "(":
                keyword = name.lower()
                if keyword in _KEYWORDS:
                    return Literal(_KEYWORDS[keyword], start)
                raise self.unexpected()
            if not self.is_function(name):
                raise _not_valid(self.text, f"the template function '{name}' is not defined or not valid.", start)
            self.pos += 1
            args: list[Node] = []
            self.skip_space()
            if self.peek() == ")":
                self.pos += 1
                return Call(name, (), start)
            while True:
                args.append(self.expression())
                self.skip_space()
                char = self.peek()
                if char == ",":
                    self.pos += 1
                    continue
                if char == ")":
                    self.pos += 1
                    return Call(name, tuple(args), start)
                raise self.unexpected()
        raise self.unexpected()

    def _starts_number(self) -> bool:
        """A digit, or '.' or '-' followed by one (the reference writes `sub(10.3, .3)`), or '-.' and a digit."""
        ahead = self.text[self.pos : self.pos + 3]
        if ahead[:1] == "-":
            ahead = ahead[1:]
        if ahead[:1] == ".":
            ahead = ahead[1:]
        return ahead[:1] != "" and ahead[:1] in _DIGITS

    def string(self) -> Literal:
        start = self.pos
        text = self.text
        pos = start + 1
        parts: list[str] = []
        while True:
            end = text.find("'", pos)
            if end < 0:
                raise _not_valid(text, f"the string literal starting at position '{start}' is not terminated.", start)
            parts.append(text[pos:end])
            if text[end + 1 : end + 2] == "'":
                parts.append("'")
                pos = end + 2
                continue
            self.pos = end + 1
            return Literal("".join(parts), start)

    def number(self) -> Literal:
        start = self.pos
        match = _NUMBER.match(self.text, start)
        assert match is not None  # _starts_number saw a digit
        literal = match.group()
        self.pos = match.end()
        if any(char in literal for char in ".eE"):
            value = float(literal)
            if value in (float("inf"), float("-inf")):
                raise _not_valid(self.text, f"the number '{literal}' at position '{start}' is out of range.", start)
            return Literal(value, start)
        integer = int(literal)
        if not INT64_MIN <= integer <= INT64_MAX:
            # The service reads such literals as doubles.
            return Literal(float(integer), start)
        return Literal(integer, start)


def parse_tree(text: str, is_function: Callable[[str], bool]) -> Node:
    """Parse expression text (without its leading `@`) or raise `ExpressionParseError` naming the position."""
    return _Parser(text, is_function).parse()
