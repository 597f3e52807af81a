"""The zip formats: a Power Automate export package and a Dataverse solution.

An export package holds `manifest.json` (its `resources` name each `Microsoft.Flow/flows` resource) and one
`Microsoft.Flow/flows/<id>/definition.json` per flow, whose `properties` carry `displayName` and `definition`. A
solution holds `customizations.xml`, whose `<Workflow Name=...>` elements name each flow by its
`<JsonFileName>/Workflows/<name>-<GUID>.json</JsonFileName>`, and those `Workflows/*.json` files, each
`{"properties": {"connectionReferences", "definition"}, "schemaVersion"}`; classic (XAML) processes sit beside
them and are passed over. Every read goes through `BoundedZip` (sizes bounded, nothing extracted).
"""

from __future__ import annotations

import re

from flowmock_receiver.workflow.errors import DefinitionError
from flowmock_receiver.workflow.imported import ImportedFlow, build_flow, definition_of
from flowmock_receiver.workflow.packages import BoundedZip, parse_json_text


def is_export_package(archive: BoundedZip) -> bool:
    return archive.find("manifest.json") is not None or bool(
        archive.matching("microsoft.flow/flows/", "/definition.json")
    )


def is_solution(archive: BoundedZip) -> bool:
    return bool(archive.matching("workflows/", ".json"))


def from_export_package(archive: BoundedZip) -> list[ImportedFlow]:
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
        definition, properties = definition_of(document)
        if definition is None:
            raise DefinitionError("no properties.definition in this flow", source=where)
        folder = member.split("/")[2] if member.count("/") >= 3 else ""
        name = properties.get("displayName") if isinstance(properties.get("displayName"), str) else None
        display = name or names.get(folder) or folder or "Imported flow"
        flows.append(build_flow(display, "export-package", where, definition))
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


def from_solution(archive: BoundedZip) -> list[ImportedFlow]:
    names = _solution_names(archive)
    flows: list[ImportedFlow] = []
    for member in archive.matching("workflows/", ".json"):
        where = f"{archive.source}!{archive.names[member]}"
        document = archive.read_json(member)
        if isinstance(document, dict) and isinstance(document.get("clientdata"), str):
            document = parse_json_text(document["clientdata"], f"{where} (clientdata)")
        definition, _ = definition_of(document)
        if definition is None:
            continue  # classic Dataverse workflows (XAML) sit beside cloud flows; they are not flows we can run
        file_name = archive.names[member].rsplit("/", 1)[-1]
        fallback = re.sub(r"-[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$", "", file_name[: -len(".json")])
        flows.append(build_flow(names.get(member, fallback), "solution", where, definition))
    if not flows:
        raise DefinitionError(
            "a solution without cloud flows (no Workflows/*.json has a definition)", source=archive.source
        )
    return flows
