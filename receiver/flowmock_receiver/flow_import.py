"""Imported flows as flowmock flows: what the service saves for each flow of an exported file, and the mocks.

Each flow of a file (`workflow.definitions`) becomes one flowmock flow named after its display name, with its
trigger's settings as the trigger pipeline checks them: the schema, method and relative path of a Request trigger,
and its operation options (`EnableSchemaValidation`, `IncludeAuthorizationHeadersInOutputs`,
`SuppressWorkflowHeadersOnResponse`). The trigger conditions, the actions and the parameters travel in
`Flow.workflow`, which the service's runner evaluates. A flow the engine cannot run, or that the service would refuse
to save, is refused here, at import, with what is wrong, rather than failing every call later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .core.errors import FlowDefinitionError, InvalidMocks
from .core.flows import check_definition
from .workflow.definitions import ImportedFlow, import_flows, load_flows
from .workflow.engine import save_time_refusals, validate_definition
from .workflow.errors import DefinitionError, MockError
from .workflow.mocks import parse_mocks, unknown_mock_names


@dataclass(frozen=True)
class FlowToSave:
    """One imported flow, ready for `core.flows.new_flow`: its definition fields, workflow, mocks and notes."""

    definition: dict[str, Any]
    workflow: dict[str, Any]
    mocks: dict[str, Any]
    notes: tuple[str, ...]


def read_bytes(data: bytes, *, source: str = "upload") -> list[ImportedFlow]:
    """Every flow of an uploaded file; FlowDefinitionError says, in one line, why it is not one."""
    try:
        return import_flows(data, source=source)
    except DefinitionError as exc:
        raise FlowDefinitionError(str(exc)) from None


def read_file(path: str | Path) -> list[ImportedFlow]:
    try:
        return load_flows(path)
    except DefinitionError as exc:
        raise FlowDefinitionError(str(exc)) from None


def checked_mocks(mocks: Any) -> dict[str, Any]:
    """Mocks as given (JSON or TOML), once their shape is checked; InvalidMocks names the path of what is wrong."""
    try:
        parse_mocks(mocks)
    except MockError as exc:
        raise InvalidMocks(f"mocks {exc}") from None
    return dict(mocks or {})


def mock_notes(mocks: Mapping[str, Any], workflow: Mapping[str, Any]) -> list[str]:
    """A note per mocked name no action has (almost always a typo: the action would run unmocked)."""
    definition = workflow.get("definition")
    if not isinstance(definition, Mapping):
        return []
    unknown = unknown_mock_names(parse_mocks(mocks), definition)
    return [f"mock {name!r} names no action of this flow" for name in unknown]


def to_save(flow: ImportedFlow, mocks: Any = None) -> FlowToSave:
    """The flowmock flow for one imported flow; FlowDefinitionError when it cannot run or be saved."""
    problems = [*validate_definition(flow.definition), *save_time_refusals(flow.definition)]
    if problems:
        raise FlowDefinitionError(f"{flow.source}: flow {flow.display_name!r}: {'; '.join(problems)}")
    notes = list(flow.notes)
    definition: dict[str, Any] = {"name": flow.display_name}
    trigger = flow.trigger
    if trigger is not None and trigger.type.lower() == "request":
        for key, value in (
            ("method", trigger.method),
            ("relative_path", trigger.relative_path),
            ("schema_validation", trigger.schema_validation),
            ("include_authorization_headers", trigger.include_authorization_headers),
            ("suppress_workflow_headers", trigger.suppress_workflow_headers),
            ("trigger_name", trigger.name),
        ):
            if value:
                definition[key] = value
        if trigger.schema:
            try:
                check_definition({"name": "schema", "schema": trigger.schema})
            except FlowDefinitionError as exc:
                notes.append(f"the trigger schema cannot be used, so bodies are not checked: {exc}")
            else:
                definition["schema"] = trigger.schema
        try:
            check_definition(definition)
        except FlowDefinitionError as exc:
            # A trigger name or relative path flowmock cannot serve: say so and serve the flow on `manual`.
            notes.append(f"served on the trigger name 'manual' and without its relative path: {exc}")
            definition.pop("trigger_name", None)
            definition.pop("relative_path", None)
    elif trigger is not None and not trigger.type:
        definition.pop("trigger_name", None)
    workflow = flow.to_json()
    checked = checked_mocks(mocks)
    notes.extend(mock_notes(checked, workflow))
    workflow["notes"] = notes
    return FlowToSave(check_definition(definition), workflow, checked, tuple(notes))
