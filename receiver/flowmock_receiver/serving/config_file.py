"""The TOML file `flowmock serve --config` reads: server settings and the flows to declare.

```toml
[server]
host = "127.0.0.1"
port = 7071
db = "flowmock.db"
region = "westus"

[[flows]]
id = "0123456789abcdef0123456789abcdef"   # optional: fixed ids (and keys) make callback URLs known in advance
primary_key = "a-secret-committed-next-to-the-tests"
name = "Monitor results"
schema = "monitor-results.strict"
schema_validation = true
```
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from ..core.errors import ConfigFileError, FlowDefinitionError
from ..core.flows import check_definition

SERVER_KEYS = {"host", "port", "db", "region", "public_url", "admin_remote"}
MAX_CONFIG_BYTES = 4 * 1024 * 1024  # flows with inline schemas fit many times over


def _read_toml(path: str | Path) -> dict[str, Any]:
    """The file's TOML, read from a regular file of at most MAX_CONFIG_BYTES.

    `--config /dev/zero` (or a FIFO, or a huge file) would otherwise be read until memory runs out, so only a
    regular file is opened, and no more than the limit (plus one byte, to tell) is ever read.
    """
    try:
        # Checked before opening (opening a FIFO would wait for a writer) and again on the file opened.
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise ConfigFileError(f"{path}: not a regular file")
        with open(path, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise ConfigFileError(f"{path}: not a regular file")
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigFileError(f"{path}: larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MB; is it a config file?")
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigFileError(f"{path}: invalid TOML: {exc}") from None


def load_config(path: str | Path) -> dict[str, Any]:
    """`{"server": {...}, "flows": [...]}` with every flow definition checked; ConfigFileError otherwise."""
    data = _read_toml(path)
    unknown = set(data) - {"server", "flows"}
    if unknown:
        raise ConfigFileError(f"{path}: unknown sections: {', '.join(sorted(unknown))} (known: server, flows)")
    server = data.get("server", {})
    if not isinstance(server, dict):
        raise ConfigFileError(f"{path}: [server] must be a table")
    bad = set(server) - SERVER_KEYS
    if bad:
        raise ConfigFileError(f"{path}: unknown [server] keys: {', '.join(sorted(bad))}")
    flows = data.get("flows", [])
    if not isinstance(flows, list):
        raise ConfigFileError(f"{path}: flows must be an array of tables ([[flows]])")
    checked = []
    seen: set[str] = set()
    for index, flow in enumerate(flows):
        try:
            definition = check_definition(flow)
        except FlowDefinitionError as exc:
            raise ConfigFileError(f"{path}: flows[{index}]: {exc}") from None
        key = definition.get("id") or definition["name"]
        if key in seen:
            raise ConfigFileError(f"{path}: flows[{index}]: a second flow with id or name {key!r}")
        seen.add(key)
        if "allowed_users" in definition:
            definition["allowed_users"] = list(definition["allowed_users"])
        checked.append(definition)
    return {"server": server, "flows": checked}
