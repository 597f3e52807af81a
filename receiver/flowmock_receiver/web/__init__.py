"""The receiver's web layer: HTTP in, service calls, HTTP out.

`app` is the factory, `dispatch` sends trigger URLs to the pipeline, `admin` is the admin API and `pages` the run
history page (templates and static files beside it, shipped as package data). Nothing below this layer imports it.
"""

from .app import DEFAULTS, create_app

__all__ = ["DEFAULTS", "create_app"]
