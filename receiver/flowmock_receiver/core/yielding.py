"""A way for code deep in a call to say "this thread is about to wait", so the server serves others meanwhile.

flowmock's server serves connections with one thread at a time (see `server.LeaderFollowerWSGIServer`): under
the GIL that is the cheapest way to serve many short calls. A call that is about to wait (an injected latency, a
long poll) calls `about_to_wait()` first; on a server thread that hands the serving role to another thread at once
instead of after the server's watchdog notices. Elsewhere (Flask's test client, gunicorn) it does nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

_local = threading.local()


def about_to_wait() -> None:
    """Let another thread serve the next connection while this one waits; a no-op off flowmock's server."""
    hook: Callable[[], None] | None = getattr(_local, "hook", None)
    if hook is not None:
        hook()


def set_hook(hook: Callable[[], None] | None) -> None:
    """Install (or remove) this thread's hook; flowmock's server does it for its serving threads."""
    _local.hook = hook
