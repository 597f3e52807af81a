"""Serving throughput against WireMock, side by side in one run: `python -m bench.serving` (part of `make bench`).

At 8 connections, keep-alive and `Connection: close`, wrk POSTs the monitor-results payload to: `flowmock serve`
with its SQLite store (signature, validation, record committed before the 202), the same with `--workers 2`, the
pytest fixture's server (`LiveServer`, in-memory store) and WireMock with its request journal on (warmed for 30 s
first, as its figures climb for that long). Rounds are interleaved in a rotating order and every figure is also
given as a ratio to WireMock in the same round, because these 2-core machines are shared and noisy.

Environment: BENCH_QUICK=1 (one round of 2 s, WireMock warmed 5 s), BENCH_SECONDS, BENCH_ROUNDS, BENCH_WARM.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import wiremock

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD = (ROOT / "fixtures" / "payloads" / "monitor-results" / "valid" / "failing-run.json").read_bytes()
BODY = json.dumps(json.loads(PAYLOAD), separators=(",", ":"))
QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
SECONDS = float(os.environ.get("BENCH_SECONDS", "2" if QUICK else "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1" if QUICK else "3"))
WARM = float(os.environ.get("BENCH_WARM", "5" if QUICK else "30"))
CONNECTIONS = 8
MODES = ("keep-alive", "close")
LABELS = {
    "sqlite": "flowmock serve, SQLite store (1 process)",
    "sqlite-workers-2": "flowmock serve --workers 2, SQLite store",
    "memory": "pytest fixture's server (LiveServer), in-memory store",
    "wiremock": "WireMock 3 standalone, journal on (reference)",
}
FLOWMOCK = [sys.executable, "-c", "from flowmock_schemas.cli import main; main()"]


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, seconds: float, *, close: bool = False, connections: int = CONNECTIONS) -> dict[str, float]:
    """One wrk run (1 thread), POSTing the payload; req/s, p50, p99 and the count of errors."""
    script = Path(tempfile.gettempdir()) / f"flowmock-bench-post{'-close' if close else ''}.lua"
    lines = [
        'wrk.method = "POST"',
        'wrk.headers["Content-Type"] = "application/json"',
        f"wrk.body = {json.dumps(BODY)}",
    ]
    if close:
        lines.append('wrk.headers["Connection"] = "close"')
    script.write_text("\n".join(lines) + "\n")
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "non2xx": int(bad.group(1)) if bad else 0,
        # wrk counts a server's close after a `Connection: close` answer as a read error; only the rest matter
        "socket_errors": sum(int(x) for i, x in enumerate(errors.groups()) if not (close and i == 1)) if errors else 0,
    }


def _monitor_flow_url(base: str) -> str:
    import requests

    flows = requests.get(f"{base}/_flowmock/api/flows", timeout=10).json()["flows"]
    return str(next(f["callback_url"] for f in flows if f["schema"] == "monitor-results"))


def start_flowmock(kind: str, tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`flowmock serve` as a user runs it, or the fixture's server in a process of its own; the flow's URL."""
    ready = tmp / f"{kind}.ready"
    if kind == "memory":
        args = [sys.executable, "-m", "bench.servers", "receiver-memory", "0", "", str(ready)]
    else:
        workers = ["--workers", "2"] if kind == "sqlite-workers-2" else []
        args = [*FLOWMOCK, "serve", "--port", "0", "--db", str(tmp / f"{kind}.db"), "--quiet", *workers]
        args += ["--ready-file", str(ready)]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"{kind}: the server did not start")
        time.sleep(0.05)
    return proc, _monitor_flow_url(ready.read_text().strip())


def measure() -> dict[str, Any]:
    """Every server runs at once; each round measures them one after the other in each mode, rotating the order."""
    if shutil.which("wrk") is None:
        print("serving bench skipped: no `wrk` on PATH (apt-get install -y wrk)")
        return {}
    jar, note = wiremock.ensure()
    print(note, flush=True)
    kinds = [k for k in LABELS if k != "wiremock" or jar is not None]
    rows: dict[str, dict[str, list[dict[str, float]]]] = {k: {m: [] for m in MODES} for k in kinds}
    servers: dict[str, tuple[subprocess.Popen[bytes], str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for kind in kinds:
                servers[kind] = wiremock.start(jar) if kind == "wiremock" and jar else start_flowmock(kind, Path(tmp))
            for kind, (_proc, url) in servers.items():
                warm = WARM if kind == "wiremock" else 1.0
                print(f"warming {kind} for {warm:g} s", flush=True)
                wrk(url, warm)
            for round_ in range(ROUNDS):
                order = kinds[round_ % len(kinds) :] + kinds[: round_ % len(kinds)]
                for mode in MODES:
                    for kind in order:
                        rows[kind][mode].append(wrk(servers[kind][1], SECONDS, close=mode == "close"))
        finally:
            for proc, _url in servers.values():
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
    summary: dict[str, Any] = {"rounds": ROUNDS, "seconds": SECONDS, "wiremock_warm_s": WARM, "servers": {}}
    for kind in kinds:
        summary["servers"][kind] = {}
        for mode in MODES:
            runs = rows[kind][mode]
            cell: dict[str, Any] = {
                "rps": statistics.median(r["rps"] for r in runs),
                "rps_range": [min(r["rps"] for r in runs), max(r["rps"] for r in runs)],
                "p50_ms": statistics.median(r["p50"] for r in runs),
                "p99_ms": statistics.median(r["p99"] for r in runs),
                "non2xx": sum(int(r["non2xx"]) for r in runs),
                "socket_errors": sum(int(r["socket_errors"]) for r in runs),
            }
            if "wiremock" in rows:
                ratios = [r["rps"] / w["rps"] for r, w in zip(runs, rows["wiremock"][mode], strict=True)]
                cell["ratio_to_wiremock"] = statistics.median(ratios)
            summary["servers"][kind][mode] = cell
    return summary


def report(summary: dict[str, Any]) -> None:
    if not summary:
        return
    print(
        f"\nServing at c={CONNECTIONS} ({summary['rounds']} rounds x {summary['seconds']:g} s, WireMock warmed "
        f"{summary['wiremock_warm_s']:g} s): req/s (ratio to WireMock), p50/p99 ms, errors"
    )
    print(f"{'server':56} {'keep-alive':>34} {'Connection: close':>34}")
    for kind, modes in summary["servers"].items():
        cells = []
        for mode in MODES:
            c = modes[mode]
            ratio = f"({c['ratio_to_wiremock']:.2f})" if "ratio_to_wiremock" in c else ""
            errors = c["non2xx"] + c["socket_errors"]
            cells.append(f"{c['rps']:6.0f} {ratio:6} {c['p50_ms']:5.1f}/{c['p99_ms']:6.1f} {errors:3d}")
        print(f"{LABELS[kind]:56} " + " ".join(f"{cell:>34}" for cell in cells))


if __name__ == "__main__":
    result = measure()
    report(result)
    (ROOT / "bench-serving.json").write_text(json.dumps(result, indent=2))
