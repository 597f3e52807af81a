"""The value an import produces: `ImportedFlow` and its `ImportedTrigger`, and how they are read out of a definition.

Kept apart from the file formats (`definitions`, `archives`) so that every format builds the same value the same
way: the trigger settings flowmock's trigger pipeline needs (method, relative path, schema, conditions, operation
options), the parameters' defaults, and notes on what an import could not carry over.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from flowmock_receiver.workflow.errors import DefinitionError

OPTION_SCHEMA_VALIDATION = "EnableSchemaValidation"
OPTION_INCLUDE_AUTHORIZATION = "IncludeAuthorizationHeadersInOutputs"
OPTION_SUPPRESS_HEADERS = "SuppressWorkflowHeadersOnResponse"

_HTTP_KINDS = {"", "http"}
"""Request-trigger kinds that are "When a HTTP request is received"; Button, PowerApp, Teams... are other starts."""


@dataclass(frozen=True)
class ImportedTrigger:
    """The flow's trigger, with the settings flowmock's trigger pipeline needs read out of `inputs`."""

    name: str
    type: str
    kind: str | None
    is_http_request: bool
    inputs: dict[str, Any]
    schema: dict[str, Any] | None = None
    method: str | None = None
    relative_path: str | None = None
    conditions: tuple[str, ...] = ()
    operation_options: tuple[str, ...] = ()

    @property
    def schema_validation(self) -> bool:
        return self.has_option(OPTION_SCHEMA_VALIDATION)

    @property
    def include_authorization_headers(self) -> bool:
        return self.has_option(OPTION_INCLUDE_AUTHORIZATION)

    @property
    def suppress_workflow_headers(self) -> bool:
        return self.has_option(OPTION_SUPPRESS_HEADERS)

    def has_option(self, option: str) -> bool:
        """Operation options compare case-insensitively, as the service reads `"enableSchemaValidation"` too."""
        return option.lower() in (o.lower() for o in self.operation_options)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "type": self.type,
            "kind": self.kind,
            "is_http_request": self.is_http_request,
            "schema": self.schema,
            "method": self.method,
            "relative_path": self.relative_path,
            "conditions": list(self.conditions),
            "operation_options": list(self.operation_options),
            "schema_validation": self.schema_validation,
            "include_authorization_headers": self.include_authorization_headers,
            "suppress_workflow_headers": self.suppress_workflow_headers,
        }


@dataclass(frozen=True)
class ImportedFlow:
    """One flow out of an imported file. `definition` is the workflow definition the engine runs."""

    display_name: str
    shape: str
    source: str
    definition: dict[str, Any]
    trigger: ImportedTrigger | None
    parameters: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def actions(self) -> dict[str, Any]:
        actions = self.definition.get("actions")
        return actions if isinstance(actions, dict) else {}

    def to_json(self) -> dict[str, Any]:
        return {
            "display_name": self.display_name,
            "shape": self.shape,
            "source": self.source,
            "trigger": self.trigger.to_json() if self.trigger else None,
            "parameters": self.parameters,
            "notes": list(self.notes),
            "definition": self.definition,
        }

    @classmethod
    def from_json(cls, value: Mapping[str, Any]) -> ImportedFlow:
        """A stored flow read back; the trigger is read again from the definition, so it cannot disagree with it."""
        flow = build_flow(str(value["display_name"]), str(value["shape"]), str(value["source"]), value["definition"])
        return replace(flow, parameters=dict(value.get("parameters") or {}), notes=tuple(value.get("notes") or ()))


def definition_of(document: Any) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The workflow definition inside `document` and the properties object around it (for the display name)."""
    if not isinstance(document, dict):
        return None, {}
    properties = document.get("properties")
    if isinstance(properties, dict) and looks_like_definition(properties.get("definition")):
        return properties["definition"], properties
    if looks_like_definition(document.get("definition")):
        return document["definition"], document
    if looks_like_definition(document) and ("triggers" in document or "$schema" in document):
        return document, {}
    return None, {}


def looks_like_definition(value: Any) -> bool:
    return isinstance(value, dict) and (
        isinstance(value.get("triggers"), dict) or isinstance(value.get("actions"), dict)
    )


def build_flow(
    display_name: str,
    shape: str,
    source: str,
    definition: dict[str, Any],
    *,
    values: dict[str, Any] | None = None,
    notes: list[str] | None = None,
) -> ImportedFlow:
    notes = list(notes or [])
    if not isinstance(definition.get("actions", {}), dict):
        raise DefinitionError("the definition's actions are not an object", source=source)
    parameters: dict[str, Any] = {}
    declared = definition.get("parameters")
    for name, spec in (declared or {}).items() if isinstance(declared, dict) else ():
        if isinstance(spec, dict) and "defaultValue" in spec:
            parameters[name] = spec["defaultValue"]
    parameters.update(values or {})
    trigger = trigger_of(definition, source, notes)
    return ImportedFlow(display_name, shape, source, definition, trigger, parameters, tuple(notes))


def trigger_of(definition: dict[str, Any], source: str, notes: list[str]) -> ImportedTrigger | None:
    triggers = definition.get("triggers")
    if not isinstance(triggers, dict) or not triggers:
        notes.append("no trigger: start it by posting trigger outputs to its callback URL")
        return None
    if len(triggers) > 1:
        notes.append(f"{len(triggers)} triggers: only {next(iter(triggers))!r} is served")
    name, spec = next(iter(triggers.items()))
    if not isinstance(spec, dict):
        raise DefinitionError(f"trigger {name!r} is not an object", source=source)
    kind_value = spec.get("kind")
    kind = kind_value if isinstance(kind_value, str) else None
    trigger_type = str(spec.get("type", ""))
    raw_inputs = spec.get("inputs")
    inputs: dict[str, Any] = raw_inputs if isinstance(raw_inputs, dict) else {}
    is_request = trigger_type.lower() == "request"
    is_http = is_request and (kind or "").lower() in _HTTP_KINDS
    conditions = tuple(
        str(c["expression"]) for c in spec.get("conditions") or [] if isinstance(c, dict) and "expression" in c
    )
    options_value = spec.get("operationOptions")
    options = tuple(o.strip() for o in options_value.split(",") if o.strip()) if isinstance(options_value, str) else ()
    if not is_http:
        started_by = f"{trigger_type} trigger" + (f" ({kind})" if kind else "")
        api = connector_name(inputs)
        notes.append(
            f"started by a {started_by}{f' of {api}' if api else ''}: post the trigger outputs to its callback URL"
        )
    schema = inputs.get("schema") if isinstance(inputs.get("schema"), dict) else None
    method = inputs.get("method") if isinstance(inputs.get("method"), str) and inputs.get("method") else None
    relative = inputs.get("relativePath") if isinstance(inputs.get("relativePath"), str) else None
    return ImportedTrigger(
        name=name,
        type=trigger_type,
        kind=kind,
        is_http_request=is_http,
        inputs=inputs,
        schema=schema if is_request else None,
        method=method.upper() if method and is_request else None,
        relative_path=relative.strip("/") or None if relative and is_request else None,
        conditions=conditions,
        operation_options=options,
    )


def connector_name(inputs: dict[str, Any]) -> str | None:
    """`shared_sharepointonline` from `host.apiId` or `host.connection.name`, to say which connector starts a flow."""
    host = inputs.get("host")
    if not isinstance(host, dict):
        return None
    for candidate in (host.get("apiId"), host.get("connectionName"), (host.get("connection") or {}).get("name")):
        if isinstance(candidate, str) and candidate:
            return candidate.rsplit("/", 1)[-1].strip("'])")
    return None
