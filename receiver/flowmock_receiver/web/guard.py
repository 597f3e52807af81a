"""Which requests to the admin API and the pages are refused before any route runs, and why.

The admin API and the pages read every recorded body and rewrite every flow, so they are guarded against the
three ways a browser can be turned against a local server:

- DNS rebinding: a page on `attacker.example` whose name then resolves to 127.0.0.1 reaches flowmock as "same
  origin" but sends `Host: attacker.example`. Only a Host that names this server is accepted: an IP literal,
  `localhost` (browsers resolve it themselves), the name the server is bound to, or `public_url`'s host. The
  trigger URLs are not checked: the real service is reached through many names (regional hosts, proxies,
  tunnels) and its callers are authenticated by the signature, which a rebinding page cannot forge.
- Cross-site requests: a state-changing call (POST, PUT, PATCH, DELETE) carrying a foreign `Origin` or
  `Sec-Fetch-Site: cross-site` is refused, and the API's POST/PUT/PATCH must be JSON, which no HTML form and no
  "simple" cross-origin fetch can send (PUT, PATCH and DELETE already need a CORS preflight flowmock never grants).
  The pages' forms keep working: they are same-origin and carry the per-app form token.
- A remote admin API (`ADMIN_ALLOW_REMOTE`) needs `ADMIN_TOKEN`; when a token is set every client needs it: a
  bearer header for the API, a login form (an HttpOnly, SameSite=Strict cookie) for the pages. `/health` stays
  open so `flowmock wait` works without it. Tokens are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from typing import NamedTuple
from urllib.parse import urlsplit

from flask import Request

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
SESSION_COOKIE = "flowmock_admin"


class Refusal(NamedTuple):
    status: int
    code: str
    message: str


def is_loopback(remote_addr: str) -> bool:
    """127.0.0.0/8, ::1, and IPv4-mapped loopback (`::ffff:127.0.0.1`, what a dual-stack socket reports)."""
    try:
        address = ipaddress.ip_address(remote_addr.split("%")[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return bool(address.is_loopback or (mapped is not None and mapped.is_loopback))


def _hostname(host: str) -> str | None:
    try:
        return urlsplit("//" + host).hostname
    except ValueError:
        return None


def host_allowed(host: str, server_name: str | None, public_url: str | None) -> bool:
    """Whether a request's Host names this server (see the module docstring: DNS rebinding)."""
    name = _hostname(host)
    if not name:
        return False
    try:
        ipaddress.ip_address(name)
    except ValueError:
        pass
    else:
        return True  # an IP literal cannot be rebound
    if name == "localhost" or name.endswith(".localhost"):
        return True
    bound = (server_name or "").strip("[]").lower()
    public = urlsplit(public_url).hostname if public_url else None
    return name in {bound, public} - {"", "0.0.0.0", "::"}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def cross_site(request: Request, public_url: str | None) -> str | None:
    """Why a state-changing request looks cross-site, or None when it does not."""
    if request.headers.get("Sec-Fetch-Site", "").lower() == "cross-site":
        return "Sec-Fetch-Site: cross-site"
    origin = request.headers.get("Origin")
    if origin is None:
        return None  # not sent by a browser (curl, the CLI, the pytest plugin)
    if origin == "null" and request.headers.get("Sec-Fetch-Site", "").lower() == "same-origin":
        return None  # a same-origin form under a strict referrer policy: the browser itself vouches for it
    own = {f"{request.scheme}://{request.host}".lower()}
    if public_url:
        own.add(_origin(public_url))
    return None if origin.lower() in own else f"Origin {origin!r}"


# Endpoints that check their own body type and accept only types outside the CORS-safelisted three (text/plain,
# multipart/form-data, x-www-form-urlencoded), so a browser could send them cross-origin only after a preflight:
# flow import takes a zip (application/zip, application/octet-stream) as well as JSON.
OWN_BODY_CHECK = frozenset({"admin.import_flows"})


def is_json(request: Request) -> bool:
    mimetype = request.mimetype
    return mimetype == "application/json" or mimetype.endswith("+json") or request.endpoint in OWN_BODY_CHECK


def token_matches(sent: str, token: str) -> bool:
    """Constant time whatever the lengths: both sides are hashed to the same size before comparing."""
    return hmac.compare_digest(hashlib.sha256(sent.encode()).digest(), hashlib.sha256(token.encode()).digest())


def session_value(token: str) -> str:
    """The login cookie: derived from the token (so every worker and restart agrees, and changing the token
    ends every session), never the token itself."""
    return hmac.new(token.encode(), b"flowmock admin session", hashlib.sha256).hexdigest()


def authenticated(request: Request, token: str) -> bool:
    """A bearer header with the token, or the pages' login cookie."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer " and token_matches(header[7:].strip(), token):
        return True
    cookie = request.cookies.get(SESSION_COOKIE)
    return cookie is not None and token_matches(cookie, session_value(token))


def common_refusal(request: Request, public_url: str | None, allow_remote: bool) -> Refusal | None:
    """The checks the API and the pages share: Host, then who is asking, then cross-site state changes."""
    if not host_allowed(request.host, request.environ.get("SERVER_NAME"), public_url):
        return Refusal(
            403,
            "AdminHostNotAllowed",
            f"Host {request.host!r} does not name this flowmock server; use its address, localhost, or the host "
            "of its public URL (--public-url).",
        )
    remote = request.remote_addr
    if remote and not allow_remote and not is_loopback(remote):
        return Refusal(
            403,
            "AdminApiForbidden",
            "The flowmock admin API and pages answer loopback clients only; start the server with --admin-remote "
            f"(and --admin-token) to allow {remote}.",
        )
    if request.method in STATE_CHANGING:
        why = cross_site(request, public_url)
        if why is not None:
            return Refusal(403, "CrossSiteRequestRefused", f"A state-changing admin request from another site ({why}).")
    return None
