"""XML in the expression language: the XML value, its conversions to and from JSON, and XPath, on lxml.

The service converts with Json.NET's XML converter, so flowmock follows its conventions: attributes become
"@name" properties, the declaration becomes "?xml", repeated sibling elements become an array, an element with
only text becomes a string and an empty one null, mixed content goes to "#text"; the other way, "@" properties
become attributes, arrays repeat their element, and the JSON object must have exactly one root property.

An XML value is carried as the service shows it, a content object typed `application/xml;charset=utf-8`. Parsing
never resolves entities or reaches the network (lxml's parser with entity resolution and DTD loading off).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from lxml import etree

from ..values import CONTENT_TYPE_KEY, content, content_bytes, is_content, to_text, type_name
from .base import fail
from .jsontext import JsonTextError, loads

XML_CONTENT_TYPE = "application/xml;charset=utf-8"
_DECLARATION = re.compile(rb"^\s*<\?xml\s+(?P<body>.*?)\?>", re.S)
_PSEUDO_ATTRIBUTE = re.compile(r"(\w+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def is_xml_content(value: Any) -> bool:
    return is_content(value) and "xml" in str(value.get(CONTENT_TYPE_KEY, "")).lower()


def xml_value(data: bytes) -> dict[str, str]:
    return content(data, XML_CONTENT_TYPE)


def parse_xml(name: str, data: bytes) -> Any:
    """The root element of an XML document, or the service-style error naming what is wrong."""
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        fail(name, f"parameter is not valid. The provided value cannot be parsed as XML: '{error.msg}'.")
    raise AssertionError("unreachable")


# -- XML to JSON ----------------------------------------------------------------------------------------------


def _qualified(element: Any) -> str:
    local = str(etree.QName(element).localname)
    return f"{element.prefix}:{local}" if element.prefix else local


def _attribute_name(element: Any, key: str) -> str:
    qname = etree.QName(key)
    if qname.namespace is None:
        return str(qname.localname)
    for prefix, uri in element.nsmap.items():
        if uri == qname.namespace and prefix:
            return f"{prefix}:{qname.localname}"
    return str(qname.localname)


def _element_to_json(element: Any) -> Any:
    result: dict[str, Any] = {}
    parent = element.getparent()
    inherited = parent.nsmap if parent is not None else {}
    for prefix, uri in element.nsmap.items():
        if inherited.get(prefix) != uri:
            result["@xmlns" + (f":{prefix}" if prefix else "")] = uri
    for key, value in element.attrib.items():
        result["@" + _attribute_name(element, key)] = value
    texts: list[str] = []
    if element.text and element.text.strip():
        texts.append(element.text)
    children: dict[str, list[Any]] = {}
    for child in element:
        if isinstance(child.tag, str):
            children.setdefault(_qualified(child), []).append(_element_to_json(child))
        elif child.tag is etree.Comment:
            children.setdefault("#comment", []).append(child.text or "")
        if child.tail and child.tail.strip():
            texts.append(child.tail)
    if not result and not children:
        if not texts:
            return None
        if len(texts) == 1:
            return texts[0]
    if texts:
        result["#text"] = texts[0] if len(texts) == 1 else texts
    for key, values in children.items():
        result[key] = values[0] if len(values) == 1 else values
    return result


def xml_to_json(name: str, data: bytes) -> dict[str, Any]:
    root = parse_xml(name, data)
    result: dict[str, Any] = {}
    declaration = _DECLARATION.match(data.lstrip(b"\xef\xbb\xbf"))
    if declaration:
        body = declaration["body"].decode("utf-8", errors="replace")
        result["?xml"] = {"@" + m[1]: m[2] if m[2] is not None else m[3] for m in _PSEUDO_ATTRIBUTE.finditer(body)}
    result[_qualified(root)] = _element_to_json(root)
    return result


# -- JSON to XML ----------------------------------------------------------------------------------------------


def _xml_name(name: str) -> str:
    """An XML name for a JSON property, escaping what XML refuses as .NET's XmlConvert.EncodeLocalName does (a
    ':' too: a prefix would need a namespace declaration the JSON does not give)."""
    out = []
    for index, char in enumerate(name):
        valid = char.isalpha() or char == "_" or (index > 0 and (char.isdigit() or char in "-."))
        out.append(char if valid else f"_x{ord(char):04X}_")
    return "".join(out) or "_"


def _scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    return json.dumps(value) if isinstance(value, int | float) else to_text(value)


def _fill(element: Any, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, Mapping):
        element.text = _scalar(value)
        return
    for key, item in value.items():
        if key.startswith("@xmlns"):
            continue  # namespace declarations are made by the names that use them
        if key.startswith("@"):
            element.set(_xml_name(key[1:]), _scalar(item))
        elif key in ("#text", "#cdata-section"):
            element.text = (element.text or "") + "".join(
                _scalar(x) for x in (item if isinstance(item, list) else [item])
            )
        elif key == "#comment":
            for text in item if isinstance(item, list) else [item]:
                element.append(etree.Comment(_scalar(text)))
        else:
            for entry in item if isinstance(item, list) else [item]:
                _fill(etree.SubElement(element, _xml_name(key)), entry)


def json_to_xml(name: str, value: Mapping[str, Any]) -> bytes:
    declaration = value.get("?xml")
    roots = [key for key in value if key not in ("?xml", "$schema")]
    if len(roots) != 1 or isinstance(value[roots[0]], list):
        fail(
            name,
            "parameter is not valid. JSON root object has multiple properties. The root object must have a single "
            "property in order to create a valid XML document.",
        )
    try:
        root = etree.Element(_xml_name(roots[0]))
        _fill(root, value[roots[0]])
        text = etree.tostring(root, encoding="unicode")
    except ValueError as error:  # a name or text lxml refuses (control characters, for one)
        fail(name, f"parameter is not valid. The JSON cannot be converted to XML: '{error}'.")
    if isinstance(declaration, Mapping):
        attributes = " ".join(f'{k[1:]}="{_scalar(v)}"' for k, v in declaration.items() if k.startswith("@"))
        text = f"<?xml {attributes}?>{text}"
    return str(text).encode("utf-8")


# -- the xml() and xpath() functions ----------------------------------------------------------------------------


def to_xml(name: str, value: Any) -> dict[str, str]:
    """What `xml()` returns for any accepted value (an XML or JSON string, an object, XML content)."""
    if is_xml_content(value):
        return dict(value)
    if is_content(value):
        value = content_bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, Mapping):
        return xml_value(json_to_xml(name, value))
    if not isinstance(value, str):
        fail(
            name,
            f"expects its parameter to be a string or an object. The provided value is of type '{type_name(value)}'.",
        )
    text = value.strip()
    if text.startswith("{"):
        try:
            parsed = loads(text)
        except JsonTextError:
            parsed = None
        if isinstance(parsed, Mapping):
            return xml_value(json_to_xml(name, parsed))
    data = value.encode("utf-8")
    parse_xml(name, data)
    return xml_value(data)


def _node_value(node: Any) -> Any:
    if isinstance(node, str):  # text(), attributes and string results are lxml "smart strings"
        return str(node)
    if isinstance(node, float) and not math.isfinite(node):
        return str(node).replace("nan", "NaN").replace("inf", "Infinity")  # as Json.NET writes them, as text
    if isinstance(node, bool | float):
        return node
    if isinstance(getattr(node, "tag", None), str):
        return xml_value(etree.tostring(node, with_tail=False))
    return to_text(etree.tostring(node, with_tail=False, encoding="unicode"))


def xpath(name: str, document: Any, expression: Any) -> Any:
    xml = to_xml(name, document)
    root = parse_xml(name, content_bytes(xml))
    if not isinstance(expression, str):
        fail(
            name,
            f"expects its second parameter to be a string. The provided value is of type '{type_name(expression)}'.",
        )
    try:
        result = root.getroottree().xpath(expression)
    except (etree.XPathError, ValueError) as error:
        fail(name, f"parameter is not valid. The XPath expression '{expression}' is not valid: '{error}'.")
        raise AssertionError("unreachable") from None
    if isinstance(result, list):
        return [_node_value(node) for node in result]
    return _node_value(result)
