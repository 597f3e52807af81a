"""Reports of a run history for CI: JSON Lines, HAR 1.2 and JUnit XML.

They are made from trigger-history entries as the admin API returns them, so they work the same against a local
app or a server in another process. JUnit has one test case per call, failing when the call was refused or its
body did not conform to the flow's schema, so a CI system shows contract breaks as failed tests; a run of an
imported flow adds one test case per action (Failed and TimedOut actions as failures, skipped ones as skipped), so
the CI system shows which action broke. JSON Lines carries each run's actions whole; HAR is the HTTP exchange only.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import IO, Any
from xml.etree import ElementTree as ET

from flowmock_schemas.clikit import redact

from ..core.action_tree import duration_ms, skip_reason, walk

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot carry most control characters, which hostile bodies put in error messages."""
    return _XML_ILLEGAL.sub("\ufffd", text)


def strict_failed(entry: Mapping[str, Any]) -> bool:
    """The body broke the `.strict` variant of its flow's documented schema (recorded beside the flow's verdict)."""
    return ((entry.get("contract") or {}).get("strict") or {}).get("valid") is False


def call_failed(entry: Mapping[str, Any], *, strict: bool = False) -> bool:
    """Refused, or its body did not conform (a body never checked, as in a 413, is not a contract break);
    with `strict`, also a body that broke its schema's strict variant. A call Skipped by an imported flow's trigger
    conditions was not refused: the service records it without a run, as the flow asks."""
    contract = entry.get("contract") or {}
    return entry.get("status") == "Failed" or contract.get("valid") is False or (strict and strict_failed(entry))


def failure_text(entry: Mapping[str, Any], *, strict: bool = False) -> str:
    lines = []
    if entry.get("status") == "Failed":
        lines.append(f"{entry.get('http_status')} {entry.get('code')}: {entry.get('message')}")
    contract = entry.get("contract") or {}
    for error in contract.get("errors", []):
        lines.append(f"{error['path']}: {error['message']}")
    if strict and strict_failed(entry):
        schema = contract["strict"]["schema"]
        lines.extend(f"{schema}: {error['path']}: {error['message']}" for error in contract["strict"]["errors"])
    return "\n".join(lines)


def _pairs(pairs: Iterable[Any]) -> list[dict[str, str]]:
    return [{"name": str(name), "value": str(value)} for name, value in pairs]


def _status_text(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def write_har(entries: Iterable[Mapping[str, Any]], out: IO[str], base_url: str, version: str) -> int:
    """A HAR 1.2 log (browser dev tools and HAR viewers load it), signatures redacted from URLs, written entry by
    entry (an export of a million calls never holds them all); the count."""
    creator = json.dumps({"name": "flowmock", "version": version})
    out.write('{"log": {"version": "1.2", "creator": ' + creator + ', "entries": [')
    n = 0
    for entry in entries:
        out.write(("," if n else "") + "\n" + json.dumps(_har_entry(entry, base_url), ensure_ascii=False))
        n += 1
    out.write("\n]}}\n")
    return n


def write_jsonl(entries: Iterable[Mapping[str, Any]], out: IO[str]) -> int:
    """One call per line, written as read; the count."""
    n = 0
    for n, entry in enumerate(entries, 1):  # noqa: B007 - the count is the last index
        out.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
    return n


def _har_entry(entry: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    req = entry["request"]
    query = "&".join(f"{k}={v}" for k, v in req["query"])
    url = redact(base_url.rstrip("/") + req["path"] + (f"?{query}" if query else ""))
    headers = req["headers"]
    content_type = next((v for k, v in headers if k.lower() == "content-type"), "")
    request: dict[str, Any] = {
        "method": req["method"],
        "url": url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": _pairs(headers),
        "queryString": _pairs((k, v if k != "sig" else "REDACTED") for k, v in req["query"]),
        "headersSize": -1,
        "bodySize": req["body_size"],
    }
    if req["body_size"]:
        post: dict[str, Any] = {"mimeType": content_type or "application/octet-stream"}
        if req["body"] is not None:
            post["text"] = req["body"]
        else:
            post["text"] = req["body_base64"]
            post["encoding"] = "base64"
        request["postData"] = post
    resp = entry["response"]
    resp_headers = resp.get("headers") or {}
    resp_type = resp_headers.get("Content-Type", "application/json; charset=utf-8" if entry["code"] else "")
    body = resp.get("body") or ""
    duration = float(entry.get("duration_ms") or 0)
    return {
        "startedDateTime": entry["time"][:23] + "Z",
        "time": duration,
        "request": request,
        "response": {
            "status": resp["status"],
            "statusText": _status_text(resp["status"]),
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": _pairs(resp_headers.items()),
            "content": {"size": len(body.encode()), "mimeType": resp_type, "text": body},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": len(body.encode()),
        },
        "cache": {},
        "timings": {"send": 0, "wait": duration, "receive": 0},
        "comment": f"flow {entry['flow_id']}; trigger history {entry['id']}",
    }


def write_junit(
    entries: Iterable[Mapping[str, Any]], out: IO[str], flow_names: Mapping[str, str], *, strict: bool = False
) -> int:
    """JUnit XML: one suite per flow, one case per call (with `strict`, failing on strict verdicts too), then one
    per action of the call's run (its `run`, as the export joins it). Written case by case: each flow's cases go to
    a temporary file (on disk past 1 MB) while its suite's counts add up, then the suites are copied out in turn;
    the number of calls."""
    suites: dict[str, tuple[IO[str], list[float]]] = {}  # flow -> (cases, [tests, failures, skipped, seconds])
    calls = 0
    with contextlib.ExitStack() as files:
        for entry in entries:
            flow_id = entry["flow_id"]
            if flow_id not in suites:
                spool = files.enter_context(tempfile.SpooledTemporaryFile(1 << 20, mode="w+", encoding="utf-8"))
                suites[flow_id] = (spool, [0, 0, 0, 0.0])
            cases, counts = suites[flow_id]
            name = flow_names.get(flow_id, flow_id)
            seconds = float(entry.get("duration_ms") or 0) / 1000
            holder = ET.Element("testsuite", tests="1", failures="0", skipped="0")  # this call's cases
            case = ET.SubElement(
                holder,
                "testcase",
                classname=_xml_safe(f"flowmock.{name}"),
                name=_xml_safe(f"{entry['time']} {entry['request']['method']} {entry['id']}"),
                time=f"{seconds:.3f}",
            )
            if call_failed(entry, strict=strict):
                text = _xml_safe(failure_text(entry, strict=strict))
                kind = entry.get("code") or "SchemaMismatch"
                failure = ET.SubElement(case, "failure", message=text.splitlines()[0] if text else kind, type=kind)
                failure.text = text
                holder.set("failures", "1")
            _action_cases(holder, name, entry)
            for child in holder:
                ET.indent(child, level=2)
                cases.write("    " + ET.tostring(child, encoding="unicode").rstrip() + "\n")
            for i, key in enumerate(("tests", "failures", "skipped")):
                counts[i] += int(holder.get(key, "0"))
            counts[3] += seconds
            calls += 1
        totals = [sum(int(c[i]) for _, c in suites.values()) for i in range(3)]
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write(f'<testsuites name="flowmock" tests="{totals[0]}" failures="{totals[1]}" skipped="{totals[2]}">\n')
        for flow_id, (cases, counts) in suites.items():
            name = _xml_attr(f"flowmock: {flow_names.get(flow_id, flow_id)}")
            out.write(
                f'  <testsuite name="{name}" tests="{int(counts[0])}" failures="{int(counts[1])}" errors="0" '
                f'skipped="{int(counts[2])}" time="{counts[3]:.3f}">\n'
            )
            cases.seek(0)
            shutil.copyfileobj(cases, out)
            out.write("  </testsuite>\n")
        out.write("</testsuites>\n")
        return calls


def _xml_attr(text: str) -> str:
    return ET.tostring(ET.Element("x", v=_xml_safe(text)), encoding="unicode")[6:-4]


def _action_cases(suite: ET.Element, flow_name: str, call: Mapping[str, Any]) -> None:
    """One test case per action of the call's run, after the call's own case; the suite's counts follow."""
    run = call.get("run") or {}
    for located in walk(run.get("actions") or []):
        action = located.action
        case = ET.SubElement(
            suite,
            "testcase",
            classname=_xml_safe(f"flowmock.{flow_name}.{call.get('run_id')}"),
            name=_xml_safe(f"{located.key} ({action.get('type')})"),
            time=f"{(duration_ms(action) or 0) / 1000:.3f}",
        )
        suite.set("tests", str(int(suite.get("tests", "0")) + 1))
        status = action.get("status")
        if status in ("Failed", "TimedOut"):
            error = action.get("error") or {}
            kind = _xml_safe(str(error.get("code") or status))
            text = _xml_safe(f"{kind}: {error.get('message') or status}")
            failure = ET.SubElement(case, "failure", message=text.splitlines()[0], type=kind)
            failure.text = text
            suite.set("failures", str(int(suite.get("failures", "0")) + 1))
        elif status in ("Skipped", "Cancelled"):
            reason = skip_reason(action) or str(status).lower()
            ET.SubElement(case, "skipped", message=_xml_safe(reason))
            suite.set("skipped", str(int(suite.get("skipped", "0")) + 1))
