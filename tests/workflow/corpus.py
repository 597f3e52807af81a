"""The flow corpus under fixtures/flows, for every test that imports or runs it."""

from __future__ import annotations

from flowmock_receiver.workflow.definitions import ImportedFlow, load_flows
from tests.conftest import FIXTURES

FLOWS = FIXTURES / "flows"
CORPUS = sorted(
    [
        *FLOWS.glob("packages/*.zip"),
        *FLOWS.glob("solutions/*.zip"),
        *FLOWS.glob("definitions/*.json"),
        *FLOWS.glob("arm/*.json"),
        *FLOWS.glob("records/*.json"),
        *FLOWS.glob("standard/*/workflow.json"),
    ]
)
"""Every importable file of the corpus (the zips' sources and the build script are not)."""

ALL_FLOWS: dict[str, ImportedFlow] = {flow.display_name: flow for path in CORPUS for flow in load_flows(path)}
"""Every flow of the corpus by display name."""
