"""WireMock, the reference peer in `make bench`: a Java mock server with its request journal on, answering 202.

It comes from npm (the `wiremock` package ships the standalone jar), cached in ~/.cache/flowmock/wiremock, and
needs Java 17 (Debian's `default-jre-headless`). When either is missing and cannot be had, the bench says so in one
line and measures without it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

CACHE = Path(os.environ.get("FLOWMOCK_CACHE", Path.home() / ".cache" / "flowmock")) / "wiremock"


def _jar() -> Path | None:
    found = sorted(CACHE.glob("node_modules/wiremock/build/wiremock-standalone-*.jar"))
    return found[-1] if found else None


def ensure() -> tuple[Path | None, str]:
    """The jar, installing it from npm when missing; or None and the reason it is skipped."""
    if shutil.which("java") is None:
        return None, "WireMock skipped: no `java` on PATH (apt-get install -y default-jre-headless)"
    jar = _jar()
    if jar is not None:
        return jar, f"WireMock: {jar.name} (cached in {CACHE})"
    if shutil.which("npm") is None:
        return None, "WireMock skipped: no `npm` to install the `wiremock` package with"
    CACHE.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(CACHE), "wiremock"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    jar = _jar()
    if done.returncode or jar is None:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no jar in the package"]
        return None, f"WireMock skipped: npm install wiremock failed ({last[0]})"
    return jar, f"WireMock: installed {jar.name} from npm into {CACHE}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(jar: Path) -> tuple[subprocess.Popen[bytes], str]:
    """WireMock on a free port with one stub, `POST /hook` → 202, and its request journal on (its default)."""
    root = Path(tempfile.mkdtemp(prefix="flowmock-wiremock-"))
    (root / "mappings").mkdir()
    stub = {"request": {"method": "POST", "urlPath": "/hook"}, "response": {"status": 202}}
    (root / "mappings" / "hook.json").write_text(json.dumps(stub))
    port = _free_port()
    proc = subprocess.Popen(
        ["java", "-jar", str(jar), "--port", str(port), "--root-dir", str(root), "--disable-banner"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"WireMock exited with code {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, f"http://127.0.0.1:{port}/hook"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("WireMock did not listen within 60 s")
