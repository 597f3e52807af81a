"""The run page's action tree, rendered on the server: nesting, repetitions, skip reasons, errors, mocks, the
Response beside what was sent, and escaping of every name and value a flow or a caller controls."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from lxml import html as lxml_html

from flowmock_receiver.core.jsontext import BigNumber
from flowmock_receiver.web.run_view import pretty, run_view
from tests.helpers import call_flow
from tests.runview import PLAIN, make_app, record_run, ship_order, ship_order_run

HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'


@pytest.fixture
def app():
    return make_app()


def page(app: Any, run: dict[str, Any] | None = None) -> Any:
    """The call page of a run: the Ship order flow called for real (`run` None), or `run` stored for a call."""
    run_id = ship_order(app) if run is None else record_run(app, run)
    response = app.test_client().get(f"/_flowmock/calls/{run_id}")
    assert response.status_code == 200
    return lxml_html.fromstring(response.get_data(as_text=True)), response.get_data(as_text=True)


def card(tree: Any, key: str) -> Any:
    [found] = [li for li in tree.iter("li") if li.get("data-key") == key]
    return found


def action(name: str, status: str = "Succeeded", **extra: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "name": name,
        "type": "Compose",
        "status": status,
        "start_time": "2026-01-01T00:00:00.0000000Z",
        "end_time": "2026-01-01T00:00:00.0120000Z",
        "inputs": None,
        "outputs": None,
        "error": None,
        "mocked": False,
        "children": [],
        "repetitions": [],
    }
    value.update(extra)
    return value


def run_of(*actions: dict[str, Any], status: str = "Succeeded", response_action: str | None = None) -> dict[str, Any]:
    return {"status": status, "actions": list(actions), "response_action": response_action, "error": None}


def top_level_names(tree: Any) -> list[str]:
    return [li.get("data-name") for li in tree.xpath('//ol[contains(@class, "tree")]/li')]


def test_the_tree_lists_the_trigger_then_the_top_level_actions_in_recorded_order(app):
    tree, _ = page(app)
    assert top_level_names(tree) == ["manual", "Init_reserved", "Try", "Respond_shipped", "Catch"]
    assert '"orderId": "A-17"' in tree.get_element_by_id("trigger-outputs").text_content()


def test_actions_are_nested_inside_their_scope_their_loop_and_their_condition_branch(app):
    tree, _ = page(app)
    reserve = card(tree, "Try/For_each_line[0]/Line_has_quantity/Reserve_stock")
    ancestors = [li.get("data-key") for li in reserve.iterancestors("li")]
    assert ancestors == ["Try/For_each_line[0]/Line_has_quantity", "Try/For_each_line", "Try"]
    branch = reserve.xpath('ancestor::div[contains(@class, "branch")][1]/h4')[0].text_content()
    assert branch.strip() == "If yes"
    empty_branch = card(tree, "Try/For_each_line[0]/Line_has_quantity/Note_empty_line")
    label = empty_branch.xpath('ancestor::div[contains(@class, "branch")][1]/h4')[0].text_content()
    assert " ".join(label.split()) == "If no (not taken)"


def test_each_repetition_of_a_loop_is_rendered_with_its_own_actions_and_a_link(app):
    tree, _ = page(app)
    loop = card(tree, "Try/For_each_line")
    reps = loop.xpath('./div[@class="loop"]/section[@class="repetition"]')
    assert [" ".join(r.xpath("./h4")[0].text_content().split()) for r in reps] == [
        "✓ Repetition 1 of 3 Succeeded",
        "✓ Repetition 2 of 3 Succeeded",
        "✓ Repetition 3 of 3 Succeeded",
    ]
    assert [a.text_content() for a in loop.xpath('.//nav[@class="stepper"]/a')] == ["1", "2", "3"]
    second = card(tree, "Try/For_each_line[1]/Line_has_quantity/Note_empty_line")
    assert second.get("data-status") == "Succeeded"
    assert "line MS-2 has no quantity" in second.text_content()


def test_a_failed_action_shows_its_error_code_and_message(app):
    tree, _ = page(app)
    courier = card(tree, "Try/Book_courier")
    assert courier.xpath('./p[@class="action-error"]/span[@class="code"]')[0].text == "ServiceUnavailable"
    assert "503" in courier.xpath('./p[@class="action-error"]/span[@class="message"]')[0].text
    assert courier.xpath('.//span[contains(@class, "duration")]')[0].text == "1 min 18 s"  # retries, virtual time


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        pytest.param(
            "Try/Email_customer", "Skipped: waited for 'Book_courier' to be Succeeded; it was Failed.", id="run-after"
        ),
        pytest.param(
            "Respond_shipped", "Skipped: waited for 'Try' to be Succeeded; it was Failed.", id="run-after-scope"
        ),
        pytest.param(
            "Try/For_each_line[1]/Line_has_quantity/Reserve_stock", "Skipped: its branch was not taken.", id="branch"
        ),
    ],
)
def test_a_skipped_action_says_which_run_after_status_it_waited_for(app, key, reason):
    tree, _ = page(app)
    found = card(tree, key)
    assert found.get("data-status") == "Skipped"
    assert found.xpath('./p[@class="skip-reason"]')[0].text == reason
    assert not found.xpath('./p[@class="action-error"]')  # the reason replaces the raw skip error


def test_actions_inside_a_skipped_scope_say_their_container_was_skipped(app):
    catch = action(
        "Catch",
        "Skipped",
        type="Scope",
        error={
            "code": "ActionConditionFailed",
            "message": (
                "The execution of template action 'Catch' is skipped: the 'runAfter' condition for action 'Try' is not "
                "satisfied. Expected status values 'Failed, TimedOut' and actual value 'Succeeded'."
            ),
        },
        children=[action("Notify", "Skipped", branch="actions")],
    )
    tree, _ = page(app, run_of(catch))
    assert card(tree, "Catch").xpath('./p[@class="skip-reason"]')[0].text == (
        "Skipped: waited for 'Try' to be Failed or TimedOut; it was Succeeded."
    )
    assert card(tree, "Catch/Notify").xpath('./p[@class="skip-reason"]')[0].text == (
        "Skipped: 'Catch', which holds it, was skipped."
    )


def test_outside_calls_are_marked_mocked_or_not_mocked(app):
    tree, _ = page(app)
    assert card(tree, "Catch/Post_to_Teams").xpath('.//span[contains(@class, "tag")]')[0].text == "not mocked"
    assert card(tree, "Try/Book_courier").xpath('.//span[contains(@class, "tag")]')[0].text == "mocked"
    assert not card(tree, "Catch/Failed_actions").xpath('.//span[contains(@class, "tag")]')


def test_inputs_and_outputs_are_pretty_printed_inside_closed_details(app):
    tree, _ = page(app)
    reserve = card(tree, "Try/For_each_line[2]/Line_has_quantity/Reserve_stock")
    inputs, outputs = reserve.xpath('./div[@class="io"]/details')
    assert inputs.get("open") is None and outputs.get("open") is None
    assert inputs.xpath("./summary")[0].text == "Inputs"
    assert '"sku": "PAD"' in inputs.xpath("./pre")[0].text and "\n  " in inputs.xpath("./pre")[0].text
    assert '"reservation": "R-1002"' in outputs.xpath("./pre")[0].text


def test_the_response_action_answer_is_shown_beside_the_http_response_sent(app):
    tree, _ = page(app)
    computed = tree.get_element_by_id("response-action")
    sent = tree.get_element_by_id("response-sent")
    assert "Respond_failed" in computed.xpath("./h3/code")[0].text
    assert computed.xpath(".//strong")[0].text == "502"
    assert "the order could not be shipped" in computed.xpath("./pre")[0].text
    assert sent.xpath(".//strong")[0].text == "502"  # what the trigger really sent
    assert '"failedActions"' in sent.xpath("./pre")[0].text
    assert card(tree, "Catch/Respond_failed").xpath('.//span[contains(@class, "answered")]')


def test_hostile_names_values_errors_and_branches_render_as_text(app):
    hostile_run = run_of(
        action(
            HOSTILE,
            "Failed",
            type=HOSTILE,
            inputs={HOSTILE: HOSTILE},
            outputs=[HOSTILE],
            error={"code": HOSTILE, "message": HOSTILE},
            mocked="default",
            children=[action(f"child {HOSTILE}", branch=HOSTILE)],
            repetitions=[{"index": 0, "status": "Failed", "actions": [action(f"rep {HOSTILE}", "Failed")]}],
        ),
        status="Failed",
        response_action=HOSTILE,
    )
    tree, text = page(app, hostile_run)
    assert "<img src=x" not in text and "<script>alert" not in text
    assert not tree.xpath("//img") and len(tree.xpath("//script")) == 1  # the page's own flowmock.js only
    assert card(tree, HOSTILE).xpath('./div/span[@class="name"]')[0].text == HOSTILE
    assert HOSTILE.replace('"', '\\"') in card(tree, HOSTILE).xpath('.//details[@data-part="outputs"]/pre')[0].text


def test_a_running_run_is_marked_for_the_live_update_and_its_running_actions_have_no_duration(app):
    running = run_of(action("Done"), action("Working", "Running", end_time=None), status="Running")
    tree, _ = page(app, running)
    assert tree.get_element_by_id("run").get("data-run-status") == "Running"
    assert card(tree, "Working").xpath('.//span[contains(@class, "duration")]')[0].text == "–"
    assert card(tree, "Done").xpath('.//span[contains(@class, "duration")]')[0].text == "12 ms"


def test_a_call_to_a_flow_without_actions_has_no_run_section(app):
    flow = next(f for f in app.extensions["flowmock"].store.list_flows() if f.name == PLAIN)
    answer = call_flow(app.test_client(), flow.callback_url("http://localhost"), {"any": "body"})
    html = app.test_client().get(f"/_flowmock/calls/{answer.headers['x-ms-workflow-run-id']}").get_data(as_text=True)
    assert 'id="run"' not in html and 'id="response"' in html


def test_run_view_counts_every_action_at_every_depth():
    view = run_view(ship_order_run())
    assert view is not None
    assert view.counts == {"Succeeded": 14, "Failed": 2, "Skipped": 6}
    assert run_view({"status": "Succeeded"}) is None  # no actions recorded: not an imported flow's run
    assert run_view({"status": "Succeeded", "actions": []}) is None  # a flowmock-defined flow's run
    running = run_view({"status": "Running", "actions": []})  # an imported flow's run before its first action
    assert running is not None and running.cards == []


def test_a_huge_output_is_cut_rather_than_rendered_whole():
    run = run_of(action("Big", outputs="x" * 300_000))
    view = run_view(copy.deepcopy(run))
    assert view is not None and view.cards[0].outputs is not None
    assert len(view.cards[0].outputs) < 201_000 and view.cards[0].outputs.endswith("see the admin API)")


def test_each_computed_response_header_says_whether_and_how_it_was_sent():
    respond = action(
        "Respond",
        type="Response",
        inputs={"statusCode": 201, "headers": {"Location": "/orders/1", "Content-Length": "99", "X-Kind": "a"}},
    )
    run = run_of(respond, response_action="Respond")
    run["response"] = {"status": 201, "headers": {"location": "/orders/1", "X-Kind": "b"}, "body": ""}
    view = run_view(run)
    assert view is not None and view.response_answer is not None
    assert view.response_answer["headers"] == [
        ("Location", "/orders/1", "/orders/1"),
        ("Content-Length", "99", None),
        ("X-Kind", "a", "b"),
    ]
    assert view.response_answer["same_status"] is True


def test_values_python_json_cannot_write_render_instead_of_failing_the_page(app):
    odd = action("Odd \udfff", outputs={"nan": float("nan"), "lone": "x\udfffy"})
    tree, _ = page(app, run_of(odd))
    outputs = card(tree, "Odd \\udfff").xpath('.//details[@data-part="outputs"]/pre')[0].text
    assert '"nan": "NaN"' in outputs and "x\\udfffy" in outputs
    assert pretty({"big": BigNumber("1e400")}) == '{\n  "big": "1e400"\n}'  # a number no double holds


def test_a_switch_shows_each_case_under_its_heading_and_says_which_were_not_taken(app):
    not_taken = {"code": "ActionBranchingConditionNotSatisfied", "message": "..."}
    switch = action(
        "Route",
        type="Switch",
        children=[
            action("Gold_mail", branch="gold"),
            action("Silver_mail", "Skipped", branch="silver", error=not_taken),
            action("Fallback", "Skipped", branch="default", error=not_taken),
        ],
    )
    tree, _ = page(app, run_of(switch))
    headings = [" ".join(h.text_content().split()) for h in card(tree, "Route").xpath("./div/h4")]
    assert headings == ["Case gold", "Case silver (not taken)", "Default (not taken)"]
    assert (
        card(tree, "Route/Fallback").xpath('./p[@class="skip-reason"]')[0].text == "Skipped: its branch was not taken."
    )
