"""The pytest plugin, as a user's test suite sees it (run with pytester)."""

from __future__ import annotations

import pytest

from tests.conftest import start_serve

USER_TEST = """
import requests

def send_monitor_results(url, failed):
    body = {"monitor_name": "nightly", "metrics": {"errors": 0, "failedTests": failed}}
    requests.post(url, json=body, timeout=5).raise_for_status()

def test_sender_posts_monitor_results(flowmock):
    flow = flowmock.create_flow(schema="monitor-results")
    send_monitor_results(flow.url, failed=1)
    [run] = flow.wait_for_runs(1)
    assert run.body["metrics"]["failedTests"] == 1
    flow.assert_received(count=1, body_contains={"monitor_name": "nightly"})
    flow.assert_all_conform()

def test_each_test_starts_with_an_empty_history(flowmock):
    assert all(f.runs == [] for f in flowmock.flows)
    assert sorted(flowmock.default_flows) == [
        "backup-collection", "collection-activity", "monitor-results", "team-activity"]

def test_app_fixture_works_with_the_flask_test_client(flowmock_app):
    assert flowmock_app.test_client().get("/_flowmock/api/health").json["status"] == "ok"
"""


def test_a_users_test_file_using_the_fixtures_passes(pytester):
    pytester.makepyfile(USER_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_assert_received_failure_shows_the_closest_calls_that_did_arrive(pytester):
    pytester.makepyfile(
        """
        import requests

        def test_wrong_body(flowmock):
            flow = flowmock.create_flow(schema="monitor-results")
            requests.post(flow.url, json={"monitor_name": "nightly", "metrics": {"errors": 2}}, timeout=5)
            flow.assert_received(count=1, body_contains={"monitor_name": "nightly", "metrics": {"errors": 0}})
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*expected 1 call with a body containing*got 0 (of 1 runs)*",
            "*Closest calls that did arrive:*",
            "*$.metrics.errors: expected 0, got 2*",
        ]
    )


def test_assert_all_conform_lists_schema_errors_by_path(pytester):
    pytester.makepyfile(
        """
        import requests

        def test_nonconforming(flowmock):
            flow = flowmock.create_flow(schema="monitor-results")
            requests.post(flow.url, json={"user_id": 42}, timeout=5)
            flow.assert_all_conform()
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*1 call(s) to flow 'monitor-results' did not conform*",
            "*$.user_id: Invalid type. Expected String but got Integer.*",
        ]
    )


def test_wait_for_runs_fails_with_what_did_arrive(pytester):
    pytester.makepyfile(
        """
        import requests

        def test_nothing_accepted(flowmock):
            flow = flowmock.create_flow(schema="monitor-results", schema_validation=True)
            requests.post(flow.url, json={"user_id": 42}, timeout=5)
            flow.wait_for_runs(1, timeout=0.2)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*received 0 of 1 expected runs*", "*refused: 400 TriggerInputSchemaMismatch*"])


def test_strict_marker_fails_the_test_at_teardown_when_a_call_did_not_conform(pytester):
    pytester.makepyfile(
        """
        import pytest, requests

        @pytest.mark.flowmock_strict
        def test_strict(flowmock):
            flow = flowmock.create_flow(schema="monitor-results")
            requests.post(flow.url, json={"user_id": 42}, timeout=5)

        def test_lenient(flowmock):
            flow = flowmock.create_flow(schema="monitor-results")
            requests.post(flow.url, json={"user_id": 42}, timeout=5)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2, errors=1)
    result.stdout.fnmatch_lines(["*flowmock strict mode: 1 call(s) did not conform*"])


def test_strict_option_applies_to_every_test(pytester):
    pytester.makepyfile(
        """
        import requests

        def test_lenient_unless_strict(flowmock):
            flow = flowmock.create_flow(schema="monitor-results")
            requests.post(flow.url, json={"user_id": 42}, timeout=5)
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "--flowmock-strict").assert_outcomes(passed=1, errors=1)


def test_an_exception_in_the_server_thread_surfaces_in_the_test(pytester):
    pytester.makepyfile(
        """
        import requests

        def test_server_bug(flowmock, flowmock_server, monkeypatch):
            store = flowmock_server.app.extensions["flowmock"].store
            def broken(*a, **k):
                raise RuntimeError("store exploded")
            flow = flowmock.create_flow()
            monkeypatch.setattr(store, "record", broken)
            requests.post(flow.url, json={}, timeout=5)
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*RuntimeError: store exploded*"])


def test_fixtures_work_under_xdist_with_a_server_per_worker(pytester):
    tests = "\n".join(
        f"""
def test_{n}(flowmock, flowmock_server):
    import requests
    flow = flowmock.create_flow(schema="team-activity")
    requests.post(flow.url, json={{"n": {n}}}, timeout=5)
    assert [r.body for r in flow.wait_for_runs(1)] == [{{"n": {n}}}]
    print("SERVER", flowmock_server.url)
"""
        for n in range(8)
    )
    pytester.makepyfile(tests)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-n", "2", "-s")
    result.assert_outcomes(passed=8)


@pytest.fixture
def external_server(tmp_path):
    ready = tmp_path / "ready"
    proc = start_serve(ready, "--port", "0", "--memory", "--quiet")
    yield ready.read_text().strip()
    proc.terminate()
    proc.wait(timeout=10)


def test_external_url_mode_uses_a_flowmock_serve_process(pytester, external_server, monkeypatch):
    pytester.makepyfile(
        """
        import requests

        def test_against_external(flowmock, flowmock_server):
            assert flowmock_server.app is None
            flow = flowmock.default_flows["monitor-results"]
            requests.post(flow.url, json={"user_id": "7"}, timeout=5)
            flow.assert_received(count=1, body_contains={"user_id": "7"})
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", f"--flowmock-url={external_server}")
    result.assert_outcomes(passed=1)
    monkeypatch.setenv("FLOWMOCK_URL", external_server)
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
