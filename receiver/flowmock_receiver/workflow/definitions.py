"""Import of exported flows: every shape people keep their Power Automate and Logic Apps definitions in.

Accepted shapes (each detected from its content, never from the file name):

- a Power Automate **export package**: a zip with `manifest.json` and `Microsoft.Flow/flows/<id>/definition.json`
  (whose `properties.definition` is the workflow and `properties.displayName` its name);
- a Dataverse **solution** zip: `customizations.xml` names each flow (`<Workflow Name=...>` with
  `<JsonFileName>/Workflows/<name>-<GUID>.json`), and each `Workflows/*.json` holds `properties.definition`;
  several flows per solution. A Dataverse `workflow` record, whose `clientdata` column is that same JSON as a
  *string*, is accepted as well;
- a bare **definition** JSON: `{"definition": ...}`, `{"properties": {"definition": ...}}`, or the definition itself
  (`{"$schema": ..., "triggers": ..., "actions": ...}`);
- an **ARM template** whose `resources` (nested deployments included) hold `Microsoft.Logic/workflows`;
- a Logic Apps **Standard** `workflow.json`: `{"definition": ..., "kind": "Stateful" | "Stateless"}`.

The result is a list of `ImportedFlow` values: the display name, the trigger as flowmock serves it (method, relative
path, schema, conditions, operation options), the actions and the parameters' defaults, plus notes saying what the
import could not carry over. Nothing here runs anything; `workflow.engine` runs `ImportedFlow.definition`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowmock_receiver.workflow.errors import DefinitionError, UnknownShapeError
from flowmock_receiver.workflow.packages import MAX_INPUT_BYTES, BoundedZip, is_zip, parse_json, parse_json_text

ACCEPTED_SHAPES = (
    "a Power Automate export package (.zip with manifest.json), a Dataverse solution (.zip with Workflows/*.json), "
    'a definition JSON ({"definition": ...} or {"properties": {"definition": ...}}), an ARM template with '
    "Microsoft.Logic/workflows resources, or a Logic Apps Standard workflow.json"
)

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


def load_flows(path: str | Path) -> list[ImportedFlow]:
    """Import every flow in the file at `path` (a zip or a JSON file, recognised by content)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise DefinitionError(f"cannot read the file ({exc.strerror or exc})", source=str(path)) from exc
    # A Standard project keeps each workflow in a folder named after it: `OrderIntake/workflow.json`.
    source = f"{path.parent.name}/{path.name}" if path.name.lower() == "workflow.json" else path.name
    return import_flows(data, source=source)


def import_flows(data: bytes, *, source: str = "upload") -> list[ImportedFlow]:
    """Import every flow in `data`, the bytes of an uploaded zip or JSON file."""
    if len(data) > MAX_INPUT_BYTES:
        raise DefinitionError(f"larger than {MAX_INPUT_BYTES} bytes", source=source)
    if is_zip(data):
        return _from_zip(BoundedZip.open(data, source))
    if not data.strip():
        raise UnknownShapeError(f"the file is empty; expected {ACCEPTED_SHAPES}", source=source)
    return import_value(parse_json(data, source), source=source)


def import_value(value: Any, *, source: str = "value") -> list[ImportedFlow]:
    """Import from an already parsed JSON value (the admin API's `application/json` body)."""
    flows = _from_json(value, source)
    if flows is None:
        raise UnknownShapeError(f"not a flow definition; expected {ACCEPTED_SHAPES}", source=source)
    return flows


# -- zips ------------------------------------------------------------------------------------------------------------


def _from_zip(archive: BoundedZip) -> list[ImportedFlow]:
    if archive.find("manifest.json") is not None or archive.matching("microsoft.flow/flows/", "/definition.json"):
        return _from_export_package(archive)
    if archive.matching("workflows/", ".json"):
        return _from_solution(archive)
    # A zip holding one JSON file (a definition zipped by hand, a Standard project's workflow.json) still imports.
    json_members = [n for n in archive.names if n.endswith(".json")]
    flows: list[ImportedFlow] = []
    for name in sorted(json_members):
        value = archive.read_json(name)
        found = _from_json(value, f"{archive.source}!{archive.names[name]}")
        flows.extend(found or [])
    if not flows:
        raise UnknownShapeError(f"a zip without flows; expected {ACCEPTED_SHAPES}", source=archive.source)
    return flows


def _from_export_package(archive: BoundedZip) -> list[ImportedFlow]:
    """Power Automate's export: one or more `Microsoft.Flow/flows/<id>/definition.json` described by the manifest."""
    names: dict[str, str] = {}
    if archive.find("manifest.json") is not None:
        manifest = archive.read_json("manifest.json")
        resources = manifest.get("resources") if isinstance(manifest, dict) else None
        for resource_id, resource in (resources or {}).items() if isinstance(resources, dict) else ():
            if isinstance(resource, dict) and str(resource.get("type", "")).lower() == "microsoft.flow/flows":
                details = resource.get("details")
                if isinstance(details, dict) and isinstance(details.get("displayName"), str):
                    names[str(resource_id).lower()] = details["displayName"]
    members = archive.matching("microsoft.flow/flows/", "/definition.json")
    if not members:
        raise DefinitionError(
            "an export package without Microsoft.Flow/flows/<id>/definition.json", source=archive.source
        )
    flows: list[ImportedFlow] = []
    for member in members:
        where = f"{archive.source}!{archive.names[member]}"
        document = archive.read_json(member)
        definition, properties = _definition_of(document)
        if definition is None:
            raise DefinitionError("no properties.definition in this flow", source=where)
        folder = member.split("/")[2] if member.count("/") >= 3 else ""
        name = properties.get("displayName") if isinstance(properties.get("displayName"), str) else None
        display = name or names.get(folder) or folder or "Imported flow"
        flows.append(_build(display, "export-package", where, definition))
    return flows


_WORKFLOW_ELEMENT = re.compile(r"<Workflow\b([^>]*)>(.*?)</Workflow>", re.DOTALL | re.IGNORECASE)
_NAME_ATTRIBUTE = re.compile(r"\bName\s*=\s*\"([^\"]*)\"", re.IGNORECASE)
_JSON_FILE = re.compile(r"<JsonFileName>\s*([^<]*?)\s*</JsonFileName>", re.IGNORECASE)
_XML_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}


def _solution_names(archive: BoundedZip) -> dict[str, str]:
    """Display names by normalised JSON file name, read from customizations.xml with patterns, not an XML parser:
    the file is untrusted, and only two values per flow are wanted (no entity expansion, so no billion laughs)."""
    member = archive.find("customizations.xml") or archive.find("Other/Customizations.xml")
    if member is None:
        return {}
    text = archive.read(member).decode("utf-8-sig", errors="replace")
    names: dict[str, str] = {}
    for attributes, body in _WORKFLOW_ELEMENT.findall(text):
        name, json_file = _NAME_ATTRIBUTE.search(attributes), _JSON_FILE.search(body)
        if name and json_file:
            display = name.group(1)
            for entity, char in _XML_ENTITIES.items():
                display = display.replace(entity, char)
            names[json_file.group(1).replace("\\", "/").lstrip("/").lower()] = display
    return names


def _from_solution(archive: BoundedZip) -> list[ImportedFlow]:
    names = _solution_names(archive)
    flows: list[ImportedFlow] = []
    for member in archive.matching("workflows/", ".json"):
        where = f"{archive.source}!{archive.names[member]}"
        document = archive.read_json(member)
        if isinstance(document, dict) and isinstance(document.get("clientdata"), str):
            document = parse_json_text(document["clientdata"], f"{where} (clientdata)")
        definition, _ = _definition_of(document)
        if definition is None:
            continue  # classic Dataverse workflows (XAML) sit beside cloud flows; they are not flows we can run
        file_name = archive.names[member].rsplit("/", 1)[-1]
        fallback = re.sub(r"-[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$", "", file_name[: -len(".json")])
        flows.append(_build(names.get(member, fallback), "solution", where, definition))
    if not flows:
        raise DefinitionError(
            "a solution without cloud flows (no Workflows/*.json has a definition)", source=archive.source
        )
    return flows


# -- JSON shapes -----------------------------------------------------------------------------------------------------


def _from_json(value: Any, source: str) -> list[ImportedFlow] | None:
    if not isinstance(value, dict):
        return None
    if (isinstance(value.get("resources"), list) and "$schema" in value) or _has_logic_resources(value):
        return _from_arm_template(value, source)
    if isinstance(value.get("clientdata"), str):
        name = value.get("name") if isinstance(value.get("name"), str) else None
        inner = parse_json_text(value["clientdata"], f"{source} (clientdata)")
        definition, properties = _definition_of(inner)
        if definition is None:
            return None
        display = name or properties.get("displayName") or Path(source).stem
        return [_build(str(display), "dataverse-record", source, definition)]
    definition, properties = _definition_of(value)
    if definition is None:
        return None
    kind = value.get("kind")
    shape = "standard-workflow" if isinstance(kind, str) and kind.lower() in ("stateful", "stateless") else "definition"
    display = properties.get("displayName") or value.get("name") or _stem(source)
    notes = [f"a {kind} Logic Apps Standard workflow"] if shape == "standard-workflow" else []
    return [_build(str(display), shape, source, definition, notes=notes)]


def _definition_of(document: Any) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The workflow definition inside `document` and the properties object around it (for the display name)."""
    if not isinstance(document, dict):
        return None, {}
    properties = document.get("properties")
    if isinstance(properties, dict) and _looks_like_definition(properties.get("definition")):
        return properties["definition"], properties
    if _looks_like_definition(document.get("definition")):
        return document["definition"], document
    if _looks_like_definition(document) and ("triggers" in document or "$schema" in document):
        return document, {}
    return None, {}


def _looks_like_definition(value: Any) -> bool:
    return isinstance(value, dict) and (
        isinstance(value.get("triggers"), dict) or isinstance(value.get("actions"), dict)
    )


def _has_logic_resources(value: dict[str, Any]) -> bool:
    return any(True for _ in _logic_resources(value, 0))


def _logic_resources(template: dict[str, Any], depth: int) -> Any:
    """`Microsoft.Logic/workflows` resources, including those in nested deployments (bounded depth)."""
    resources = template.get("resources")
    if depth > 8 or not isinstance(resources, list):
        return
    for resource in resources:
        if not isinstance(resource, dict):
            continue
        kind = str(resource.get("type", "")).lower()
        if kind == "microsoft.logic/workflows":
            yield resource
        elif kind == "microsoft.resources/deployments":
            properties = resource.get("properties")
            nested = properties.get("template") if isinstance(properties, dict) else None
            if isinstance(nested, dict):
                yield from _logic_resources(nested, depth + 1)
        if isinstance(resource.get("resources"), list):
            yield from _logic_resources(resource, depth + 1)


_ARM_PARAMETER = re.compile(r"^\[\s*parameters\(\s*'([^']*)'\s*\)\s*\]$")


def _from_arm_template(template: dict[str, Any], source: str) -> list[ImportedFlow]:
    template_defaults = {
        name: spec.get("defaultValue")
        for name, spec in (template.get("parameters") or {}).items()
        if isinstance(spec, dict) and "defaultValue" in spec
    }

    def resolve(value: Any) -> tuple[Any, bool]:
        """An ARM `[parameters('x')]` replaced by the template's default; other ARM expressions stay unresolved."""
        if isinstance(value, str) and value.startswith("[") and not value.startswith("[["):
            match = _ARM_PARAMETER.match(value)
            if match and match.group(1) in template_defaults:
                return template_defaults[match.group(1)], True
            return value, False
        return value, True

    flows: list[ImportedFlow] = []
    for resource in _logic_resources(template, 0):
        properties = resource.get("properties") if isinstance(resource.get("properties"), dict) else {}
        definition = properties.get("definition")
        if not isinstance(definition, dict) or not _looks_like_definition(definition):
            continue
        name, resolved = resolve(resource.get("name", ""))
        tags = resource.get("tags") if isinstance(resource.get("tags"), dict) else {}
        display = str(tags.get("displayName") or (name if resolved and name else "") or _stem(source))
        notes: list[str] = []
        values: dict[str, Any] = {}
        for pname, spec in (properties.get("parameters") or {}).items():
            if isinstance(spec, dict) and "value" in spec:
                value, ok = resolve(spec["value"])
                if ok:
                    values[pname] = value
                else:
                    notes.append(f"parameter {pname!r} is the ARM expression {spec['value']!r}: its default is used")
        flows.append(_build(display, "arm-template", source, definition, values=values, notes=notes))
    if not flows:
        raise DefinitionError("an ARM template without Microsoft.Logic/workflows definitions", source=source)
    return flows


# -- the flow value --------------------------------------------------------------------------------------------------


def _build(
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
    trigger = _trigger_of(definition, source, notes)
    return ImportedFlow(display_name, shape, source, definition, trigger, parameters, tuple(notes))


def _trigger_of(definition: dict[str, Any], source: str, notes: list[str]) -> ImportedTrigger | None:
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
        api = _connector_name(inputs)
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


def _connector_name(inputs: dict[str, Any]) -> str | None:
    """`shared_sharepointonline` from `host.apiId` or `host.connection.name`, to say which connector starts a flow."""
    host = inputs.get("host")
    if not isinstance(host, dict):
        return None
    for candidate in (host.get("apiId"), host.get("connectionName"), (host.get("connection") or {}).get("name")):
        if isinstance(candidate, str) and candidate:
            return candidate.rsplit("/", 1)[-1].strip("'])")
    return None


def _stem(source: str) -> str:
    """A name from the file: `OrderIntake/workflow.json` gives `OrderIntake` (a Standard workflow's folder)."""
    member = Path(source.rsplit("!", 1)[-1])
    if member.stem.lower() == "workflow" and member.parent.name:
        return member.parent.name
    return member.stem or "Imported flow"
