"""How a failing test reads: flowmock's message after the test's own line, not flowmock's source; and what a user
without pytest is told."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import ROOT
from tests.receiver.web.imported import FILE_OF

FAILING = """
    import requests

    def test_assert_received(flowmock):
        flow = flowmock.create_flow(schema="monitor-results")
        requests.post(flow.url, json={"monitor_name": "nightly"}, timeout=5)
        flow.assert_received(count=2)

    def test_assert_all_conform(flowmock):
        flow = flowmock.create_flow(schema="monitor-results")
        requests.post(flow.url, json={"user_id": 42}, timeout=5)
        flow.assert_all_conform()

    def test_wait_for_runs(flowmock):
        flowmock.create_flow(schema="monitor-results").wait_for_runs(1, timeout=0.1)

    def test_assert_action(flowmock):
        flow = flowmock.import_flow(PATH, mocks={"Create_order": {"statusCode": 400}})
        answer = flow.post(json={"orderId": "SO-1", "lines": []}, url=flow.url.replace("{region}", "emea"))
        flow.assert_action(answer.run, "Create_order", status="Succeeded")
"""


def test_failing_assertions_show_the_tests_line_and_the_message_but_no_flowmock_frames(pytester):
    pytester.makepyfile(f"PATH = {str(FILE_OF['Order intake'])!r}\n" + textwrap.dedent(FAILING))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=4)
    output = result.stdout.str()
    assert "expected action 'Create_order' with status Succeeded" in output
    for helper in ("assert_received", "assert_all_conform", "wait_for_runs", "assert_action"):
        assert f">       flow.{helper}(" in output or f".{helper}(1, timeout=0.1)" in output  # the test's own line
    assert "expected 2 calls, got 1" in output and "received 0 of 1 expected runs" in output
    assert "$.user_id: Invalid type. Expected String but got Integer." in output
    assert "flowmock_receiver/" not in output  # no frame of flowmock's own files
    assert "def assert_received" not in output and "raise AssertionError" not in output
    assert "raise FlowmockTimeout" not in output and "__tracebackhide__" not in output


def test_strict_mode_failure_at_teardown_shows_no_plugin_source(pytester):
    pytester.makepyfile(
        """
        import pytest, requests

        @pytest.mark.flowmock_strict
        def test_strict(flowmock):
            flow = flowmock.create_flow(schema="monitor-results")
            requests.post(flow.url, json={"user_id": 42}, timeout=5)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    output = result.stdout.str()
    assert "flowmock strict mode: 1 call(s) did not conform" in output
    assert "def flowmock(" not in output and "flowmock_receiver/" not in output


def test_the_plugin_without_pytest_names_the_extra_that_brings_it():
    code = (
        "import sys; sys.modules['pytest'] = None\n"
        "try:\n"
        "    import flowmock_receiver.plugin\n"
        "except ImportError as exc:\n"
        "    print(type(exc).__name__, exc.name, exc, sep='|')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    kind, name, message = result.stdout.strip().split("|")
    assert (kind, name) == ("ModuleNotFoundError", "pytest")
    assert "install flowmock[pytest] (pip install 'flowmock[pytest]')" in message


def test_the_handle_works_without_pytest():
    code = (
        "import sys; sys.modules['pytest'] = None\n"
        "from flowmock_receiver import create_app\n"
        "from flowmock_receiver.testing import Flowmock\n"
        "handle = Flowmock.in_process(create_app())\n"
        "flow = handle.create_flow(schema='monitor-results')\n"
        "assert flow.post({}).status == 202 and len(flow.runs) == 1\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
