"""Who may call a trigger URL, and with which api-version: the checks right after the flow lookup.

SAS: `sig` is checked against both keys in constant time, and a SAS call that also carries a bearer token is refused
(the service allows one scheme). OAuth flows (`tenant`, `user`) need a bearer token whose claims fit the flow.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from typing import Any

from .errors import TriggerError
from .flows import FLOW_AUDIENCE, Flow
from .signing import verify

LEGACY_API_VERSIONS = (
    "2015-08-01-preview",
    "2016-06-01",
    "2016-10-01",
    "2017-07-01",
    "2018-03-01-preview",
    "2018-07-01-preview",
    "2019-05-01",
    "2019-06-01-preview",
    "2022-09-01-preview",
    "2023-11-14-preview",
    "2024-04-01-preview",
    "2024-06-01-preview",
    "2025-06-01-preview",
)


def _jwt_claims(token: str) -> dict[str, Any] | None:
    """The claims of a bearer token. flowmock checks claims, not signatures: it has no Entra ID to ask."""
    parts = token.split(".")
    if len(parts) < 2:
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return claims if isinstance(claims, dict) else None


def authorize(flow: Flow, args: Mapping[str, str], auth_header: str) -> None:
    """The authorization check: SAS signature under either key, or the OAuth modes' bearer token claims."""
    bearer = auth_header[7:].strip() if auth_header[:7].lower() == "bearer " else None
    if flow.auth == "sas":
        sp, sv, sig = args.get("sp"), args.get("sv"), args.get("sig")
        if sp is None or sv is None or sig is None:
            raise TriggerError("sas_required")
        if bearer is not None:
            raise TriggerError("two_schemes")
        verdict = verify(flow.keys, sp, sv, sig, args.get("se"), flow.trigger_name)
        if not verdict.ok:
            raise TriggerError("signature_expired" if verdict.expired else "bad_signature")
        return
    if "sig" in args and bearer is not None:
        raise TriggerError("two_schemes")
    if bearer is None:
        raise TriggerError("oauth_required")
    claims = _jwt_claims(bearer)
    if claims is None or claims.get("aud") != FLOW_AUDIENCE:
        raise TriggerError("claims_mismatch")
    if flow.tenant_id is not None and claims.get("tid") != flow.tenant_id:
        raise TriggerError("claims_mismatch")
    if flow.auth == "user" and flow.allowed_users and claims.get("oid") not in flow.allowed_users:
        raise TriggerError("claims_mismatch")


def check_api_version(host: str, args: Mapping[str, str]) -> None:
    """The api-version check: the powerplatform host takes `1`, the legacy host the versions it lists."""
    version = args.get("api-version")
    if version is None:
        raise TriggerError("api_version_missing")
    if host == "powerplatform":
        if version != "1":
            raise TriggerError("api_version_invalid", version=version, supported="1")
    elif version == "2015-02-01-preview":
        raise TriggerError("api_version_unsupported", version=version)
    elif version not in LEGACY_API_VERSIONS:
        supported = ",".join(("2015-02-01-preview", *LEGACY_API_VERSIONS))
        raise TriggerError("api_version_invalid", version=version, supported=supported)
