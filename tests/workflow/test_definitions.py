"""Import of exported flows: every accepted shape, the corpus, and hostile or broken files."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowmock_receiver.workflow import packages
from flowmock_receiver.workflow.definitions import import_flows, import_value, load_flows
from flowmock_receiver.workflow.errors import DefinitionError, UnknownShapeError
from tests.workflow.corpus import CORPUS, FLOWS


def zipped(members: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DEFINITION = {
    "$schema": "https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#",
    "triggers": {"manual": {"type": "Request", "kind": "Http", "inputs": {"method": "post", "relativePath": "/a/{b}"}}},
    "actions": {"Response": {"type": "Response", "inputs": {"statusCode": 200}, "runAfter": {}}},
    "parameters": {"p": {"type": "String", "defaultValue": "d"}},
}


def test_the_corpus_holds_at_least_twenty_flows_in_every_shape():
    flows = [flow for path in CORPUS for flow in load_flows(path)]
    assert len(flows) >= 20
    assert {f.shape for f in flows} == {
        "export-package",
        "solution",
        "dataverse-record",
        "definition",
        "arm-template",
        "standard-workflow",
    }


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.relative_to(FLOWS).as_posix())
def test_every_corpus_file_imports(path):
    flows = load_flows(path)
    assert flows
    for flow in flows:
        assert flow.display_name and flow.trigger is not None
        assert json.loads(json.dumps(flow.to_json()))["display_name"] == flow.display_name


def test_the_corpus_zips_are_built_from_their_sources():
    result = subprocess.run(
        [sys.executable, str(FLOWS / "build_packages.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_an_export_package_gives_the_display_name_and_trigger_settings():
    [flow] = load_flows(FLOWS / "packages" / "order-intake.zip")
    assert (flow.display_name, flow.shape) == ("Order intake", "export-package")
    trigger = flow.trigger
    assert trigger is not None
    assert (trigger.method, trigger.relative_path, trigger.schema_validation, trigger.is_http_request) == (
        "POST",
        "orders/{region}",
        True,
        True,
    )
    assert trigger.schema is not None and trigger.schema["required"] == ["orderId", "lines"]
    assert set(flow.actions) == {"Try", "Respond_created", "Catch", "Terminate_failed"}


def test_a_solution_gives_every_flow_named_from_customizations_xml():
    flows = load_flows(FLOWS / "solutions" / "support-desk.zip")
    assert [f.display_name for f in flows] == [
        "Escalate ticket & notify (child flow)",
        "Nightly cleanup",
        "Ticket webhook",
    ]
    webhook = flows[2].trigger
    assert webhook is not None and webhook.schema_validation and webhook.suppress_workflow_headers
    assert not flows[0].trigger.is_http_request  # kind Button
    assert any("Recurrence" in note and "callback URL" in note for note in flows[1].notes)


def test_a_dataverse_record_with_clientdata_as_a_string_imports():
    [flow] = load_flows(FLOWS / "records" / "greeting-workflow-record.json")
    assert (flow.display_name, flow.shape) == ("Greeting", "dataverse-record")


def test_an_arm_template_resolves_parameters_and_notes_expressions_it_cannot():
    [flow] = load_flows(FLOWS / "arm" / "customer-lookup.json")
    assert flow.display_name == "la-customer-lookup"
    assert flow.parameters["apiBase"] == "https://crm-test.example.com"
    assert flow.parameters["notFoundMessage"] == "no such customer"
    assert any("notFoundMessage" in note for note in flow.notes)


def test_an_arm_template_finds_workflows_in_nested_deployments():
    flows = load_flows(FLOWS / "arm" / "nested-deployment.json")
    assert [f.display_name for f in flows] == ["Document intake", "la-document-sweep"]
    assert flows[0].trigger is not None and flows[0].trigger.conditions == (
        "@not(empty(triggerBody()?['documentUrl']))",
    )


def test_a_standard_workflow_is_named_after_its_folder():
    [flow] = load_flows(FLOWS / "standard" / "StatelessEcho" / "workflow.json")
    assert (flow.display_name, flow.shape) == ("StatelessEcho", "standard-workflow")
    assert flow.trigger is not None and flow.trigger.include_authorization_headers


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"definition": DEFINITION}, id="definition"),
        pytest.param({"properties": {"definition": DEFINITION, "displayName": "Named"}}, id="properties"),
        pytest.param(DEFINITION, id="bare"),
        pytest.param({"definition": DEFINITION, "kind": "Stateful"}, id="standard"),
    ],
)
def test_json_shapes_import_with_method_upper_cased_and_relative_path_trimmed(value):
    [flow] = import_value(value, source="x.json")
    assert flow.trigger is not None
    assert (flow.trigger.method, flow.trigger.relative_path) == ("POST", "a/{b}")
    assert flow.parameters == {"p": "d"}


def test_operation_options_are_read_case_insensitively_from_a_comma_list():
    value = json.loads(json.dumps(DEFINITION))
    value["triggers"]["manual"]["operationOptions"] = "enableSchemaValidation, IncludeAuthorizationHeadersInOutputs"
    [flow] = import_value(value)
    assert flow.trigger.schema_validation and flow.trigger.include_authorization_headers
    assert not flow.trigger.suppress_workflow_headers


def test_a_definition_without_trigger_imports_with_a_note():
    [flow] = import_value({"definition": {"actions": {}, "triggers": {}}})
    assert flow.trigger is None and flow.notes


@pytest.mark.parametrize(
    "value",
    [pytest.param({"name": "x"}, id="object"), pytest.param([1, 2], id="list"), pytest.param("text", id="string")],
)
def test_an_unknown_shape_gets_one_line_listing_the_accepted_shapes(value):
    with pytest.raises(UnknownShapeError) as raised:
        import_flows(json.dumps(value).encode(), source="mystery.json")
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith("mystery.json: not a flow definition; expected a Power Automate export package")
    assert "ARM template" in message and "Standard workflow.json" in message


def test_bad_json_says_where():
    with pytest.raises(DefinitionError, match=r"^bad\.json: not valid JSON: .* at line 2, column \d+$"):
        import_flows(b'{"definition":\n  {oops}', source="bad.json")


def test_bad_json_inside_a_zip_names_the_member():
    data = zipped({"manifest.json": "{}", "Microsoft.Flow/flows/abc/definition.json": "{nope"})
    with pytest.raises(DefinitionError, match=r"^p\.zip!Microsoft\.Flow/flows/abc/definition\.json: not valid JSON"):
        import_flows(data, source="p.zip")


def test_an_empty_file_and_binary_garbage_are_refused_clearly():
    with pytest.raises(UnknownShapeError, match="empty"):
        import_flows(b"  ", source="e.json")
    with pytest.raises(DefinitionError, match="not UTF-8"):
        import_flows(b"\xff\xfe\x00{", source="g.json")


def test_a_truncated_zip_is_not_readable():
    data = zipped({"manifest.json": "{}"})
    with pytest.raises(DefinitionError, match="not a readable zip"):
        import_flows(data[: len(data) // 2], source="cut.zip")


def test_a_member_that_inflates_past_the_limit_is_refused_as_a_zip_bomb(monkeypatch):
    monkeypatch.setattr(packages, "MAX_MEMBER_BYTES", 10_000)
    data = zipped({"manifest.json": "{}", "Microsoft.Flow/flows/a/definition.json": b" " * 1_000_000})
    assert len(data) < 10_000
    with pytest.raises(DefinitionError, match="zip bomb"):
        import_flows(data, source="bomb.zip")


def test_many_members_are_refused(monkeypatch):
    monkeypatch.setattr(packages, "MAX_MEMBERS", 3)
    with pytest.raises(DefinitionError, match="more than 3"):
        import_flows(zipped({f"f{i}.json": "{}" for i in range(4)}), source="many.zip")


def test_a_file_larger_than_the_input_limit_is_refused(monkeypatch):
    monkeypatch.setattr("flowmock_receiver.workflow.definitions.MAX_INPUT_BYTES", 10)
    with pytest.raises(DefinitionError, match="larger than 10 bytes"):
        import_flows(b"{" + b" " * 20 + b"}", source="big.json")


def test_deeply_nested_json_is_refused_without_recursion_errors():
    with pytest.raises(DefinitionError, match="nested deeper"):
        import_flows(b"[" * 5000 + b"]" * 5000, source="deep.json")


def test_member_names_that_climb_out_are_only_names_never_package_paths(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    climbing = json.dumps({"properties": {"definition": DEFINITION}})
    data = zipped({"../manifest.json": "{}", "../../Microsoft.Flow/flows/a/definition.json": climbing})
    [flow] = import_flows(data, source="evil.zip")
    assert flow.shape == "definition"  # read as a loose JSON member, not as an export package's definition
    assert list(tmp_path.iterdir()) == [] and not (tmp_path.parent / "manifest.json").exists()


def test_backslash_member_names_from_repacking_tools_still_match():
    data = zipped(
        {
            "manifest.json": "{}",
            "Microsoft.Flow\\flows\\abc\\definition.json": json.dumps(
                {"properties": {"displayName": "B", "definition": DEFINITION}}
            ),
        }
    )
    [flow] = import_flows(data, source="win.zip")
    assert flow.display_name == "B"


def test_a_zip_holding_a_single_definition_json_imports():
    [flow] = import_flows(
        zipped({"flow/workflow.json": json.dumps({"definition": DEFINITION, "kind": "Stateless"})}), source="one.zip"
    )
    assert flow.shape == "standard-workflow"


def test_a_solution_without_cloud_flows_is_refused():
    data = zipped({"customizations.xml": "<ImportExportXml/>", "Workflows/Classic.json": json.dumps({"xaml": "..."})})
    with pytest.raises(DefinitionError, match="without cloud flows"):
        import_flows(data, source="classic.zip")


def test_a_solution_with_a_utf8_bom_imports():
    document = json.dumps({"properties": {"definition": DEFINITION}, "schemaVersion": "1.0.0.0"}).encode("utf-8-sig")
    [flow] = import_flows(
        zipped({"Workflows/Thing-0B7E46A1-1C2D-4E3F-8A9B-0C1D2E3F4A5B.json": document}), source="s.zip"
    )
    assert flow.display_name == "Thing"


def test_a_missing_file_is_a_definition_error(tmp_path: Path):
    with pytest.raises(DefinitionError, match="cannot read"):
        load_flows(tmp_path / "none.zip")


def test_code_view_parameter_values_beside_the_definition_override_defaults():
    [flow] = import_value(
        {"definition": DEFINITION, "parameters": {"p": {"value": "from code view"}, "$connections": {"value": {}}}}
    )
    assert flow.parameters["p"] == "from code view"


def test_a_bicep_compiled_template_with_symbolic_resources_imports():
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "languageVersion": "2.0",
        "resources": {
            "logicApp": {
                "type": "Microsoft.Logic/workflows",
                "name": "la-bicep",
                "properties": {"definition": DEFINITION},
            }
        },
    }
    [flow] = import_value(template)
    assert (flow.display_name, flow.shape) == ("la-bicep", "arm-template")


def test_an_unpacked_solution_workflow_file_is_named_without_its_guid():
    document = json.dumps({"properties": {"definition": DEFINITION}, "schemaVersion": "1.0.0.0"}).encode()
    [flow] = import_flows(document, source="Workflows/OrderSync-0B7E46A1-1C2D-4E3F-8A9B-0C1D2E3F4A5B.json")
    assert flow.display_name == "OrderSync"


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"$schema": "x", "resources": [], "parameters": []}, id="arm-parameters-list"),
        pytest.param({"definition": {"triggers": {"t": 5}, "actions": {}}}, id="trigger-not-object"),
        pytest.param({"definition": {"triggers": {}, "actions": []}}, id="actions-list"),
    ],
)
def test_malformed_documents_fail_with_a_definition_error_not_a_crash(value):
    with pytest.raises(DefinitionError):
        import_value(value)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "definition",
                    "properties",
                    "triggers",
                    "actions",
                    "resources",
                    "type",
                    "kind",
                    "parameters",
                    "clientdata",
                    "inputs",
                    "$schema",
                    "name",
                    "x",
                ]
            ),
            children,
            max_size=5,
        )
    ),
    max_leaves=25,
)


@given(JSON_VALUES)
def test_any_json_value_imports_or_fails_with_a_definition_error(value):
    try:
        flows = import_value(value)
    except DefinitionError:
        return
    assert all(isinstance(flow.to_json(), dict) for flow in flows)


@given(st.binary(max_size=300), st.booleans())
def test_any_bytes_import_or_fail_with_a_definition_error(data, as_zip):
    payload = zipped({"manifest.json": data, "Workflows/a.json": data}) if as_zip else data
    with contextlib.suppress(DefinitionError):
        import_flows(payload, source="fuzz")


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.relative_to(FLOWS).as_posix())
def test_an_imported_flow_survives_a_json_round_trip(path):
    from flowmock_receiver.workflow.definitions import ImportedFlow

    for flow in load_flows(path):
        assert ImportedFlow.from_json(json.loads(json.dumps(flow.to_json()))) == flow
