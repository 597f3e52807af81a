"""`flowmock expr`: evaluate a workflow expression locally and print the result as JSON.

Writing an expression and saving a cloud flow to learn that it fails is slow; this runs the same language on a
context you give (a trigger body, or a whole context file with actions, variables, a fixed clock). A failure is the
service's InvalidTemplate message on one line and exit 1; bad files and usage are exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from flowmock_schemas.clikit import fail

from ..workflow.expressions import ExpressionError, evaluate, evaluate_template


def _read_json(path: str, what: str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        fail(f"{path}: cannot read the {what}: {exc.strerror or exc}", 2)
    except UnicodeDecodeError:
        fail(f"{path}: the {what} is not UTF-8 text", 2)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        fail(f"{path}: the {what} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})", 2)


def build_context(context_file: str | None, trigger_body_file: str | None) -> dict[str, Any]:
    """The evaluation context from --context (a JSON object) and --trigger-body (which wins for the body)."""
    context: dict[str, Any] = {}
    if context_file is not None:
        loaded = _read_json(context_file, "context")
        if not isinstance(loaded, dict):
            fail(f"{context_file}: the context must be a JSON object with keys such as 'trigger' and 'variables'", 2)
        context = loaded
    if trigger_body_file is not None:
        trigger = dict(context.get("trigger") or {})
        target = trigger.setdefault("outputs", {}) if "outputs" in trigger else trigger
        target["body"] = _read_json(trigger_body_file, "trigger body")
        context["trigger"] = trigger
    return context


@click.command("expr")
@click.argument("expression")
@click.option("--trigger-body", "trigger_body", metavar="FILE", help="JSON file: what triggerBody() returns.")
@click.option(
    "--context",
    "context_file",
    metavar="FILE",
    help="JSON file: the whole context (trigger, actions, variables, parameters, items, workflow, now, ...).",
)
@click.option(
    "--template",
    is_flag=True,
    help="EXPRESSION is a template: a JSON object or array whose strings hold expressions, or text with @{...}.",
)
def expr(expression: str, trigger_body: str | None, context_file: str | None, template: bool) -> None:
    """Evaluate a workflow EXPRESSION (with or without its leading @) and print the result as JSON.

    \b
    flowmock expr "@concat('a', 'b')"
    flowmock expr "triggerBody()?['id']" --trigger-body body.json
    flowmock expr --template "Run @{triggerBody()?['id']} at @{utcNow()}" --context context.json
    """
    context = build_context(context_file, trigger_body)
    try:
        if template:
            try:
                value: Any = json.loads(expression)
            except json.JSONDecodeError:
                value = expression
            if not isinstance(value, dict | list):
                value = expression
            result = evaluate_template(value, context)
        else:
            result = evaluate(expression, context)
    except ExpressionError as error:
        fail(f"{error.code}: {error.message}", 1)
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))
