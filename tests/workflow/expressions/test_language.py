"""The language itself: literals, calls, selection, `?`, templates and interpolation, and the errors of each."""

from __future__ import annotations

import pytest

from flowmock_receiver.workflow.expressions import (
    Expression,
    ExpressionError,
    ExpressionEvaluationError,
    ExpressionParseError,
    evaluate,
    evaluate_template,
    parse,
)

CONTEXT = {
    "trigger": {
        "headers": {"Content-Type": "application/json", "x-ms-client-tracking-id": "abc"},
        "body": {"id": 42, "status": "failed", "tags": ["a", "b"], "owner": None, "nested": {"deep": {"x": 1}}},
        "queries": {"page": "2"},
        "relativePathParameters": {"id": "7"},
    },
    "actions": {"Compose": {"status": "Succeeded", "inputs": "hi", "outputs": {"body": {"n": 1}}}},
    "variables": {"counter": 3, "names": ["x", "y"]},
    "parameters": {"customerName": "Sophia Owen"},
    "now": "2024-05-06T07:08:09.123456Z",
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("'it''s'", "it's", id="doubled-quote-escapes-a-quote"),
        pytest.param("''", "", id="empty-string"),
        pytest.param("42", 42, id="integer"),
        pytest.param("-7", -7, id="negative-integer"),
        pytest.param("2.5", 2.5, id="float"),
        pytest.param("1e3", 1000.0, id="exponent-makes-a-float"),
        pytest.param("true", True, id="true"),
        pytest.param("false", False, id="false"),
        pytest.param("null", None, id="null"),
        pytest.param("  concat ( 'a' , 'b' )  ", "ab", id="whitespace-between-tokens"),
    ],
)
def test_literals_and_calls_evaluate_to_their_values(text, expected):
    result = evaluate(text, {})
    assert result == expected and type(result) is type(expected)


def test_leading_at_sign_is_optional():
    assert evaluate("@triggerBody()?['id']", CONTEXT) == evaluate("triggerBody()?['id']", CONTEXT) == 42


def test_function_names_are_case_insensitive():
    assert evaluate("TOUPPER(triggerbody()['status'])", CONTEXT) == "FAILED"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("triggerBody().id", 42, id="dot-property"),
        pytest.param("triggerBody()['id']", 42, id="bracket-property"),
        pytest.param("triggerBody()['tags'][1]", "b", id="index"),
        pytest.param("triggerBody().nested.deep.x", 1, id="dot-chain"),
        pytest.param("triggerBody()?['missing']", None, id="null-safe-missing-property"),
        pytest.param("triggerBody()?['owner']?['name']", None, id="null-safe-on-null"),
        pytest.param("triggerBody()?['tags']?[5]", None, id="null-safe-index-out-of-range"),
        pytest.param("triggerOutputs()['headers']['content-type']", "application/json", id="case-insensitive-header"),
        pytest.param("triggerBody()['tags'][add(0, 1)]", "b", id="computed-index"),
        pytest.param("body('Compose')?.n", 1, id="null-safe-dot"),
        pytest.param("triggerOutputs()?['body/nested/deep/x']", 1, id="designer-path-key"),
        pytest.param("triggerOutputs()?['body/missing/x']", None, id="designer-path-key-null-safe"),
        pytest.param("outputs('Compose')?['body/n']", 1, id="designer-path-key-on-action-outputs"),
    ],
)
def test_selection_follows_the_service(text, expected):
    assert evaluate(text, CONTEXT) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "triggerBody()['missing']",
            "The template language expression 'triggerBody()['missing']' cannot be evaluated because property "
            "'missing' doesn't exist, available properties are 'id, status, tags, owner, nested'.",
            id="missing-property-without-question-mark",
        ),
        pytest.param(
            "triggerBody()['owner']['name']",
            "cannot be evaluated because property 'name' cannot be selected. Property selection is not supported on "
            "values of type 'Null'.",
            id="null-dereference-without-question-mark",
        ),
        pytest.param(
            "triggerBody()?['status']?['x']",
            "Property selection is not supported on values of type 'String'.",
            id="selecting-from-a-string-fails-even-with-question-mark",
        ),
        pytest.param(
            "triggerBody()['tags'][5]",
            "cannot be evaluated because array index '5' is outside bounds (0, 1) of array.",
            id="index-out-of-bounds",
        ),
        pytest.param(
            "triggerBody()['tags']['x']",
            "Array elements can only be selected using an integer index.",
            id="string-key-on-array",
        ),
        pytest.param(
            "triggerOutputs()['body/missing']",
            "cannot be evaluated because property 'missing' doesn't exist",
            id="designer-path-key-without-question-mark",
        ),
    ],
)
def test_selection_errors_use_the_service_wording(text, message):
    with pytest.raises(ExpressionEvaluationError) as caught:
        evaluate(text, CONTEXT)
    assert message in caught.value.message
    assert caught.value.code == "InvalidTemplate"


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        pytest.param(
            "concat('a' 'b')", 11, "the string character ''' at position '11' is not expected.", id="missing-comma"
        ),
        pytest.param("concat('a'", 10, "ends unexpectedly at position '10'", id="unclosed-call"),
        pytest.param("'abc", 0, "string literal starting at position '0' is not terminated", id="unterminated-string"),
        pytest.param(
            "nosuchfunction(1)",
            0,
            "the template function 'nosuchfunction' is not defined or not valid.",
            id="unknown-function",
        ),
        pytest.param("triggerBody", 11, "ends unexpectedly", id="name-without-call"),
        pytest.param("1 2", 2, "the string character '2' at position '2' is not expected.", id="trailing-text"),
        pytest.param("", 0, "the expression is empty", id="empty"),
        pytest.param("triggerBody()?", 14, "ends unexpectedly", id="dangling-question-mark"),
    ],
)
def test_parse_errors_name_the_position(text, position, message):
    with pytest.raises(ExpressionParseError) as caught:
        parse(text)
    assert caught.value.position == position
    assert message in caught.value.message
    assert caught.value.message.startswith(f"The template language expression '{text}' is not valid: ")


def test_parse_is_cached_and_round_trips_through_its_printer():
    expression = parse("@concat(triggerBody()?.name, 'x''y', -1, 2.5, null)")
    assert parse("@concat(triggerBody()?.name, 'x''y', -1, 2.5, null)") is expression
    assert isinstance(expression, Expression)
    printed = str(expression)
    assert printed == "concat(triggerBody()?['name'], 'x''y', -1, 2.5, null)"
    assert parse(printed).tree == expression.tree


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        pytest.param("@triggerBody()?['id']", 42, id="whole-expression-keeps-number"),
        pytest.param("@triggerBody()?['tags']", ["a", "b"], id="whole-expression-keeps-array"),
        pytest.param("@{triggerBody()?['id']}", "42", id="lone-interpolation-is-a-string"),
        pytest.param(
            "Run @{triggerBody()?['id']} is @{triggerBody()?['status']}", "Run 42 is failed", id="interpolation"
        ),
        pytest.param("@{triggerBody()?['nested']}", '{"deep":{"x":1}}', id="object-interpolates-as-compact-json"),
        pytest.param("x@{true}/@{false}", "xTrue/False", id="booleans-interpolate-as-dotnet-writes-them"),
        pytest.param("[@{triggerBody()?['owner']}]", "[]", id="null-interpolates-as-empty"),
        pytest.param("@{div(5, 2.0)}", "2.5", id="float-interpolation"),
        pytest.param("@@", "@", id="double-at-escapes"),
        pytest.param("@@{x}", "@{x}", id="escaped-interpolation-at-start"),
        pytest.param(
            "My age is @@{parameters('myAge')}", "My age is @{parameters('myAge')}", id="escaped-interpolation-inside"
        ),
        pytest.param("user@example.com", "user@example.com", id="plain-at-is-literal"),
        pytest.param(" @", " @", id="space-then-at-is-literal"),
        pytest.param("@{concat('}', '{')}", "}{", id="braces-inside-string-literals"),
        pytest.param("Sophia Owen", "Sophia Owen", id="no-expression"),
    ],
)
def test_template_strings(template, expected):
    assert evaluate_template(template, CONTEXT) == expected


def test_templates_walk_objects_and_arrays_and_keep_other_values():
    body = {
        "id": "@triggerBody()?['id']",
        "list": ["@variables('counter')", 1, None, True, {"k": "v=@{variables('counter')}"}],
        "@{triggerBody()?['status']}": "key is an expression",
    }
    assert evaluate_template(body, CONTEXT) == {
        "id": 42,
        "list": [3, 1, None, True, {"k": "v=3"}],
        "failed": "key is an expression",
    }


def test_template_errors_can_be_worded_for_an_action():
    with pytest.raises(ExpressionError) as caught:
        evaluate_template({"a": 1, "b": "@triggerBody()['missing']"}, CONTEXT, action="Response")
    message = caught.value.message
    assert message.startswith(
        "Unable to process template language expressions in action 'Response' inputs at line '1' and column '39': "
        "'The template language expression 'triggerBody()['missing']' cannot be evaluated because"
    )
    assert message.endswith("Please see https://aka.ms/logicexpressions for usage details.'.")


def test_unclosed_interpolation_is_a_parse_error():
    with pytest.raises(ExpressionParseError):
        evaluate_template("a @{concat('x'", {})


def test_now_fixes_the_clock_of_every_date_function_in_a_template():
    assert evaluate_template("@{utcNow()}|@{utcNow('yyyy')}", CONTEXT) == "2024-05-06T07:08:09.1234560Z|2024"


def test_a_bad_now_in_the_context_is_an_expression_error():
    with pytest.raises(ExpressionError):
        evaluate("utcNow()", {"now": "yesterday"})


def test_the_bench_body_evaluates_and_reports():
    from bench import expressions as bench

    result = bench.run(repeat=1, number=5)
    assert result["expressions"] == 10
    assert "cached evaluation" in bench.report(result)
    assert evaluate_template(bench.BODY, bench._context())["verdict"] == "failed"


def test_the_readme_example_runs_and_gives_what_it_says():
    import ast

    from tests.conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = readme.split("## Workflow expressions", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    lines = code.splitlines()
    checked = 0
    for index, line in enumerate(lines):
        statement, _, comment = line.partition("  # ")
        if statement.startswith("evaluate("):
            assert eval(statement, namespace) is ast.literal_eval(comment.split()[0])
            checked += 1
        elif statement.startswith("evaluate_template("):
            assert eval(statement, namespace) == ast.literal_eval(lines[index + 1].removeprefix("# "))
            checked += 1
    assert checked == 2


def test_a_parse_error_inside_an_action_is_reported_as_the_action_reports_it():
    """A syntax error in an action's inputs is an InvalidTemplate naming the action, not a Python TypeError."""
    with pytest.raises(ExpressionParseError) as caught:
        evaluate_template("@foo(", {}, action="Compose_reply")
    assert caught.value.message.startswith("Unable to process template language expressions in action 'Compose_reply'")
    assert caught.value.position >= 0
