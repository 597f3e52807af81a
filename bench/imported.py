"""Imported flows end to end over HTTP: the 20-action flow with a Response (`bench.engine.twenty_actions`) against
a flow without actions, both imported into one `flowmock serve --memory` and called over keep-alive connections.

The ratio (calls per second of the 20-action flow over the empty flow's) is what the engine adds to a call: the
trigger's checks, the record and the HTTP stack are the same for both. Rounds alternate the two flows so the
machine's load falls on both alike; the ratio is the median of the per-round ratios. wrk makes the load when it is
installed (c=1 and c=8), a Python client otherwise (c=1).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bench.engine import OUTPUTS, TRIGGER, twenty_actions

ROOT = Path(__file__).resolve().parent.parent
QUICK = os.environ.get("BENCH_QUICK") == "1"
SECONDS = float(os.environ.get("BENCH_SECONDS", "1" if QUICK else "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1" if QUICK else "3"))
BODY = json.dumps(OUTPUTS["body"])
MOCKS = {"Get_customer": {"statusCode": 200, "body": {"name": "Ada"}}, "Price": {"statusCode": 200, "body": {"p": 2}}}


def _serve(tmp: Path) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    """`flowmock serve --memory` with the two flows declared through `--flow`; (process, base URL, URLs by name)."""
    (tmp / "twenty.json").write_text(json.dumps({"definition": twenty_actions()}))
    (tmp / "empty.json").write_text(json.dumps({"definition": {"triggers": TRIGGER, "actions": {}}}))
    ready = tmp / "ready"
    command = [sys.executable, "-c", "from flowmock_schemas.cli import main; main()", "serve", "--memory"]
    command += ["--port", "0", "--quiet", "--ready-file", str(ready)]
    command += ["--flow", str(tmp / "twenty.json"), "--flow", str(tmp / "empty.json")]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("flowmock serve did not start")
        time.sleep(0.05)
    base = ready.read_text().strip()
    flows = requests.get(f"{base}/_flowmock/api/flows", timeout=10).json()["flows"]
    urls = {f["name"]: f["callback_url"] for f in flows}
    twenty_id = next(f["id"] for f in flows if f["name"] == "twenty")
    requests.put(f"{base}/_flowmock/api/flows/{twenty_id}/mocks", json=MOCKS, timeout=10).raise_for_status()
    return proc, base, urls


def _python_load(url: str, seconds: float) -> float:
    session = requests.Session()
    headers = {"Content-Type": "application/json"}
    calls, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        answer = session.post(url, data=BODY, headers=headers, timeout=30)
        if answer.status_code not in (200, 202):
            raise RuntimeError(f"{answer.status_code}: {answer.text[:200]}")
        calls += 1
    return calls / (time.perf_counter() - started)


def _wrk_load(url: str, seconds: float, connections: int) -> float:
    script = Path(tempfile.gettempdir()) / "flowmock-bench-imported.lua"
    script.write_text(
        f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = {json.dumps(BODY)}\n'
    )
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"non-2xx answers under load:\n{out}")
    return float(out.split("Requests/sec:")[1].split()[0])


def measure() -> dict[str, Any]:
    loads: dict[str, Any] = {"c=1": lambda url: _python_load(url, SECONDS)}
    if shutil.which("wrk"):
        loads = {
            "c=1": lambda url: _wrk_load(url, SECONDS, 1),
            "c=8": lambda url: _wrk_load(url, SECONDS, 8),
        }
    with tempfile.TemporaryDirectory(prefix="flowmock-bench-") as tmp:
        proc, base, urls = _serve(Path(tmp))
        try:
            check = requests.post(urls["twenty"], data=BODY, headers={"Content-Type": "application/json"}, timeout=10)
            assert check.status_code == 200 and check.json()["total"] == 6, check.text
            results: dict[str, Any] = {"load": "wrk" if shutil.which("wrk") else "python", "rounds": ROUNDS}
            for label, load in loads.items():
                load(urls["empty"])  # warm-up: connections, parsed expressions
                load(urls["twenty"])
                rows: dict[str, list[float]] = {"empty": [], "twenty": [], "ratio": []}
                for index in range(ROUNDS):
                    order = ("empty", "twenty") if index % 2 == 0 else ("twenty", "empty")
                    got = {name: load(urls[name]) for name in order}
                    rows["empty"].append(got["empty"])
                    rows["twenty"].append(got["twenty"])
                    rows["ratio"].append(got["twenty"] / got["empty"])
                results[label] = {key: statistics.median(values) for key, values in rows.items()}
            runs = requests.get(f"{base}/_flowmock/api/runs?limit=1", timeout=10).json()
            results["runs_recorded"] = runs["total"]
            return results
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def report(results: dict[str, Any]) -> None:
    print(f"\nImported flows end to end over HTTP ({results['load']}, median of {results['rounds']} rounds):")
    for label in ("c=1", "c=8"):
        if label in results:
            row = results[label]
            print(
                f"  {label}: flow without actions {row['empty']:.0f} calls/s, 20-action flow with a Response "
                f"{row['twenty']:.0f} calls/s: ratio {row['ratio']:.2f}"
            )


def main() -> None:
    report(measure())


if __name__ == "__main__":
    main()
