"""Shared test set-up: hypothesis profiles and paths to the fixture data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

settings.register_profile("dev", max_examples=25, deadline=None)
settings.register_profile(
    "ci",
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests that reach the network to install tools run only where asked (`.ci/run` sets FLOWMOCK_TEST_NEWMAN=1),
    so a plain `make test` works offline and does not hit the npm registry."""
    if os.environ.get("FLOWMOCK_TEST_NEWMAN") == "1":
        return
    skip = pytest.mark.skip(reason="real Newman from npm: set FLOWMOCK_TEST_NEWMAN=1 (.ci/run does)")
    for item in items:
        if item.get_closest_marker("newman") is not None:
            item.add_marker(skip)


FLOWMOCK = [sys.executable, "-c", "from flowmock_schemas.cli import main; main()"]


def start_serve(ready: Path, *args: str, timeout: float = 30.0, **popen: Any) -> subprocess.Popen[Any]:
    """Start `flowmock serve ... --ready-file READY` and return once it has written its URL there."""
    ready.unlink(missing_ok=True)
    popen.setdefault("stdout", subprocess.DEVNULL)
    popen.setdefault("stderr", subprocess.DEVNULL)
    proc = subprocess.Popen([*FLOWMOCK, "serve", *args, "--ready-file", str(ready)], **popen)
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"flowmock serve {' '.join(args)} did not start")
        time.sleep(0.02)
    return proc


def monitor_payload() -> dict[str, Any]:
    """A realistic monitor-results body (the golden fixture), fresh for each caller to change."""
    return dict(json.loads((FIXTURES / "payloads" / "monitor-results" / "valid" / "failing-run.json").read_text()))
