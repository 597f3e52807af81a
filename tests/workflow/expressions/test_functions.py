"""Function behaviour beyond the reference's examples: argument checking and its wording, null handling, the
implicit conversions, .NET number formatting, XML conventions, form data and multipart bodies."""

from __future__ import annotations

import base64

import pytest

from flowmock_receiver.workflow.expressions import ExpressionEvaluationError, evaluate, evaluate_template


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


MULTIPART = (
    b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n'
    b'--XyZ\r\nContent-Disposition: form-data; name="file"; filename="x.bin"\r\n'
    b"Content-Type: application/octet-stream\r\n\r\n\x00\x01\r\n"
    b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\n2\r\n--XyZ--\r\n'
)
MULTIPART_CONTEXT = {
    "trigger": {"body": {"$content-type": "multipart/form-data; boundary=XyZ", "$content": b64(MULTIPART)}},
    "actions": {
        "Get_form": {
            "status": "Succeeded",
            "outputs": {"body": {"$content-type": "multipart/form-data; boundary=XyZ", "$content": b64(MULTIPART)}},
        }
    },
}


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        pytest.param(
            "toLower('a', 'b')",
            "The template language function 'toLower' expects one parameter: the string to convert to lower casing. The function was invoked with '2' parameter(s).",
            id="arity-wording",
        ),
        pytest.param(
            "concat()",
            "The template language function 'concat' must have at least one parameter(s).",
            id="variadic-needs-one",
        ),
        pytest.param(
            "length(null)",
            "The template language function 'length' expects its parameter to be an array or a string. The provided value is of type 'Null'.",
            id="length-of-null",
        ),
        pytest.param(
            "first(1)",
            "expects its parameter to be an array or a string. The provided value is of type 'Integer'.",
            id="first-of-number",
        ),
        pytest.param(
            "contains(null, 'a')",
            "expects its first parameter to be a dictionary, an array or a string. The provided value is of type 'Null'.",
            id="contains-null",
        ),
        pytest.param(
            "join(null, ',')",
            "'join' expects its first parameter to be an array. The provided value is of type 'Null'.",
            id="join-null",
        ),
        pytest.param(
            "startsWith(1, 'a')",
            "'startsWith' expects its first parameter to be of type string. The provided value is of type 'Integer'.",
            id="string-argument-type",
        ),
        pytest.param(
            "add('1', 2)",
            "'add' expects its first parameter to be an integer or a decimal number. The provided value is of type 'String'.",
            id="add-string",
        ),
        pytest.param("greater(1, 'a')", "expects two parameters of matching types", id="compare-mixed-types"),
        pytest.param(
            "if('true', 1, 2)",
            "The template language function 'if' expects its first parameter to be of type boolean. The provided value is of type 'String'.",
            id="if-refuses-a-string-condition",
        ),
        pytest.param("not('false')", "'not' expects its parameter to be of type boolean", id="not-refuses-a-string"),
        pytest.param(
            "and(1, true)",
            "'and' expects all of its parameters to be of type boolean. The provided value is of type 'Integer'.",
            id="and-non-boolean",
        ),
        pytest.param(
            "int('1.5')",
            "'int' was invoked with a parameter that is not valid. The value cannot be converted to the target type 'Integer'.",
            id="int-of-float-text",
        ),
        pytest.param("float('abc')", "The value cannot be converted to the target type 'Float'.", id="float-of-text"),
        pytest.param(
            "float('1e400')", "The value cannot be converted to the target type 'Float'.", id="float-beyond-a-double"
        ),
        pytest.param("json('[1e400]')", "is too large for a double", id="json-number-beyond-a-double"),
        pytest.param("bool('maybe')", "The value cannot be converted to the target type 'Boolean'.", id="bool-of-text"),
        pytest.param(
            "json('{bad')",
            "The template language function 'json' parameter is not valid. The provided value '{bad' cannot be parsed:",
            id="json-invalid",
        ),
        pytest.param(
            "substring('abc', 2, 5)",
            "'substring' parameters are out of range: 'start index' and 'length' must be non-negative integers and their sum must be no larger than the length of the string.",
            id="substring-out-of-range",
        ),
        pytest.param("div(1, 0)", "cannot divide by zero", id="div-by-zero"),
        pytest.param("mod(1.5, 0)", "cannot divide by zero", id="mod-by-zero"),
        pytest.param("mul(9223372036854775807, 2)", "outside the range of a 64-bit integer", id="int64-overflow"),
        pytest.param("range(0, 100001)", "at most '100000'", id="range-count-limit"),
        pytest.param("range(2147483647, 1)", "at most '2147483647'", id="range-sum-limit"),
        pytest.param("chunk('abc', 0)", "greater than zero", id="chunk-zero"),
        pytest.param("nthIndexOf('a', 'a', 0)", "non-zero integer", id="nth-zero"),
        pytest.param("replace('a', '', 'b')", "non-empty string", id="replace-empty"),
        pytest.param("sort(createArray(1, 'a'))", "of one type", id="sort-mixed"),
        pytest.param("union(createArray(1), json('{}'))", "all arrays or all objects", id="union-mixed"),
        pytest.param("addProperty(json('{\"a\": 1}'), 'A', 2)", "already exists", id="add-property-case-insensitive"),
        pytest.param("xml('<a>')", "cannot be parsed as XML", id="xml-invalid"),
        pytest.param('xml(json(\'{"a": 1, "b": 2}\'))', "JSON root object has multiple properties", id="xml-two-roots"),
        pytest.param("xpath(xml('<a/>'), '///')", "The XPath expression '///' is not valid", id="xpath-invalid"),
        pytest.param("uriHost('not a uri')", "is not an absolute URI", id="uri-relative"),
        pytest.param("formatNumber(1.5, 'D')", "not valid for a number of type 'Float'", id="format-d-float"),
        pytest.param(
            "formatNumber(1, 'N', 'xx-nope')", "'xx-nope' is not a known culture name", id="format-bad-locale"
        ),
        pytest.param(
            "formatNumber('1', 'N')",
            "expects its first parameter to be an integer or a decimal number",
            id="format-text",
        ),
        pytest.param("base64ToString('%%%')", "not a valid base64 string", id="base64-invalid"),
        pytest.param("dataUriToString('hello')", "not a valid data URI", id="data-uri-invalid"),
        pytest.param("guid('Q')", "'N', 'D', 'B', 'P' or 'X'", id="guid-format"),
        pytest.param("variables('nope')", "the variable 'nope'", id="unknown-variable"),
        pytest.param("parameters('nope')", "the workflow parameter 'nope'", id="unknown-parameter"),
        pytest.param("body('Nope')", "the action 'Nope'", id="unknown-action"),
        pytest.param("items('Loop')", "the loop 'Loop'", id="unknown-loop"),
        pytest.param("item()", "inside a 'foreach' loop", id="item-outside-loop"),
        pytest.param("result('Scope')", "not a scoped action", id="unknown-scope"),
        pytest.param("listCallbackUrl()", "callback URL", id="no-callback-url"),
        pytest.param("action()", "current action", id="no-current-action"),
        pytest.param("triggerFormDataValue('a')", "form data", id="form-data-of-json-body"),
    ],
)
def test_errors_are_expression_errors_with_the_service_shape(expression, message):
    with pytest.raises(ExpressionEvaluationError) as caught:
        evaluate(expression, {"trigger": {"body": {"a": 1}}})
    assert message in caught.value.message
    assert caught.value.message.endswith("for usage details.")


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # Null handling
        pytest.param("equals(null, '')", True, id="comparisons-read-null-as-empty-string"),
        pytest.param("if(equals(1, 1), 'short', substring('abc', 0, 255))", "short", id="if-evaluates-only-its-branch"),
        pytest.param("if(false, first(json('{}')), 'else')", "else", id="if-skips-the-failing-branch"),
        pytest.param("less(null, 'a')", True, id="less-null-as-empty-string"),
        pytest.param("empty(null)", True, id="empty-null"),
        pytest.param("string(null)", "", id="string-null"),
        pytest.param("concat('a', null, 'b')", "ab", id="concat-null"),
        pytest.param("toLower(null)", "", id="to-lower-null"),
        pytest.param("first(createArray())", None, id="first-of-empty"),
        pytest.param("coalesce(triggerBody()?['missing'], 'default')", "default", id="coalesce-with-question-mark"),
        # Text forms as .NET writes them
        pytest.param("string(true)", "True", id="string-true"),
        pytest.param("concat('', false)", "False", id="concat-boolean"),
        pytest.param("string(1.0)", "1", id="string-integral-float"),
        pytest.param("string(0.1)", "0.1", id="string-float"),
        pytest.param("string(1e21)", "1E+21", id="string-large-float"),
        pytest.param("string(0.00001)", "1E-05", id="string-small-float"),
        pytest.param("string(0.0001)", "0.0001", id="string-small-float-fixed"),
        pytest.param("string(1e15)", "1E+15", id="string-float-exponent-from-15"),
        pytest.param("string(123456789012345.0)", "123456789012345", id="string-float-fixed-below-15"),
        pytest.param("string(-2.5)", "-2.5", id="string-negative-float"),
        pytest.param("string(createArray(1, 'a'))", '[1,"a"]', id="string-array"),
        pytest.param("concat('n=', 3)", "n=3", id="concat-converts"),
        # Case rules
        pytest.param("contains('Hello', 'hello')", False, id="contains-case-sensitive"),
        pytest.param("startsWith('Hello', 'hE')", True, id="starts-with-ignores-case"),
        pytest.param("indexOf('Hello', 'LL')", 2, id="index-of-ignores-case"),
        pytest.param("equals('a', 'A')", False, id="equals-case-sensitive"),
        pytest.param("greater('b', 'A')", True, id="greater-ignores-case"),
        pytest.param("greater('a', 'B')", False, id="greater-ignores-case-both-ways"),
        pytest.param("greaterOrEquals('a', 'A')", True, id="greater-or-equals-same-letters"),
        pytest.param("replace('aA', 'a', 'b')", "bA", id="replace-case-sensitive"),
        # Numbers
        pytest.param("div(-7, 2)", -3, id="div-truncates-toward-zero"),
        pytest.param("mod(-7, 2)", -1, id="mod-sign-of-dividend"),
        pytest.param("add(9223372036854775806, 1)", 9223372036854775807, id="int64-max"),
        pytest.param("equals(1, 1.0)", True, id="numbers-compare-by-value"),
        pytest.param("int(' -12 ')", -12, id="int-trims-and-signs"),
        pytest.param("float('(5)')", -5.0, id="float-parentheses"),
        pytest.param("isInt('1.5')", False, id="is-int-float-text"),
        pytest.param("isFloat('abc')", False, id="is-float-text"),
        pytest.param("isFloat('1.5e3')", True, id="is-float-exponent"),
        pytest.param("bool(' TRUE ')", True, id="bool-text-any-case"),
        pytest.param("max(1, 2.5)", 2.5, id="max-mixed"),
        # formatNumber, .NET standard and custom formats
        pytest.param("formatNumber(2.5, 'F0')", "3", id="format-rounds-half-away"),
        pytest.param("formatNumber(-1234.567, 'N2')", "-1,234.57", id="format-n"),
        pytest.param("formatNumber(0.1234, 'P1')", "12.3%", id="format-p"),
        pytest.param("formatNumber(1234, 'D6')", "001234", id="format-d"),
        pytest.param("formatNumber(255, 'X4')", "00FF", id="format-x"),
        pytest.param("formatNumber(-1, 'x')", "ffffffffffffffff", id="format-x-negative"),
        pytest.param("formatNumber(1234.5678, 'E2')", "1.23E+003", id="format-e"),
        pytest.param("formatNumber(5551234567, '(###) ###-####')", "(555) 123-4567", id="format-phone"),
        pytest.param("formatNumber(0.5, '#.##')", ".5", id="format-optional-digits"),
        pytest.param("formatNumber(-5, '0;(0)')", "(5)", id="format-negative-section"),
        pytest.param("formatNumber(0, '0;(0);zero')", "zero", id="format-zero-section"),
        pytest.param("formatNumber(1234567, '#,#,,')", "1", id="format-scaling"),
        pytest.param("formatNumber(1234.5, '0.0E+00')", "1.2E+03", id="format-custom-exponent"),
        pytest.param("formatNumber(1234.5, '#,##0.00', 'de-DE')", "1.234,50", id="format-german"),
        pytest.param("formatNumber(17.35, 'C2', 'de-DE')", "17,35 €", id="format-german-currency"),
        pytest.param("formatNumber(42, '00000')", "00042", id="format-zero-padding"),
        # Collections
        pytest.param(
            'union(json(\'{"a": 1, "b": 1}\'), json(\'{"b": 2}\'))', {"a": 1, "b": 2}, id="union-objects-last-wins"
        ),
        pytest.param(
            'intersection(json(\'{"a": 1, "b": 1}\'), json(\'{"b": 1, "c": 3}\'))', {"b": 1}, id="intersection-objects"
        ),
        pytest.param("union(createArray(1, 1), createArray(1))", [1], id="union-removes-duplicates"),
        pytest.param("contains(json('{\"a\": 1}'), 'a')", True, id="contains-key"),
        pytest.param(
            "contains(createArray(json('{\"a\": 1}')), json('{\"a\": 1}'))", True, id="contains-deep-equality"
        ),
        pytest.param("skip('abc', 1)", "bc", id="skip-string"),
        pytest.param("take(createArray(1, 2), 5)", [1, 2], id="take-more-than-there-are"),
        pytest.param("sort(createArray('b', 'a', 'C'))", ["C", "a", "b"], id="sort-strings-ordinal"),
        pytest.param("split('a,,b', ',')", ["a", "", "b"], id="split-keeps-empty-parts"),
        pytest.param("lastIndexOf('abcabc', 'BC')", 4, id="last-index-of-ignores-case"),
        pytest.param("nthIndexOf('abcabc', 'bc', -1)", 4, id="nth-index-of-from-the-end"),
        pytest.param("nthIndexOf('abcabc', 'bc', -2)", 1, id="nth-index-of-second-from-the-end"),
        # Conversions
        pytest.param("array(createArray(1))", [1], id="array-of-array"),
        pytest.param("json(null)", {}, id="json-of-null-is-empty-object"),
        pytest.param("json('{''name'': ''Ada''}')", {"name": "Ada"}, id="json-single-quoted-as-json-net-reads-it"),
        pytest.param(
            "json('{name: 1, /* note */ list: [true]}')", {"name": 1, "list": [True]}, id="json-bare-names-and-comments"
        ),
        pytest.param("json('{\"a\": \"it''s\"}')", {"a": "it's"}, id="json-strict-text-untouched"),
        pytest.param(
            "xml('{''a'': ''b''}')",
            {"$content-type": "application/xml;charset=utf-8", "$content": "PGE+YjwvYT4="},
            id="xml-of-json-text",
        ),
        pytest.param("base64(binary('hé'))", "aMOp", id="base64-of-binary-content"),
        pytest.param(
            "dataUri(base64ToBinary('aGk='))", "data:application/octet-stream;base64,aGk=", id="data-uri-of-binary"
        ),
        pytest.param("dataUriToString('data:,a%20b')", "a b", id="data-uri-not-base64"),
        pytest.param("uriComponent('a b/c~d')", "a%20b%2Fc~d", id="uri-component-unreserved"),
        # URIs
        pytest.param("uriPort('http://contoso.com/x')", 80, id="uri-default-port"),
        pytest.param("uriPath('https://contoso.com')", "/", id="uri-empty-path"),
        pytest.param("uriQuery('https://contoso.com/x')", "", id="uri-no-query"),
        # Manipulation
        pytest.param("setProperty(json('{\"Name\": 1}'), 'name', 2)", {"Name": 2}, id="set-property-case-insensitive"),
        pytest.param("removeProperty(json('{\"a\": 1}'), 'b')", {"a": 1}, id="remove-missing-property"),
        pytest.param("json(xml('<a x=\"1\">t</a>'))", {"a": {"@x": "1", "#text": "t"}}, id="xml-attribute-and-text"),
        pytest.param("json(xml('<a><b/></a>'))", {"a": {"b": None}}, id="xml-empty-element-is-null"),
        pytest.param(
            "json(xml('<a><b>1</b>x<c>2</c>y</a>'))",
            {"a": {"#text": ["x", "y"], "b": "1", "c": "2"}},
            id="xml-mixed-content",
        ),
        pytest.param(
            "json(xml('<p:a xmlns:p=\"urn:p\"><p:b>1</p:b></p:a>'))",
            {"p:a": {"@xmlns:p": "urn:p", "p:b": "1"}},
            id="xml-namespaces",
        ),
        pytest.param("xpath(xml('<a><b>1</b><b>2</b></a>'), 'count(//b)')", 2, id="xpath-count"),
        pytest.param("xpath(xml('<a><b>1</b></a>'), 'boolean(//c)')", False, id="xpath-boolean"),
        pytest.param("xpath(xml('<a x=\"1\"/>'), '//@x')", ["1"], id="xpath-attribute"),
        pytest.param("xpath('<a><b>1</b></a>', 'string(//b)')", "1", id="xpath-of-xml-text"),
        pytest.param("xpath('<a/>', 'number(//b)')", "NaN", id="xpath-nan-as-json-net-writes-it"),
    ],
)
def test_function_behaviour(expression, expected):
    result = evaluate(expression, {"trigger": {"body": {}}})
    assert result == expected
    assert type(result) is type(expected) or (isinstance(expected, int | float) and not isinstance(expected, bool))


def test_xml_from_an_object_with_attributes_text_and_arrays():
    result = evaluate('xml(json(\'{"r": {"@id": 7, "#text": "t", "i": [1, true, null]}}\'))', {})
    assert base64.b64decode(result["$content"]).decode() == '<r id="7">t<i>1</i><i>true</i><i/></r>'


def test_xml_keeps_a_declaration_given_as_question_mark_xml():
    result = evaluate('xml(json(\'{"?xml": {"@version": "1.0"}, "r": "x"}\'))', {})
    assert base64.b64decode(result["$content"]).decode() == '<?xml version="1.0"?><r>x</r>'


def test_xml_escapes_names_xml_refuses():
    result = evaluate('xml(json(\'{"a b": {"0:": 1}}\'))', {})
    assert base64.b64decode(result["$content"]).decode() == "<a_x0020_b><_x0030__x003A_>1</_x0030__x003A_></a_x0020_b>"


def test_xml_refuses_text_xml_cannot_hold():
    with pytest.raises(ExpressionEvaluationError, match="cannot be converted to XML"):
        evaluate('xml(json(\'{"a": "\\u0001"}\'))', {})


def test_xml_never_expands_entities():
    evil = '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>'
    result = evaluate("json(xml(parameters('x')))", {"parameters": {"x": evil}})
    assert "root:" not in str(result)


def test_interpolated_xml_is_its_text():
    assert evaluate_template('@{xml(json(\'{"a": "b"}\'))}', {}) == "<a>b</a>"


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        pytest.param("triggerFormDataMultiValues('a')", ["1", "2"], id="trigger-form-data-multi-values"),
        pytest.param("triggerMultipartBody(0)", "1", id="trigger-multipart-text-part"),
        pytest.param(
            "triggerMultipartBody(1)",
            {"$content-type": "application/octet-stream", "$content": "AAE="},
            id="trigger-multipart-binary-part",
        ),
        pytest.param(
            "triggerFormDataValue('file')",
            {"$content-type": "application/octet-stream", "$content": "AAE="},
            id="trigger-form-data-file",
        ),
        pytest.param("triggerFormDataValue('missing')", None, id="trigger-form-data-missing-key"),
        pytest.param("multipartBody('Get_form', 2)", "2", id="action-multipart-body"),
        pytest.param("formDataMultiValues('Get_form', 'a')", ["1", "2"], id="action-form-data-multi-values"),
    ],
)
def test_multipart_and_form_data(expression, expected):
    assert evaluate(expression, MULTIPART_CONTEXT) == expected


def test_form_data_value_with_two_matches_fails():
    with pytest.raises(ExpressionEvaluationError, match="more than one value for the key 'a'"):
        evaluate("triggerFormDataValue('a')", MULTIPART_CONTEXT)


def test_multipart_index_out_of_range_fails():
    with pytest.raises(ExpressionEvaluationError, match="the body has '3' part"):
        evaluate("triggerMultipartBody(3)", MULTIPART_CONTEXT)


def test_service_form_data_shape_is_read_too():
    context = {
        "trigger": {
            "body": {
                "$content-type": "application/x-www-form-urlencoded",
                "$content": "",
                "$formdata": [{"key": "k", "value": "v"}],
            }
        }
    }
    assert evaluate("triggerFormDataValue('k')", context) == "v"


def test_trigger_record_and_outputs_from_either_context_shape():
    outputs = {"headers": {"a": "b"}, "body": {"x": 1}}
    for context in ({"trigger": outputs}, {"trigger": {"name": "manual", "outputs": outputs}}):
        assert evaluate("triggerOutputs()", context) == outputs
        assert evaluate("triggerBody().x", context) == 1
        assert evaluate("trigger().outputs.body.x", context) == 1
        assert evaluate("trigger().name", context) == "manual"


def test_action_names_match_with_underscores_and_any_case():
    context = {"actions": {"Get items": {"outputs": {"body": [1]}}}}
    assert evaluate("body('Get_items')", context) == [1]
    assert evaluate("outputs('get_ITEMS')", context) == {"body": [1]}
    assert evaluate("actions('Get_items').name", context) == "Get_items"


def test_parameters_declared_with_type_and_default_value_give_the_value():
    context = {"parameters": {"retries": {"type": "Int", "defaultValue": 3}}}
    assert evaluate("parameters('retries')", context) == 3


def test_item_prefers_the_array_operation_item_then_the_innermost_loop():
    assert evaluate("item()", {"items": {"Outer": 1, "Inner": 2}}) == 2
    assert evaluate("item()", {"items": {"Outer": 1}, "item": "select"}) == "select"


def test_decimal_precision_survives_arithmetic_and_comparison():
    assert evaluate("string(sub(decimal('0.3'), decimal('0.1')))", {}) == "0.2"
    assert evaluate("equals(decimal('0.5'), 0.5)", {}) is True
    assert evaluate("createArray(decimal('1.5'))", {}) == [1.5]
    assert type(evaluate("createArray(decimal('1.5'))", {})[0]) is float
