"""`make bench`: flowmock's throughput, latency, validation and expression cost, fixture start-up and memory, as ratios.

Each server runs in its own process on 127.0.0.1; the load comes from another process (wrk when installed,
otherwise a Python load generator). Rounds are interleaved and medians reported, and every throughput is also given
as a ratio to the bare-Flask endpoint of the same round, because these 2-core machines are noisy. Prints a table and
writes bench-results.json. Environment: BENCH_SECONDS (per measurement, default 3), BENCH_ROUNDS (default 3),
BENCH_MEMORY_CALLS (default 100000; 0 skips the memory run), BENCH_SENDER_CALLS (calls per sender in the
nothing-lost runs, default 250; 0 skips them).
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import engine, expressions

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD = (ROOT / "fixtures" / "payloads" / "monitor-results" / "valid" / "failing-run.json").read_bytes()
BODY = json.dumps(json.loads(PAYLOAD), separators=(",", ":"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "3"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
MEMORY_CALLS = int(os.environ.get("BENCH_MEMORY_CALLS", "100000"))
SENDER_CALLS = int(os.environ.get("BENCH_SENDER_CALLS", "250"))
CONNECTIONS = (1, 8, 32)
KINDS = ("bare", "receiver-sqlite", "receiver-memory", "httpserver", "bare-werkzeug-threaded")
LABELS = {
    "bare": "bare Flask endpoint on flowmock's server (reference)",
    "bare-werkzeug-threaded": "bare Flask, Werkzeug's thread-per-request server",
    "receiver-sqlite": "flowmock receiver, SQLite store",
    "receiver-memory": "flowmock receiver, in-memory store (the pytest fixture's server)",
    "httpserver": "pytest-httpserver (reference)",
}


def start(kind: str, db: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.servers", kind, "0", db],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("READY "):
        proc.kill()
        raise RuntimeError(f"{kind} server did not start")
    return proc, line.split(" ", 1)[1].strip()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url: str, connections: int, seconds: float) -> dict[str, float]:
    script = Path(tempfile.gettempdir()) / "flowmock-bench-post.lua"
    script.write_text(
        f'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = {json.dumps(BODY)}\n'
    )
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    ).stdout
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
        "requests": total,
        "non2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0,
    }


def python_load(url: str, connections: int, seconds: float) -> dict[str, float]:
    """Fallback when wrk is missing: the same load from a separate Python process (heavier on the CPU)."""
    code = f"""
import http.client, json, threading, time, urllib.parse
u = urllib.parse.urlsplit({url!r}); body = {BODY!r}.encode(); lat = []; bad = [0]; stop = time.monotonic() + {seconds}
def worker():
    while time.monotonic() < stop:
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30); t = time.perf_counter()
        c.request("POST", u.path + "?" + u.query, body, {{"Content-Type": "application/json"}})
        r = c.getresponse(); r.read(); c.close(); lat.append(time.perf_counter() - t); bad[0] += r.status >= 300
ts = [threading.Thread(target=worker) for _ in range({connections})]; [t.start() for t in ts]; [t.join() for t in ts]
lat.sort(); print(json.dumps({{"rps": len(lat) / {seconds}, "p50": lat[len(lat)//2] * 1000,
 "p99": lat[int(len(lat) * .99)] * 1000, "requests": len(lat), "non2xx": bad[0], "socket_errors": 0}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=seconds + 120)
    return dict(json.loads(out.stdout))


def load(url: str, connections: int, seconds: float) -> dict[str, float]:
    return wrk(url, connections, seconds) if shutil.which("wrk") else python_load(url, connections, seconds)


def throughput() -> dict[str, Any]:
    """Every server kind runs at once; each round measures them one after the other at each connection count, in
    an order that rotates between rounds, so a burst of noise on the machine lands on different kinds each time."""
    rows: dict[str, dict[int, list[dict[str, float]]]] = {k: {c: [] for c in CONNECTIONS} for k in KINDS}
    for round_ in range(ROUNDS):
        with tempfile.TemporaryDirectory() as tmp:
            servers: dict[str, tuple[subprocess.Popen[str], str]] = {}
            try:
                for kind in KINDS:
                    servers[kind] = start(kind, str(Path(tmp) / f"{kind}.db"))
                for _proc, url in servers.values():
                    load(url, 8, 1.0)  # warm-up
                order = KINDS[round_ % len(KINDS) :] + KINDS[: round_ % len(KINDS)]
                for connections in CONNECTIONS:
                    for kind in order:
                        proc, url = servers[kind]
                        before = cpu_seconds(proc.pid)
                        result = load(url, connections, SECONDS)
                        result["cpu_us"] = (cpu_seconds(proc.pid) - before) / max(1, result["requests"]) * 1e6
                        rows[kind][connections].append(result)
            finally:
                for proc, _url in servers.values():
                    proc.terminate()
                    proc.wait(timeout=20)
    summary: dict[str, Any] = {}
    for kind in KINDS:
        summary[kind] = {}
        for connections in CONNECTIONS:
            runs = rows[kind][connections]
            ratios = [r["rps"] / b["rps"] for r, b in zip(runs, rows["bare"][connections], strict=True)]
            to_httpserver = [r["rps"] / h["rps"] for r, h in zip(runs, rows["httpserver"][connections], strict=True)]
            summary[kind][connections] = {
                "rps": statistics.median(r["rps"] for r in runs),
                "ratio_to_bare": statistics.median(ratios),
                "ratio_range": [min(ratios), max(ratios)],
                "ratio_to_httpserver": statistics.median(to_httpserver),
                "p50_ms": statistics.median(r["p50"] for r in runs),
                "p99_ms": statistics.median(r["p99"] for r in runs),
                "cpu_us_per_request": statistics.median(r["cpu_us"] for r in runs),
                "non2xx": sum(int(r["non2xx"]) for r in runs),
            }
    return summary


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
        handle.reset()
        began = time.perf_counter()
        for _ in range(200):
            handle.reset()
        reset_ms = (time.perf_counter() - began) / 200 * 1000
    return {
        "start_to_first_202_ms": statistics.median(starts),
        "stop_ms": statistics.median(stops),
        "per_test_reset_ms": reset_ms,
    }


def memory(calls: int) -> dict[str, float]:
    """RSS of a SQLite-backed server while `calls` calls are recorded: flat, because the store holds them."""
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start("receiver-sqlite", str(Path(tmp) / "bench.db"))
        try:
            done, samples = 0, []
            load(url, 8, 2.0)
            baseline = rss_mb(proc.pid)
            while done < calls:
                result = load(url, 8, 5.0)
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
            "load_generator": "wrk" if shutil.which("wrk") else "python",
            "seconds": SECONDS,
            "rounds": ROUNDS,
        },
    }
    print(
        f"flowmock bench on {os.cpu_count()} cores, load from {results['machine']['load_generator']}, "
        f"{ROUNDS} rounds x {SECONDS:g} s",
        flush=True,
    )
    results["expressions"] = expressions.run()
    print(expressions.report(results["expressions"]))
    results["engine"] = engine.measure()
    engine.report(results["engine"])
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
    results["throughput"] = throughput()
    print("\nAccepted calls per second (ratio to bare Flask in the same round), p50/p99 ms, server CPU µs/request")
    print(f"{'server':62} " + " ".join(f"{'c=' + str(c):>30}" for c in CONNECTIONS))
    for kind in KINDS:
        cells = []
        for c in CONNECTIONS:
            r = results["throughput"][kind][c]
            cells.append(
                f"{r['rps']:6.0f} ({r['ratio_to_bare']:.2f}) {r['p50_ms']:5.1f}/{r['p99_ms']:5.1f} "
                f"{r['cpu_us_per_request']:4.0f}"
            )
        print(f"{LABELS[kind]:62} " + " ".join(f"{cell:>30}" for cell in cells))
    t = results["throughput"]
    results["targets"] = {
        "receiver_sqlite_vs_bare": {c: t["receiver-sqlite"][c]["ratio_to_bare"] for c in CONNECTIONS},
        "fixture_server_vs_pytest_httpserver": {c: t["receiver-memory"][c]["ratio_to_httpserver"] for c in CONNECTIONS},
    }
    for name, label, goal in (
        ("receiver_sqlite_vs_bare", "receiver (SQLite) / bare Flask", 0.8),
        ("fixture_server_vs_pytest_httpserver", "fixture server / pytest-httpserver", 1.0),
    ):
        cells = ", ".join(f"{results['targets'][name][c]:.2f} at c={c}" for c in CONNECTIONS)
        print(f"Target {label}: {cells} (goal >= {goal})")
    print("Ratio ranges over the rounds (min-max):")
    for kind in KINDS[1:]:
        cells = ", ".join(
            f"c={c} {t[kind][c]['ratio_range'][0]:.2f}-{t[kind][c]['ratio_range'][1]:.2f}" for c in CONNECTIONS
        )
        print(f"  {LABELS[kind]}: {cells}")
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
