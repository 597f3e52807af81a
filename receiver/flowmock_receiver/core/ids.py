"""Identifiers and timestamps in the formats Power Automate uses, so code that parses them keeps working."""

from __future__ import annotations

import hashlib
import random
import secrets
import time
import uuid

# Run ids are 20 digits that count down over time (0858...), 9 more digits, "CU" and the scale unit.
_COUNTDOWN_BASE = 8_600_000_000_000_000_000


def new_flow_id() -> str:
    """32 lowercase hex characters, like `5e38cd7170f44e70aa8e86879ca55fa1`."""
    return uuid.uuid4().hex


def stable_flow_id(name: str) -> str:
    """An id derived from a name, so default and config flows keep their callback URL across restarts."""
    return hashlib.sha256(f"flowmock-flow:{name}".encode()).hexdigest()[:32]


def scale_unit(flow_id: str) -> int:
    """The `prod-NN` scale unit a flow lives on: fixed per flow, as the real one is."""
    return int(flow_id[:4], 16) % 98


def _countdown() -> str:
    return f"{_COUNTDOWN_BASE - time.time_ns() // 100:020d}"


# Run and tracking ids are identifiers, not secrets: a seeded PRNG makes them without a system call per request
# (each one gives up the GIL, which is expensive when many request threads compete for it).
_ids = random.Random(secrets.randbits(128))


def new_run_id(unit: int) -> str:
    """`08585126097002631194816968720CU18`: 29 digits, `CU`, two digits."""
    return f"{_countdown()}{_ids.getrandbits(30) % 10**9:09d}CU{unit:02d}"


def new_workflow_version() -> str:
    """`x-ms-workflow-version`: 20 digits starting 0858."""
    return _countdown()


def new_tracking_id() -> str:
    """A version-4 GUID, as `x-ms-tracking-id` carries."""
    h = f"{_ids.getrandbits(128):032x}"  # formatted here: uuid.UUID() costs twice as much, on every call
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


# The whole-second part of the last timestamp made: every call writes two, nearly always within the same second,
# and formatting the date was most of their cost. A (second, text) pair, replaced whole, so threads may share it.
_second: tuple[int, str] = (-1, "")


def timestamp(moment: float | None = None) -> str:
    """ISO 8601 UTC with seven fractional digits and `Z`, as Azure writes run times."""
    global _second
    moment = time.time() if moment is None else moment
    seconds = int(moment)
    cached = _second
    if cached[0] == seconds:
        prefix = cached[1]
    else:
        prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))
        _second = (seconds, prefix)
    return f"{prefix}.{int((moment - seconds) * 1e6):06d}0Z"


def new_key() -> str:
    """A 256-bit access key, base64url without padding."""
    return secrets.token_urlsafe(32)
