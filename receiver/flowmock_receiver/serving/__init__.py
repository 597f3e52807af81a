"""How the receiver is served: the live server (`server`), `flowmock serve` in this process (`run`) or as
uvicorn worker processes (`multiprocess`), and the config file `serve --config` reads (`config_file`)."""

from .server import LiveServer

__all__ = ["LiveServer"]
