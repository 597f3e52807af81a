"""The service's flow runner: imported flows run by the workflow engine for the trigger pipeline.

The core's trigger asks it two things (`core.flowrun.FlowRunner`): do the trigger conditions let a call fire, and
once it fires, what do its actions answer. A run goes on after its answer, as in the service ("the Response action
answers the caller when it runs, and the run goes on"), so each run is tracked: its record is committed with the run
as it stood at the answer (or finished, when it ends within a few milliseconds, as nearly all runs on the virtual
clock do: one write instead of two), then rewritten as it goes on and when it ends. A run still going when the
server stops stays recorded as Running.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from .core.action_tree import find
from .core.flowrun import ConditionVerdict, FlowAnswer
from .core.flows import Flow
from .core.records import CallRecord
from .core.store import Store
from .workflow.definitions import ImportedFlow
from .workflow.engine import RunOptions, RunRecord, decide_trigger_for, run_flow
from .workflow.engine.response import ResponseOutcome, no_response, timed_out
from .workflow.mocks import ActionMock, parse_mocks

log = logging.getLogger("flowmock")

ANSWER_WAIT_SECONDS = 130.0
"""Real seconds a caller waits for an answer. The engine decides the 120 s timeout on its virtual clock, so this
only stops a run that computes for minutes of real time from holding its caller for ever."""
FINISH_GRACE_SECONDS = 0.05
"""How long to wait, once the answer is known, for the run to end, so that its record is written once, finished."""
PROGRESS_INTERVAL_SECONDS = 0.25
"""A run still going is written at most this often (at the end always)."""
POLL_RETRY_AFTER = "1"
"""Seconds an asynchronous Response's caller is asked to wait between polls (`Retry-After`). The service sends the
header too, with a value it does not document; runs here go on a virtual clock, so a caller need not wait long."""


def poll_headers(location: str | None) -> dict[str, str]:
    """The headers of a 202 that asks the caller to poll: where, and how soon."""
    return {} if location is None else {"Location": location, "Retry-After": POLL_RETRY_AFTER}


def poll_answer(run: Mapping[str, Any] | None, tracking_id: str) -> tuple[int, dict[str, str], Any, bool] | None:
    """What polling an asynchronous Response gets, read from the run as recorded (so any worker process answers
    it, also after a restart): None while the run goes on (202 again), then the Response's status, headers and
    body, or the service's 502 `NoResponse` envelope (`error` True) when the run ended without one."""
    run = run or {}
    if run.get("status") == "Running":
        return None
    name = run.get("response_action")
    found = [located.action for located in find(run.get("actions") or [], name)] if name else []
    outputs = next((a.get("outputs") for a in found if isinstance(a.get("outputs"), dict)), None)
    if outputs is not None and "statusCode" in outputs:
        return int(outputs["statusCode"]), dict(outputs.get("headers") or {}), outputs.get("body"), False
    # No Response ran (or its outputs are secured, so the run does not show them).
    return 502, {}, no_response().error_body(tracking_id), True


class TrackedRun:
    """One run of an imported flow: what its caller is answered, and its record written as the run goes on."""

    def __init__(self, store: Store, tracking_id: str, location: str | None = None) -> None:
        self.store = store
        self.tracking_id = tracking_id
        self.location = location  # the poll URL, when the flow's Response is asynchronous
        self.cancel = threading.Event()
        self._lock = threading.Lock()
        self._record: RunRecord | None = None
        self._outcome: ResponseOutcome | None = None
        self._answer_run: dict[str, Any] | None = None
        self._answered = threading.Event()
        self._done = threading.Event()
        self._error: BaseException | None = None
        self._final: dict[str, Any] | None = None
        self._call_id: str | None = None
        self._written: dict[str, Any] | None = None
        self._last_write = 0.0
        self.answer = FlowAnswer(202, {}, None)

    # Engine thread --------------------------------------------------------------------------------------------
    def execute(self, imported: ImportedFlow, outputs: dict[str, Any], mocks: Any, options: RunOptions) -> None:
        try:
            run_flow(
                imported,
                outputs,
                mocks,
                options=options,
                on_response=self.on_response,
                on_update=self.on_update,
                cancel=self.cancel,
            )
        except BaseException as exc:  # handed to the caller's thread (an engine bug: the dispatcher's 500)
            self._error = exc
        finally:
            self._answered.set()
            self._done.set()

    def on_response(self, outcome: ResponseOutcome) -> None:
        if self._answered.is_set():
            return  # the poll answer of an asynchronous Response: flowmock has no poll URL (yet)
        self._outcome = outcome
        self._answer_run = self._snapshot()
        self._answered.set()

    def on_update(self, record: RunRecord) -> None:
        self._record = record
        final = record.end_time is not None
        if not final and (self._call_id is None or time.monotonic() - self._last_write < PROGRESS_INTERVAL_SECONDS):
            return
        snapshot = record.to_json()
        with self._lock:
            if final:
                self._final = snapshot
            if self._call_id is not None:
                self._write(snapshot)

    def _snapshot(self) -> dict[str, Any]:
        if self._record is not None:
            return self._record.to_json()
        return RunRecord(start_time=None).to_json()

    def _write(self, snapshot: dict[str, Any]) -> None:
        """Under the lock, once the call is committed. A store closed under a run (the server stopped) keeps the
        run as it was last written: Running."""
        assert self._call_id is not None
        self._last_write = time.monotonic()
        self._written = snapshot
        try:
            self.store.update_run(self._call_id, snapshot)
        except Exception as exc:
            log.debug("flowmock: run %s not updated: %s", self._call_id, exc)

    # Request thread -------------------------------------------------------------------------------------------
    def wait_for_answer(self) -> None:
        """Block until the engine has decided the caller's answer (raising what the run raised, if it failed).
        Nearly every run ends within the grace period: its record is then written once, finished."""
        if not self._done.wait(FINISH_GRACE_SECONDS) and not self._answered.wait(ANSWER_WAIT_SECONDS):
            # still computing after minutes of real time: the caller's gateway gives up
            self._outcome, self._answer_run = timed_out(), self._snapshot()
        if self._error is not None:
            raise self._error
        outcome = self._outcome or timed_out()
        run = self._final or self._answer_run
        if outcome.kind == "response":
            self.answer = FlowAnswer(outcome.status_code, dict(outcome.headers), outcome.body, run=run)
        elif outcome.kind == "asynchronous":
            self.answer = FlowAnswer(202, poll_headers(self.location), None, run=run)
        elif outcome.kind == "accepted":
            self.answer = FlowAnswer(202, {}, None, run=run)
        else:
            tracking = outcome.error_body(self.tracking_id)
            self.answer = FlowAnswer(outcome.status_code, {}, tracking, error=True, run=run)

    def recorded(self, call: CallRecord) -> None:
        """The call is committed: from now on the run's progress is written to it."""
        with self._lock:
            self._call_id = call.id
            self._written = call.run
            if self._final is not None and self._final is not call.run:
                self._write(self._final)


class _Workers:
    """Daemon threads that run flows, reused from run to run. A run needs a thread of its own (it goes on after its
    answer), and starting one per call cost more than a short run: `Thread.start` waits for the new thread, which
    holds the GIL for its whole run. Daemon threads, so a run still going never holds up the server's exit."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0

    def submit(self, job: Callable[[], None]) -> None:
        with self._lock:
            if self._idle:
                self._idle -= 1  # that worker is now spoken for
                spawn = False
            else:
                spawn = True
        self._jobs.put(job)
        if spawn:
            threading.Thread(target=self._work, name="flowmock-run", daemon=True).start()

    def _work(self) -> None:
        while True:
            self._jobs.get()()
            with self._lock:
                self._idle += 1


class EngineRunner:
    """The `FlowRunner` the service gives the trigger: runs `Flow.workflow` with `Flow.mocks` on the engine."""

    def __init__(self, store: Store, region: str, public_url: str | None = None) -> None:
        self.store = store
        self.region = region
        self.public_url = public_url
        self._prepared: dict[tuple[str, str], tuple[ImportedFlow, dict[str, ActionMock]]] = {}
        self._workers = _Workers()

    def prepared(self, flow: Flow) -> tuple[ImportedFlow, dict[str, ActionMock]]:
        """The flow's workflow and mocks, read from their JSON once per flow version (a change makes a version)."""
        key = (flow.id, flow.version)
        found = self._prepared.get(key)
        if found is None:
            assert flow.workflow is not None
            if len(self._prepared) > 256:
                self._prepared.clear()
            found = (ImportedFlow.from_json(flow.workflow), parse_mocks(flow.mocks or {}))
            self._prepared[key] = found
        return found

    def trigger_outputs(self, flow: Flow, outputs: Mapping[str, Any]) -> dict[str, Any]:
        """What the run's trigger exposes. A Request trigger exposes the call (headers, body, queries, path
        parameters). A flow started by another trigger (a recurrence, a connector's event) is started by posting
        that trigger's outputs: a posted object is taken as those outputs, anything else as their body."""
        imported, _ = self.prepared(flow)
        if imported.trigger is not None and imported.trigger.type.lower() == "request":
            return dict(outputs)
        body = outputs.get("body")
        if isinstance(body, dict):
            return dict(body)
        return {"body": body}

    def decide(self, flow: Flow, outputs: Mapping[str, Any]) -> ConditionVerdict:
        imported, _ = self.prepared(flow)
        if imported.trigger is None or not imported.trigger.conditions:
            return ConditionVerdict("Succeeded")
        decision = decide_trigger_for(imported, self.trigger_outputs(flow, outputs))
        message = decision.error.get("message") if decision.error else None
        return ConditionVerdict(decision.status, decision.condition, message)

    def start(
        self, flow: Flow, outputs: Mapping[str, Any], *, run_id: str, tracking_id: str, base_url: str | None
    ) -> TrackedRun:
        imported, mocks = self.prepared(flow)
        base = self.public_url or base_url
        tracked = TrackedRun(self.store, tracking_id, flow.poll_url(base, run_id, tracking_id) if base else None)
        options = RunOptions(
            workflow={
                "id": f"/workflows/{flow.id}",
                "name": flow.id,
                "type": "Microsoft.Logic/workflows",
                "location": self.region,
                "run": {
                    "id": f"/workflows/{flow.id}/runs/{run_id}",
                    "name": run_id,
                    "type": "Microsoft.Logic/workflows/runs",
                },
                "tags": {"flowDisplayName": imported.display_name},
            },
            callback_url=flow.callback_url(base) if base else None,
        )
        trigger_outputs = self.trigger_outputs(flow, outputs)
        self._workers.submit(lambda: tracked.execute(imported, trigger_outputs, mocks, options))
        tracked.wait_for_answer()
        return tracked
