"""Data operations: Compose, Parse JSON, Filter array (Query), Select, Join, Create CSV/HTML table (Table).

They reproduce the service's data operations (Logic Apps "Perform data operations"): outputs as the service shapes
them (`Compose`'s outputs are the value itself, the others put their result in `outputs.body`), the `from` of the
array operations must be an array, and `item()` inside `where`/`select`/`columns` is the current element.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Mapping
from typing import Any

from flowmock_receiver.workflow.engine.base import ActionFailure, Handler, Runner, as_mapping
from flowmock_receiver.workflow.engine.records import ActionRecord
from flowmock_receiver.workflow.expressions.values import type_name
from flowmock_schemas import validate as validate_schema

MAX_ITEMS = 100_000
"""Most elements an array operation takes (the service's limit for `Query`/`Select` and `Foreach` items)."""


def compose(run: Runner, name: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    value = run.evaluate(spec.get("inputs"))
    record.inputs = value
    record.outputs = value
    record.code = "OK"


def parse_json(run: Runner, name: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    """`content` parsed when it is a string (the service parses text), then checked against `schema` with
    Json.NET's wording; a mismatch fails the action with `ValidationFailed` and the errors in its outputs."""
    inputs = as_mapping(run.evaluate(spec.get("inputs")))
    record.inputs = inputs
    content = inputs.get("content")
    if isinstance(content, str):
        try:
            content = json.loads(content)
        except json.JSONDecodeError as exc:
            raise ActionFailure(
                "InvalidJSON", f"The 'content' property of actions of type 'ParseJson' must be valid JSON: {exc.msg}."
            ) from exc
    schema = inputs.get("schema")
    if isinstance(schema, Mapping) and schema:
        try:
            errors = validate_schema(dict(schema), content)
        except Exception as exc:  # an invalid schema (jsonschema's SchemaError, a bad $ref, ...)
            raise ActionFailure("InvalidSchema", f"The 'schema' of this Parse JSON action is not valid: {exc}") from exc
        if errors:
            record.outputs = {"errors": [{"message": e.message, "path": e.path} for e in errors]}
            raise ActionFailure(
                "ValidationFailed", "The schema validation failed.", outputs=record.outputs, result_code="BadRequest"
            )
    record.outputs = {"body": content}
    record.code = "OK"


def _array_from(run: Runner, spec: Mapping[str, Any], record: ActionRecord, kind: str) -> list[Any]:
    inputs = as_mapping(spec.get("inputs"))
    source = run.evaluate(inputs.get("from"))
    if not isinstance(source, list):
        raise ActionFailure(
            "InvalidTemplate",
            f"The 'from' property value in the '{kind}' action inputs is of type '{type_name(source)}'. "
            "The value must be an array.",
        )
    if len(source) > MAX_ITEMS:
        raise ActionFailure("InvalidTemplate", f"The '{kind}' action takes at most {MAX_ITEMS} items.")
    return source


def query(run: Runner, name: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    source = _array_from(run, spec, record, "query")
    where = as_mapping(spec.get("inputs")).get("where")
    kept: list[Any] = []
    for element in source:
        run.enter_element(element)
        try:
            keep = run.evaluate_condition(where) if where is not None else True
        finally:
            run.leave_element()
        if keep:
            kept.append(element)
    record.inputs = {"from": source, "where": where}
    record.outputs = {"body": kept}
    record.code = "OK"


def select(run: Runner, name: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    source = _array_from(run, spec, record, "select")
    template = as_mapping(spec.get("inputs")).get("select")
    mapped: list[Any] = []
    for element in source:
        run.enter_element(element)
        try:
            mapped.append(run.evaluate(template))
        finally:
            run.leave_element()
    record.inputs = {"from": source, "select": template}
    record.outputs = {"body": mapped}
    record.code = "OK"


def join(run: Runner, name: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    source = _array_from(run, spec, record, "join")
    separator = run.evaluate(as_mapping(spec.get("inputs")).get("joinWith", ""))
    separator = separator if isinstance(separator, str) else text_of(separator)
    record.inputs = {"from": source, "joinWith": separator}
    record.outputs = {"body": separator.join(text_of(element) for element in source)}
    record.code = "OK"


def table(run: Runner, name: str, spec: Mapping[str, Any], record: ActionRecord) -> None:
    """CSV or HTML from an array of objects. Without `columns`, the columns are the first object's keys (the
    designer's "Automatic" columns); with them, each `value` is evaluated with `item()` as the row."""
    source = _array_from(run, spec, record, "table")
    inputs = as_mapping(spec.get("inputs"))
    fmt = str(run.evaluate(inputs.get("format", "CSV"))).upper()
    if fmt not in ("CSV", "HTML"):
        raise ActionFailure("InvalidTemplate", f"The table format '{fmt}' is not supported: use 'CSV' or 'HTML'.")
    columns = inputs.get("columns")
    headers: list[str] = []
    rows: list[list[str]] = []
    if isinstance(columns, list) and columns:
        headers = [text_of(run.evaluate(as_mapping(column).get("header", ""))) for column in columns]
        for element in source:
            run.enter_element(element)
            try:
                rows.append([text_of(run.evaluate(as_mapping(column).get("value"))) for column in columns])
            finally:
                run.leave_element()
    else:
        first = source[0] if source else {}
        if source and not isinstance(first, Mapping):
            raise ActionFailure("InvalidTemplate", "Automatic columns need an array of objects in 'from'.")
        headers = list(first)
        for element in source:
            row = element if isinstance(element, Mapping) else {}
            rows.append([text_of(row.get(header)) for header in headers])
    record.inputs = {"from": source, "format": fmt, "columns": columns}
    record.outputs = {"body": _csv(headers, rows) if fmt == "CSV" else _html(headers, rows)}
    record.code = "OK"


def _csv(headers: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue()


def _html(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def text_of(value: Any) -> str:
    """A value as the service writes it into text: strings as is, null empty, Booleans `True`/`False` (.NET), and
    objects and arrays as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


HANDLERS: dict[str, Handler] = {
    "compose": compose,
    "parsejson": parse_json,
    "query": query,
    "select": select,
    "join": join,
    "table": table,
}
