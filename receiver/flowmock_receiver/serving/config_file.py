"""The TOML file `flowmock serve --config` reads: server settings and the flows to declare.

```toml
[server]
host = "127.0.0.1"
port = 7071
db = "flowmock.db"
region = "westus"
retention_days = 28     # history older than this is removed in the background (0 keeps everything)
max_calls = 1000000     # optional: keep at most this many calls

[[flows]]
id = "0123456789abcdef0123456789abcdef"   # optional: fixed ids (and keys) make callback URLs known in advance
primary_key = "a-secret-committed-next-to-the-tests"
name = "Monitor results"
schema = "monitor-results.strict"
schema_validation = true

[[flows]]
definition = "flows/order-intake.zip"    # an exported flow (any shape `flowmock flows import` takes), beside this file
mocks = "flows/order-intake.mocks.json"  # or an inline table: mocks = { Create_order = { statusCode = 201 } }
```
"""

from __future__ import annotations

import json
import os
import stat
import tomllib
from pathlib import Path
from typing import Any

from ..core.errors import ConfigFileError, FlowDefinitionError, InvalidMocks
from ..core.flows import check_definition
from ..flow_import import checked_mocks, read_file, to_save

SERVER_KEYS = {
    "host",
    "port",
    "db",
    "region",
    "public_url",
    "admin_remote",
    "admin_token",
    "retention_days",
    "max_calls",
}
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
    for key in ("retention_days", "max_calls"):
        value = server.get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1e9
        ):
            raise ConfigFileError(f"{path}: [server] {key} must be a number from 0, got {value!r}")
    flows = data.get("flows", [])
    if not isinstance(flows, list):
        raise ConfigFileError(f"{path}: flows must be an array of tables ([[flows]])")
    checked = []
    seen: set[str] = set()
    for index, flow in enumerate(flows):
        if isinstance(flow, dict) and "definition" in flow:
            try:
                entry = imported_entry(flow, Path(path).resolve().parent)
            except (ConfigFileError, FlowDefinitionError, InvalidMocks) as exc:
                raise ConfigFileError(f"{path}: flows[{index}]: {exc}") from None
            checked.append(entry)
            continue
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


def imported_entry(table: dict[str, Any], base: Path) -> dict[str, Any]:
    """A declared flow imported from a file: `definition = "path"` (relative to `base`, the config file's folder),
    `mocks` as a path to a JSON (or TOML) file or an inline table, and any flow field to set on top (`id`, keys,
    `name`, `state`...; `id` and `name` only for a file of one flow). Checked now, so a bad file stops `serve`
    with its reason instead of failing each call."""
    definition = table["definition"]
    if not isinstance(definition, str) or not definition:
        raise ConfigFileError("'definition' must be the path of an exported flow file")
    file = base / definition
    mocks: Any = table.get("mocks")
    if isinstance(mocks, str):
        mocks = _read_mocks(base / mocks)
    elif mocks is not None and not isinstance(mocks, dict):
        raise ConfigFileError("'mocks' must be a path or a table keyed by action name")
    overrides = {k: v for k, v in table.items() if k not in ("definition", "mocks")}
    flows = read_file(file)
    if len(flows) > 1 and {"id", "name"} & set(overrides):
        raise ConfigFileError(f"{definition} holds {len(flows)} flows: 'id' and 'name' fit a file of one flow")
    for flow in flows:
        to_save(flow, mocks)
    check_definition(overrides, partial=True)
    return {"definition": str(file), "mocks": checked_mocks(mocks), **overrides}


def _read_mocks(path: Path) -> Any:
    if path.suffix.lower() == ".toml":
        return _read_toml(path)
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise ConfigFileError(f"{path}: larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MB")
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigFileError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ConfigFileError(f"{path}: invalid JSON: {exc}") from None
