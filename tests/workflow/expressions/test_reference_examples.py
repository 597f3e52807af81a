"""Every worked example of Microsoft's "Reference guide to functions in expressions" (Azure Logic Apps and Power
Automate), outside the date and time functions (tested in test_datetimes.py).

Each case's id is the function's section in the reference, with a number when the section has several examples.
Where the published example contradicts itself, the case says so and tests what the rest of the reference implies.
"""

from __future__ import annotations

import base64
import re

import pytest

from flowmock_receiver.workflow.expressions import evaluate, evaluate_template
from flowmock_receiver.workflow.expressions.functions import REGISTRY

ITEMS_XML = (
    '<?xml version="1.0"?><produce><item><name>Gala</name><type>apple</type><count>20</count></item>'
    "<item><name>Honeycrisp</name><type>apple</type><count>10</count></item></produce>"
)
ITEMS_EXPIRED_XML = ITEMS_XML.replace("<name>Gala", "<name expired='true'>Gala").replace(
    "<name>Honeycrisp", "<name expired='false'>Honeycrisp"
)
ITEMS_ONE_EXPIRED_XML = ITEMS_XML.replace("<name>Gala", "<name expired='true'>Gala")
ITEMS_PRICED_XML = ITEMS_XML.replace("<name>Gala", "<name expired='true' price='12'>Gala").replace(
    "<name>Honeycrisp", "<name expired='false' price='40'>Honeycrisp"
)
GET_USER_BODY = {
    "FullName": "Contoso Corporation",
    "Location": "Generic Town, USA",
    "Id": 283541717,
    "UserName": "ContosoInc",
    "FollowersCount": 172,
    "status": "Succeeded",
}
CONTEXT = {
    "parameters": {
        "fullName": "Sophia Owen",
        "items": ITEMS_XML,
        "expiredItems": ITEMS_EXPIRED_XML,
        "oneExpired": ITEMS_ONE_EXPIRED_XML,
        "pricedItems": ITEMS_PRICED_XML,
    },
    "variables": {"numItems": 20},
    "actions": {
        "Get_user": {"status": "Succeeded", "outputs": {"statusCode": 200, "headers": {}, "body": GET_USER_BODY}},
        "Http": {
            "status": "Succeeded",
            "outputs": {
                "body": '<?xml version="1.0"?><file xmlns="https://contoso.com"><location>Paris</location></file>'
            },
        },
        "Send_an_email": {
            "status": "Succeeded",
            "outputs": {
                "body": {
                    "$content-type": "application/x-www-form-urlencoded",
                    "$content": base64.b64encode(b"Subject=Hello+world").decode(),
                }
            },
        },
    },
    "trigger": {
        "body": {
            "$content-type": "application/x-www-form-urlencoded",
            "$content": base64.b64encode(b"feedUrl=https%3A%2F%2Ffeeds.a.dj.com%2Frss%2FRSSMarketsMain.xml").decode(),
        }
    },
    "items": {"myForEachLoopName": {"body": "current message"}},
    "iteration_indexes": {"Until_Max_Increment": 3},
    "workflow": {
        "name": "flow-id",
        "run": {"name": "08585126097002631194816968720CU18"},
        "tags": {"environmentName": "Default-1", "flowDisplayName": "My flow"},
    },
    "callback_url": "https://prod-01.westus.logic.azure.com:443/workflows/1/triggers/manual/run?api-version=2016-10-01",
}


def xml_text(value):
    assert value["$content-type"] == "application/xml;charset=utf-8"
    return base64.b64decode(value["$content"]).decode()


EXAMPLES = [
    # -- string functions ------------------------------------------------------------------------------------
    ("chunk('abcdefghijklmnopqrstuvwxyz', 10)", ["abcdefghij", "klmnopqrst", "uvwxyz"], "chunk-1"),
    (
        "chunk(createArray(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), 5)",
        [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12]],
        "chunk-2",
    ),
    ("concat('Hello', 'World')", "HelloWorld", "concat"),
    ("concat('Sophia', 'Owen')", "SophiaOwen", "functions-in-expressions"),
    ("endsWith('hello world', 'world')", True, "endsWith-1"),
    ("endsWith('hello world', 'universe')", False, "endsWith-2"),
    ("formatNumber(1234567890, '#,##0.00', 'en-US')", "1,234,567,890.00", "formatNumber-1"),
    ("formatNumber(1234567890, '#,##0.00', 'is-IS')", "1.234.567.890,00", "formatNumber-2"),
    ("formatNumber(17.35, 'C2')", "$17.35", "formatNumber-3"),
    ("formatNumber(17.35, 'C2', 'is-IS')", "17,35 kr", "formatNumber-4"),
    ("indexOf('hello world', 'world')", 6, "indexOf"),
    ("isFloat('10,000.00')", True, "isFloat-1"),
    ("isFloat('10.000,00', 'de-DE')", True, "isFloat-2"),
    ("isInt('10')", True, "isInt"),
    ("lastIndexOf('hello world hello world', 'world')", 18, "lastIndexOf-1"),
    ("lastIndexOf('hello world hello world', '')", 22, "lastIndexOf-2"),
    ("lastIndexOf('', 'world')", -1, "lastIndexOf-only-the-string-empty"),
    ("lastIndexOf('', '')", 0, "lastIndexOf-both-empty"),
    ("length('abcd')", 4, "length-1"),
    ("length(createArray(0, 1, 2, 3))", 4, "length-2"),
    ("nthIndexOf('123456789123465789', '1', 1)", 0, "nthIndexOf-1"),
    ("nthIndexOf('123456789123465789', '1', 2)", 9, "nthIndexOf-2"),
    ("nthIndexOf('123456789123465789', '12', 2)", 9, "nthIndexOf-3"),
    ("nthIndexOf('123456789123465789', '6', 4)", -1, "nthIndexOf-4"),
    ("replace('the old string', 'old', 'new')", "the new string", "replace"),
    ("slice('Hello World', 2)", "llo World", "slice-1"),
    ("slice('Hello World', 30)", "", "slice-2"),
    ("slice('Hello World', 10, 2)", "", "slice-3"),
    ("slice('Hello World', 0)", "Hello World", "slice-4"),
    ("slice('Hello World', 2, 5)", "llo", "slice-5"),
    ("slice('Hello World', 6, 20)", "World", "slice-6"),
    ("slice('Hello World', -2)", "ld", "slice-7"),
    ("slice('Hello World', 3, -1)", "lo Worl", "slice-8"),
    ("slice('Hello World', 3, 3)", "", "slice-9"),
    ("split('a_b_c', '_')", ["a", "b", "c"], "split-1"),
    ("split('a_b_c', ' ')", ["a_b_c"], "split-2"),
    ("startsWith('hello world', 'hello')", True, "startsWith-1"),
    ("startsWith('hello world', 'greetings')", False, "startsWith-2"),
    ("substring('hello world', 6, 5)", "world", "substring"),
    ("toLower('Hello World')", "hello world", "toLower"),
    ("toLower('Hello')", "hello", "intro-table-toLower"),
    ("toUpper('Hello World')", "HELLO WORLD", "toUpper"),
    ("trim(' Hello World  ')", "Hello World", "trim"),
    # -- collection functions --------------------------------------------------------------------------------
    ("contains('hello world', 'world')", True, "contains-1"),
    ("contains('hello world', 'universe')", False, "contains-2"),
    ("empty('')", True, "empty-1"),
    ("empty('abc')", False, "empty-2"),
    ("first('hello')", "h", "first-1"),
    ("first(createArray(0, 1, 2))", 0, "first-2"),
    ("intersection(createArray(1, 2, 3), createArray(101, 2, 1, 10), createArray(6, 8, 1, 2))", [1, 2], "intersection"),
    ("join(createArray('a', 'b', 'c'), '.')", "a.b.c", "join"),
    ("last('abcd')", "d", "last-1"),
    ("last(createArray(0, 1, 2, 3))", 3, "last-2"),
    ("reverse(createArray(0, 1, 2, 3))", [3, 2, 1, 0], "reverse"),
    ("skip(createArray(0, 1, 2, 3), 1)", [1, 2, 3], "skip"),
    ("sort(createArray(2, 1, 0, 3))", [0, 1, 2, 3], "sort-1"),
    (
        'sort(createArray(json(\'{ "first": "Amalie", "last": "Rose" }\'), json(\'{ "first": "Elise", "last": "Renee" }\')), \'last\')',
        [{"first": "Elise", "last": "Renee"}, {"first": "Amalie", "last": "Rose"}],
        "sort-2",
    ),
    ("take('abcde', 3)", "abc", "take-1"),
    ("take(createArray(0, 1, 2, 3, 4), 3)", [0, 1, 2], "take-2"),
    ("union(createArray(1, 2, 3), createArray(1, 2, 10, 101))", [1, 2, 3, 10, 101], "union"),
    # -- logical comparison functions ------------------------------------------------------------------------
    ("and(true, true)", True, "and-1a"),
    ("and(false, true)", False, "and-1b"),
    ("and(false, false)", False, "and-1c"),
    ("and(equals(1, 1), equals(2, 2))", True, "and-2a"),
    ("and(equals(1, 1), equals(1, 2))", False, "and-2b"),
    ("and(equals(1, 2), equals(1, 3))", False, "and-2c"),
    ("equals(true, 1)", True, "equals-1"),
    ("equals('abc', 'abcd')", False, "equals-2"),
    ("greater(10, 5)", True, "greater-1"),
    ("greater('apple', 'banana')", False, "greater-2"),
    ("greaterOrEquals(5, 5)", True, "greaterOrEquals-1"),
    ("greaterOrEquals('apple', 'banana')", False, "greaterOrEquals-2"),
    ("if(equals(1, 1), 'yes', 'no')", "yes", "if"),
    ("less(5, 10)", True, "less-1"),
    ("less('banana', 'apple')", False, "less-2"),
    ("lessOrEquals(10, 10)", True, "lessOrEquals-1"),
    ("lessOrEquals('apply', 'apple')", False, "lessOrEquals-2"),
    ("not(false)", True, "not-1a"),
    ("not(true)", False, "not-1b"),
    ("not(equals(1, 2))", True, "not-2a"),
    ("not(equals(1, 1))", False, "not-2b"),
    ("or(true, false)", True, "or-1a"),
    ("or(false, false)", False, "or-1b"),
    ("or(equals(1, 1), equals(1, 2))", True, "or-2a"),
    ("or(equals(1, 2), equals(1, 3))", False, "or-2b"),
    # -- conversion functions --------------------------------------------------------------------------------
    ("array('hello')", ["hello"], "array"),
    ("base64('hello')", "aGVsbG8=", "base64"),
    ("base64ToString('aGVsbG8=')", "hello", "base64ToString"),
    ("decodeBase64('aGVsbG8=')", "hello", "decodeBase64"),
    ("bool(1)", True, "bool-integer-1"),
    ("bool(0)", False, "bool-integer-0"),
    ("bool(-1)", True, "bool-integer-minus-1"),
    ("bool('true')", True, "bool-string-true"),
    ("bool('false')", False, "bool-string-false"),
    ("createArray('h', 'e', 'l', 'l', 'o')", ["h", "e", "l", "l", "o"], "createArray"),
    ("dataUri('hello')", "data:text/plain;charset=utf-8;base64,aGVsbG8=", "dataUri"),
    ("dataUriToString('data:text/plain;charset=utf-8;base64,aGVsbG8=')", "hello", "dataUriToString"),
    ("decimal('1.2345678912312131')", 1.234567891231213, "decimal-1"),
    ("string(decimal('1.2345678912312131'))", "1.2345678912312131", "decimal-2"),
    ("add(decimal('1.2345678912312131'), decimal('1.2345678912312131'))", 2.469135782462426, "decimal-3"),
    ("string(add(decimal('1.2345678912312131'), decimal('1.2345678912312131')))", "2.4691357824624262", "decimal-4"),
    ("decodeUriComponent('https%3A%2F%2Fcontoso.com')", "https://contoso.com", "decodeUriComponent"),
    ("encodeUriComponent('https://contoso.com')", "https%3A%2F%2Fcontoso.com", "encodeUriComponent"),
    ("float('10,000.333')", 10000.333, "float-1"),
    ("float('10.000,333', 'de-DE')", 10000.333, "float-2"),
    ("float('12,3,4,5678')", 12345678.0, "float-3a"),
    ("float('1234567,8+')", 12345678.0, "float-3b"),
    ("float('12345,6,78,-')", -12345678.0, "float-3c"),
    ("float('-12,345,678,')", -12345678.0, "float-3d"),
    ("float('12345678.-')", -12345678.0, "float-3e"),
    ("float('.12345678')", 0.12345678, "float-3f"),
    ("int('10')", 10, "int"),
    ("json('[1, 2, 3]')", [1, 2, 3], "json-1"),
    ('json(\'{"fullName": "Sophia Owen"}\')', {"fullName": "Sophia Owen"}, "json-2"),
    (
        'json(xml(\'<?xml version="1.0"?> <root> <person id="1"> <name>Sophia Owen</name> <occupation>Engineer</occupation> </person> </root>\'))',
        {
            "?xml": {"@version": "1.0"},
            "root": {"person": {"@id": "1", "name": "Sophia Owen", "occupation": "Engineer"}},
        },
        "json-3",
    ),
    (
        'json(xml(\'<?xml version="1.0"?> <root> <person id="1"> <name>Sophia Owen</name> <occupation>Engineer</occupation> </person> <person id="2"> <name>John Doe</name> <occupation>Engineer</occupation> </person> </root>\'))',
        {
            "?xml": {"@version": "1.0"},
            "root": {
                "person": [
                    {"@id": "1", "name": "Sophia Owen", "occupation": "Engineer"},
                    {"@id": "2", "name": "John Doe", "occupation": "Engineer"},
                ]
            },
        },
        "json-4",
    ),
    ("string(10)", "10", "string-1"),
    ("uriComponent('https://contoso.com')", "https%3A%2F%2Fcontoso.com", "uriComponent"),
    ("uriComponentToString('https%3A%2F%2Fcontoso.com')", "https://contoso.com", "uriComponentToString"),
    # -- math functions --------------------------------------------------------------------------------------
    ("add(1, 1.5)", 2.5, "add"),
    ("div(10, 5)", 2, "div-1a"),
    ("div(11, 5)", 2, "div-1b"),
    ("div(11, 5.0)", 2.2, "div-2a"),
    ("div(11.0, 5)", 2.2, "div-2b"),
    ("max(1, 2, 3)", 3, "max-1"),
    ("max(createArray(1, 2, 3))", 3, "max-2"),
    ("min(1, 2, 3)", 1, "min-1"),
    ("min(createArray(1, 2, 3))", 1, "min-2"),
    ("mod(3, 2)", 1, "mod-1"),
    ("mod(-5, 2)", -1, "mod-2a"),
    ("mod(4, -3)", 1, "mod-2b"),
    ("mul(1, 2)", 2, "mul-1"),
    ("mul(1.5, 2)", 3, "mul-2"),
    ("range(1, 4)", [1, 2, 3, 4], "range"),
    ("sub(10.3, .3)", 10, "sub"),
    # -- URI parsing functions -------------------------------------------------------------------------------
    ("uriHost('https://www.localhost.com:8080')", "www.localhost.com", "uriHost"),
    ("uriPath('https://www.contoso.com/catalog/shownew.htm?date=today')", "/catalog/shownew.htm", "uriPath"),
    (
        "uriPathAndQuery('https://www.contoso.com/catalog/shownew.htm?date=today')",
        "/catalog/shownew.htm?date=today",
        "uriPathAndQuery",
    ),
    ("uriPort('https://www.localhost:8080')", 8080, "uriPort"),
    ("uriQuery('https://www.contoso.com/catalog/shownew.htm?date=today')", "?date=today", "uriQuery"),
    # -- manipulation functions ------------------------------------------------------------------------------
    ("coalesce(null, true, false)", True, "coalesce-1"),
    ("coalesce(null, 'hello', 'world')", "hello", "coalesce-2"),
    ("coalesce(null, null, null)", None, "coalesce-3"),
    (
        'removeProperty(json(\'{ "firstName": "Sophia", "middleName": "Anne", "surName": "Owen" }\'), \'middleName\')',
        {"firstName": "Sophia", "surName": "Owen"},
        "removeProperty-1",
    ),
    (
        'removeProperty(json(\'{ "customerName": { "firstName": "Sophia", "middleName": "Anne", "surName": "Owen" } }\')[\'customerName\'], \'middleName\')',
        {"firstName": "Sophia", "surName": "Owen"},
        "removeProperty-2",
    ),
    (
        'setProperty(json(\'{ "firstName": "Sophia", "surName": "Owen" }\'), \'surName\', \'Hartnett\')',
        {"firstName": "Sophia", "surName": "Hartnett"},
        "setProperty-1",
    ),
    ("xpath(xml(parameters('items')), '/produce/item/name/text()')", ["Gala", "Honeycrisp"], "xpath-1"),
    ("xpath(xml(parameters('items')), 'sum(/produce/item/count)')", 30, "xpath-7"),
    ("xpath(xml(body('Http')), 'string(/*[name()=\"file\"]/*[name()=\"location\"])')", "Paris", "xpath-9"),
    # -- workflow functions ----------------------------------------------------------------------------------
    ("actions('Get_user').outputs.body.status", "Succeeded", "actions"),
    ("body('Get_user')", GET_USER_BODY, "body"),
    ("outputs('Get_user')", {"statusCode": 200, "headers": {}, "body": GET_USER_BODY}, "outputs"),
    ("formDataMultiValues('Send_an_email', 'Subject')", ["Hello world"], "formDataMultiValues"),
    ("formDataValue('Send_an_email', 'Subject')", "Hello world", "formDataValue"),
    ("items('myForEachLoopName')", {"body": "current message"}, "items"),
    ("item().body", "current message", "item"),
    ("iterationIndexes('Until_Max_Increment')", 3, "iterationIndexes"),
    ("listCallbackUrl()", CONTEXT["callback_url"], "listCallbackUrl"),
    ("parameters('fullName')", "Sophia Owen", "parameters"),
    (
        "triggerFormDataMultiValues('feedUrl')",
        ["https://feeds.a.dj.com/rss/RSSMarketsMain.xml"],
        "triggerFormDataMultiValues",
    ),
    ("triggerFormDataValue('feedUrl')", "https://feeds.a.dj.com/rss/RSSMarketsMain.xml", "triggerFormDataValue"),
    ("variables('numItems')", 20, "variables"),
    ("workflow().run.name", "08585126097002631194816968720CU18", "workflow-1"),
]


@pytest.mark.parametrize(("expression", "expected"), [pytest.param(e, r, id=i) for e, r, i in EXAMPLES])
def test_reference_example(expression, expected):
    result = evaluate(expression, CONTEXT)
    assert result == expected
    if isinstance(expected, bool):
        assert isinstance(result, bool)


def test_reference_example_div_keeps_integer_type():  # div, example 1: "return this value with Integer type"
    assert type(evaluate("div(11, 5)", {})) is int
    assert type(evaluate("div(11, 5.0)", {})) is float


def test_reference_example_guid_formats():  # guid: "c2ecc88d-..." and guid('P') in parentheses
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", evaluate("guid()", {}))
    assert re.fullmatch(r"\([0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\)", evaluate("guid('P')", {}))
    assert re.fullmatch(r"[0-9a-f]{32}", evaluate("guid('N')", {}))


def test_reference_example_rand_excludes_the_maximum():  # rand: "returns one of these numbers: 1, 2, 3, or 4"
    assert {evaluate("rand(1, 5)", {}) for _ in range(400)} == {1, 2, 3, 4}


def test_reference_example_base64_to_binary_and_binary_give_the_bytes_as_content():
    # base64ToBinary, binary: the reference shows no literal result ("returns the binary version"); the service
    # carries binary as a content envelope, whose bytes are "hello".
    for expression in ("base64ToBinary('aGVsbG8=')", "binary('hello')"):
        result = evaluate(expression, {})
        assert result == {"$content-type": "application/octet-stream", "$content": "aGVsbG8="}


def test_reference_example_data_uri_to_binary():
    # dataUriToBinary: the published result is a string of bits that spells the data URI's own text, not "hello";
    # the section says it returns "the binary version for a data URI", and decodeDataUri's example (same function)
    # says "hello". So the bytes are "hello", typed with the data URI's media type.
    for name in ("dataUriToBinary", "decodeDataUri"):
        result = evaluate(f"{name}('data:text/plain;charset=utf-8;base64,aGVsbG8=')", {})
        assert result == {"$content-type": "text/plain;charset=utf-8", "$content": "aGVsbG8="}
        assert evaluate_template(f"@{{{name}('data:text/plain;charset=utf-8;base64,aGVsbG8=')}}", {}) == "hello"


def test_reference_example_uri_component_to_binary():  # uriComponentToBinary: "aHR0cHM6Ly9jb250b3NvLmNvbQ=="
    assert (
        evaluate("uriComponentToBinary('https%3A%2F%2Fcontoso.com')", {})["$content"] == "aHR0cHM6Ly9jb250b3NvLmNvbQ=="
    )


def test_reference_example_uri_scheme():
    # uriScheme: the published result for 'https://www.contoso.com/...' is "http", which is not that URI's scheme;
    # the section says the function returns "the scheme value for the URI".
    assert evaluate("uriScheme('https://www.contoso.com/catalog/shownew.htm?date=today')", {}) == "https"


def test_reference_example_string_of_an_object():
    # string, example 2: `string( { "name": "Sophie Owen" } )` is not an expression (there are no object
    # literals); the object comes from json(), and the text is the object as JSON.
    assert evaluate('string(json(\'{ "name": "Sophie Owen" }\'))', {}) == '{"name":"Sophie Owen"}'


def test_reference_example_add_property_1():
    # addProperty, example 1: the expression's object has firstName and lastName, the "current object" shown
    # has surName; what the expression gives is its own object plus middleName.
    result = evaluate(
        'addProperty(json(\'{ "firstName": "Sophia", "lastName": "Owen" }\'), \'middleName\', \'Anne\')', {}
    )
    assert result == {"firstName": "Sophia", "lastName": "Owen", "middleName": "Anne"}


def test_reference_example_add_property_2():
    expression = (
        'setProperty(json(\'{ "customerName": { "firstName": "Sophia", "surName": "Owen" } }\'), \'customerName\', '
        'addProperty(json(\'{ "customerName": { "firstName": "Sophia", "surName": "Owen" } }\')[\'customerName\'], '
        "'middleName', 'Anne'))"
    )
    assert evaluate(expression, {}) == {
        "customerName": {"firstName": "Sophia", "surName": "Owen", "middleName": "Anne"}
    }


def test_reference_example_set_property_2():
    # setProperty, example 2: the shown objects say "Sophie", the expression says "Sophia"; the expression wins.
    expression = (
        'setProperty(json(\'{ "customerName": { "firstName": "Sophia", "surName": "Owen" } }\'), \'customerName\', '
        'setProperty(json(\'{ "customerName": { "firstName": "Sophia", "surName": "Owen" } }\')[\'customerName\'], '
        "'surName', 'Hartnett'))"
    )
    assert evaluate(expression, {}) == {"customerName": {"firstName": "Sophia", "surName": "Hartnett"}}


def test_reference_example_add_property_refuses_an_existing_property():  # addProperty: "the function fails"
    with pytest.raises(Exception, match="already exists"):
        evaluate("addProperty(json('{\"a\": 1}'), 'a', 2)", {})


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        pytest.param("xml('<name>Sophia Owen</name>')", "<name>Sophia Owen</name>", id="xml-1"),
        pytest.param('xml(json(\'{ "name": "Sophia Owen" }\'))', "<name>Sophia Owen</name>", id="xml-2"),
        # xml, example 3: the published result ends with "<person>" where "</person>" is meant, and is indented.
        pytest.param(
            'xml(json(\'{"person": {"name": "Sophia Owen", "city": "Seattle"}}\'))',
            "<person><name>Sophia Owen</name><city>Seattle</city></person>",
            id="xml-3",
        ),
        pytest.param(
            'xml(json(\'{"root":{"array":[{ "ID": 1, "Name": "James" },{ "ID": 2, "Name": "John" },{ "ID": 3, "Name": "Sam" }]}}\'))',
            "<root><array><ID>1</ID><Name>James</Name></array><array><ID>2</ID><Name>John</Name></array>"
            "<array><ID>3</ID><Name>Sam</Name></array></root>",
            id="xml-4-option-1",
        ),
        pytest.param(
            'xml(addProperty(json(\'{}\'), \'root\', addProperty(json(\'{}\'), \'array\', json(\'[{ "ID": 1, "Name": "James" },{ "ID": 2, "Name": "John" },{ "ID": 3, "Name": "Sam" }]\'))))',
            "<root><array><ID>1</ID><Name>James</Name></array><array><ID>2</ID><Name>John</Name></array>"
            "<array><ID>3</ID><Name>Sam</Name></array></root>",
            id="xml-4-option-4",
        ),
    ],
)
def test_reference_example_xml(expression, expected):
    assert xml_text(evaluate(expression, CONTEXT)) == expected


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        # xpath, examples 2, 3 and 6 show one bare value where examples 4 and 5 show a node-set as an array even for
        # one match ("[ Gala ]"); a node-set is always an array, and an element node is XML.
        pytest.param(
            "xpath(xml(parameters('items')), '/produce/item/name[1]')",
            ["<name>Gala</name>", "<name>Honeycrisp</name>"],
            id="xpath-2",
        ),
        pytest.param(
            "xpath(xml(parameters('items')), '/produce/item/name[last()]')",
            ["<name>Gala</name>", "<name>Honeycrisp</name>"],
            id="xpath-3",
        ),
        pytest.param(
            "xpath(xml(parameters('expiredItems')), '//name[@expired]')",
            ['<name expired="true">Gala</name>', '<name expired="false">Honeycrisp</name>'],
            id="xpath-4",
        ),
        pytest.param(
            "xpath(xml(parameters('oneExpired')), '//name[@expired = ''true'']')",
            ['<name expired="true">Gala</name>'],
            id="xpath-5",
        ),
        pytest.param(
            "xpath(xml(parameters('pricedItems')), '//name[@price>35]')",
            ['<name expired="false" price="40">Honeycrisp</name>'],
            id="xpath-6",
        ),
        pytest.param(
            "xpath(xml(body('Http')), '/*[name()=\"file\"]/*[name()=\"location\"]')",
            ['<location xmlns="https://contoso.com">Paris</location>'],
            id="xpath-8a",
        ),
        pytest.param(
            'xpath(xml(body(\'Http\')), \'/*[local-name()="file" and namespace-uri()="https://contoso.com"]/*[local-name()="location"]\')',
            ['<location xmlns="https://contoso.com">Paris</location>'],
            id="xpath-8b",
        ),
    ],
)
def test_reference_example_xpath_node_sets(expression, expected):
    # Examples 2 and 3 select name[1] / name[last()] of each item: both items have one name, so both match.
    assert [xml_text(node) for node in evaluate(expression, CONTEXT)] == expected


def test_reference_example_workflow_tags():  # workflow, example 2: the link built from the tags
    template = "<a href=https://flow.microsoft.com/manage/environments/@{workflow()['tags']['environmentName']}/flows/@{workflow()['name']}/details>Open flow @{workflow()['tags']['flowDisplayName']}</a>"
    assert evaluate_template(template, CONTEXT) == (
        "<a href=https://flow.microsoft.com/manage/environments/Default-1/flows/flow-id/details>Open flow My flow</a>"
    )


def test_reference_example_iteration_indexes_in_a_compose():  # iterationIndexes: the Compose input of the example
    assert (
        evaluate_template("'Current index: ' @{iterationIndexes('Until_Max_Increment')}", CONTEXT)
        == "'Current index: ' 3"
    )


def test_reference_example_result_returns_the_scope_results():  # result: the array of the loop's action results
    results = [
        {"name": "HTTP", "outputs": [{"name": "HTTP", "inputs": {"uri": "https://httpstat.us/200", "method": "GET"}}]}
    ]
    assert evaluate("result('For_each')", {"results": {"For_each": results}}) == results


def test_reference_example_parameters_in_concat():  # "Functions in expressions": concat of two parameters
    context = {"parameters": {"firstName": "Sophia", "lastName": "Owen"}}
    assert evaluate_template({"customerName": "@concat(parameters('firstName'), parameters('lastName'))"}, context) == {
        "customerName": "SophiaOwen"
    }


# Every function of the reference's alphabetical list, plus actionBody and actionOutputs, which older versions of
# the reference list and flows still use.
REFERENCE_FUNCTIONS = [
    "action",
    "actions",
    "actionBody",
    "actionOutputs",
    "add",
    "addDays",
    "addHours",
    "addMinutes",
    "addProperty",
    "addSeconds",
    "addToTime",
    "and",
    "array",
    "base64",
    "base64ToBinary",
    "base64ToString",
    "binary",
    "body",
    "bool",
    "chunk",
    "coalesce",
    "concat",
    "contains",
    "convertFromUtc",
    "convertTimeZone",
    "convertToUtc",
    "createArray",
    "dataUri",
    "dataUriToBinary",
    "dataUriToString",
    "dateDifference",
    "dayOfMonth",
    "dayOfWeek",
    "dayOfYear",
    "decimal",
    "decodeBase64",
    "decodeDataUri",
    "decodeUriComponent",
    "div",
    "encodeUriComponent",
    "empty",
    "endsWith",
    "equals",
    "first",
    "float",
    "formatDateTime",
    "formDataMultiValues",
    "formDataValue",
    "formatNumber",
    "getFutureTime",
    "getPastTime",
    "greater",
    "greaterOrEquals",
    "guid",
    "if",
    "indexOf",
    "int",
    "isFloat",
    "isInt",
    "item",
    "items",
    "iterationIndexes",
    "json",
    "intersection",
    "join",
    "last",
    "lastIndexOf",
    "length",
    "less",
    "lessOrEquals",
    "listCallbackUrl",
    "max",
    "min",
    "mod",
    "mul",
    "multipartBody",
    "not",
    "nthIndexOf",
    "or",
    "outputs",
    "parameters",
    "parseDateTime",
    "rand",
    "range",
    "removeProperty",
    "replace",
    "result",
    "reverse",
    "setProperty",
    "skip",
    "slice",
    "sort",
    "split",
    "startOfDay",
    "startOfHour",
    "startOfMonth",
    "startsWith",
    "string",
    "sub",
    "substring",
    "subtractFromTime",
    "take",
    "ticks",
    "toLower",
    "toUpper",
    "trigger",
    "triggerBody",
    "triggerFormDataMultiValues",
    "triggerFormDataValue",
    "triggerMultipartBody",
    "triggerOutputs",
    "trim",
    "union",
    "uriComponent",
    "uriComponentToBinary",
    "uriComponentToString",
    "uriHost",
    "uriPath",
    "uriPathAndQuery",
    "uriPort",
    "uriQuery",
    "uriScheme",
    "utcNow",
    "variables",
    "workflow",
    "xml",
    "xpath",
]


@pytest.mark.parametrize("name", REFERENCE_FUNCTIONS)
def test_every_reference_function_is_registered_under_its_canonical_name(name):
    assert REGISTRY[name.lower()].name == name


def test_the_reference_list_is_complete():
    assert len(REFERENCE_FUNCTIONS) == len(set(REFERENCE_FUNCTIONS)) == 127
