"""Readings over HTTP under load: 50 collectors post batches of 1,000 meter readings (JSON
lines) to uvicorn on loopback (SQLite store, two worker processes), each with its enterprise's
API key, for SECONDS; the server flushes the landed batches into the lake as it runs
(`CARBONPEAK_FLUSH_SECONDS`).

Two loads: closed (RATE 0, the default: each collector posts its next batch as soon as the
last is answered, so the server is saturated and the latency is its queue) and open (RATE
readings/s in all: each collector posts on a fixed schedule, its share of RATE, whatever the
answers; a batch's latency counts from its scheduled time, so a server that falls behind is
charged for the wait, as wrk2 does against coordinated omission).

Printed: the sustained rate (readings acknowledged per second), each batch's latency (p50,
p99), the server's peak memory (the resident sets of its processes, summed), and, as the
baseline measured in the same run, the rate of a request that does no work (GET
/openapi.json from the same 50 clients). After the server stops (its last flush), the lake
must hold every acknowledged reading exactly once.

Run: .venv/bin/python benchmarks/monitoring_feed.py [SECONDS] [COLLECTORS] [RATE]
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

CEMENT = "911302007A3K9C2D24"
METERS = 1_000
BATCH = 1_000


def prepare(home: Path) -> str:
    """A store with the enterprise and a user; return an API key narrowed to the enterprise."""
    os.environ["CARBONPEAK_HOME"] = str(home)
    from carbonpeak.services.access import Actor
    from carbonpeak.services.tokens import issue_api_key
    from carbonpeak.services.users import add_user
    from carbonpeak.store.db import make_engine, transaction, upgrade
    from carbonpeak.store.models import Enterprise

    engine = make_engine()
    upgrade(engine)
    with transaction(engine) as session:
        session.add(
            Enterprise(enterprise_id=CEMENT, name="x", region_code="130200", industry_code="3011")
        )
        user = add_user(session, "collector", "enterprise", "a long enough password", [], [CEMENT])
        session.flush()
    with transaction(engine) as session:
        key = issue_api_key(session, Actor.of(user), "bench", enterprise_id=CEMENT)["api_key"]
    engine.dispose()
    return str(key)


TEMPLATE = "".join(
    f'{{"meter_id":"M{m:04d}","ts":"@TS@","value":{m * 7 % 97 / 4}}}\n' for m in range(BATCH)
).encode()
START = np.datetime64("2024-01-01T00:00")


def batch_body(number: int) -> bytes:
    """Batch `number`: one reading of each of the 1,000 meters, 15 minutes after the last (so
    every batch is new to the lake)."""
    stamp = str(START + np.timedelta64(15 * number, "m")) + "+08:00"
    return TEMPLATE.replace(b"@TS@", stamp.encode())


def cpu_seconds(root: int) -> float:
    """The CPU time (user and system) of a process and its living descendants."""
    total = 0.0
    for pid in _tree(root):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def rss_kib(root: int) -> int:
    """The resident memory of a process and its descendants, KiB."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


COUNTER = iter(range(10**9))  # batch numbers, never one twice in a run


def run_clients(
    port: int,
    headers: dict[str, str],
    post: bool,
    collectors: int,
    seconds: float,
    rate: float = 0.0,
) -> tuple[list[float], int]:
    """`collectors` threads posting batches (or GET /openapi.json unless `post`) for
    `seconds`, back to back or, with `rate` requests/s in all, each on its schedule; return
    every request's latency (s, from its scheduled time when scheduled) and the number of
    failures."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def collector(phase: float) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[float] = []
        failed = 0
        interval = collectors / rate if rate else 0.0
        due = time.perf_counter() + phase * interval
        while time.monotonic() < end:
            number = next(COUNTER)
            body = batch_body(number) if post else b""
            if rate:
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                start, due = due, due + interval
            else:
                start = time.perf_counter()
            if not post:
                connection.request("GET", "/openapi.json")
            else:
                connection.request(
                    "POST",
                    "/api/v1/monitoring/readings",
                    body=body,
                    headers={**headers, "Idempotency-Key": f"batch-{number}"},
                )
            response = connection.getresponse()
            response.read()
            mine.append(time.perf_counter() - start)
            if response.status not in (200, 201):
                failed += 1
        connection.close()
        with lock:
            latencies.extend(mine)
            failures[0] += failed

    threads = [
        threading.Thread(target=collector, args=(n / collectors,)) for n in range(collectors)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, failures[0]


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    collectors = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    rate = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0  # readings/s; 0: back to back
    home = Path(tempfile.mkdtemp(prefix="carbonpeak-feed-"))
    key = prepare(home)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CARBONPEAK_HOME": str(home)}
    log = (home / "server.log").open("w")  # a failed flush is logged there
    server = subprocess.Popen(
        [sys.executable, "-m", "carbonpeak", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=log,
    )
    auth = {"Authorization": f"Bearer {key}"}
    peak = [0]
    watching = threading.Event()

    def watch() -> None:
        while not watching.wait(0.5):
            peak[0] = max(peak[0], rss_kib(server.pid))

    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        meters = [
            {
                "meter_id": f"M{m:04d}",
                "enterprise_id": CEMENT,
                "carrier": "electricity",
                "unit": "kWh",
                "kind": "interval",
                "interval_minutes": 15,
            }
            for m in range(METERS)
        ]
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request(
            "POST",
            "/api/v1/monitoring/meters",
            body=json.dumps(meters),
            headers={**auth, "Content-Type": "application/json"},
        )
        registered = connection.getresponse()
        assert registered.status == 201, registered.read()
        registered.read()
        connection.close()
        headers = {**auth, "Content-Type": "application/x-ndjson"}
        warm, warm_failures = run_clients(port, headers, True, collectors, 3)  # warm-up
        baseline, _ = run_clients(port, auth, False, collectors, min(seconds, 10))
        threading.Thread(target=watch, daemon=True).start()
        server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
        latencies, failures = run_clients(port, headers, True, collectors, seconds, rate / BATCH)
        server_cpu = cpu_seconds(server.pid) - server_cpu
        client_cpu = time.process_time() - client_cpu
        watching.set()
        # the server's own flushes drain the landing area (each every CARBONPEAK_FLUSH_SECONDS)
        from carbonpeak.io.landing import landed

        drained = time.monotonic()
        patience = float(os.environ.get("DRAIN", "300"))
        while landed(home / "lake") and time.monotonic() - drained < patience:
            time.sleep(1)
        drain = time.monotonic() - drained
    finally:
        server.terminate()  # the server's last flush runs as it stops
        try:
            server.wait(timeout=120)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    try:
        os.environ["CARBONPEAK_HOME"] = str(home)
        from carbonpeak.engine.session import open_engine
        from carbonpeak.errors import CarbonpeakError
        from carbonpeak.io.lake import read_lake
        from carbonpeak.io.landing import landed

        lake = home / "lake"
        try:
            stored = read_lake(open_engine("duckdb"), lake).count()
        except CarbonpeakError:  # nothing flushed (CARBONPEAK_FLUSH_SECONDS=0)
            stored = 0
        left = len(landed(lake))
        if left:
            print((home / "server.log").read_text()[-3000:])
    finally:
        shutil.rmtree(home, ignore_errors=True)
    ms = np.array(latencies) * 1000
    posted = len(latencies) - failures
    load = f"on a schedule of {rate:,.0f} readings/s" if rate else "back to back"
    print(
        f"{collectors} collectors x {BATCH}-reading JSON-lines batches {load}, {seconds:.0f} s, "
        f"uvicorn with 2 workers on loopback, {os.cpu_count()} cores"
    )
    print(
        f"readings/s {posted * BATCH / seconds:,.0f}  batches/s {posted / seconds:,.1f}  "
        f"p50 {np.percentile(ms, 50):.1f} ms  p99 {np.percentile(ms, 99):.1f} ms  "
        f"failures {failures}  peak server RSS {peak[0] / 1024:.0f} MiB"
    )
    print(
        f"CPU: server {server_cpu:.1f} s ({server_cpu / max(posted, 1) * 1000:.1f} ms a batch), "
        f"the collectors {client_cpu:.1f} s, of {seconds * (os.cpu_count() or 1):.0f} core-s"
    )
    print(
        f"baseline GET /openapi.json: {len(baseline) / min(seconds, 10):,.0f} req/s  "
        f"p99 {np.percentile(np.array(baseline) * 1000, 99):.1f} ms"
    )
    acknowledged = (posted + len(warm) - warm_failures) * BATCH
    print(
        f"landing area drained by the server's flushes {drain:.0f} s after the posts ended: "
        f"the lake took the run's readings at {posted * BATCH / (seconds + drain):,.0f}/s"
    )
    print(
        f"lake after the server stopped: {stored:,} readings for {acknowledged:,} acknowledged, "
        f"{left} batch(es) left landed"
    )


if __name__ == "__main__":
    main()
