"""The receiver's `flowmock` commands, one module per family: `serve` (serve, wait, stop), `execute` (exec: a
receiver around one command, with reports), `flows`, `runs`,
`expr` (try a workflow expression).

Each is registered under the `flowmock.commands` entry-point group in pyproject.toml; the root group and the
helpers every command shares live in `flowmock_schemas` (`cli`, `clikit`), which the sender's commands use too.
"""
