"""Template evaluation: any JSON value in which strings may hold expressions, as action inputs do.

The rules are the Workflow Definition Language's:

- a string that starts with `@` (and not `@@` or `@{`) is one expression, and its value keeps its type:
  `"@triggerBody()?['count']"` is the number 3, not "3";
- `@{...}` inside a string is replaced by the expression's value as text, and the result is a string, even when
  the whole string is one `@{...}` (`"@{parameters('myAge')}"` is "42"); text form as `values.to_text`: null is
  empty, Booleans `True`/`False`, objects and arrays compact JSON;
- `@@` at the start of a string stands for one literal `@`, and `@@{` anywhere stands for a literal `@{`; any other
  `@` is literal (`"user@example.com"` is left alone);
- objects and arrays are walked, and object keys that hold expressions are evaluated too.

Each distinct string is compiled once (cached), so evaluating the same body again costs only the expressions.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from .errors import ExpressionError, ExpressionParseError
from .expression import Expression, parse
from .scope import Scope
from .values import to_text

_Compiled = Callable[[Scope], Any]


def _literal(value: str) -> _Compiled:
    return lambda scope: value


def _closing_brace(text: str, start: int) -> int:
    """Index of the `}` that closes an `@{` whose body starts at `start`, skipping quoted strings; -1 if none."""
    pos = start
    in_string = False
    while pos < len(text):
        char = text[pos]
        if in_string:
            if char == "'":
                if text[pos + 1 : pos + 2] == "'":
                    pos += 1
                else:
                    in_string = False
        elif char == "'":
            in_string = True
        elif char == "}":
            return pos
        pos += 1
    return -1


@lru_cache(maxsize=8192)
def compile_string(text: str) -> _Compiled:
    """A string of a template to a closure giving its value (raises `ExpressionParseError` for bad expressions)."""
    if "@" not in text:
        return _literal(text)
    if text.startswith("@") and not text.startswith(("@@", "@{")):
        expression = parse(text)
        return expression.run
    parts: list[str | Expression] = []
    buffer: list[str] = []
    pos = 0
    if text.startswith("@@"):
        buffer.append("@")
        pos = 2
    while True:
        at = text.find("@", pos)
        if at < 0:
            buffer.append(text[pos:])
            break
        buffer.append(text[pos:at])
        if text.startswith("@@{", at):
            buffer.append("@{")
            pos = at + 3
        elif text.startswith("@{", at):
            end = _closing_brace(text, at + 2)
            if end < 0:
                raise ExpressionParseError(
                    f"The template language expression '{text}' is not valid: the '@{{' at position '{at}' is not "
                    "closed by '}'.",
                    at,
                )
            if buffer:
                parts.append("".join(buffer))
                buffer = []
            parts.append(parse(text[at + 2 : end]))
            pos = end + 1
        else:
            buffer.append("@")
            pos = at + 1
    if buffer:
        parts.append("".join(buffer))
    if not any(isinstance(part, Expression) for part in parts):
        return _literal("".join(part for part in parts if isinstance(part, str)))
    if len(parts) == 1 and isinstance(parts[0], Expression):
        only = parts[0]
        return lambda scope: to_text(only.run(scope))
    frozen = tuple(parts)

    def interpolate(scope: Scope) -> str:
        return "".join(part if isinstance(part, str) else to_text(part.run(scope)) for part in frozen)

    return interpolate


def _walk(value: Any, scope: Scope, path: list[str | int]) -> Any:
    """Evaluate a value; `path` ends at the string being evaluated, so after a failure it names the culprit (the
    exception skips the `pop`s)."""
    if isinstance(value, str):
        return value if "@" not in value else compile_string(value)(scope)
    if type(value) is dict or isinstance(value, Mapping):
        result: dict[str, Any] = {}
        for key, item in value.items():
            path.append(key)
            name = key if "@" not in key else to_text(compile_string(key)(scope))
            result[name] = _walk(item, scope, path)
            path.pop()
        return result
    if isinstance(value, list):
        items = []
        for index, item in enumerate(value):
            path.append(index)
            items.append(_walk(item, scope, path))
            path.pop()
        return items
    return value


def evaluate_template(
    value: Any,
    context: Mapping[str, Any] | None = None,
    *,
    action: str | None = None,
    part: str = "inputs",
) -> Any:
    """Evaluate every expression in a JSON value (see the module docstring for the rules).

    With `action`, an error is worded as a failed action reports it ("Unable to process template language
    expressions in action 'X' inputs at line '1' and column 'N': '...'"), N being where the failing string ends in
    the value written as compact JSON on one line, as the service writes a definition.
    """
    path: list[str | int] = []
    try:
        return _walk(value, Scope(context), path)
    except ExpressionError as error:
        raise _located(error, value, path, action, part) from None


def _located(
    error: ExpressionError, value: Any, path: list[str | int], action: str | None, part: str
) -> ExpressionError:
    if action is None:
        return error
    return error.in_action(action, part, 1, _column(value, path))


def _column(value: Any, path: list[str | int]) -> int:
    """1-based column just past the closing quote of the string at `path`, in `value` as compact JSON."""
    marker = "\x00flowmock-expression-marker\x00"

    def replace(node: Any, rest: list[str | int]) -> Any:
        if not rest:
            return marker
        head, tail = rest[0], rest[1:]
        if isinstance(node, Mapping) and isinstance(head, str):
            return {k: (replace(v, tail) if k == head else v) for k, v in node.items()}
        if isinstance(node, list) and isinstance(head, int):
            return [replace(v, tail) if i == head else v for i, v in enumerate(node)]
        return node

    try:
        original = value
        for step in path:
            original = original[step]
        text = json.dumps(replace(value, path), separators=(",", ":"), ensure_ascii=False)
        found = text.find(json.dumps(marker))
        if found < 0:
            return 0
        return found + len(json.dumps(original, ensure_ascii=False)) + 1
    except (TypeError, KeyError, IndexError, ValueError):
        return 0
