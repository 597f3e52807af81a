"""What every part of the web layer asks of the app it runs in: its receiver, who may use it, and its base URL.

State lives in `app.extensions` (never in module globals), so two apps in one process share nothing.
"""

from __future__ import annotations

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


def base_url() -> str:
    """Where callback URLs point: the configured public URL, else the URL this request came in on."""
    return receiver().public_url or request.host_url
