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

from pathlib import Path
from typing import Any

from flowmock_schemas import PayloadError
from flowmock_schemas.clikit import read_toml_file

from ..core.errors import ConfigFileError, FlowDefinitionError
from ..core.flows import check_definition

SERVER_KEYS = {"host", "port", "db", "region", "public_url", "admin_remote"}


def load_config(path: str | Path) -> dict[str, Any]:
    """`{"server": {...}, "flows": [...]}` with every flow definition checked; ConfigFileError otherwise."""
    try:
        data = read_toml_file(path)
    except PayloadError as exc:
        raise ConfigFileError(str(exc)) from None
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
