"""The run's action tree in a real browser (Debian's Chromium driven by Playwright): the cards match the run's
actions, clicking shows inputs, loops step through their repetitions, a Running run updates without a reload, and a
hostile value anywhere in a run renders as text. Screenshots land in artifacts/screenshots/run-*.png."""

from __future__ import annotations

import json

import pytest
import requests

from flowmock_receiver import LiveServer
from flowmock_receiver.core.action_tree import walk
from tests.runview import ORDER, make_app, record_run, ship_order, stored_run
from tests.web.test_browser import ARTIFACTS, browser, page, shot  # noqa: F401  (the Chromium fixtures; skips without)

pytestmark = pytest.mark.browser
HOSTILE = '<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2;alert(1)">'


@pytest.fixture
def served():
    app = make_app()
    with LiveServer(app) as live:
        yield live, app


def open_run(page, live, run_id):  # noqa: F811
    page.goto(f"{live.url}/_flowmock/calls/{run_id}")
    page.wait_for_selector("#run")


def test_the_cards_match_the_runs_actions_at_every_depth(served, page):  # noqa: F811
    live, app = served
    run_id = ship_order(app)
    open_run(page, live, run_id)
    shot(page, "run-tree")
    stored = requests.get(f"{live.url}/_flowmock/api/runs/{run_id}", timeout=5).json()
    expected = [(located.key, located.action["status"]) for located in walk(stored["actions"])]
    shown = page.eval_on_selector_all(
        "#run li.card:not(.card-trigger)", "cards => cards.map(c => [c.dataset.key, c.dataset.status])"
    )
    assert [tuple(card) for card in shown] == expected
    names = page.locator("#run ol.tree > li.card > .card-head .name").all_inner_texts()
    assert names == ["When a HTTP request is received", "Init_reserved", "Try", "Respond_shipped", "Catch"]
    assert page.locator('li[data-key="Try/Book_courier"] > .action-error .code').inner_text() == "ServiceUnavailable"


def test_clicking_an_actions_inputs_shows_them(served, page):  # noqa: F811
    live, app = served
    run_id = ship_order(app)
    open_run(page, live, run_id)
    courier = page.locator('li[data-key="Try/Book_courier"]')
    inputs = courier.locator(":scope > .io > details.inputs > pre")
    assert not inputs.is_visible()
    courier.locator(":scope > .io > details.inputs > summary").click()
    assert inputs.is_visible()
    assert json.loads(inputs.inner_text())["uri"] == "https://courier.example.com/api/pickups"
    courier.locator(":scope > .io > details.outputs > summary").click()
    assert json.loads(courier.locator(":scope > .io > details.outputs > pre").inner_text())["statusCode"] == 503
    page.locator('li[data-key="Try/For_each_line"] button.next').click()
    page.locator("#trigger-outputs").evaluate("pre => pre.closest('details').open = false")
    shot(page, "run-inputs")
    page.locator("#run").screenshot(path=str(ARTIFACTS / "run-view.png"))  # the README's (docs/screenshot-run.png)


def test_a_loop_steps_through_its_repetitions(served, page):  # noqa: F811
    live, app = served
    run_id = ship_order(app)
    open_run(page, live, run_id)
    loop = page.locator('li[data-key="Try/For_each_line"] > .loop')
    visible = loop.locator(":scope > section.repetition:visible")
    assert visible.count() == 1 and "Repetition 1 of 3" in visible.locator(":scope > h4").inner_text()
    loop.locator("button.next").click()
    assert "Repetition 2 of 3" in visible.locator(":scope > h4").inner_text()
    assert page.locator('li[data-key="Try/For_each_line[1]/Line_has_quantity/Note_empty_line"]').is_visible()
    assert not page.locator('li[data-key="Try/For_each_line[0]/Line_has_quantity/Reserve_stock"]').is_visible()
    loop.locator(":scope > nav a.rep-link", has_text="3").click()
    assert "Repetition 3 of 3" in visible.locator(":scope > h4").inner_text()
    assert loop.locator("button.next").is_disabled()
    loop.locator(":scope > nav").scroll_into_view_if_needed()
    shot(page, "run-loop")


def test_a_running_run_updates_without_a_reload_and_keeps_what_was_opened(served, page):  # noqa: F811
    live, app = served
    run_id = ship_order(app)
    finished = stored_run(app, run_id)
    running = json.loads(json.dumps(finished))
    running.update(status="Running", end_time=None, response_action=None, actions=running["actions"][:1])
    running["actions"].append(
        {**finished["actions"][1], "status": "Running", "end_time": None, "children": [], "error": None}
    )
    record_run(app, running, run_id)
    open_run(page, live, run_id)
    assert page.locator("#run-status").inner_text() == "Running"
    page.evaluate("window.__sameDocument = true")
    page.locator('li[data-key="Init_reserved"] > .io > details.inputs > summary').click()
    record_run(app, finished, run_id)
    page.wait_for_selector('#run[data-run-status="Failed"]', timeout=10_000)
    assert page.evaluate("window.__sameDocument") is True
    assert page.locator('li[data-key="Try/Book_courier"]').count() == 1
    assert page.locator('li[data-key="Init_reserved"] > .io > details.inputs').get_attribute("open") is not None
    assert page.locator('li[data-key="Try/For_each_line"] button.next').count() == 1  # the stepper, set up again


def test_a_hostile_value_in_any_actions_outputs_renders_as_text(served, page):  # noqa: F811
    live, app = served
    run_id = ship_order(app, {**ORDER, "orderId": HOSTILE, "note": HOSTILE})
    run = stored_run(app, run_id)
    run["actions"][0]["name"] = HOSTILE  # names come from the definition: a hostile one too
    record_run(app, run, run_id)
    open_run(page, live, run_id)
    page.locator('li[data-key="Try/For_each_line"] button.next').click()  # repetition 2: the empty line's note
    page.eval_on_selector_all("#run details", "all => all.forEach(d => { d.open = true; })")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img").count() == 0 and page.dialogs == []
    note = page.locator('li[data-key="Try/For_each_line[1]/Line_has_quantity/Note_empty_line"] details.outputs pre')
    assert HOSTILE in json.loads(note.inner_text())
    assert page.locator("#run ol.tree > li.card >> nth=1").locator(".name").inner_text() == HOSTILE
    assert HOSTILE in json.loads(page.locator("#response-action pre").inner_text())["note"]
    shot(page, "run-hostile")


def test_without_javascript_every_repetition_shows_and_details_still_open(served, browser):  # noqa: F811
    live, app = served
    run_id = ship_order(app)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1400, "height": 900})
    try:
        plain = context.new_page()
        plain.goto(f"{live.url}/_flowmock/calls/{run_id}")
        reps = plain.locator('li[data-key="Try/For_each_line"] > .loop > section.repetition')
        assert reps.count() == 3 and all(reps.nth(i).is_visible() for i in range(3))
        inputs = plain.locator('li[data-key="Try/Book_courier"] > .io > details.inputs')
        inputs.locator("summary").click()
        assert inputs.locator("pre").is_visible()
        plain.locator('li[data-key="Try/For_each_line"] a.rep-link', has_text="3").click()
        assert plain.url.endswith("#rep-Try/For_each_line%5B2%5D")
    finally:
        context.close()
