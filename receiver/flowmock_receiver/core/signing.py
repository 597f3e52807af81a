"""The SAS signature of callback URLs.

Microsoft does not publish the string that is signed; what is public is that `sig` is an HMAC-SHA256 under a
per-flow key, 43 base64url characters, valid for any relative path and any api-version (neither is signed), and
that regenerating one key invalidates only the URLs signed with it. flowmock signs `sp`, `sv` and `se` joined by
newlines, and checks a signature against both keys in constant time.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import math
import time
from dataclasses import dataclass

SAS_VERSION = "1.0"


def trigger_permission(trigger: str) -> str:
    """The `sp` value: `/triggers/manual/run`."""
    return f"/triggers/{trigger}/run"


@functools.lru_cache(maxsize=4096)
def sign(key: str, sp: str, sv: str = SAS_VERSION, se: str | None = None) -> str:
    """The signature of a callback URL. Cached: a flow's URLs are signed the same way on every call, and the
    comparison with what the caller sent is still made in constant time, against both keys."""
    digest = hmac.new(key.encode("utf-8"), f"{sp}\n{sv}\n{se or ''}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    expired: bool = False


def poll_permission(run_id: str, operation: str) -> str:
    """The `sp` of an asynchronous Response's poll URL, which lets its holder read that one run's answer."""
    return f"/runs/{run_id}/operations/{operation}/read"


def signed_for(keys: tuple[str, str], sp: str, sv: str, sig: str, se: str | None, expected_sp: str) -> bool:
    """Whether `sig` was made with either key over `expected_sp`; both keys are always compared."""
    matches = False
    for key in keys:
        # compare_digest on every key, whatever the first gave: the time taken says nothing about the keys.
        matches |= hmac.compare_digest(sign(key, sp, sv, se).encode(), sig.encode("utf-8", "replace"))
    return matches and sp == expected_sp


def verify(keys: tuple[str, str], sp: str, sv: str, sig: str, se: str | None, trigger: str) -> Verdict:
    """Whether `sig` was made with either key for this trigger, and whether it has expired."""
    if not signed_for(keys, sp, sv, sig, se, trigger_permission(trigger)):
        return Verdict(False)
    if se:
        try:
            expires = float(se)
        except ValueError:
            return Verdict(False)
        # `nan < now` is False and `inf` is never reached: a URL with either would never expire. Only a finite
        # time is an expiry; anything else is a signature over something that is not one.
        if not math.isfinite(expires):
            return Verdict(False)
        if expires < time.time():
            return Verdict(False, expired=True)
    return Verdict(True)
