"""An integrations file (TOML) shaped like Postman's "Add integration" form.

```toml
[[integrations]]
nickname = "nightly-monitor"            # Nickname
type = "monitor-results"                 # backup-collection | collection-activity | team-activity | monitor-results
workspace = "Team Workspace"             # Workspace
monitor = "Conduit hourly"               # Monitor (monitor-results), or `collection` for the others
monitor_uid = "12345678-1e6b6cc1-c760-48e0-968f-4bfaeeae9af1"   # sent as given; or monitor_id = "1e6b6cc1-..."
notification_url = "http://127.0.0.1:7071/workflows/..."   # Notification URL
notification_policy = "failures"         # Monitor runs notifications: "all" or "failures"
user_id = "12345678"
user_name = "jane.doe"
```
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowmock_schemas import PayloadError
from flowmock_schemas.clikit import read_toml_file

from .errors import InputError
from .payloads import SCHEMAS
from .policy import POLICIES

_FIELDS = {
    "nickname",
    "type",
    "workspace",
    "collection",
    "collection_uid",
    "monitor",
    "monitor_uid",
    "monitor_id",
    "environment",
    "environment_uid",
    "notification_url",
    "notification_policy",
    "user_id",
    "user_name",
    "schema",
}


@dataclass(frozen=True)
class Integration:
    nickname: str
    type: str
    notification_url: str
    workspace: str = ""
    collection: str | None = None
    collection_uid: str | None = None
    monitor: str | None = None
    monitor_uid: str | None = None  # sent as given: a uid is already `<ownerId>-<id>`
    monitor_id: str | None = None  # the bare id: sent as `<user_id>-<id>`
    environment: str | None = None
    environment_uid: str | None = None
    notification_policy: str = "all"
    user_id: str = ""
    user_name: str = ""
    schema: str | None = None  # the schema checked before sending; default: the type's strict variant
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def check_schema(self) -> str:
        return self.schema or f"{self.type}.strict"


def load_integrations(path: str | Path) -> dict[str, Integration]:
    try:
        data = read_toml_file(path)
    except PayloadError as exc:
        raise InputError(str(exc)) from None
    items = data.get("integrations")
    if not isinstance(items, list):
        raise InputError(f"{path}: expected [[integrations]] tables")
    found: dict[str, Integration] = {}
    for index, item in enumerate(items):
        where = f"{path}: integrations[{index}]"
        if not isinstance(item, dict):
            raise InputError(f"{where}: must be a table")
        unknown = set(item) - _FIELDS
        if unknown:
            raise InputError(f"{where}: unknown fields: {', '.join(sorted(unknown))}")
        for required in ("nickname", "type", "notification_url"):
            if not isinstance(item.get(required), str) or not item[required]:
                raise InputError(f"{where}: '{required}' is required")
        if item["type"] not in SCHEMAS:
            raise InputError(f"{where}: 'type' must be one of {', '.join(SCHEMAS)}")
        policy = item.get("notification_policy", "all")
        if policy not in POLICIES:
            raise InputError(f"{where}: 'notification_policy' must be 'all' or 'failures'")
        if "monitor_uid" in item and "monitor_id" in item:
            raise InputError(f"{where}: give 'monitor_uid' or 'monitor_id', not both")
        values: dict[str, Any] = {k: (str(v) if k == "user_id" else v) for k, v in item.items()}
        if values["nickname"] in found:
            raise InputError(f"{where}: a second integration named {values['nickname']!r}")
        found[values["nickname"]] = Integration(**values)
    return found
