"""What every part of the web layer asks of the app it runs in: its receiver, who may use it, and its base URL.

State lives in `app.extensions` (never in module globals), so two apps in one process share nothing.
"""

from __future__ import annotations

import ipaddress

from flask import current_app, request

from ..service import Receiver

EXTENSION = "flowmock"
WEB_TOKEN = "flowmock.web_token"  # proves a web-page form came from a page this app rendered


def receiver() -> Receiver:
    found: Receiver = current_app.extensions[EXTENSION]
    return found


def web_token() -> str:
    token: str = current_app.extensions[WEB_TOKEN]
    return token


def allows(remote_addr: str | None) -> bool:
    """Whether a client may use the admin API and the web page: loopback only, unless told otherwise (they read
    every recorded body and rewrite every flow)."""
    if receiver().admin_allow_remote or not remote_addr:  # no address: an in-process client (Flask's test client)
        return True
    try:
        return ipaddress.ip_address(remote_addr.split("%")[0]).is_loopback
    except ValueError:
        return False


def base_url() -> str:
    """Where callback URLs point: the configured public URL, else the URL this request came in on."""
    return receiver().public_url or request.host_url
