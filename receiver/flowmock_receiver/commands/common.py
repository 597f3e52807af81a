"""What the commands that talk to a running server share: the --url and --json options and one error path."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import click

from flowmock_schemas.clikit import fail

from ..client import AdminApiError, AdminClient

DEFAULT_PORT = 7071  # the port Azure Functions and Logic Apps Standard use locally
DEFAULT_URL = f"http://127.0.0.1:{DEFAULT_PORT}"

url_option = click.option(
    "--url",
    envvar="FLOWMOCK_URL",
    default=DEFAULT_URL,
    show_default=True,
    help="Base URL of the running flowmock server (env FLOWMOCK_URL).",
)


def flows_options(command: Any) -> Any:
    """`--config` and `--flow`: where `serve` and `exec` get their flows from (the same words for both)."""
    command = click.option(
        "--flow",
        "flow_files",
        multiple=True,
        help="An exported flow to serve (export package, solution, definition, ARM template, workflow.json); "
        "repeatable.",
    )(command)
    return click.option(
        "--config", "config_path", default=None, help="TOML file declaring [server] settings and [[flows]]."
    )(command)


json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


def client(url: str) -> AdminClient:
    return AdminClient(url)


def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call the admin API; a refusal or an unreachable server ends the command with one line: exit 2 when the
    server found no such flow, call or run (an id the user typed: an input error), 1 otherwise."""
    try:
        return fn(*args, **kwargs)
    except AdminApiError as exc:
        fail(str(exc), 2 if (exc.code or "").endswith("NotFound") else 1)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """Lines of a table with a header row, each column as wide as its widest cell, so long values (error codes,
    flow names) never push the later columns out of line."""
    cells = [list(headers), *([str(cell) for cell in row] for row in rows)]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in cells]
