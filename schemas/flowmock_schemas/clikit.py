"""What every `flowmock` command shares, whichever package contributes it: one-line failures, file readers and
an atomic writer, and the one `redact` for SAS signatures.

It lives here because the receiver and the sender both depend on `flowmock_schemas` and never on each other; a
helper written once per package would drift (the two `redact`s already disagreed about `#`).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, NoReturn

import click

from .errors import PayloadError

_SIG = re.compile(r"(?i)([?&]sig=)[^&\s#]*")


def redact(text: str) -> str:
    """Hide SAS signatures: a log line, an error message or a report must not be a working callback URL."""
    return _SIG.sub(r"\1REDACTED", text)


class CommandFailed(click.ClickException):
    """A one-line failure with its own exit code (1 unless said otherwise)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code  # type: ignore[misc]

    def show(self, file: Any = None) -> None:
        click.echo(f"flowmock: {self.format_message()}", err=True)


def fail(message: str, exit_code: int = 1) -> NoReturn:
    """End the command with one readable line: exit 1 for "it ran and the answer is no", 2 for bad input."""
    raise CommandFailed(message, exit_code)


def read_json_file(path: str) -> Any:
    """Parse a JSON file, or raise PayloadError with a message that names the file, line and column."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise PayloadError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        return json.loads(data)
    except json.JSONDecodeError as exc:
        raise PayloadError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except UnicodeDecodeError:
        raise PayloadError(f"{path}: invalid JSON: not UTF-8 text") from None
    except RecursionError:
        raise PayloadError(f"{path}: invalid JSON: nested too deeply") from None


def read_json_or_fail(path: str) -> Any:
    """`read_json_file` for a command: an unreadable file ends it with exit code 2."""
    try:
        return read_json_file(path)
    except PayloadError as exc:
        fail(str(exc), 2)


def read_toml_file(path: str | Path) -> dict[str, Any]:
    """Parse a TOML file, or raise PayloadError naming the file and what is wrong with it."""
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise PayloadError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PayloadError(f"{path}: invalid TOML: {exc}") from None


@contextlib.contextmanager
def atomic_output(path: str) -> Iterator[IO[str]]:
    """A text stream to a file that a reader polling for it never sees half-written (ready and pid files, reports,
    exports): written beside it under a temporary name, renamed into place once closed, removed on failure.

    The file gets the permissions any new file gets (0666 less the umask), as a shell redirection would give it: a
    report is for the CI job's other steps and for people to read, not private like a temporary file's 0600.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.parent / f".flowmock-{secrets.token_hex(8)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_atomically(path: str, text: str) -> None:
    """`text` as a whole file, through `atomic_output`."""
    with atomic_output(path) as handle:
        handle.write(text)
