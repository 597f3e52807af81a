"""The four payloads of Postman's Power Automate integration, built from real inputs.

Field order follows the documented schemas (and, for activity, the one real body on record, quoted in
postmanlabs/postman-app-support issue #11006). UIDs are `<ownerId>-<id>`, as Postman writes them. The activity
message is phrased as that body's: "<user> <action, past tense> a <model> <model name> in the <collection>
collection", e.g. "mira updated a request List orders in the Shop collection".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flowmock_schemas import validate

from .errors import InputError, InvalidPayload
from .newman import RunSummary

SCHEMAS = ("backup-collection", "collection-activity", "team-activity", "monitor-results")
_UID = re.compile(r"^\d+-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_PAST = {
    "create": "created",
    "update": "updated",
    "delete": "deleted",
    "fork": "forked",
    "merge": "merged",
    "add": "added",
    "remove": "removed",
    "rename": "renamed",
    "move": "moved",
    "restore": "restored",
}


def make_uid(owner_id: str | int | None, entity_id: str | None) -> str:
    """`12345678-12ece9e1-...`: the owner id and the entity id, unless the id is a uid already."""
    if not entity_id:
        return ""
    if _UID.match(entity_id) or owner_id in (None, ""):
        return entity_id
    return f"{owner_id}-{entity_id}"


def check(schema: str, payload: Any) -> Any:
    """Raise InvalidPayload (nothing is sent) unless `payload` conforms to `schema`."""
    errors = validate(schema, payload)
    if errors:
        raise InvalidPayload(schema, errors)
    return payload


def backup_collection(collection: Mapping[str, Any]) -> dict[str, Any]:
    """`{"collection": ...}` from a Postman Collection v2.1 export (or a Postman API `{"collection": ...}` body).

    The collection must conform to the v2.1.0 schema; the error names the path that does not.
    """
    if not isinstance(collection, Mapping):
        raise InputError("a Postman collection must be a JSON object")
    if set(collection) == {"collection"} and isinstance(collection["collection"], Mapping):
        collection = collection["collection"]  # the Postman API wraps it already
    if "info" not in collection or "item" not in collection:
        raise InputError("not a Postman collection: it needs 'info' and 'item' (export it as Collection v2.1)")
    errors = validate("postman-collection-v2.1.0", dict(collection))
    if errors:
        first = errors[0]
        raise InputError(
            f"not a valid Postman Collection v2.1: {first}"
            + (f" (and {len(errors) - 1} more)" if len(errors) > 1 else "")
        )
    return {"collection": dict(collection)}


def monitor_results(
    summary: RunSummary,
    *,
    monitor_name: str,
    monitor_uid: str | None = None,
    monitor_id: str | None = None,
    user_id: str | int,
    user_name: str,
    collection_name: str | None = None,
    collection_uid: str | None = None,
    environment_name: str | None = None,
    environment_uid: str | None = None,
) -> dict[str, Any]:
    """The monitor-results payload of one run. Postman types `user_id` as a string, so it is sent as one.

    Postman tells ids from uids: the API's paths take the bare id (`1e6b6cc1-...`), payload fields carry the uid
    (`<ownerId>-<id>`). So a `*_uid` given here is sent as given, and `monitor_id` (like the collection and
    environment ids read from the Newman report) becomes a uid with `user_id` as the owner. Without either,
    `monitor_uid` is `""`, as `environment_uid` is for a run without an environment.
    """
    if monitor_uid is not None and monitor_id is not None:
        raise InputError("give the monitor's uid or its id, not both")
    owner = str(user_id)
    if monitor_uid is None:
        monitor_uid = make_uid(owner, monitor_id)
    return {
        "collection_name": collection_name if collection_name is not None else summary.collection_name,
        "collection_uid": collection_uid if collection_uid is not None else make_uid(owner, summary.collection_id),
        "environment_name": environment_name if environment_name is not None else summary.environment_name,
        "environment_uid": environment_uid if environment_uid is not None else make_uid(owner, summary.environment_id),
        "metrics": dict(summary.metrics),
        "monitor_name": monitor_name,
        "monitor_uid": monitor_uid,
        "user_id": owner,
        "user_name": user_name,
    }


def past_tense(action: str) -> str:
    return _PAST.get(action, action + ("d" if action.endswith("e") else "ed"))


def _the_collection(name: str) -> str:
    # The one real message ("... in the Test collection", for a collection named "Test collection") does not say
    # whether Postman appends " collection"; flowmock appends it unless the name already ends with it.
    return f"the {name}" if name.lower().endswith("collection") else f"the {name} collection"


def activity_message(action: str, model: str, model_name: str, collection_name: str, user_name: str) -> str:
    if model == "collection":
        return f"{user_name} {past_tense(action)} {_the_collection(collection_name)}"
    article = "an" if model[:1].lower() in "aeiou" else "a"
    return f"{user_name} {past_tense(action)} {article} {model} {model_name} in {_the_collection(collection_name)}"


def activity(
    *,
    action: str,
    model: str,
    model_name: str,
    model_uid: str,
    collection_name: str,
    collection_uid: str,
    user_id: str | int,
    user_name: str,
    message: str | None = None,
) -> dict[str, Any]:
    """A collection- or team-activity payload (one shape for both), keys in the order Postman sends them."""
    return {
        "action": action,
        "model": model,
        "user_id": str(user_id),
        "user_name": user_name,
        "model_uid": model_uid,
        "model_name": model_name,
        "collection_uid": collection_uid,
        "collection_name": collection_name,
        "message": message or activity_message(action, model, model_name, collection_name, user_name),
    }
