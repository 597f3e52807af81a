"""What the commands that talk to a running server share: the --url and --json options and one error path."""

from __future__ import annotations

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
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


def client(url: str) -> AdminClient:
    return AdminClient(url)


def call(fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Call the admin API; a refusal or an unreachable server ends the command with one line (exit 1)."""
    try:
        return fn(*args, **kwargs)
    except AdminApiError as exc:
        fail(str(exc), 1)
