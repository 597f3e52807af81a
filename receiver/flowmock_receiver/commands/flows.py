"""`flowmock flows`: list, show, create and change the flows of a running server, through its admin API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from flowmock_schemas.clikit import fail, read_json_or_fail

from .common import call as _call
from .common import client as _client
from .common import json_option, url_option


@click.group()
def flows() -> None:
    """List, show, create and change flows on a running server."""


@flows.command("list")
@url_option
@json_option
def flows_list(url: str, as_json: bool) -> None:
    data = _call(_client(url).get, "/flows")
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for flow in data["flows"]:
        schema = flow["schema"] if isinstance(flow["schema"], str) else ("custom" if flow["schema"] else "-")
        click.echo(
            f"{flow['id']}  {flow['state']:<8}  {schema:<26}  runs={flow['runs']:<5} "
            f"failures={flow['failures']:<5} {flow['name']}"
        )


@flows.command("show")
@url_option
@click.argument("flow_id")
def flows_show(url: str, flow_id: str) -> None:
    click.echo(json.dumps(_call(_client(url).get, f"/flows/{flow_id}"), indent=2))


@flows.command("url")
@url_option
@click.option("--secondary", is_flag=True, help="The URL signed with the secondary key.")
@click.argument("flow_id")
def flows_url(url: str, secondary: bool, flow_id: str) -> None:
    """Print a flow's callback URL (for scripts: HOOK=$(flowmock flows url ID))."""
    flow = _call(_client(url).get, f"/flows/{flow_id}")
    click.echo(flow["secondary_callback_url" if secondary else "callback_url"])


@flows.command("create")
@url_option
@click.option("--file", "file_", default=None, help="A JSON flow definition.")
@click.option("--name", default=None)
@click.option("--schema", default=None, help="A schema name, e.g. monitor-results.strict.")
@click.option("--validation/--no-validation", default=None, help="Reject non-conforming bodies with 400.")
@click.option("--method", default=None)
@click.option("--relative-path", default=None)
@click.option("--host", "host", type=click.Choice(["logic", "powerplatform"]), default=None)
@json_option
def flows_create(url: str, file_: str | None, as_json: bool, **fields: Any) -> None:
    """Create a flow from --file or from the options; prints its callback URL."""
    definition: dict[str, Any] = read_json_or_fail(file_) if file_ else {}
    if not isinstance(definition, dict):
        fail(f"{file_}: a flow definition must be a JSON object", 2)
    names = {"validation": "schema_validation"}
    for key, value in fields.items():
        if value is not None:
            definition[names.get(key, key)] = value
    flow = _call(_client(url).post, "/flows", json=definition)
    click.echo(json.dumps(flow, indent=2) if as_json else flow["callback_url"])


def _patch(url: str, flow_id: str, changes: dict[str, Any]) -> None:
    flow = _call(_client(url).patch, f"/flows/{flow_id}", json=changes)
    click.echo(f"{flow['id']} {flow['state']}")


@flows.command("enable")
@url_option
@click.argument("flow_id")
def flows_enable(url: str, flow_id: str) -> None:
    _patch(url, flow_id, {"state": "enabled"})


@flows.command("disable")
@url_option
@click.argument("flow_id")
def flows_disable(url: str, flow_id: str) -> None:
    _patch(url, flow_id, {"state": "disabled"})


@flows.command("delete")
@url_option
@click.argument("flow_id")
def flows_delete(url: str, flow_id: str) -> None:
    _call(_client(url).delete, f"/flows/{flow_id}")
    click.echo(f"{flow_id} deleted")


@flows.command("regenerate-key")
@url_option
@click.option("--key-type", type=click.Choice(["primary", "secondary"]), default="primary", show_default=True)
@click.argument("flow_id")
def flows_regenerate_key(url: str, key_type: str, flow_id: str) -> None:
    """Replace one key: URLs signed with it stop working, URLs signed with the other keep working."""
    flow = _call(_client(url).post, f"/flows/{flow_id}/regenerate-key", json={"key_type": key_type})
    click.echo(flow["callback_url" if key_type == "primary" else "secondary_callback_url"])


@flows.command("import")
@url_option
@click.option("--mocks", "mocks_file", default=None, help="A JSON file of mocks by action name, set on each flow.")
@json_option
@click.argument("file", type=click.Path(dir_okay=False))
def flows_import(url: str, mocks_file: str | None, as_json: bool, file: str) -> None:
    """Import an exported flow (export package, solution, definition, ARM template, workflow.json): each flow in it
    is served at its own callback URL; prints one line per flow (its URL and name) and its notes."""
    try:
        data = Path(file).read_bytes()
    except OSError as exc:
        fail(f"{file}: cannot read: {exc.strerror or exc}", 2)
    mocks = read_json_or_fail(mocks_file) if mocks_file else None
    source = f"{Path(file).parent.name}/{Path(file).name}" if Path(file).name == "workflow.json" else Path(file).name
    client = _client(url)
    made = _call(client.import_file, data, filename=source)
    if mocks is not None:
        for index, flow in enumerate(made):
            changed = _call(client.put, f"/flows/{flow['id']}/mocks", json=mocks)
            made[index] = {**changed, "notes": [*flow["notes"], *changed["notes"]]}
    if as_json:
        click.echo(json.dumps({"flows": made}, indent=2))
        return
    for flow in made:
        click.echo(f"{flow['callback_url']}  {flow['name']}")
        for note in flow["notes"]:
            click.echo(f"  note: {note}")
