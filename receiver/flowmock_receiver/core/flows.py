"""Flow definitions: what a flow is, how a definition is checked, and the callback URLs it answers on.

A definition is what a maker sets in the Power Automate designer (schema, method, relative path, who can trigger,
a Response action) plus flowmock's own knobs (faults, body limit). It is checked when it is saved, as the real
designer refuses a Response action with a 3xx status at save time rather than at run time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any
from urllib.parse import quote

from flowmock_schemas import InvalidSchemaError, SchemaRegistryError, validator_for

from . import ids
from .errors import FlowDefinitionError
from .signing import SAS_VERSION, poll_permission, sign, trigger_permission

DEFAULT_MAX_BODY_BYTES = 104_857_600  # the real 100 MB trigger input limit
AUTH_MODES = ("sas", "tenant", "user")
HOSTS = ("logic", "powerplatform")
STATES = ("enabled", "disabled")
DEFAULT_API_VERSION = {"logic": "2016-06-01", "powerplatform": "1"}
POLL_API_VERSION = "2016-10-01"  # the Logic Apps runs API's version; the poll URL's exact form is not documented
FLOW_AUDIENCE = "https://service.flow.microsoft.com/"
MAX_WINDOW_SECONDS = 31_536_000  # a year: any longer window never resets in a test run anyway

# Response headers Power Automate drops without warning (connectors-native-reqres, "Response" limitations).
_DROPPED_RESPONSE_HEADERS = frozenset(
    {"allow", "cookie", "expires", "last-modified", "set-cookie", "transfer-encoding"}
)
_KEPT_CONTENT_HEADERS = frozenset({"content-disposition", "content-encoding", "content-type"})
_TRIGGER_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_TEMPLATE_PARAM = re.compile(r"^\{([A-Za-z0-9_]+)\}$")

IMPORTED_API_FIELDS = ("display_name", "shape", "source", "notes", "parameters", "definition")
"""What the admin API shows of an imported flow's workflow, under `imported`."""

DEFINITION_FIELDS = (
    "name",
    "schema",
    "schema_validation",
    "method",
    "relative_path",
    "auth",
    "host",
    "state",
    "response",
    "faults",
    "max_body_bytes",
    "trigger_name",
    "tenant_id",
    "allowed_users",
    "suppress_workflow_headers",
    "include_authorization_headers",
)


@dataclass(frozen=True)
class Flow:
    """A flow with one Request trigger. `deleted` flows are kept so old URLs answer 'Deleted' as the real ones do."""

    id: str
    name: str
    primary_key: str
    secondary_key: str
    schema: str | dict[str, Any] | None = None
    schema_validation: bool = False
    method: str | None = None
    relative_path: str | None = None
    auth: str = "sas"
    host: str = "logic"
    state: str = "enabled"
    response: dict[str, Any] | None = None
    faults: dict[str, Any] | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    trigger_name: str = "manual"
    tenant_id: str | None = None
    allowed_users: tuple[str, ...] = ()
    suppress_workflow_headers: bool = False
    include_authorization_headers: bool = False
    version: str = field(default_factory=ids.new_workflow_version)
    deleted: bool = False
    origin: str = "api"  # "api", "config" or "default": config and default flows come back on reset
    # An imported flow: the workflow (display name, shape, source, notes, parameters, definition) and its mocks, kept
    # as plain JSON. The core only carries them: the service runs them through `Trigger`'s flow runner.
    workflow: dict[str, Any] | None = None
    mocks: dict[str, Any] | None = None

    @property
    def keys(self) -> tuple[str, str]:
        return (self.primary_key, self.secondary_key)

    @property
    def scale_unit(self) -> int:
        return ids.scale_unit(self.id)

    def definition(self) -> dict[str, Any]:
        data = asdict(self)
        out = {name: data[name] for name in DEFINITION_FIELDS}
        out["allowed_users"] = list(self.allowed_users)
        return out

    def path(self) -> str:
        prefix = "/powerautomate/automations/direct" if self.host == "powerplatform" else ""
        path = f"{prefix}/workflows/{self.id}/triggers/{quote(self.trigger_name)}/paths/invoke"
        if self.relative_path:
            path += "/" + self.relative_path.strip("/")
        return path

    def callback_url(self, base_url: str, key_type: str = "primary") -> str:
        """The URL a maker copies from the trigger: signed for SAS flows, only `api-version` for OAuth ones."""
        query = f"api-version={DEFAULT_API_VERSION[self.host]}"
        if self.auth == "sas":
            key = self.primary_key if key_type == "primary" else self.secondary_key
            sp = trigger_permission(self.trigger_name)
            query += f"&sp={quote(sp, safe='')}&sv={SAS_VERSION}&sig={sign(key, sp)}"
        return base_url.rstrip("/") + self.path() + "?" + query

    def poll_url(self, base_url: str, run_id: str, operation: str) -> str:
        """Where the caller of an asynchronous Response polls for its answer, signed with the primary key."""
        sp = poll_permission(run_id, operation)
        query = (
            f"api-version={POLL_API_VERSION}&sp={quote(sp, safe='')}&sv={SAS_VERSION}&sig={sign(self.primary_key, sp)}"
        )
        return f"{base_url.rstrip('/')}/workflows/{self.id}/runs/{run_id}/operations/{operation}?{query}"

    def to_api(self, base_url: str) -> dict[str, Any]:
        data = {"id": self.id, **self.definition()}
        data["callback_url"] = self.callback_url(base_url)
        data["secondary_callback_url"] = self.callback_url(base_url, "secondary")
        data["workflow_version"] = self.version
        data["origin"] = self.origin
        if self.workflow is not None:
            data["imported"] = {key: self.workflow.get(key) for key in IMPORTED_API_FIELDS}
            data["mocks"] = self.mocks or {}
        return data

    def to_storage(self) -> dict[str, Any]:
        data = asdict(self)
        data["allowed_users"] = list(self.allowed_users)
        return data

    @classmethod
    def from_storage(cls, data: Mapping[str, Any]) -> Flow:
        values = dict(data)
        values["allowed_users"] = tuple(values.get("allowed_users") or ())
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in values.items() if k in known})

    def with_changes(self, **changes: Any) -> Flow:
        return replace(self, version=ids.new_workflow_version(), **changes)

    def match_relative_path(self, path: str) -> dict[str, str] | None:
        """The `relativePathParameters` of a request path, or None when it does not fit the template."""
        template = [p for p in (self.relative_path or "").strip("/").split("/") if p]
        parts = [p for p in path.strip("/").split("/") if p]
        if not template:
            return {} if not parts else None
        if len(parts) != len(template):
            return None
        params: dict[str, str] = {}
        for want, got in zip(template, parts, strict=True):
            match = _TEMPLATE_PARAM.match(want)
            if match:
                params[match.group(1)] = got
            elif want != got:
                return None
        return params


def _expect(value: Any, kind: type | tuple[type, ...], name: str) -> Any:
    if isinstance(value, bool) and kind in (int, float):
        raise FlowDefinitionError(f"'{name}' must be a number, not a boolean")
    if not isinstance(value, kind):
        kinds = kind if isinstance(kind, tuple) else (kind,)
        names = " or ".join(
            {
                str: "a string",
                bool: "a boolean",
                int: "an integer",
                dict: "an object",
                float: "a number",
                list: "a list",
            }.get(k, k.__name__)
            for k in kinds
        )
        raise FlowDefinitionError(f"'{name}' must be {names}, got {type(value).__name__}")
    return value


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


def _check_response(response: Any) -> dict[str, Any] | None:
    if response is None:
        return None
    _expect(response, dict, "response")
    unknown = set(response) - {"status", "headers", "body"}
    if unknown:
        raise FlowDefinitionError(f"'response' has unknown fields: {', '.join(sorted(unknown))}")
    status = response.get("status", 200)
    _expect(status, int, "response.status")
    if 300 <= status < 400:
        raise FlowDefinitionError(
            f"'response.status' {status}: a Response action cannot return a 3xx status (Power Automate refuses it)"
        )
    if not (200 <= status < 600):
        raise FlowDefinitionError(f"'response.status' {status}: must be a 2xx, 4xx or 5xx status")
    headers = response.get("headers") or {}
    _expect(headers, dict, "response.headers")
    for key, value in headers.items():
        _expect(value, str, f"response.headers.{key}")
        for text, what in ((key, "name"), (value, "value")):
            if "\r" in text or "\n" in text or (not text.isascii() and not _latin1(text)):
                raise FlowDefinitionError(f"'response.headers' {what} {text!r} cannot be sent in an HTTP header")
        if not _HEADER_NAME.match(key):
            raise FlowDefinitionError(f"'response.headers' name {key!r} is not a valid HTTP header name")
    return {"status": status, "headers": dict(headers), "body": response.get("body")}


def response_headers_kept(headers: Mapping[str, str], method: str) -> dict[str, str]:
    """The Response action's headers minus those Power Automate silently drops.

    Content-* headers survive only as Content-Disposition, Content-Encoding and Content-Type, and those only on
    POST and PUT (the documented rule).
    """
    kept: dict[str, str] = {}
    for key, value in headers.items():
        lower = key.lower()
        if lower in _DROPPED_RESPONSE_HEADERS:
            continue
        if lower.startswith("content-") and (lower not in _KEPT_CONTENT_HEADERS or method not in ("POST", "PUT")):
            continue
        kept[key] = value
    return kept


def _check_faults(faults: Any) -> dict[str, Any] | None:
    if faults is None:
        return None
    _expect(faults, dict, "faults")
    allowed = {"throttle", "latency_ms", "failure_rate", "failure_status", "fail_next"}
    unknown = set(faults) - allowed
    if unknown:
        raise FlowDefinitionError(f"'faults' has unknown fields: {', '.join(sorted(unknown))}")
    out: dict[str, Any] = {}
    throttle = faults.get("throttle")
    if throttle is not None:
        _expect(throttle, dict, "faults.throttle")
        limit = _expect(throttle.get("limit"), int, "faults.throttle.limit")
        window = _expect(throttle.get("window_seconds", 300), (int, float), "faults.throttle.window_seconds")
        retry_after = throttle.get("retry_after")
        if retry_after is not None:
            _expect(retry_after, int, "faults.throttle.retry_after")
        if limit < 0 or not 0 < window <= MAX_WINDOW_SECONDS:
            raise FlowDefinitionError(
                f"'faults.throttle' needs limit >= 0 and window_seconds > 0 and <= {MAX_WINDOW_SECONDS}"
            )
        if retry_after is not None and not 0 <= retry_after <= MAX_WINDOW_SECONDS:
            raise FlowDefinitionError(f"'faults.throttle.retry_after' must be between 0 and {MAX_WINDOW_SECONDS}")
        out["throttle"] = {"limit": limit, "window_seconds": window, "retry_after": retry_after}
    if "latency_ms" in faults:
        latency = _expect(faults["latency_ms"], int, "faults.latency_ms")
        if not 0 <= latency <= 300_000:
            raise FlowDefinitionError("'faults.latency_ms' must be between 0 and 300000")
        out["latency_ms"] = latency
    if "failure_rate" in faults:
        rate = _expect(faults["failure_rate"], (int, float), "faults.failure_rate")
        if not 0.0 <= rate <= 1.0:
            raise FlowDefinitionError("'faults.failure_rate' must be between 0.0 and 1.0")
        out["failure_rate"] = float(rate)
    if "fail_next" in faults:
        count = _expect(faults["fail_next"], int, "faults.fail_next")
        if count < 0:
            raise FlowDefinitionError("'faults.fail_next' must be >= 0")
        out["fail_next"] = count
    status = faults.get("failure_status", 500)
    _expect(status, int, "faults.failure_status")
    if not 500 <= status < 600:
        raise FlowDefinitionError("'faults.failure_status' must be a 5xx status")
    out["failure_status"] = status
    return out


def _non_finite_path(value: Any, path: str) -> str | None:
    """Where a definition holds NaN or an infinity (JSON's `1e400`, TOML's `inf`), if anywhere."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, float) and not math.isfinite(node):
            return where
        if isinstance(node, Mapping):
            stack.extend((item, f"{where}.{key}" if where else str(key)) for key, item in node.items())
        elif isinstance(node, list | tuple):
            stack.extend((item, f"{where}[{index}]") for index, item in enumerate(node))
    return None


def check_definition(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    """Validate a (possibly partial) definition and return it normalised; raise FlowDefinitionError."""
    if not isinstance(data, Mapping):
        raise FlowDefinitionError("a flow definition must be a JSON object")
    # A non-finite number is no JSON value: saved, it would break every call (a throttle window of NaN) and every
    # JSON answer that shows the flow. Refused wherever it is, schema and Response body included.
    where = _non_finite_path(data, "")
    if where is not None:
        raise FlowDefinitionError(f"'{where}' must be a finite number (NaN and infinity are not JSON)")
    unknown = set(data) - set(DEFINITION_FIELDS) - {"id", "primary_key", "secondary_key"}
    if unknown:
        raise FlowDefinitionError(
            f"unknown flow fields: {', '.join(sorted(unknown))} (known: {', '.join(DEFINITION_FIELDS)})"
        )
    out: dict[str, Any] = {}
    if not partial and "name" not in data:
        raise FlowDefinitionError("'name' is required")
    for key, value in data.items():
        if key in ("name", "trigger_name", "tenant_id", "primary_key", "secondary_key"):
            out[key] = _expect(value, str, key) if not (key == "tenant_id" and value is None) else None
        elif key == "id":
            if not isinstance(value, str) or not re.fullmatch(r"[0-9a-f]{32}", value):
                raise FlowDefinitionError("'id' must be 32 lowercase hex characters")
            out[key] = value
        elif key in ("schema_validation", "suppress_workflow_headers", "include_authorization_headers"):
            out[key] = _expect(value, bool, key)
        elif key == "schema":
            if value is not None:
                _expect(value, (str, dict), "schema")
                try:
                    validator_for(value)
                except InvalidSchemaError as exc:
                    raise FlowDefinitionError(f"'schema': {exc}") from None
                except SchemaRegistryError as exc:
                    raise FlowDefinitionError(f"'schema': {exc}") from None
            out[key] = value
        elif key == "method":
            out[key] = _expect(value, str, key).upper() or None if value is not None else None
        elif key == "relative_path":
            out[key] = _expect(value, str, key).strip("/") or None if value is not None else None
        elif key == "auth":
            if value not in AUTH_MODES:
                raise FlowDefinitionError(f"'auth' must be one of {', '.join(AUTH_MODES)}")
            out[key] = value
        elif key == "host":
            if value not in HOSTS:
                raise FlowDefinitionError(f"'host' must be one of {', '.join(HOSTS)}")
            out[key] = value
        elif key == "state":
            if value not in STATES:
                raise FlowDefinitionError(f"'state' must be one of {', '.join(STATES)}")
            out[key] = value
        elif key == "response":
            out[key] = _check_response(value)
        elif key == "faults":
            out[key] = _check_faults(value)
        elif key == "max_body_bytes":
            size = _expect(value, int, key)
            if size < 0:
                raise FlowDefinitionError("'max_body_bytes' must be >= 0")
            out[key] = size
        elif key == "allowed_users":
            users = _expect(value, list, key)
            out[key] = tuple(_expect(u, str, "allowed_users[]") for u in users)
    if "trigger_name" in out and not _TRIGGER_NAME.match(out["trigger_name"]):
        raise FlowDefinitionError("'trigger_name' may use letters, digits, '_', '-' and '.' only")
    return out


def new_flow(
    data: Mapping[str, Any],
    *,
    origin: str = "api",
    workflow: dict[str, Any] | None = None,
    mocks: dict[str, Any] | None = None,
) -> Flow:
    """A flow from a checked definition; `workflow` and `mocks` make it an imported flow (checked by the service)."""
    values = check_definition(data)
    values.setdefault("id", ids.new_flow_id())
    values.setdefault("primary_key", ids.new_key())
    values.setdefault("secondary_key", ids.new_key())
    return Flow(origin=origin, workflow=workflow, mocks=mocks, **values)
