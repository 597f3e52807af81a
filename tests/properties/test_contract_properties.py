"""End-to-end properties: every payload type, generated valid and invalid, through the real trigger pipeline."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowmock_receiver import create_app
from flowmock_receiver.core.store import MemoryStore
from flowmock_receiver.testing import Flowmock
from flowmock_schemas import schema_names, validate, validator_for
from flowmock_schemas.strategies import from_schema, invalid_payloads, raw_bodies
from flowmock_sender import Sender
from tests.helpers import call_flow

NAMES = schema_names()
STRICT = [n for n in NAMES if n.endswith(".strict")]


def _app_with_flows(validation: bool):
    flows = [{"name": name, "schema": name, "schema_validation": validation} for name in NAMES]
    app = create_app({"FLOWS": flows}, store=MemoryStore())
    by_schema = {f.schema: f for f in app.extensions["flowmock"].store.list_flows()}
    return app, by_schema


VALIDATING_APP, VALIDATING = _app_with_flows(True)
LENIENT_APP, LENIENT = _app_with_flows(False)


def _post(app, flow, body: bytes, content_type: str | None = "application/json"):
    return call_flow(app.test_client(), flow.callback_url("http://localhost"), data=body, content_type=content_type)


def _encode(payload) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_property_valid_payload_is_accepted_and_recorded_exactly(name, data):
    payload = data.draw(from_schema(name))
    body = _encode(payload)
    response = _post(VALIDATING_APP, VALIDATING[name], body)
    assert response.status_code == 202, response.data
    store = VALIDATING_APP.extensions["flowmock"].store
    call = store.get_call(response.headers["x-ms-workflow-run-id"])
    assert call.body == body
    assert call.outputs["body"] == payload
    assert (call.contract["valid"], call.contract["errors"]) == (True, [])
    if not name.endswith(".strict"):  # a documented schema's call carries its strict verdict beside its own
        assert call.contract["strict"]["schema"] == f"{name}.strict"
        assert call.contract["strict"]["valid"] == (validate(f"{name}.strict", payload) == [])


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_property_invalid_payload_with_validation_on_is_400_naming_the_violation(name, data):
    broken = data.draw(invalid_payloads(name))
    response = _post(VALIDATING_APP, VALIDATING[name], _encode(broken.payload))
    assert response.status_code == 400
    error = response.json["error"]
    assert error["code"] == "TriggerInputSchemaMismatch"
    [expected] = validate(name, broken.payload)
    assert expected.message in error["message"]
    if broken.kind in ("missing-required", "extra-property"):
        # Json.NET phrases name the property for these; for type, enum and pattern errors the real message carries
        # no path, so flowmock keeps it in the recorded verdict instead.
        assert broken.detail.split("'")[1] in error["message"]
    history = VALIDATING_APP.extensions["flowmock"].store.calls(VALIDATING[name].id, limit=1)
    assert [e["path"] for e in history[0].contract["errors"]] == [broken.path]
    assert history[0].run_id is None


@pytest.mark.parametrize("name", STRICT)
@given(data=st.data())
def test_property_with_validation_off_invalid_payload_starts_a_run_and_records_the_verdict(name, data):
    broken = data.draw(invalid_payloads(name))
    response = _post(LENIENT_APP, LENIENT[name], _encode(broken.payload))
    assert response.status_code == 202
    call = LENIENT_APP.extensions["flowmock"].store.get_call(response.headers["x-ms-workflow-run-id"])
    assert call.contract["valid"] is False
    assert [e["path"] for e in call.contract["errors"]] == [broken.path]


@given(pair=raw_bodies(), name=st.sampled_from(NAMES))
def test_property_any_raw_body_never_gets_a_5xx(pair, name):
    content_type, body = pair
    response = _post(VALIDATING_APP, VALIDATING[name], body, content_type)
    assert response.status_code in (202, 400)
    assert VALIDATING_APP.extensions["flowmock"].errors == []
    if response.status_code == 400:
        assert response.json["error"]["code"] in ("InvalidRequestContent", "TriggerInputSchemaMismatch")


@pytest.mark.parametrize("name", NAMES)
@given(data=st.data())
def test_property_fast_and_detailed_validation_give_the_same_verdict(name, data):
    validator = validator_for(name)
    payload = data.draw(from_schema(name) | invalid_payloads(name).map(lambda b: b.payload))
    assert validator.is_valid(payload) == validator.slow_is_valid(payload)
    assert validator.is_valid(payload) == (validator.errors(payload) == [])


@pytest.mark.parametrize("name", ["monitor-results.strict", "team-activity.strict", "backup-collection.strict"])
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_property_sender_round_trip_build_send_record_validate(flowmock_server, name, data):
    handle = Flowmock(flowmock_server.url)
    flow = handle.create_flow(schema=name, schema_validation=True)
    try:
        payload = data.draw(from_schema(name))
        delivery = Sender(flow.url).send(payload, schema=name)
        run = handle.client.get(f"/runs/{delivery.run_id}")
        assert (
            base64.b64decode(run["request"]["body_base64"])
            == json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        )
        assert validate(name, run["outputs"]["body"]) == []
    finally:
        handle.client.delete(f"/flows/{flow.id}")
