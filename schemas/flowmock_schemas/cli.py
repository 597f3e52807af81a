"""The `flowmock` command: one click group owned here, with commands contributed by the other packages.

The receiver and the sender never import each other, so each registers its commands (`serve`, `flows`, `runs`,
`send`, ...) under the `flowmock.commands` entry-point group and this group adds whatever is installed. Every
failure ends as one readable line on stderr and a non-zero exit: 1 for "it ran and the answer is no", 2 for usage
and input errors. A traceback is never a user interface. The helpers commands share are in `clikit`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import click

from .clikit import fail, read_json_or_fail
from .errors import SchemaRegistryError
from .registry import schema_names, validate
from .sample import schema_from_sample


class FlowmockGroup(click.Group):
    """Loads contributed commands and turns every error into one line."""

    def _load(self, name: str | None) -> None:
        """Import contributed commands lazily: `flowmock validate` should not pay for importing Flask."""
        for ep in entry_points(group="flowmock.commands"):
            if ep.name in self.commands or (name is not None and ep.name != name):
                continue
            try:
                command = ep.load()
            except Exception as exc:
                click.echo(f"flowmock: could not load command {ep.name!r}: {exc}", err=True)
                continue
            self.add_command(command, ep.name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load(None)
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands:
            self._load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def main(self, args: Sequence[str] | None = None, *a: Any, **kw: Any) -> Any:  # type: ignore[override]
        kw["standalone_mode"] = False
        try:
            result = super().main(args, *a, **kw)
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.exceptions.Abort:
            click.echo("flowmock: aborted", err=True)
            sys.exit(130)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.ctx.get_help() if exc.ctx is not None else "", err=True)
            sys.exit(2)
        except click.UsageError as exc:
            hint = f" (try '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
            click.echo(f"flowmock: {exc.format_message()}{hint}", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            sys.exit(130)
        except OSError as exc:
            click.echo(f"flowmock: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), err=True)
            sys.exit(2)
        except Exception as exc:
            click.echo(f"flowmock: internal error: {type(exc).__name__}: {exc}", err=True)
            sys.exit(1)
        if isinstance(result, int) and result:
            sys.exit(result)
        return result


@click.group(cls=FlowmockGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="flowmock")
def main() -> None:
    """flowmock: a local Power Automate HTTP trigger and the contract-test harness around it."""


@main.command("validate")
@click.argument("schema")
@click.argument("files", nargs=-1, required=True)
def validate_command(schema: str, files: tuple[str, ...]) -> None:
    """Check FILES against SCHEMA (a schema name or a schema file); exit 1 listing every error."""
    target: Any = schema
    if schema not in schema_names():
        if Path(schema).is_file():
            target = read_json_or_fail(schema)
            if not isinstance(target, dict):
                fail(f"{schema}: a JSON schema must be an object", 2)
        else:
            fail(f"unknown schema {schema!r}; known schemas: {', '.join(schema_names())}", 2)
    payloads = [(path, read_json_or_fail(path)) for path in files]
    failed = False
    for path, payload in payloads:
        try:
            errors = validate(target, payload)
        except SchemaRegistryError as exc:
            fail(str(exc), 2)
        for error in errors:
            failed = True
            click.echo(f"{path}: {error}")
    if failed:
        sys.exit(1)
    # Silence on success reads as "did it run?": say what was checked, in one line.
    what = files[0] if len(files) == 1 else f"all {len(files)} files"
    click.echo(f"ok: {what} {'conforms' if len(files) == 1 else 'conform'} to {schema}")


@main.group("schema")
def schema_group() -> None:
    """Show the shipped schemas or generate one from a sample payload."""


@schema_group.command("list")
def schema_list() -> None:
    """Print the schema names, one a line."""
    for name in schema_names():
        click.echo(name)


@schema_group.command("show")
@click.argument("name")
def schema_show(name: str) -> None:
    """Print a shipped schema (strict variants included) as JSON."""
    from .registry import load_schema

    try:
        schema = load_schema(name)
    except SchemaRegistryError as exc:
        fail(str(exc), 2)
    click.echo(json.dumps(schema, indent=2))


@schema_group.command("from-sample")
@click.argument("file")
def schema_from_sample_command(file: str) -> None:
    """Print the schema Power Automate's "Use sample payload to generate schema" makes from FILE."""
    click.echo(json.dumps(schema_from_sample(read_json_or_fail(file)), indent=4, ensure_ascii=False))
