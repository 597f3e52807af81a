"""The run-history page in a real browser: headless Chromium (Debian's) driven by Playwright."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import requests

from flowmock_receiver import LiveServer, create_app
from flowmock_receiver.core.store import MemoryStore
from tests.conftest import ROOT, monitor_payload

CHROMIUM = os.environ.get("FLOWMOCK_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts" / "screenshots"
pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
    pytest.skip(
        f"headless Chromium is not installed at {CHROMIUM} (.ci/run installs Debian's chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip("playwright.sync_api")

MONITOR = monitor_payload()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


@pytest.fixture
def server():
    app = create_app(store=MemoryStore())
    with LiveServer(app) as live:
        yield live, app


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    dialogs: list[str] = []
    opened.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    opened.dialogs = dialogs
    yield opened
    context.close()


def monitor_flow(app):
    return next(f for f in app.extensions["flowmock"].store.list_flows() if f.schema == "monitor-results")


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_call_posted_after_the_page_loaded_shows_up_without_a_reload(server, page):
    live, app = server
    flow = monitor_flow(app)
    page.goto(f"{live.url}/_flowmock/")
    shot(page, "flows")
    page.click(f"text={flow.name}")
    assert page.locator("#history tbody tr[data-call-id]").count() == 0
    requests.post(flow.callback_url(live.url), json=MONITOR, timeout=5)
    requests.post(flow.callback_url(live.url), json=dict(MONITOR, user_id=12345678), timeout=5)
    page.wait_for_selector("#history tbody tr[data-call-id] >> nth=1", timeout=10_000)
    assert page.locator("#history tbody tr[data-call-id]").count() == 2
    assert page.locator("#total").inner_text() == "2 calls"
    shot(page, "history")


def test_hostile_payloads_render_as_text_and_never_execute(server, page):
    live, app = server
    flow = monitor_flow(app)
    hostile = '<script>alert("x")</script>"><img src=x onerror="window.__pwned=1;alert(1)">'
    requests.post(
        flow.callback_url(live.url),
        json={"user_name": hostile, "monitor_name": hostile},
        timeout=5,
        headers={"x-ms-client-tracking-id": '"><img src=x onerror=alert(3)>'},
    )
    page.goto(f"{live.url}/_flowmock/flows/{flow.id}")
    requests.post(
        flow.callback_url(live.url),
        json={"user_name": hostile},
        timeout=5,
        headers={"x-ms-client-tracking-id": '"><img src=x onerror=alert(4)>'},
    )
    page.wait_for_selector("#history tbody tr[data-call-id] >> nth=1")  # rendered by the live poll from JSON
    assert page.locator("#history tbody tr code").first.inner_text() == '"><img src=x onerror=alert(4)>'
    page.click("#history tbody tr[data-call-id] >> nth=1 >> a")
    page.wait_for_selector("#request-body pre")
    assert json.dumps(hostile) in page.locator("#request-body pre").inner_text()
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src=x]").count() == 0
    assert page.dialogs == []
    shot(page, "call-detail")


def test_status_filter_shows_only_failed_calls(server, page):
    live, app = server
    flow = monitor_flow(app)
    requests.post(flow.callback_url(live.url), json=MONITOR, timeout=5)
    requests.post(flow.callback_url(live.url), json={"user_id": 1}, timeout=5)  # 400: validation is on
    requests.post(flow.callback_url(live.url)[:-2], json=MONITOR, timeout=5)  # 401: broken signature
    page.goto(f"{live.url}/_flowmock/flows/{flow.id}")
    page.click("#filter-failed")
    page.wait_for_url("**status=Failed")
    statuses = page.locator("#history tbody .status").all_inner_texts()
    assert statuses == ["Failed", "Failed"]
    page.wait_for_timeout(1300)  # the live poll keeps the filter
    assert page.locator("#history tbody .status").all_inner_texts() == ["Failed", "Failed"]


def test_resend_replays_a_recorded_call_as_a_new_run(server, page):
    live, app = server
    flow = monitor_flow(app)
    requests.post(flow.callback_url(live.url), json=MONITOR, timeout=5)
    call = app.extensions["flowmock"].store.calls(flow.id)[0]
    page.goto(f"{live.url}/_flowmock/calls/{call.id}")
    page.click("#resend")
    page.wait_for_url(lambda url: call.id not in url)
    calls = app.extensions["flowmock"].store.calls(flow.id)
    assert len(calls) == 2 and calls[0].body == calls[1].body and calls[0].run_id != calls[1].run_id
    assert page.locator("h1 .status").inner_text() == "Succeeded"


def test_live_rows_show_the_same_verdicts_as_the_server_rendered_page(server, page):
    live, app = server
    flow = app.extensions["flowmock"].change_flow(monitor_flow(app).id, {"max_body_bytes": 2000})
    page.goto(f"{live.url}/_flowmock/flows/{flow.id}")
    requests.post(flow.callback_url(live.url), json={"monitor_name": "nightly"}, timeout=5)  # strict: 1 error
    requests.post(flow.callback_url(live.url), data=b"x" * 5000, timeout=5)  # 413: not checked
    page.wait_for_selector("#history tbody tr[data-call-id] >> nth=1", timeout=10_000)  # built by the script
    live_cells = page.locator("#history tbody tr td:nth-child(5)").all_inner_texts()
    assert [" ".join(c.split()) for c in live_cells] == ["not checked", "conforms strict: 1 error"]
    page.reload()
    served = page.locator("#history tbody tr td:nth-child(5)").all_inner_texts()
    assert [" ".join(c.split()) for c in served] == [" ".join(c.split()) for c in live_cells]


ATTACK_PAGE = """<!doctype html>
<form id="f" method="post" enctype="text/plain" action="{base}/_flowmock/api/reset">
  <input name='{{"x":"' value='"}}'>
</form>
<script>
fetch("{base}/_flowmock/api/flows/{flow_id}/regenerate-key", {{
  method: "POST", mode: "no-cors", headers: {{"Content-Type": "text/plain"}}, body: '{{"key_type": "primary"}}'
}}).catch(() => null).finally(() => document.getElementById("f").submit());
</script>
"""


def test_a_page_on_another_origin_cannot_reset_flowmock_or_regenerate_a_key(server, page):
    """The issue's finding, replayed in Chromium: another site's form and no-cors fetch reach the admin API."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    live, app = server
    receiver = app.extensions["flowmock"]
    kept = receiver.create_flow({"name": "reset would delete me"})
    flow = monitor_flow(app)
    html = ATTACK_PAGE.format(base=live.url, flow_id=flow.id).encode()

    class Attacker(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    attacker = HTTPServer(("127.0.0.1", 0), Attacker)
    threading.Thread(target=attacker.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{attacker.server_port}/")
        page.wait_for_url(lambda url: url.endswith("/_flowmock/api/reset"))
        assert "CrossSiteRequestRefused" in page.content()
    finally:
        attacker.shutdown()
        attacker.server_close()
    assert receiver.store.get_flow(kept.id) is not None
    assert receiver.store.get_flow(flow.id).primary_key == flow.primary_key
