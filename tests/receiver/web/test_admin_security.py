"""Issue 13, "Admin API and web page": cross-site changes, DNS rebinding, the admin token, credential redaction and
IPv4-mapped loopback; and that the CLI, the pytest handle and `flowmock wait` keep working with all of it."""

from __future__ import annotations

import json
import re

import pytest
import requests
from click.testing import CliRunner

from flowmock_receiver import LiveServer, create_app
from flowmock_receiver.client import AdminClient
from flowmock_receiver.core.store import MemoryStore
from flowmock_receiver.testing import Flowmock
from flowmock_schemas.cli import main
from tests.helpers import call_flow

TOKEN = "s3cret-admin-token"
BEARER = {"Authorization": f"Bearer {TOKEN}"}
CREDENTIALS = {"Authorization": "Basic dXNlcjpwYXNz", "Cookie": "session=abc", "X-Api-Key": "key-123"}


@pytest.fixture
def app():
    return create_app(store=MemoryStore())


@pytest.fixture
def client(app):
    return app.test_client()


def page_token(client) -> str:
    return re.search(r'name="token" value="([^"]+)"', client.get("/_flowmock/").get_data(as_text=True)).group(1)


def first_flow(app):
    return app.extensions["flowmock"].store.list_flows()[0]


# Cross-site state changes -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "headers",
    [{"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}, {"Origin": "null"}],
    ids=["foreign-origin", "sec-fetch-site", "null-origin"],
)
def test_cross_site_reset_and_regenerate_key_are_refused(app, client, headers):
    flow = first_flow(app)
    before = flow.primary_key
    for path, body in (("/_flowmock/api/reset", {}), (f"/_flowmock/api/flows/{flow.id}/regenerate-key", {})):
        response = client.post(path, json=body, headers=headers)
        assert response.status_code == 403
        assert response.json["error"]["code"] == "CrossSiteRequestRefused"
    assert app.extensions["flowmock"].store.get_flow(flow.id).primary_key == before


def test_cross_site_delete_is_refused_and_same_origin_changes_work(app, client):
    flow = first_flow(app)
    assert (
        client.delete(f"/_flowmock/api/flows/{flow.id}", headers={"Origin": "http://evil.localhost"}).status_code == 403
    )
    same = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/_flowmock/api/reset", json={}, headers=same).status_code == 200


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None]
)
def test_state_changing_admin_api_calls_need_a_json_content_type(client, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/_flowmock/api/reset", data=b"{}", headers=headers)
    assert response.status_code == 415
    assert response.json["error"]["code"] == "UnsupportedMediaType"


def test_delete_needs_no_body_or_content_type(app, client):
    assert client.delete("/_flowmock/api/runs").status_code == 204


def test_page_forms_from_another_site_are_refused_even_with_the_form_token(app, client):
    flow = first_flow(app)
    form = {"state": "disabled", "token": page_token(client)}
    response = client.post(f"/_flowmock/flows/{flow.id}/state", data=form, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert app.extensions["flowmock"].store.get_flow(flow.id).state == "enabled"
    same = {"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"}
    assert client.post(f"/_flowmock/flows/{flow.id}/state", data=form, headers=same).status_code == 303
    assert app.extensions["flowmock"].store.get_flow(flow.id).state == "disabled"


# DNS rebinding ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/_flowmock/api/flows", "/_flowmock/", "/_flowmock/api/health"])
def test_admin_api_and_pages_refuse_a_host_that_does_not_name_the_server(client, path):
    response = client.get(path, headers={"Host": "attacker.example:7071"})
    assert response.status_code == 403
    assert b"attacker.example" in response.data
    assert b"callback" not in response.data


@pytest.mark.parametrize("host", ["127.0.0.1:7071", "[::1]:7071", "localhost:7071", "app.localhost", "10.1.2.3"])
def test_admin_api_accepts_ip_literals_and_localhost(client, host):
    assert client.get("/_flowmock/api/flows", headers={"Host": host}).status_code == 200


def test_admin_api_accepts_the_public_url_host():
    app = create_app({"PUBLIC_URL": "http://flowmock.test:7071"}, store=MemoryStore())
    response = app.test_client().get("/_flowmock/api/flows", headers={"Host": "flowmock.test:7071"})
    assert response.status_code == 200
    assert response.json["flows"][0]["callback_url"].startswith("http://flowmock.test:7071/workflows/")


def test_trigger_urls_keep_accepting_any_host(app, client):
    flow = first_flow(app)
    response = call_flow(client, flow.callback_url("http://localhost"), {}, headers={"Host": "prod-18.uksouth.test"})
    assert response.status_code == 202


# The admin token --------------------------------------------------------------------------------------------------
def test_remote_admin_api_without_a_token_is_refused_at_start():
    with pytest.raises(ValueError, match="needs a token"):
        create_app({"ADMIN_ALLOW_REMOTE": True}, store=MemoryStore())


def test_serve_admin_remote_without_a_token_exits_2():
    result = CliRunner(env={"FLOWMOCK_ADMIN_TOKEN": ""}).invoke(main, ["serve", "--memory", "--admin-remote"])
    assert result.exit_code == 2
    assert "--admin-remote needs a token" in result.output


@pytest.fixture
def guarded():
    return create_app({"ADMIN_ALLOW_REMOTE": True, "ADMIN_TOKEN": TOKEN}, store=MemoryStore())


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}, {"Authorization": "Bearer "}],
    ids=["none", "wrong", "not-bearer", "empty"],
)
def test_remote_admin_api_needs_the_bearer_token(guarded, headers):
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    response = guarded.test_client().get("/_flowmock/api/flows", headers=headers, environ_base=remote)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "AdminTokenRequired"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    ok = guarded.test_client().get("/_flowmock/api/flows", headers=BEARER, environ_base=remote)
    assert ok.status_code == 200


def test_health_answers_without_the_token_so_wait_works(guarded):
    assert guarded.test_client().get("/_flowmock/api/health").status_code == 200


def test_pages_need_a_login_with_the_token(guarded):
    client = guarded.test_client()
    first = client.get("/_flowmock/")
    assert first.status_code == 303 and first.headers["Location"].startswith("/_flowmock/login")
    login = client.get(first.headers["Location"])
    token = re.search(r'name="token" value="([^"]+)"', login.get_data(as_text=True)).group(1)
    wrong = client.post("/_flowmock/login", data={"token": token, "admin_token": "nope", "next": "/_flowmock/"})
    assert wrong.status_code == 401
    right = client.post("/_flowmock/login", data={"token": token, "admin_token": TOKEN, "next": "/_flowmock/"})
    assert right.status_code == 303 and right.headers["Location"] == "/_flowmock/"
    cookie = right.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and TOKEN not in cookie
    assert client.get("/_flowmock/").status_code == 200
    # The page's own polling of the API rides on the same login.
    assert client.get("/_flowmock/api/flows").status_code == 200


def test_page_posts_without_login_are_401(guarded):
    flow = first_flow(guarded)
    response = guarded.test_client().post(f"/_flowmock/flows/{flow.id}/state", data={"state": "disabled"})
    assert response.status_code == 401


# Credential headers -------------------------------------------------------------------------------------------------
def test_credential_headers_are_redacted_in_lists_and_entries_unless_asked(app, client):
    flow = first_flow(app)
    client.set_cookie("session", "abc")  # the test client sends cookies from its jar, not from headers=
    call_flow(client, flow.callback_url("http://localhost"), {}, headers=CREDENTIALS)
    for path in ("/_flowmock/api/triggers", f"/_flowmock/api/flows/{flow.id}/triggers"):
        headers = dict(client.get(path).json["triggers"][0]["request"]["headers"])
        assert {name: headers[name] for name in CREDENTIALS} == dict.fromkeys(CREDENTIALS, "[redacted]")
        assert "dXNlcjpwYXNz" not in client.get(path).get_data(as_text=True)
    run = client.get(f"/_flowmock/api/flows/{flow.id}/runs").json["runs"][0]
    assert run["outputs"]["headers"]["Cookie"] == "[redacted]"
    assert run["outputs"]["headers"]["X-Api-Key"] == "[redacted]"
    revealed = client.get("/_flowmock/api/triggers?reveal=credentials").json["triggers"][0]
    assert dict(revealed["request"]["headers"])["X-Api-Key"] == "key-123"
    entry_id = revealed["id"]
    assert b"key-123" not in client.get(f"/_flowmock/calls/{entry_id}").data
    assert b"key-123" in client.get(f"/_flowmock/calls/{entry_id}?reveal=credentials").data


# Loopback ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("address", ["::ffff:127.0.0.1", "::ffff:127.8.9.10", "127.0.0.1", "::1"])
def test_ipv4_mapped_loopback_counts_as_loopback(client, address):
    assert client.get("/_flowmock/api/flows", environ_base={"REMOTE_ADDR": address}).status_code == 200


def test_ipv4_mapped_remote_address_is_still_remote(client):
    assert client.get("/_flowmock/api/flows", environ_base={"REMOTE_ADDR": "::ffff:203.0.113.9"}).status_code == 403


# The clients keep working -------------------------------------------------------------------------------------------
@pytest.fixture
def live_guarded():
    app = create_app({"ADMIN_TOKEN": TOKEN}, store=MemoryStore())
    with LiveServer(app) as server:
        yield server, app


def test_admin_client_sends_the_token_and_json_content_type(live_guarded):
    live, _app = live_guarded
    assert requests.post(f"{live.url}/_flowmock/api/reset", timeout=5).status_code == 401
    client = AdminClient(live.url, token=TOKEN)
    assert len(client.post("/reset")["flows"]) == 4
    flow = client.post("/flows", json={"name": "x"})
    assert client.post(f"/flows/{flow['id']}/regenerate-key")["id"] == flow["id"]
    assert client.delete(f"/flows/{flow['id']}") is None


def test_cli_reads_the_token_from_the_environment_and_wait_needs_none(live_guarded):
    live, _app = live_guarded
    runner = CliRunner(env={"FLOWMOCK_ADMIN_TOKEN": TOKEN})
    listed = runner.invoke(main, ["flows", "list", "--url", live.url])
    assert listed.exit_code == 0 and listed.output.count("\n") == 4
    refused = CliRunner(env={"FLOWMOCK_ADMIN_TOKEN": ""}).invoke(main, ["flows", "list", "--url", live.url])
    assert refused.exit_code == 1 and "AdminTokenRequired" in refused.output
    waited = CliRunner(env={"FLOWMOCK_ADMIN_TOKEN": ""}).invoke(main, ["wait", "--url", live.url, "--timeout", "5"])
    assert waited.exit_code == 0


def test_export_redacts_credentials_unless_reveal_credentials(live_guarded):
    live, app = live_guarded
    flow = first_flow(app)
    requests.post(flow.callback_url(live.url), json={}, headers=CREDENTIALS, timeout=5)
    runner = CliRunner(env={"FLOWMOCK_ADMIN_TOKEN": TOKEN})
    redacted = runner.invoke(main, ["runs", "export", "--format", "jsonl", "--url", live.url])
    assert redacted.exit_code == 0 and "key-123" not in redacted.output and "[redacted]" in redacted.output
    shown = runner.invoke(main, ["runs", "export", "--format", "jsonl", "--url", live.url, "--reveal-credentials"])
    assert "key-123" in shown.output
    assert json.loads(shown.output.splitlines()[0])


def test_pytest_handle_works_in_process_with_a_token_and_sees_credentials():
    app = create_app({"ADMIN_TOKEN": TOKEN}, store=MemoryStore())
    handle = Flowmock.in_process(app)
    flow = handle.create_flow(name="h")
    assert flow.post({"a": 1}, headers={"X-Api-Key": "key-123"}).status == 202
    assert flow.runs[0].headers["X-Api-Key"] == "key-123"
    handle.reset()


def test_flow_import_takes_a_zip_but_not_a_form_from_any_site(client):
    zipped = client.post("/_flowmock/api/flows/import", data=b"PK\x03\x04", content_type="application/zip")
    assert zipped.status_code == 400  # past the guard: the importer says what is wrong with the file
    form = client.post("/_flowmock/api/flows/import", data=b"x=1", content_type="text/plain")
    assert form.status_code == 415
    foreign = client.post("/_flowmock/api/flows/import", json={}, headers={"Origin": "https://evil.example"})
    assert foreign.status_code == 403


@pytest.mark.parametrize("token", ["123", "true", "1e2", "null", '"quoted"'])
def test_admin_token_from_the_environment_is_the_string_given_even_when_it_reads_as_json(monkeypatch, token):
    monkeypatch.setenv("FLOWMOCK_ADMIN_TOKEN", token)
    app = create_app({"ADMIN_ALLOW_REMOTE": True}, store=MemoryStore())
    client = app.test_client()
    assert client.get("/_flowmock/api/flows", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/_flowmock/api/flows").status_code == 401


def test_text_settings_from_the_environment_are_not_read_as_json(monkeypatch):
    monkeypatch.setenv("FLOWMOCK_REGION", "1")
    monkeypatch.setenv("FLOWMOCK_MAX_PAGE", "50")  # numbers stay numbers
    app = create_app(store=MemoryStore())
    assert app.config["REGION"] == "1" and app.config["MAX_PAGE"] == 50
