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
from pathlib import Path
from typing import Any

from flowmock_receiver.workflow.archives import from_export_package, from_solution, is_export_package, is_solution
from flowmock_receiver.workflow.errors import DefinitionError, UnknownShapeError
from flowmock_receiver.workflow.imported import (
    ImportedFlow,
    ImportedTrigger,
    build_flow,
    definition_of,
    looks_like_definition,
)
from flowmock_receiver.workflow.packages import MAX_INPUT_BYTES, BoundedZip, is_zip, parse_json, parse_json_text

__all__ = ["ACCEPTED_SHAPES", "ImportedFlow", "ImportedTrigger", "import_flows", "import_value", "load_flows"]

ACCEPTED_SHAPES = (
    "a Power Automate export package (.zip with manifest.json), a Dataverse solution (.zip with Workflows/*.json), "
    'a definition JSON ({"definition": ...} or {"properties": {"definition": ...}}), an ARM template with '
    "Microsoft.Logic/workflows resources, or a Logic Apps Standard workflow.json"
)


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
    if is_export_package(archive):
        return from_export_package(archive)
    if is_solution(archive):
        return from_solution(archive)
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


# -- JSON shapes -----------------------------------------------------------------------------------------------------


def _from_json(value: Any, source: str) -> list[ImportedFlow] | None:
    if not isinstance(value, dict):
        return None
    if (isinstance(value.get("resources"), list | dict) and "$schema" in value) or _has_logic_resources(value):
        return _from_arm_template(value, source)
    if isinstance(value.get("clientdata"), str):
        name = value.get("name") if isinstance(value.get("name"), str) else None
        inner = parse_json_text(value["clientdata"], f"{source} (clientdata)")
        definition, properties = definition_of(inner)
        if definition is None:
            return None
        display = name or properties.get("displayName") or Path(source).stem
        return [build_flow(str(display), "dataverse-record", source, definition)]
    definition, properties = definition_of(value)
    if definition is None:
        return None
    kind = value.get("kind")
    shape = "standard-workflow" if isinstance(kind, str) and kind.lower() in ("stateful", "stateless") else "definition"
    name = properties.get("displayName") or value.get("name")
    display = name if isinstance(name, str) and name else _stem(source)
    notes = [f"a {kind} Logic Apps Standard workflow"] if shape == "standard-workflow" else []
    # Logic Apps code view keeps parameter values beside the definition: {"definition", "parameters": {"p": {"value"}}}.
    values = {
        pname: spec["value"]
        for pname, spec in _mapping(properties.get("parameters")).items()
        if isinstance(spec, dict) and "value" in spec
    }
    return [build_flow(display, shape, source, definition, values=values, notes=notes)]


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _has_logic_resources(value: dict[str, Any]) -> bool:
    return any(True for _ in _logic_resources(value, 0))


def _logic_resources(template: dict[str, Any], depth: int) -> Any:
    """`Microsoft.Logic/workflows` resources, including those in nested deployments (bounded depth)."""
    resources = template.get("resources")
    if isinstance(resources, dict):  # languageVersion 2.0 (what Bicep compiles to): resources keyed by symbolic name
        resources = list(resources.values())
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
        if isinstance(resource.get("resources"), list | dict):
            yield from _logic_resources(resource, depth + 1)


_ARM_PARAMETER = re.compile(r"^\[\s*parameters\(\s*'([^']*)'\s*\)\s*\]$")


def _from_arm_template(template: dict[str, Any], source: str) -> list[ImportedFlow]:
    template_defaults = {
        name: spec.get("defaultValue")
        for name, spec in _mapping(template.get("parameters")).items()
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
        if not isinstance(definition, dict) or not looks_like_definition(definition):
            continue
        name, resolved = resolve(resource.get("name", ""))
        tags = resource.get("tags") if isinstance(resource.get("tags"), dict) else {}
        display = str(tags.get("displayName") or (name if resolved and name else "") or _stem(source))
        notes: list[str] = []
        values: dict[str, Any] = {}
        for pname, spec in _mapping(properties.get("parameters")).items():
            if isinstance(spec, dict) and "value" in spec:
                value, ok = resolve(spec["value"])
                if ok:
                    values[pname] = value
                else:
                    notes.append(f"parameter {pname!r} is the ARM expression {spec['value']!r}: its default is used")
        flows.append(build_flow(display, "arm-template", source, definition, values=values, notes=notes))
    if not flows:
        raise DefinitionError("an ARM template without Microsoft.Logic/workflows definitions", source=source)
    return flows


# -- the flow value --------------------------------------------------------------------------------------------------


def _stem(source: str) -> str:
    """A name from the file: `OrderIntake/workflow.json` gives `OrderIntake` (a Standard workflow's folder)."""
    member = Path(source.rsplit("!", 1)[-1])
    if member.stem.lower() == "workflow" and member.parent.name:
        return member.parent.name
    # An unpacked solution's Workflows/<Name>-<GUID>.json: the name without its GUID.
    return _GUID_SUFFIX.sub("", member.stem) or "Imported flow"


_GUID_SUFFIX = re.compile(r"-[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$")
