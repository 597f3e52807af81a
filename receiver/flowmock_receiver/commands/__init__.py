"""The receiver's `flowmock` commands, one module per family, each registered under the `flowmock.commands`
entry-point group in pyproject.toml (`expr` lives here; the older commands are still in `flowmock_receiver.cli`).
"""
