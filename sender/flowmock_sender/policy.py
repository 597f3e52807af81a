"""Monitor notification policies: every completed run, or Postman's "three failures, then the first success".

Postman staff described the second one precisely (postman-app-support #5935): notify on the first three
consecutive failures after a success, stay silent after that, and notify on the first success after one or more
failures. State is the number of consecutive failures per monitor, kept in a small JSON file so separate CLI
invocations continue the same sequence. Any run that is not a success (failed tests, errors) counts as a failure.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path

from .errors import InputError

POLICIES = ("all", "failures")
FAILURE_NOTIFICATIONS = 3


def decide(policy: str, consecutive_failures: int, succeeded: bool) -> tuple[bool, int]:
    """(notify?, consecutive failures after this run) for one completed run."""
    if policy not in POLICIES:
        raise ValueError(f"unknown notification policy {policy!r}; use one of {', '.join(POLICIES)}")
    if succeeded:
        notify = policy == "all" or consecutive_failures >= 1
        return notify, 0
    failures = consecutive_failures + 1
    return policy == "all" or failures <= FAILURE_NOTIFICATIONS, failures


def default_state_path() -> Path:
    base = os.environ.get("FLOWMOCK_STATE_DIR") or os.path.join(
        os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state"), "flowmock"
    )
    return Path(base) / "monitor-policy.json"


class PolicyState:
    """Consecutive failures per monitor uid, persisted after every run."""

    _lock = threading.Lock()

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self.path = Path(path) if path is not None else default_state_path()

    def _load(self) -> dict[str, int]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise InputError(f"{self.path}: cannot read the notification state: {exc}") from None
        if not isinstance(data, dict):
            raise InputError(f"{self.path}: the notification state is not a JSON object")
        return {str(k): int(v) for k, v in data.items() if isinstance(v, int)}

    def failures(self, monitor_uid: str) -> int:
        return self._load().get(monitor_uid, 0)

    def record(self, policy: str, monitor_uid: str, succeeded: bool) -> bool:
        """Apply one completed run; return whether it should be notified."""
        with self._lock:
            state = self._load()
            notify, state[monitor_uid] = decide(policy, state.get(monitor_uid, 0), succeeded)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", dir=self.path.parent, delete=False, suffix=".tmp") as handle:
                json.dump(state, handle, indent=2, sort_keys=True)
            os.replace(handle.name, self.path)
        return notify
