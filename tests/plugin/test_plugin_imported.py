"""The pytest plugin with an imported flow, as a user's test suite sees it (run with pytester)."""

from __future__ import annotations

from tests.receiver.web.imported import FILE_OF

USER_TEST = """
ORDER = {"orderId": "SO-1", "lines": [{"sku": "A", "qty": 2}]}

def test_the_order_flow_answers_with_the_erp_reference(flowmock):
    flow = flowmock.import_flow(PATH, mocks={"Create_order": {"statusCode": 201, "body": {"reference": "ERP-9"}}})
    answer = flow.post(json=ORDER, url=flow.url.replace("{region}", "emea"))
    assert answer.status == 201 and answer.json()["erpReference"] == "ERP-9"
    assert answer.run.actions["Create_order"].outputs["body"] == {"reference": "ERP-9"}
    flow.assert_action(answer.run, "Create_order", status="Succeeded", inputs_contain={"method": "POST"})

def test_a_refused_order_fails_the_assertion_with_the_path(flowmock):
    flow = flowmock.import_flow(PATH, mocks={"Create_order": {"statusCode": 400}})
    answer = flow.post(json=ORDER, url=flow.url.replace("{region}", "emea"))
    flow.assert_action(answer.run, "Create_order", status="Succeeded")
"""


def test_a_users_test_of_an_imported_flow_passes_and_a_failing_assert_action_shows_the_path(pytester):
    pytester.makepyfile(f"PATH = {str(FILE_OF['Order intake'])!r}\n" + USER_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*expected action 'Create_order' with status Succeeded*",
            "*closest: Create_order [[]Failed[]]*",
            "*path: trigger manual → Try [[]Failed[]] → in Try: * → Create_order [[]Failed[]]*",
        ]
    )
