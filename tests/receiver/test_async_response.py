"""An asynchronous Response (`operationOptions: Asynchronous`) served: 202 at once with a `Location` to poll and a
`Retry-After`; the poll answers 202 while the run goes on, then the Response's answer (or 502 `NoResponse` when the
run ended without one), and only to a URL signed for that run."""

from __future__ import annotations

import time
from typing import Any

from flowmock_receiver import create_app
from flowmock_receiver.core.store import MemoryStore

ASYNC_RUN = {
    "definition": {
        "triggers": {"manual": {"type": "Request", "kind": "Http"}},
        "actions": {
            "Count": {
                "type": "InitializeVariable",
                "inputs": {"variables": [{"name": "n", "type": "integer", "value": 7}]},
                "runAfter": {},
            },
            "Respond": {
                "type": "Response",
                "kind": "Http",
                "inputs": {"statusCode": 201, "headers": {"X-Answer": "late"}, "body": {"n": "@variables('n')"}},
                "runAfter": {"Count": ["Succeeded"]},
                "operationOptions": "Asynchronous",
            },
        },
    }
}
NEVER_RESPONDS = {
    "definition": {
        "triggers": {"manual": {"type": "Request", "kind": "Http"}},
        "actions": {
            "Stop": {"type": "Terminate", "inputs": {"runStatus": "Failed"}, "runAfter": {}},
            "Respond": {
                "type": "Response",
                "kind": "Http",
                "inputs": {"statusCode": 200},
                "runAfter": {"Stop": ["Succeeded"]},
                "operationOptions": "Asynchronous",
            },
        },
    }
}


def local(url: str) -> str:
    return url.split("localhost", 1)[1]


def started(client: Any, definition: dict[str, Any]) -> Any:
    [flow] = client.post("/_flowmock/api/flows/import", json=definition).get_json()["flows"]
    answer = client.post(local(flow["callback_url"]), json={})
    assert answer.status_code == 202 and answer.get_data() == b""
    return answer


def polled_until_done(client: Any, location: str) -> Any:
    deadline = time.monotonic() + 30
    while (answer := client.get(local(location))).status_code == 202:
        assert answer.headers["Location"] == location and answer.headers["Retry-After"] == "1"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return answer


def test_an_asynchronous_response_gives_a_location_that_answers_202_while_the_run_goes_on_then_the_response(
    held_after_answer,
):
    client = create_app(store=MemoryStore()).test_client()
    answer = started(client, ASYNC_RUN)
    location = answer.headers["Location"]
    run_id = answer.headers["x-ms-workflow-run-id"]
    assert location.startswith("http://localhost/workflows/") and f"/runs/{run_id}/operations/" in location
    assert answer.headers["Retry-After"] == "1"
    still = client.get(local(location))
    assert (still.status_code, still.headers["Location"], still.get_data()) == (202, location, b"")
    assert still.headers["x-ms-workflow-run-id"] == run_id
    held_after_answer.set()
    done = polled_until_done(client, location)
    assert (done.status_code, done.headers["X-Answer"], done.get_json()) == (201, "late", {"n": 7})
    assert done.headers["x-ms-workflow-run-id"] == run_id
    assert client.get(local(location)).get_json() == {"n": 7}  # the answer stays there for later polls


def test_an_asynchronous_flow_that_ends_without_its_response_polls_to_502_no_response():
    client = create_app(store=MemoryStore()).test_client()
    location = started(client, NEVER_RESPONDS).headers["Location"]
    done = polled_until_done(client, location)
    assert done.status_code == 502 and done.get_json()["error"]["code"] == "NoResponse"


def test_a_poll_url_answers_only_when_signed_for_its_run():
    client = create_app(store=MemoryStore()).test_client()
    location = started(client, NEVER_RESPONDS).headers["Location"]
    forged = client.get(local(location).replace("sig=", "sig=x"))
    assert (forged.status_code, forged.get_json()["error"]["code"]) == (401, "DirectApiInvalidAuthorizationSignature")
    path, query = local(location).split("?", 1)
    other_run = path.replace("/runs/", "/runs/0").rsplit("/operations/", 1)[0] + "/operations/x?" + query
    assert client.get(other_run).status_code == 401  # the signature covers the run and the operation
    unknown_flow = client.get(local(location).replace("/workflows/", "/workflows/0"))
    assert unknown_flow.status_code == 404
