"""The flow corpus (fixtures/flows): every flow runs with default mocks, and each flow with a Response answers what
its definition says for a request written for it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from flowmock_receiver.workflow.definitions import ImportedFlow
from flowmock_receiver.workflow.engine import ResponseOutcome, RunRecord, VirtualClock, decide_trigger_for, run_flow
from tests.workflow.corpus import ALL_FLOWS, FLOWS


def outputs(
    body: Any = None,
    *,
    headers: dict[str, str] | None = None,
    queries: dict[str, str] | None = None,
    path: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "headers": {"Content-Type": "application/json", **(headers or {})},
        "body": body,
        "queries": queries or {},
        "relativePathParameters": path or {},
    }


def run(
    flow: ImportedFlow, request: dict[str, Any], mocks: dict[str, Any] | None = None
) -> tuple[RunRecord, ResponseOutcome]:
    seen: list[ResponseOutcome] = []
    record = run_flow(
        flow, request, mocks, clock=VirtualClock(datetime(2026, 5, 4, 8, 0, tzinfo=UTC)), on_response=seen.append
    )
    assert len(seen) == 1, seen
    return record, seen[0]


@pytest.mark.parametrize("name", sorted(ALL_FLOWS))
def test_every_flow_runs_to_a_final_status_with_default_mocks(name):
    record, outcome = run(ALL_FLOWS[name], outputs({}))
    assert record.status in ("Succeeded", "Failed", "Cancelled")
    assert record.end_time is not None
    assert outcome.status_code in (200, 201, 202, 207, 400, 404, 500, 502, 503, 504)


ORDER = {"orderId": "SO-1", "lines": [{"sku": "A", "qty": 2, "price": 2.5}, {"sku": "B", "qty": 1}]}
CASES: list[Any] = [
    pytest.param(
        "Order intake",
        outputs(ORDER, path={"region": "emea"}),
        {"Create_order": {"statusCode": 201, "body": {"reference": "ERP-9"}}},
        201,
        {"orderId": "SO-1", "region": "emea", "erpReference": "ERP-9", "lines": 2},
        "Succeeded",
        id="order-created",
    ),
    pytest.param(
        "Order intake",
        outputs(ORDER, path={"region": "emea"}),
        {"Create_order": {"statusCode": 400, "body": {"message": "bad sku"}}},
        502,
        None,
        "Failed",
        id="order-refused-caught",
    ),
    pytest.param(
        "Approval router",
        outputs({"type": "approval", "priority": "HIGH", "requester": "kim", "amount": 10}),
        None,
        200,
        {"routedTo": "director@contoso.com", "priority": "HIGH"},
        "Succeeded",
        id="approval-high",
    ),
    pytest.param(
        "Approval router",
        outputs({"type": "approval", "requester": "kim"}),
        None,
        200,
        {"routedTo": "team-lead@contoso.com", "priority": "normal"},
        "Succeeded",
        id="approval-default",
    ),
    pytest.param(
        "Ticket webhook",
        outputs({"title": "Printer", "severity": 2}),
        {
            "Create_ticket": {"statusCode": 201, "body": {"id": "T-7"}},
            "Get_ticket": {
                "sequence": [
                    {"statusCode": 200, "body": {"state": "queued"}},
                    {"statusCode": 200, "body": {"state": "assigned"}},
                ]
            },
        },
        202,
        {"ticket": "T-7", "state": "assigned", "polls": 8},
        "Succeeded",
        id="ticket-assigned-after-two-polls",
    ),
    pytest.param(
        "Escalate ticket & notify (child flow)",
        outputs({"text": "T-7"}),
        {"Post_message": {"statusCode": 200, "body": {}}},
        200,
        {"posted": "True"},
        "Succeeded",
        id="escalate",
    ),
    pytest.param("Greeting", outputs({"name": "Ada"}), None, 200, "Hello, Ada!", "Succeeded", id="greeting"),
    pytest.param(
        "variables",
        outputs({"count": 3, "tags": ["x", "y"]}),
        None,
        200,
        {"counter": 7, "log": "start,x,y", "tags": ["X", "Y"], "ratio": 1.75},
        "Succeeded",
        id="variables",
    ),
    pytest.param(
        "People to CSV",
        outputs({"people": [{"name": "Ada", "age": 36}, {"name": "Bo", "age": 12}]}),
        None,
        200,
        "name,age\r\nAda,36\r\n",
        "Succeeded",
        id="people-csv",
    ),
    pytest.param(
        "foreach-batch",
        outputs([{"id": 1}, {"id": 2}], path={"batchId": "b-1"}),
        {"Upsert_record": {"sequence": [{"statusCode": 200}, {"statusCode": 409}]}},
        207,
        {"batch": "b-1", "results": [{"id": 1, "status": 200}, {"id": 2, "status": 409}]},
        "Succeeded",
        id="batch-partial",
    ),
    pytest.param(
        "query-lookup",
        outputs(None, queries={"q": "cats", "lang": "fr-BE"}),
        None,
        200,
        {"query": "cats", "lang": "fr-BE"},
        "Succeeded",
        id="lookup-found",
    ),
    pytest.param(
        "query-lookup",
        outputs(None, queries={"lang": "en"}),
        None,
        400,
        {"error": "q is required and lang must be en or fr*"},
        "Succeeded",
        id="lookup-bad-request",
    ),
    pytest.param(
        "signup-validation", outputs({"email": "a@b.c"}), None, 200, {"ok": True}, "Succeeded", id="signup-ok"
    ),
    pytest.param(
        "signup-validation",
        outputs({"email": "nope"}),
        None,
        400,
        {"ok": False, "reason": "email missing or invalid"},
        "Failed",
        id="signup-rejected-then-terminated",
    ),
    pytest.param("fire-and-forget", outputs({"event": 1}), None, 202, None, "Succeeded", id="no-response-202"),
    pytest.param("slow-response", outputs(None), None, 504, None, "Failed", id="slow-504"),
    pytest.param(
        "retry-policy",
        outputs(None),
        {"Call_flaky_service": {"sequence": [{"statusCode": 500}, {"statusCode": 200, "body": "up"}]}},
        200,
        {"upstream": 200, "body": "up"},
        "Succeeded",
        id="retry-recovers",
    ),
    pytest.param(
        "retry-policy",
        outputs(None),
        {"Call_flaky_service": {"statusCode": 503}},
        503,
        {"upstream": 503},
        "Failed",
        id="retry-exhausted",
    ),
    pytest.param(
        "unhandled-failure",
        outputs(None),
        {"Get_profile": {"statusCode": 500}},
        502,
        None,
        "Failed",
        id="all-responses-skipped",
    ),
    pytest.param(
        "switch-levels",
        outputs({"level": 2, "items": [1, 2]}),
        None,
        200,
        {"level": 2, "branch": "processed"},
        "Succeeded",
        id="switch-level-2",
    ),
    pytest.param(
        "switch-levels",
        outputs({"level": 9}),
        None,
        200,
        {"level": 9, "branch": "other level"},
        "Succeeded",
        id="switch-default",
    ),
    pytest.param(
        "parallel-branches",
        outputs({"id": "c1"}),
        {
            "Get_customer": {"body": {"name": "Ada"}},
            "Get_orders": {"body": [{"n": 1}]},
            "Get_tickets": {"statusCode": 500},
        },
        200,
        {"customer": {"name": "Ada"}, "orders": [{"n": 1}], "tickets": None},
        "Succeeded",
        id="parallel-join",
    ),
    pytest.param(
        "bare-greeting",
        outputs({}, path={"userId": "u7"}),
        None,
        200,
        {"message": "Hi, u7"},
        "Succeeded",
        id="greeting-path",
    ),
    pytest.param(
        "la-customer-lookup",
        outputs(None, path={"id": "42"}),
        {"Get_customer": {"statusCode": 200, "body": {"id": "42"}}},
        200,
        {"id": "42"},
        "Succeeded",
        id="customer-found",
    ),
    pytest.param(
        "la-customer-lookup",
        outputs(None, path={"id": "43"}),
        {"Get_customer": {"statusCode": 404}},
        404,
        {"message": "no such customer", "id": "43"},
        "Failed",
        id="customer-404",
    ),
    pytest.param(
        "la-customer-lookup",
        outputs(None, path={"id": "44"}),
        {"Get_customer": {"statusCode": 500}},
        502,
        {"message": "CRM unavailable"},
        "Failed",
        id="customer-crm-down",
    ),
    pytest.param(
        "Document intake",
        outputs({"documentUrl": "https://x/doc.pdf"}),
        {"Queue_document": {"body": {"MessageId": "m1"}}},
        202,
        {"queued": "https://x/doc.pdf", "messageId": "m1"},
        "Succeeded",
        id="document-queued",
    ),
    pytest.param(
        "InvoiceIntake",
        outputs({"invoiceId": "I-1", "total": 9.5}),
        None,
        201,
        {"stored": "I-1", "total": 9.5},
        "Succeeded",
        id="invoice-stored",
    ),
    pytest.param("InvoiceIntake", outputs({"invoiceId": "I-2"}), None, 400, None, "Failed", id="invoice-invalid"),
    pytest.param(
        "StatelessEcho",
        outputs({"a": 1}, headers={"Authorization": "Bearer t", "X-Method": "POST"}, queries={"q": "1"}),
        None,
        200,
        {"method": "POST", "body": {"a": 1}, "queries": {"q": "1"}},
        "Succeeded",
        id="echo",
    ),
]


@pytest.mark.parametrize(("name", "request_", "mocks", "status", "body", "run_status"), CASES)
def test_a_flow_answers_what_its_definition_says(name, request_, mocks, status, body, run_status):
    flow = ALL_FLOWS[name]
    assert decide_trigger_for(flow, request_).fired
    record, outcome = run(flow, request_, mocks)
    assert outcome.status_code == status, (outcome, [(a.name, a.status, a.error) for a in record.walk() if a.error])
    if body is not None:
        assert outcome.body == body
    assert record.status == run_status


def test_the_order_flow_answers_with_a_location_header_and_the_catch_lists_the_failed_action():
    flow = ALL_FLOWS["Order intake"]
    _, created = run(
        flow, outputs(ORDER, path={"region": "emea"}), {"Create_order": {"statusCode": 201, "body": {"reference": "R"}}}
    )
    assert created.headers == {"Location": "https://erp.example.com/api/orders/SO-1"}
    record, refused = run(flow, outputs(ORDER, path={"region": "emea"}), {"Create_order": {"statusCode": 400}})
    assert refused.body["firstError"] == "BadRequest"
    assert [a["name"] for a in refused.body["failedActions"]] == ["Create_order"]
    assert record.error == {"code": "OrderNotCreated", "message": "The ERP refused the order."}


def test_a_false_trigger_condition_starts_no_run():
    assert decide_trigger_for(ALL_FLOWS["Approval router"], outputs({"type": "other"})).status == "Skipped"
    assert decide_trigger_for(ALL_FLOWS["Document intake"], outputs({"documentUrl": ""})).status == "Skipped"


def test_the_csv_flow_sets_its_headers_from_expressions():
    _, outcome = run(ALL_FLOWS["People to CSV"], outputs({"people": [{"name": "Ada", "age": 36}]}))
    assert outcome.headers == {"Content-Type": "text/csv", "X-Adults": "1"}


def test_the_ticket_webhook_polls_on_the_virtual_clock():
    mocks = {"Create_ticket": {"statusCode": 201, "body": {"id": "T"}}, "Get_ticket": {"body": {"state": "queued"}}}
    record, outcome = run(ALL_FLOWS["Ticket webhook"], outputs({"title": "x", "severity": 1}), mocks)
    loop = record.find("Until_assigned")
    assert loop is not None and len(loop.repetitions) == 5 and loop.inputs["stopped_by"] == "count"
    assert outcome.body["state"] == "queued"


def test_the_recurrence_flows_run_when_started_with_trigger_outputs():
    record, outcome = run(
        ALL_FLOWS["Daily digest"],
        {"body": None},
        {"Get_items": {"outputs": {"body": {"value": [{"Title": "Fix", "Owner": "kim"}]}}}},
    )
    assert outcome.kind == "accepted"
    send, loop = record.find("Send_digest"), record.find("Apply_to_each")
    assert send is not None and loop is not None
    assert send.inputs["parameters"]["emailMessage/Subject"] == f"Open items: {len(loop.repetitions)}"
    assert FLOWS.is_dir()


def test_every_flow_with_a_response_has_a_written_request_above():
    from flowmock_receiver.workflow.engine import has_response_action

    covered = {case.values[0] for case in CASES}
    with_response = {name for name, flow in ALL_FLOWS.items() if has_response_action(flow.definition)}
    assert with_response <= covered, with_response - covered
