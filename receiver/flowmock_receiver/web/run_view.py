"""The run page's action tree: the run's JSON (design.md "Runs with actions") turned into cards for the template.

Power Automate's run view shows each action as a card in definition order, nested inside its scope, condition
branch or loop, with a status icon and duration; clicking a card shows its inputs and outputs. This module decides
everything that view needs (icons, durations, skip reasons, branch headings, pretty-printed JSON) from the JSON
alone, so the same function renders a run read from a store, a run fetched over the admin API, or a `RunRecord`
made by the engine in a test. The template (`_actions.html`) only lays the cards out, autoescaped, so an action
name or an output holding markup is shown as text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..core import jsontext
from ..core.action_tree import branch_label, duration_ms, find, format_duration, has_actions, mock_label, skip_reason

STATUS_ICONS = {
    "Succeeded": "✓",
    "Failed": "✕",
    "Skipped": "⊘",
    "TimedOut": "⧗",
    "Cancelled": "■",
    "Running": "↻",
    "Waiting": "…",
}
"""One symbol per status (text, not an image: it reads the same offline, in a screenshot and to a screen reader
that also gets the status word)."""

MAX_PRETTY = 200_000
"""Characters of one pretty-printed value shown on the page; a huge output is cut, not allowed to stall it."""


def pretty(value: Any) -> str:
    """A value as indented JSON (strings too, quoted: `"<b>"` shows it is a string holding markup, not markup);
    numbers JSON cannot carry as their literal, as everywhere flowmock writes JSON (core/jsontext.py)."""
    try:
        text = jsontext.dumps(value, indent=2, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):
        text = repr(value)
    if len(text) > MAX_PRETTY:
        return text[:MAX_PRETTY] + f"\n… ({len(text) - MAX_PRETTY} more characters: see the admin API)"
    return text


@dataclass
class Card:
    """One action as the page shows it. `key` is its path in the run (`Try/For_each[1]/Reserve`), unique per run,
    so the live update can keep the cards a reader opened open."""

    key: str
    name: str
    type: str
    status: str
    icon: str
    duration: str
    inputs: str | None
    outputs: str | None
    error_code: str | None
    error_message: str | None
    skip_reason: str | None
    mock: str | None
    is_response: bool
    groups: list[Group] = field(default_factory=list)
    repetitions: list[RepetitionView] = field(default_factory=list)


@dataclass
class Group:
    """Children of a container under one heading (`If yes`, `Case gold`, or none for a scope's own actions)."""

    label: str | None
    taken: bool
    cards: list[Card]


@dataclass
class RepetitionView:
    index: int
    status: str
    icon: str
    key: str
    cards: list[Card]


@dataclass
class RunView:
    status: str
    icon: str
    duration: str
    error_code: str | None
    error_message: str | None
    response_action: str | None
    response_answer: dict[str, Any] | None
    cards: list[Card]
    counts: dict[str, int]


def _card(
    action: Mapping[str, Any], path: tuple[str, ...], parent: Mapping[str, Any] | None, response: str | None
) -> Card:
    name = str(action.get("name", ""))
    here = (*path, name)
    status = str(action.get("status", ""))
    error = action.get("error") or {}
    reason = skip_reason(action, parent)
    card = Card(
        key="/".join(here),
        name=name,
        type=str(action.get("type", "")),
        status=status,
        icon=STATUS_ICONS.get(status, "?"),
        duration=format_duration(duration_ms(action)),
        inputs=None if action.get("inputs") is None else pretty(action.get("inputs")),
        outputs=None if action.get("outputs") is None else pretty(action.get("outputs")),
        # A skipped action's error is its reason, said in plain words below; other errors are shown as recorded.
        error_code=None if reason else (str(error["code"]) if error.get("code") else None),
        error_message=None if reason else (str(error["message"]) if error.get("message") else None),
        skip_reason=reason,
        mock=mock_label(action.get("mocked")),
        is_response=response is not None and name == response,
    )
    card.groups = _groups(action, here, response)
    card.repetitions = [
        RepetitionView(
            index=int(repetition.get("index", i)),
            status=str(repetition.get("status", "")),
            icon=STATUS_ICONS.get(str(repetition.get("status", "")), "?"),
            key=f"{card.key}[{repetition.get('index', i)}]",
            cards=[
                _card(a, (*path, f"{name}[{repetition.get('index', i)}]"), action, response)
                for a in repetition.get("actions") or []
            ],
        )
        for i, repetition in enumerate(action.get("repetitions") or [])
    ]
    return card


def _groups(action: Mapping[str, Any], here: tuple[str, ...], response: str | None) -> list[Group]:
    """The children in runs of one branch each, in recorded order (If: yes then no; Switch: cases then default).
    A branch is "not taken" when every action in it was skipped for that reason."""
    kind = str(action.get("type", ""))
    runs: list[tuple[str | None, list[Mapping[str, Any]]]] = []
    for child in action.get("children") or []:
        label = branch_label(kind, child.get("branch"))
        if not runs or runs[-1][0] != label:
            runs.append((label, []))
        runs[-1][1].append(child)
    return [
        Group(
            label,
            label is None
            or not all((c.get("error") or {}).get("code") == "ActionBranchingConditionNotSatisfied" for c in children),
            [_card(child, here, action, response) for child in children],
        )
        for label, children in runs
    ]


def _count(cards: Sequence[Card], counts: dict[str, int]) -> None:
    for card in cards:
        counts[card.status] = counts.get(card.status, 0) + 1
        for group in card.groups:
            _count(group.cards, counts)
        for repetition in card.repetitions:
            _count(repetition.cards, counts)


def _response_answer(
    actions: Sequence[Mapping[str, Any]], name: str | None, sent: Mapping[str, Any]
) -> dict[str, Any] | None:
    """What the Response action computed (its evaluated inputs: statusCode, headers, body), to set beside what
    was sent: they differ when the trigger dropped a header the service drops, or the answer came too late. Each
    computed header says whether it went out (`sent`: the value sent, or None)."""
    if name is None:
        return None
    found = find(actions, name)
    if not found:
        return None
    action = found[0].action
    answer = action.get("inputs") if isinstance(action.get("inputs"), Mapping) else action.get("outputs")
    answer = answer if isinstance(answer, Mapping) else {}
    sent_headers = {str(k).lower(): v for k, v in (sent.get("headers") or {}).items()}
    return {
        "status": action.get("status"),
        "statusCode": answer.get("statusCode"),
        "headers": [
            (str(key), value, sent_headers.get(str(key).lower()))
            for key, value in dict(answer.get("headers") or {}).items()
        ],
        "body": pretty(answer.get("body")),
        "same_status": str(answer.get("statusCode")) == str(sent.get("status")),
    }


def run_view(run: Mapping[str, Any]) -> RunView | None:
    """The view of a run's actions, or None for a run that has none (a flow defined in flowmock's own terms, whose
    run is its trigger firing: the page then shows the call as it always has). A Running run with no action
    recorded yet gets its view, so the page follows it."""
    actions = run.get("actions")
    if not has_actions(run) or not isinstance(actions, list):
        return None
    response = run.get("response_action")
    response = str(response) if response else None
    cards = [_card(a, (), None, response) for a in actions]
    counts: dict[str, int] = {}
    _count(cards, counts)
    status = str(run.get("status", ""))
    error = run.get("error") or {}
    return RunView(
        status=status,
        icon=STATUS_ICONS.get(status, "?"),
        duration=format_duration(duration_ms(run)),
        error_code=str(error["code"]) if error.get("code") else None,
        error_message=str(error["message"]) if error.get("message") else None,
        response_action=response,
        response_answer=_response_answer(actions, response, run.get("response") or {}),
        cards=cards,
        counts=counts,
    )
