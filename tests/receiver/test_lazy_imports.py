"""`import flowmock_receiver` costs nothing until a name is used: the commands that only talk to a server over
HTTP (`flowmock flows`, `runs`, `wait`) and `flowmock validate` start without importing Flask."""

from __future__ import annotations

import json
import socket
import subprocess
import sys

import pytest

import flowmock_receiver
from tests.conftest import ROOT, monitor_payload


def modules_after(code: str) -> list[str]:
    """The modules a fresh interpreter has imported after running `code`."""
    script = code + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["flows", "list", "--url", "DEAD"], id="flows"),
        pytest.param(["runs", "list", "--url", "DEAD"], id="runs"),
        pytest.param(["wait", "--url", "DEAD", "--timeout", "0"], id="wait"),
        pytest.param(["validate", "monitor-results", "PAYLOAD"], id="validate"),
    ],
)
def test_commands_that_do_not_serve_never_import_flask(argv, tmp_path):
    payload = tmp_path / "payload.json"
    payload.write_text(json.dumps(monitor_payload()))
    argv = [{"DEAD": dead_url(), "PAYLOAD": str(payload)}.get(arg, arg) for arg in argv]
    code = f"from flowmock_schemas.cli import main\ntry:\n    main({argv!r})\nexcept SystemExit:\n    pass"
    loaded = modules_after(code)
    assert "flask" not in loaded and "flowmock_receiver.web" not in loaded


def test_importing_the_package_imports_none_of_its_layers():
    loaded = modules_after("import flowmock_receiver")
    assert [m for m in loaded if m.startswith("flowmock_receiver")] == ["flowmock_receiver"]


def test_every_public_name_still_imports_from_the_package():
    loaded = modules_after("from flowmock_receiver import create_app, LiveServer, Receiver, MemoryStore, AdminClient")
    assert "flask" in loaded
    for name in flowmock_receiver.__all__:
        assert getattr(flowmock_receiver, name).__name__ == name
    assert set(flowmock_receiver.__all__) <= set(dir(flowmock_receiver))


def test_an_unknown_name_is_still_an_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'create_ap'"):
        flowmock_receiver.create_ap  # noqa: B018
