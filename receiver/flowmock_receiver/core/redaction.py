"""Credential headers hidden from what the admin API, the pages and the exports show of recorded calls.

A recorded call keeps every header exactly as it arrived (the history is for debugging the sender), but lists and
exports travel further than the server: into CI logs, artifacts and bug reports. So headers that carry a secret
(`Authorization`, `Cookie`, API keys...) are shown as `[redacted]` unless the reader asks for them
(`?reveal=credentials`, `--reveal-credentials`, the pytest handle on its own test server). The stored record and
a resend are unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[redacted]"
CREDENTIAL_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "api-key",
        "apikey",
        "x-functions-key",
        "ocp-apim-subscription-key",
        "x-csrf-token",
        "x-xsrf-token",
    }
)
_CREDENTIAL_WORDS = ("token", "secret", "password", "passwd", "api-key", "apikey", "-auth", "auth-", "signature")


def is_credential(name: str) -> bool:
    lower = name.lower()
    return lower in CREDENTIAL_HEADERS or any(word in lower for word in _CREDENTIAL_WORDS)


def redact_pairs(pairs: Iterable[Any]) -> list[list[str]]:
    return [[name, REDACTED if is_credential(name) else value] for name, value in pairs]


def redact_mapping(headers: Mapping[str, Any]) -> dict[str, Any]:
    return {name: REDACTED if is_credential(name) else value for name, value in headers.items()}


def redact_entry(data: dict[str, Any]) -> dict[str, Any]:
    """A run or trigger-history entry as the admin API shows it, with credential headers redacted."""
    out = dict(data)
    request = out.get("request")
    if isinstance(request, dict) and isinstance(request.get("headers"), list):
        out["request"] = {**request, "headers": redact_pairs(request["headers"])}
    outputs = out.get("outputs")
    if isinstance(outputs, dict) and isinstance(outputs.get("headers"), Mapping):
        out["outputs"] = {**outputs, "headers": redact_mapping(outputs["headers"])}
    response = out.get("response")
    if isinstance(response, dict) and isinstance(response.get("headers"), Mapping):
        out["response"] = {**response, "headers": redact_mapping(response["headers"])}
    return out
