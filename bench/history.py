"""History at scale (issue 18) and bounded (issue 13): `python -m bench.history` (part of `make bench`).

Fills SQLite stores to 10,000, 100,000 and 1,000,000 calls through the store API (`record_many`, for speed) with
monitor-results calls made from real recorded ones (0.1 % refused unsigned, 0.1 % refused for their schema),
then serves each with `flowmock serve` and times every read a person or a test makes, over HTTP and through the
page's real routes: median of repeated requests on one keep-alive connection. Prints each read's time per size
and its growth from the smallest, the bytes per call beyond the body, the JSONL export rate and the exporting
CLI's RSS growth at each size (HAR and JUnit at the second), accepted calls per second at each size against an
empty store (rounds in turn), and the server's RSS while 50 MB bodies are read back through every history endpoint.

Environment: BENCH_HISTORY_SIZES (default 10000,100000,1000000; quick: 10000,100000), BENCH_BIG_BODIES (how
many 50 MB bodies, default 5; 0 skips), BENCH_QUICK=1.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench import serving

ROOT = Path(__file__).resolve().parent.parent
QUICK = serving.QUICK
SIZES = [
    int(n)
    for n in os.environ.get("BENCH_HISTORY_SIZES", "10000,100000" if QUICK else "10000,100000,1000000").split(",")
    if n.strip()
]
BIG_BODIES = int(os.environ.get("BENCH_BIG_BODIES", "5"))
ALL_FORMATS = os.environ.get("BENCH_HISTORY_FORMATS", "all") == "all"  # "jsonl": skip the HAR and JUnit exports
FLOWMOCK = [sys.executable, "-c", "from flowmock_schemas.cli import main; main()"]
DAY = 86_400.0


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _templates() -> dict[str, Any]:
    """Real records of a monitor-results call: accepted, refused unsigned, refused for its schema."""
    from flowmock_receiver import create_app
    from flowmock_receiver.core.store import MemoryStore
    from flowmock_receiver.service import default_flow_id

    store = MemoryStore()
    app = create_app({"TESTING": True}, store=store)
    flow = app.extensions["flowmock"].flow(default_flow_id("monitor-results"))
    client = app.test_client()
    url = urlsplit(flow.callback_url("http://127.0.0.1:7071"))
    headers = {"Content-Type": "application/json", "User-Agent": "PostmanRuntime/7.39.0"}
    client.post(url.path, query_string=url.query, data=serving.PAYLOAD, headers=headers)
    unsigned = "&".join(p for p in url.query.split("&") if not p.startswith("sig="))
    client.post(url.path, query_string=unsigned, data=serving.PAYLOAD, headers=headers)
    client.post(url.path, query_string=url.query, data=b'{"metrics": {"errors": "many"}}', headers=headers)
    accepted, refused, invalid = reversed(store.calls())
    return {"flow_id": flow.id, "ok": accepted, "refused": refused, "invalid": invalid}


def fill(path: Path, size: int, templates: dict[str, Any]) -> float:
    """`size` calls over the last 20 days, through the store API; seconds taken."""
    from flowmock_receiver import create_app
    from flowmock_receiver.core import ids
    from flowmock_receiver.core.sqlite_store import SQLiteStore

    store = SQLiteStore(path)
    create_app({"TESTING": True}, store=store)  # the default flows, with the ids `serve` gives them
    began, now, batch = time.perf_counter(), time.time(), []
    for n in range(size):
        kind = "refused" if n % 1000 == 500 else "invalid" if n % 1000 == 999 else "ok"
        template = templates[kind]
        stamp = ids.timestamp(now - 20 * DAY * (1 - n / size))
        run_id = ids.new_run_id(1)
        run = run_id if kind == "ok" else None
        batch.append(
            dataclasses.replace(
                template, id=run_id, run_id=run, time=stamp, end_time=stamp, client_tracking_id=run, seq=0
            )
        )
        if len(batch) == 2000:
            store.record_many(batch)
            batch = []
    if batch:
        store.record_many(batch)
    store.close()
    return time.perf_counter() - began


def serve(db: Path, tmp: Path, name: str) -> tuple[subprocess.Popen[bytes], str]:
    ready = tmp / f"{name}.ready"
    ready.unlink(missing_ok=True)
    args = [*FLOWMOCK, "serve", "--port", "0", "--db", str(db), "--quiet", "--ready-file", str(ready)]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 600  # a large database opens quickly; a migration would take longer
    while not ready.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    return proc, ready.read_text().strip()


class Reader:
    """GETs on one keep-alive connection; the median of `repeat` timings of each read."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=120)

    def get(self, path: str) -> tuple[int, bytes]:
        self.conn.request("GET", path)
        response = self.conn.getresponse()
        return response.status, response.read()

    def json(self, path: str) -> Any:
        status, body = self.get(path)
        assert status == 200, (path, status, body[:200])
        return json.loads(body)

    def time(self, path: str, repeat: int = 15) -> float:
        self.get(path)  # warm
        times = []
        for _ in range(repeat):
            began = time.perf_counter()
            status, _ = self.get(path)
            times.append((time.perf_counter() - began) * 1000)
            assert status == 200, (path, status)
        return statistics.median(times)


def reads(base: str, flow_id: str) -> dict[str, float]:
    api = f"/_flowmock/api/flows/{flow_id}"
    r = Reader(base)
    first = r.json(f"{api}/triggers?limit=50")
    total = first["total"]
    deep = r.json(f"{api}/triggers?limit=1&offset={int(total * 0.8)}")["triggers"][0]["seq"]
    run = r.json(f"{api}/runs?limit=1")["runs"][0]["run_id"]
    failed = r.json(f"{api}/triggers?status=Failed&limit=1")["triggers"][0]["id"]
    return {
        "flows list with counts": r.time("/_flowmock/api/flows"),
        "runs, first page of 50": r.time(f"{api}/runs?limit=50"),
        "triggers, first page of 50": r.time(f"{api}/triggers?limit=50"),
        "triggers, page 80% deep (cursor)": r.time(f"{api}/triggers?limit=50&before={deep}"),
        "triggers, page 80% deep (offset)": r.time(f"{api}/triggers?limit=50&offset={int(total * 0.8)}", 5),
        "triggers status=Failed (0.2% match)": r.time(f"{api}/triggers?status=Failed&limit=50"),
        "triggers valid=false (0.1% match)": r.time(f"{api}/triggers?valid=false&limit=50"),
        "run by id": r.time(f"/_flowmock/api/runs/{run}"),
        "trigger entry by id": r.time(f"/_flowmock/api/triggers/{failed}"),
        "runs?wait=1 (already there)": r.time(f"{api}/runs?wait=1&timeout=1&limit=50"),
        "page: flows": r.time("/_flowmock/"),
        "page: history": r.time(f"/_flowmock/flows/{flow_id}"),
        "page: history, status=Failed": r.time(f"/_flowmock/flows/{flow_id}?status=Failed"),
        "page: history, 80% deep": r.time(f"/_flowmock/flows/{flow_id}?before={deep}"),
        "page: one call": r.time(f"/_flowmock/calls/{run}"),
    }


def export(base: str, fmt: str, out: Path) -> dict[str, float]:
    """`flowmock runs export` in its own process: calls per second and its RSS growth (sampled)."""
    began = time.perf_counter()
    proc = subprocess.Popen(
        [*FLOWMOCK, "runs", "export", "--url", base, "--format", fmt, "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    samples = []
    while proc.poll() is None:
        try:
            samples.append(_rss_mb(proc.pid))
        except (FileNotFoundError, ProcessLookupError):
            break
        time.sleep(0.1)
    seconds = time.perf_counter() - began
    assert proc.returncode == 0, f"export {fmt} failed"
    lines = sum(1 for _ in out.open()) if fmt == "jsonl" else 0
    start = samples[min(len(samples) - 1, 10)] if samples else 0.0  # after imports (1 s)
    return {
        "seconds": seconds,
        "calls_per_s": (lines / seconds) if lines else 0.0,
        "rss_start_mb": start,
        "rss_max_mb": max(samples, default=0.0),
        "rss_growth_mb": max(samples, default=0.0) - start,
        "bytes": out.stat().st_size,
    }


def throughput(db: Path, tmp: Path, name: str) -> tuple[float, float]:
    """Accepted calls per second with `db`'s history recorded and with an empty store, as medians of rounds run in
    turn against both servers, each first in half of them (one after the other, single rounds on this shared
    machine differed by 40 %)."""
    empty = tmp / f"{name}-empty.db"
    fill(empty, 0, {})
    servers = [serve(empty, tmp, f"{name}-empty"), serve(db, tmp, name)]
    try:
        urls = [serving._monitor_flow_url(base) for _, base in servers]
        for url in urls:
            serving.wrk(url, 2.0)
        rounds: list[list[float]] = [[], []]
        for round_ in range(max(4, serving.ROUNDS)):
            for i in (0, 1) if round_ % 2 == 0 else (1, 0):  # each goes first in half the rounds
                rounds[i].append(serving.wrk(urls[i], serving.SECONDS)["rps"])
        return statistics.median(rounds[0]), statistics.median(rounds[1])
    finally:
        for proc, _ in servers:
            proc.terminate()
            proc.wait(timeout=60)
        empty.unlink()


def big_bodies(tmp: Path, count: int, size: int = 50 * 1024 * 1024) -> dict[str, Any]:
    """`count` bodies of 50 MB recorded, then read back through every history endpoint and page, and ten
    concurrent 50 MB calls, with the server's RSS sampled throughout."""
    import requests

    proc, base = serve(tmp / "big.db", tmp, "big")
    peak, stop = [0.0], threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_mb(proc.pid))
            time.sleep(0.05)

    try:
        url = serving._monitor_flow_url(base)
        body = b'{"monitor_name": "' + b"x" * (size - 40) + b'"}'
        session = requests.Session()
        for _ in range(count):
            assert session.post(url, data=body, headers={"Content-Type": "application/json"}).status_code == 202
        time.sleep(1)
        idle = _rss_mb(proc.pid)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        r = Reader(base)
        flow_id = urlsplit(url).path.split("/")[2]
        runs = r.json(f"/_flowmock/api/flows/{flow_id}/runs?limit=1000")["runs"]
        paths = [
            "/_flowmock/api/flows",
            f"/_flowmock/api/flows/{flow_id}/triggers?limit=1000",
            "/_flowmock/api/runs?limit=1000",
            "/_flowmock/api/triggers?limit=1000",
            f"/_flowmock/api/flows/{flow_id}/runs?wait=1&timeout=1",
            "/_flowmock/",
            f"/_flowmock/flows/{flow_id}",
        ]
        for run in runs:
            paths += [f"/_flowmock/api/runs/{run['run_id']}", f"/_flowmock/api/triggers/{run['run_id']}"]
            paths += [f"/_flowmock/calls/{run['run_id']}", f"/_flowmock/api/runs/{run['run_id']}/body"]
        largest = 0
        for path in paths:
            status, data = r.get(path)
            assert status == 200, (path, status)
            largest = max(largest, len(data)) if not path.endswith("/body") else largest
        reading_peak = peak[0]
        peak[0] = 0.0
        statuses: list[int] = []
        post = lambda: statuses.append(requests.post(url, data=body, timeout=600).status_code)  # noqa: E731
        threads = [threading.Thread(target=post) for _ in range(10)]
        began = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.perf_counter() - began
        assert statuses == [202] * 10, statuses
        after = []  # RSS every 0.25 s for 2 s after the last answer
        for _ in range(8):
            time.sleep(0.25)
            after.append(_rss_mb(proc.pid))
        return {
            "bodies": count,
            "rss_idle_mb": idle,
            "rss_peak_reading_mb": reading_peak,
            "largest_history_answer_kb": largest / 1024,
            "rss_peak_ten_concurrent_mb": peak[0],
            "ten_concurrent_s": took,
            "rss_after_ten_concurrent_mb": after,
        }
    finally:
        stop.set()
        proc.terminate()
        proc.wait(timeout=60)


def memory_reads(templates: dict[str, Any], sizes: tuple[int, ...] = (10_000, 100_000)) -> dict[int, dict[str, float]]:
    """The in-memory store (the pytest fixture's) read in process: median µs of a filtered page and a count, which
    should not grow with the history (a page merges the matching per-key lists from its cursor)."""
    from flowmock_receiver.core import ids
    from flowmock_receiver.core.store import MemoryStore

    out: dict[int, dict[str, float]] = {}
    flow = templates["flow_id"]
    for size in sizes:
        store = MemoryStore()
        for n in range(size):
            kind = "refused" if n % 1000 == 500 else "invalid" if n % 1000 == 999 else "ok"
            run_id = ids.new_run_id(1)
            run = run_id if kind == "ok" else None
            store.record(dataclasses.replace(templates[kind], id=run_id, run_id=run, client_tracking_id=run, seq=0))
        out[size] = _memory_read_times(store, flow)
    return out


def _memory_read_times(store: Any, flow: str) -> dict[str, float]:
    deep = store.calls(flow, limit=1, offset=int(store.count(flow) * 0.8))[0].seq
    reads = {
        "status=Failed page of 50": lambda: store.calls(flow, status="Failed", limit=50, with_outputs=False),
        "valid=false page of 50": lambda: store.calls(flow, valid=False, limit=50, with_outputs=False),
        "runs page 80% deep (cursor)": lambda: store.calls(flow, runs_only=True, before=deep, limit=50),
        "count status=Failed": lambda: store.count(flow, status="Failed"),
    }
    row = {}
    for name, read in reads.items():
        times = []
        for _ in range(15):
            began = time.perf_counter()
            read()
            times.append((time.perf_counter() - began) * 1e6)
        row[name] = statistics.median(times)
    return row


def measure() -> dict[str, Any]:
    templates = _templates()
    flow_id = templates["flow_id"]
    out: dict[str, Any] = {"sizes": {}, "memory_reads_us": memory_reads(templates)}
    print(f"  memory store reads: {json.dumps(out['memory_reads_us'])}", file=sys.stderr, flush=True)
    with tempfile.TemporaryDirectory(prefix="flowmock-bench-history-") as name:
        tmp = Path(name)
        if BIG_BODIES:
            out["big_bodies"] = big_bodies(tmp, BIG_BODIES)
            print(f"  big bodies: {json.dumps(out['big_bodies'])}", file=sys.stderr, flush=True)
        for size in SIZES:
            db = tmp / f"h{size}.db"
            seconds = fill(db, size, templates)
            body_bytes = size * len(templates["ok"].body)
            row: dict[str, Any] = {
                "fill_s": seconds,
                "bytes_per_call_beyond_body": (db.stat().st_size - body_bytes) / size,
            }
            proc, base = serve(db, tmp, f"h{size}")
            try:
                row["reads_ms"] = reads(base, flow_id)
                row["server_rss_mb"] = _rss_mb(proc.pid)
                row["export_jsonl"] = export(base, "jsonl", tmp / "export.jsonl")
                if ALL_FORMATS and size == SIZES[min(1, len(SIZES) - 1)]:  # HAR and JUnit are slower to write
                    row["export_har"] = export(base, "har", tmp / "export.har")
                    row["export_junit"] = export(base, "junit", tmp / "export.xml")
            finally:
                proc.terminate()
                proc.wait(timeout=60)
            row["rps_empty"], row["rps"] = throughput(db, tmp, f"t{size}")
            out["sizes"][size] = row
            db.unlink()
            print(f"  history of {size} calls: {json.dumps(row)}", file=sys.stderr, flush=True)
    return out


def report(result: dict[str, Any]) -> None:
    sizes = list(result["sizes"])
    first = result["sizes"][sizes[0]]
    print("\nHistory reads, median ms (HTTP on one keep-alive connection; growth = largest / smallest)")
    print(f"{'read':40}" + "".join(f"{n:>11,}" for n in sizes) + f"{'growth':>9}")
    for name in first["reads_ms"]:
        times = [result["sizes"][n]["reads_ms"][name] for n in sizes]
        print(f"{name:40}" + "".join(f"{t:11.1f}" for t in times) + f"{times[-1] / times[0]:9.2f}")
    print(
        f"{'bytes per call beyond the body':40}"
        + "".join(f"{result['sizes'][n]['bytes_per_call_beyond_body']:11.0f}" for n in sizes)
    )
    print(f"{'fill through the store API, s':40}" + "".join(f"{result['sizes'][n]['fill_s']:11.1f}" for n in sizes))
    print(
        f"{'server RSS after the reads, MB':40}"
        + "".join(f"{result['sizes'][n]['server_rss_mb']:11.1f}" for n in sizes)
    )
    for n in sizes:
        e = result["sizes"][n]["export_jsonl"]
        print(f"export jsonl, {n:,} calls: {e['calls_per_s']:,.0f} calls/s, CLI RSS growth {e['rss_growth_mb']:.1f} MB")
    mid = sizes[min(1, len(sizes) - 1)]
    for fmt in ("har", "junit") if "export_har" in result["sizes"][mid] else ():
        e = result["sizes"][mid][f"export_{fmt}"]
        print(
            f"export {fmt}, {mid:,} calls: {mid / e['seconds']:,.0f} calls/s, "
            f"CLI RSS growth {e['rss_growth_mb']:.1f} MB"
        )
    for n in sizes:
        row = result["sizes"][n]
        print(
            f"accepted calls/s (wrk, c={serving.CONNECTIONS}, medians of rounds in turn): empty store "
            f"{row['rps_empty']:.0f}, with {n:,} recorded {row['rps']:.0f} (ratio {row['rps'] / row['rps_empty']:.2f})"
        )
    memory = result["memory_reads_us"]
    print("\nIn-memory store reads, median µs (in process; growth = largest / smallest)")
    for name in memory[min(memory)]:
        times = [memory[n][name] for n in sorted(memory)]
        print(f"{name:40}" + "".join(f"{t:11.1f}" for t in times) + f"{times[-1] / times[0]:9.2f}")
    big = result.get("big_bodies")
    if big:
        print(
            f"{big['bodies']} x 50 MB bodies: server RSS {big['rss_idle_mb']:.0f} MB idle, peak "
            f"{big['rss_peak_reading_mb']:.0f} MB while every history endpoint and page was read (largest answer "
            f"{big['largest_history_answer_kb']:.0f} KB); ten concurrent 50 MB calls in "
            f"{big['ten_concurrent_s']:.1f} s: peak {big['rss_peak_ten_concurrent_mb']:.0f} MB; after, every 0.25 s: "
            + ", ".join(f"{mb:.0f}" for mb in big["rss_after_ten_concurrent_mb"])
            + " MB"
        )


if __name__ == "__main__":
    summary = measure()
    report(summary)
    (ROOT / "bench-history.json").write_text(json.dumps(summary, indent=2))
