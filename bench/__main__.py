"""`make bench`: serving throughput against WireMock, slow clients and long polls, validation and expression cost,
fixture start-up, memory and the nothing-lost checks, and imported flows end to end (`bench.imported`).

Each server runs in its own process on 127.0.0.1; the load comes from wrk (`bench.serving`, which says so and skips
when wrk is missing). Prints tables and writes bench-results.json. Environment: BENCH_QUICK=1 (a short run of
everything), BENCH_SECONDS and BENCH_ROUNDS (serving), BENCH_WARM (WireMock's warm-up, default 30 s),
BENCH_SLOW_SECONDS, BENCH_MEMORY_CALLS (default 100000, 10000 quick; 0 skips the memory run), BENCH_SENDER_CALLS
(calls per sender in the nothing-lost runs, default 250, 25 quick; 0 skips them), BENCH_HISTORY_SIZES and
BENCH_BIG_BODIES (`bench.history`: history reads at 10k/100k/1M calls, exports, 50 MB bodies; "" skips).
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import engine, expressions, history, imported, serving, slow_clients

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD = (ROOT / "fixtures" / "payloads" / "monitor-results" / "valid" / "failing-run.json").read_bytes()
BODY = json.dumps(json.loads(PAYLOAD), separators=(",", ":"))
MEMORY_CALLS = int(os.environ.get("BENCH_MEMORY_CALLS", "10000" if serving.QUICK else "100000"))
SENDER_CALLS = int(os.environ.get("BENCH_SENDER_CALLS", "25" if serving.QUICK else "250"))


def start_receiver(db: str) -> tuple[subprocess.Popen[str], str]:
    """A SQLite receiver in its own process (`bench.servers`); its monitor-results callback URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.servers", "receiver-sqlite", "0", db],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("READY "):
        proc.kill()
        raise RuntimeError("the receiver did not start")
    return proc, line.split(" ", 1)[1].strip()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def validation() -> dict[str, dict[str, float]]:
    from flowmock_schemas import schema_names, validator_for

    fixtures = ROOT / "fixtures" / "payloads"
    out: dict[str, dict[str, float]] = {}
    for name in schema_names():
        base = name.removesuffix(".strict")
        valid = json.loads(next((fixtures / base / "valid").glob("*.json")).read_text())
        invalid: Any = {"user_id": 1}  # fails every schema but the documented backup-collection
        for sidecar in sorted(fixtures.glob("*/invalid/*.expect.json")):
            if name in json.loads(sidecar.read_text())["schemas"]:
                invalid = json.loads(sidecar.with_name(sidecar.name.replace(".expect.json", ".json")).read_text())
                break
        validator = validator_for(name)

        def per_call(fn: Any, value: Any, n: int = 2000) -> float:
            fn(value)
            started = time.perf_counter()
            for _ in range(n):
                fn(value)
            return (time.perf_counter() - started) / n * 1e6

        out[name] = {
            "valid_us": per_call(validator.errors, valid),
            "invalid_us": per_call(validator.errors, invalid, 300),
            "jsonschema_only_valid_us": per_call(validator.slow_is_valid, valid, 300),
        }
    return out


def fixture_timings() -> dict[str, float]:
    import requests

    from flowmock_receiver import LiveServer, create_app
    from flowmock_receiver.core.store import MemoryStore
    from flowmock_receiver.plugin import FlowmockServer
    from flowmock_receiver.testing import Flowmock

    starts, stops = [], []
    for _ in range(10):
        began = time.perf_counter()
        app = create_app({"TESTING": True}, store=MemoryStore())
        live = LiveServer(app).start()
        flow = next(f for f in app.extensions["flowmock"].store.list_flows() if f.schema == "monitor-results")
        assert (
            requests.post(
                flow.callback_url(live.url), data=PAYLOAD, timeout=5, headers={"Content-Type": "application/json"}
            ).status_code
            == 202
        )
        starts.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        live.stop()
        stops.append((time.perf_counter() - began) * 1000)
    app = create_app({"TESTING": True}, store=MemoryStore())
    with LiveServer(app) as live:
        handle = Flowmock(live.url)
        session = FlowmockServer(url=live.url, app=app, live=live)  # what the fixture resets before each test
        session.reset(handle)
        began = time.perf_counter()
        for _ in range(200):
            session.reset(handle)
        reset_ms = (time.perf_counter() - began) / 200 * 1000
    return {
        "start_to_first_202_ms": statistics.median(starts),
        "stop_ms": statistics.median(stops),
        "per_test_reset_ms": reset_ms,
    }


def memory(calls: int) -> dict[str, float]:
    """RSS of a SQLite-backed server while `calls` calls are recorded: flat, because the store holds them."""
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_receiver(str(Path(tmp) / "bench.db"))
        try:
            done, samples = 0, []
            serving.wrk(url, 2.0)
            baseline = rss_mb(proc.pid)
            while done < calls:
                result = serving.wrk(url, 5.0)
                done += int(result["requests"])
                samples.append((done, rss_mb(proc.pid)))
            return {
                "calls": done,
                "rss_after_warmup_mb": baseline,
                "rss_at_end_mb": samples[-1][1],
                "rss_max_mb": max(s[1] for s in samples),
                "growth_mb": samples[-1][1] - baseline,
            }
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def nothing_lost(calls_per_sender: int) -> dict[str, dict[str, Any]]:
    """The `make test` durability checks at full size: 32 senders, and a kill -9 after thousands of 202s."""
    from tests.durability import concurrent_senders, kill_mid_load

    with tempfile.TemporaryDirectory() as tmp:
        senders = concurrent_senders(Path(tmp) / "senders.db", senders=32, calls=calls_per_sender)
        killed = kill_mid_load(Path(tmp) / "killed.db", senders=32, accepted_before_kill=calls_per_sender * 16)
    return {"concurrent_senders": senders.summary(), "kill_9_mid_load": killed.summary()}


def main() -> None:
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_generator": "wrk" if shutil.which("wrk") else None,
            "quick": serving.QUICK,
        },
    }
    print(f"flowmock bench on {os.cpu_count()} cores{' (quick)' if serving.QUICK else ''}", flush=True)
    results["expressions"] = expressions.run()
    print(expressions.report(results["expressions"]))
    results["engine"] = engine.measure()
    engine.report(results["engine"])
    results["imported_flows"] = imported.measure()
    imported.report(results["imported_flows"])
    results["validation"] = validation()
    print("\nValidation, µs per call (flowmock path: fast verdict, details only when invalid)")
    print(f"{'schema':28} {'valid':>8} {'invalid':>9} {'jsonschema alone':>17}")
    for name, row in results["validation"].items():
        print(f"{name:28} {row['valid_us']:8.1f} {row['invalid_us']:9.1f} {row['jsonschema_only_valid_us']:17.1f}")
    results["fixture"] = fixture_timings()
    fx = results["fixture"]
    print(
        f"\npytest fixture: start to first 202 {fx['start_to_first_202_ms']:.1f} ms, stop {fx['stop_ms']:.1f} ms, "
        f"per-test reset {fx['per_test_reset_ms']:.2f} ms"
    )
    results["serving"] = serving.measure()
    serving.report(results["serving"])
    results["slow_clients"] = slow_clients.measure()
    slow_clients.report(results["slow_clients"])
    if history.SIZES:
        results["history"] = history.measure()
        history.report(results["history"])
    if MEMORY_CALLS:
        results["memory"] = memory(MEMORY_CALLS)
        m = results["memory"]
        print(
            f"\nMemory while recording {m['calls']} calls (SQLite): RSS {m['rss_after_warmup_mb']:.1f} MB "
            f"after warm-up, {m['rss_at_end_mb']:.1f} MB at the end (growth {m['growth_mb']:+.1f} MB)"
        )
    if SENDER_CALLS:
        results["nothing_lost"] = nothing_lost(SENDER_CALLS)
        s, k = results["nothing_lost"]["concurrent_senders"], results["nothing_lost"]["kill_9_mid_load"]
        print(
            f"\nNothing lost (SQLite, `flowmock serve`): 32 senders x {SENDER_CALLS} calls: {s['accepted']} answered "
            f"202, {s['recorded']} recorded, {s['lost']} lost, {s['recorded_without_202']} recorded without a 202; "
            f"kill -9 after {k['accepted']} 202s: {k['lost']} lost ({k['recorded_without_202']} recorded whose "
            "202 died with the process)"
        )
    out = ROOT / "bench-results.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
