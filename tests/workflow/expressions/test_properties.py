"""Properties of the whole language, over generated text, trees and templates:

- any text either parses or raises `ExpressionParseError` (never another exception);
- printing a parsed tree and parsing the text again gives the same tree;
- any parsed expression evaluates to a JSON value or raises `ExpressionError`, and never by way of the catch-all
  that turns a leaked Python exception into one (that would be a bug in a function);
- any JSON value holding template strings evaluates to a JSON value or raises `ExpressionError`.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from flowmock_receiver.workflow.expressions import (
    ExpressionError,
    ExpressionParseError,
    evaluate_template,
    parse,
)
from flowmock_receiver.workflow.expressions.functions import REGISTRY
from flowmock_receiver.workflow.expressions.nodes import Access, Call, Literal, print_node
from flowmock_receiver.workflow.expressions.values import is_json_value

CONTEXT = {
    "trigger": {"headers": {"Content-Type": "application/json"}, "body": {"id": 7, "tags": ["a", "b"], "owner": None}},
    "actions": {"Compose": {"status": "Succeeded", "inputs": 1, "outputs": {"body": {"n": [1, 2.5, "x"]}}}},
    "variables": {"counter": 3, "text": "hello"},
    "parameters": {"p": "v"},
    "items": {"Loop": {"k": "v"}},
    "now": "2024-01-02T03:04:05Z",
}
# Marks the catch-all in Expression.run: a Python exception that a function let escape.
LEAKED = "cannot be evaluated: "

NAMES = sorted(function.name for function in REGISTRY.values())
# Functions whose work grows with an argument (range, chunk of 1, ...) get small arguments from the strategies
# below; none of them sleeps or reaches the network.
int64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-1000, max_value=1000),
    int64,
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(
        [
            "Compose",
            "counter",
            "Loop",
            "p",
            "id",
            "tags",
            "a,b",
            "2018-03-15T13:27:36Z",
            "D",
            "0.00",
            "<a><b>1</b></a>",
            '{"a": 1}',
            "aGVsbG8=",
            "https://x.test:8080/p?q=1",
            "Day",
            "UTC",
            "fr-FR",
            "1e400",
            "[1e400]",
            "1 div 0",
            "NaN",
        ]
    ),
)
literals = scalars.map(Literal)


def calls(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.builds(lambda name, args: Call(name, tuple(args)), st.sampled_from(NAMES), st.lists(children, max_size=4))


def accesses(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.builds(Access, children, st.one_of(literals, children), st.booleans())


trees = st.recursive(literals, lambda children: st.one_of(calls(children), accesses(children)), max_leaves=12)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=60))
def test_any_text_parses_or_raises_the_parse_error(text):
    try:
        parse(text)
    except ExpressionParseError as error:
        assert 0 <= error.position <= len(text)
        assert error.message.startswith("The template language expression ")


EXPRESSION_ALPHABET = "()[]',.?@{} -_0123456789eE" + "abcdefghijklmnopqrstuvwxyzABCT"


@given(st.text(alphabet=EXPRESSION_ALPHABET, max_size=60))
def test_expression_like_text_parses_or_raises_the_parse_error(text):
    try:
        expression = parse(text)
    except ExpressionParseError as error:
        assert 0 <= error.position <= len(text)
    else:
        assert parse(str(expression)).tree == expression.tree


@given(trees)
def test_printing_and_parsing_again_gives_the_same_tree(tree):
    text = print_node(tree)
    assert parse(text).tree == tree


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(trees)
def test_any_parsed_expression_evaluates_to_json_or_raises_the_expression_error(tree):
    expression = parse(print_node(tree))
    try:
        result = expression.evaluate(CONTEXT)
    except ExpressionError as error:
        assert LEAKED not in error.message, error.message
        return
    assert is_json_value(result), result
    json.dumps(result)


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(alphabet="@{}'ab() ", max_size=20)),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)


@given(json_values)
def test_any_template_evaluates_to_json_or_raises_the_expression_error(value):
    try:
        result = evaluate_template(value, CONTEXT)
    except ExpressionError:
        return
    assert is_json_value(result)


@given(trees)
def test_interpolated_expressions_always_give_a_string(tree):
    text = print_node(tree)
    assume("}" not in text)  # a '}' inside a string literal is fine, but the generator may put one anywhere
    try:
        result = evaluate_template("x @{" + text + "}", CONTEXT)
    except ExpressionError:
        return
    assert isinstance(result, str) and result.startswith("x ")


# Arguments of every JSON shape, plus the service's binary and XML content objects, reach each function through
# variables: the trees above can only build arrays and objects with createArray() and json().
argument_values = st.recursive(
    st.one_of(
        scalars,
        st.just({"$content-type": "application/octet-stream", "$content": "aGVsbG8="}),
        st.just({"$content-type": "application/xml;charset=utf-8", "$content": "PGE+YjwvYT4="}),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=4), children, max_size=4)
    ),
    max_leaves=8,
)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(NAMES), st.lists(argument_values, max_size=4))
def test_any_function_with_any_json_arguments_gives_json_or_the_expression_error(name, arguments):
    text = f"{name}(" + ", ".join(f"variables('v{i}')" for i in range(len(arguments))) + ")"
    context = {**CONTEXT, "variables": {f"v{i}": value for i, value in enumerate(arguments)}}
    try:
        result = parse(text).evaluate(context)
    except ExpressionError as error:
        assert LEAKED not in error.message, error.message
        return
    assert is_json_value(result), result
