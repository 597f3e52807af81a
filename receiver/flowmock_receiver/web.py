"""The run-history web page under `/_flowmock/` (placeholder until the web page work lands)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("web", __name__)
