"""`flowmock runs show`: a run's actions as a tree in a terminal, and one action's inputs and outputs.

The same reading of the run JSON as the web page (core/action_tree.py), printed as aligned columns: name (indented
by depth, under its branch or repetition), type, status, duration, then the error or the skip reason on the next
line, so a CI log shows where a flow went wrong without opening the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from ..core.action_tree import branch_label, duration_ms, find, format_duration, mock_label, skip_reason

Row = tuple[str, str, str, str, str]  # (name column, type, status, duration, note)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _clean(text: object) -> str:
    """Names and messages come from the flow and the caller: control characters (a terminal escape sequence, a
    newline that would fake another row) are printed escaped, never sent to the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def _rows(actions: Sequence[Mapping[str, Any]], depth: int, parent: Mapping[str, Any] | None) -> list[Row]:
    rows: list[Row] = []
    pad = "  " * depth
    last_label: object = object()
    for action in actions:
        label = branch_label(str(parent.get("type", "")), action.get("branch")) if parent is not None else None
        if label is not None and label != last_label:
            rows.append((f"{pad}[{_clean(label)}]", "", "", "", ""))
        last_label = label
        inner = depth + 1 if label is not None else depth  # under a branch heading, one step further in
        status = str(action.get("status", ""))
        error = action.get("error") or {}
        reason = skip_reason(action, parent)
        notes = [mock_label(action.get("mocked")) or ""]
        if reason:
            notes.append(f"skipped: {reason}")
        elif error:
            notes.append(f"{error.get('code')}: {error.get('message')}")
        note = _clean("; ".join(n for n in notes if n))
        rows.append(
            (
                f"{'  ' * inner}{_clean(action.get('name'))}",
                _clean(action.get("type", "")),
                status,
                format_duration(duration_ms(action)),
                note,
            )
        )
        rows.extend(_rows(action.get("children") or [], inner + 1, action))
        for repetition in action.get("repetitions") or []:
            step = f"{'  ' * (inner + 1)}repetition {int(repetition.get('index', 0)) + 1}"
            rows.append((step, "", str(repetition.get("status")), "", ""))
            rows.extend(_rows(repetition.get("actions") or [], inner + 2, action))
    return rows


def format_tree(run: Mapping[str, Any]) -> str:
    """A header line (run id, status, duration, who answered) and one line per action, nested."""
    actions = run.get("actions") or []
    header = f"run {run.get('run_id')}  {run.get('status')}  {format_duration(duration_ms(run))}"
    answered = run.get("response_action")
    if answered:
        header += f"  answered by {_clean(answered)} ({(run.get('response') or {}).get('status')})"
    lines = [header]
    error = run.get("error") or {}
    if error:
        lines.append(_clean(f"{error.get('code')}: {error.get('message')}"))
    rows = _rows(actions, 0, None)
    widths = [max([len(r[i]) for r in rows] + [len(h)]) for i, h in enumerate(("ACTION", "TYPE", "STATUS", "DURATION"))]
    lines.append(
        f"{'ACTION':<{widths[0]}}  {'TYPE':<{widths[1]}}  {'STATUS':<{widths[2]}}  {'DURATION':>{widths[3]}}  NOTE"
    )
    for name, kind, status, took, note in rows:
        line = f"{name:<{widths[0]}}  {kind:<{widths[1]}}  {status:<{widths[2]}}  {took:>{widths[3]}}  {note}"
        lines.append(line.rstrip())
    return "\n".join(lines) + "\n"


def action_detail(run: Mapping[str, Any], name: str) -> dict[str, Any] | list[dict[str, Any]] | None:
    """One action's record without its nested actions: name, type, status, times, inputs, outputs, error; inside a
    loop, one per repetition (each with its `path`). None when the run has no action of that name."""
    found = find(run.get("actions") or [], name)
    if not found:
        return None
    details = [
        {
            "path": located.key,
            **{
                key: located.action.get(key)
                for key in ("name", "type", "status", "start_time", "end_time", "inputs", "outputs", "error", "mocked")
            },
        }
        for located in found
    ]
    return details[0] if len(details) == 1 else details
