"""Load on the API: the demo province (1,500 enterprises x 6 years) in a SQLite store, uvicorn
on loopback, wrk from a second process, 50 connections for 30 s per endpoint.

Endpoints (`endpoints`): the province roll-up, one enterprise's accounts, and the pages the
demo shows most, signed in by the session cookie as the regulator of the province: the home
(the cockpit), the overview, the enterprise page, the industry page, the budgets and the
monitoring view; and, measured in the same run, the server's own floor (`/api/v1/health`: no
login, no database, a few bytes) and the baseline the issue named (the OpenAPI document: no
database work, but 160 kB serialised each time). `api_cpu.py` measures the same paths' CPU time.

Run: .venv/bin/python benchmarks/api_load.py [SECONDS]   (needs wrk: apt-get install wrk;
set LOAD_STORE to a folder to keep the store between runs)
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from _wrk import latency_ms  # benchmarks run as scripts: their folder is on the path

YEARS = range(2019, 2025)
GOAL_MS = 100  # issue 19: every read endpoint and page at p99 under 100 ms


def load_store(home: Path) -> str:
    """Fill a store with six years of the demo province; return the demo enterprise's id."""
    from carbonpeak.demo.province import generate_province, province_activity
    from carbonpeak.services.demo import load_province
    from carbonpeak.store.db import make_engine, transaction, upgrade

    os.environ["CARBONPEAK_HOME"] = str(home)
    province = generate_province(seed=2030, enterprises=1500)
    base = province_activity(province).astype(str).replace("nan", "")
    engine = make_engine()
    upgrade(engine)
    first = ""
    for year in YEARS:
        activity = base.copy()
        activity["period"] = str(year)
        scale = 1 + 0.03 * (year - 2023)
        activity["amount"] = (activity["amount"].astype(float) * scale).round(3).astype(str)
        with transaction(engine) as session:
            first = load_province(session, province, activity)["demo_enterprise"]
    engine.dispose()
    return first


def warm(url: str, token: str) -> None:
    """A few requests to `url` before it is measured, so that each of the two workers has
    computed its caches (a cold page costs its first callers its computation, once per
    worker); the cold start is not what p99 under steady load measures."""
    api = "/api/" in url or url.endswith("/openapi.json")
    header = (
        ("Authorization", f"Bearer {token}") if api else ("Cookie", f"carbonpeak_session={token}")
    )
    for _ in range(8):  # the workers take connections in turn: enough to reach both
        request = urllib.request.Request(url, headers=dict([header]))
        with urllib.request.urlopen(request) as response:
            response.read()


def wrk(url: str, token: str, seconds: int) -> dict[str, float]:
    """wrk against `url` with the token as a Bearer header, or, for a page of the dashboard
    (a path that is not under /api), as the session cookie a login sets."""
    header = (
        f"Authorization: Bearer {token}"
        if "/api/" in url or url.endswith("/openapi.json")
        else f"Cookie: carbonpeak_session={token}"
    )
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c50",
            f"-d{seconds}s",
            "--latency",
            "-H",
            header,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def latency(label: str) -> float:
        return latency_ms(output, label)

    requests = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: .*", output)
    return {
        "rps": requests,
        "p50_ms": latency("50%"),
        "p99_ms": latency("99%"),
        "errors": float(errors.group(1)) if errors else 0.0,
        "socket_errors": 1.0 if socket_errors else 0.0,
    }


def endpoints(base: str, enterprise: str) -> dict[str, str]:
    """The read endpoints and pages the demo shows most, the baseline first."""
    return {
        "floor GET /api/v1/health": f"{base}/api/v1/health",
        "baseline GET /openapi.json": f"{base}/openapi.json",
        "GET /api/v1/rollups?by=region_code": f"{base}/api/v1/rollups?by=region_code",
        "GET /api/v1/enterprises/{id}/accounts": (
            f"{base}/api/v1/enterprises/{enterprise}/accounts?period=2023"
        ),
        "GET / (home)": f"{base}/",
        "GET /overview (the regulator's home page)": f"{base}/overview",
        "GET /enterprises/{id} (enterprise page)": f"{base}/enterprises/{enterprise}",
        "GET /industry": f"{base}/industry",
        "GET /budgets": f"{base}/budgets",
        "GET /monitoring": f"{base}/monitoring",
    }


def main() -> None:
    seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    kept = os.environ.get("LOAD_STORE")  # a folder: the store is kept there between runs
    home = Path(kept) if kept else Path(tempfile.mkdtemp(prefix="carbonpeak-load-"))
    marker = home / "enterprise.txt"
    if marker.exists():
        enterprise = marker.read_text()
        print(f"store: kept in {home}")
    else:
        home.mkdir(parents=True, exist_ok=True)
        start = time.perf_counter()
        enterprise = load_store(home)
        marker.write_text(enterprise)
        elapsed = time.perf_counter() - start
        print(f"store: 1500 enterprises x {len(YEARS)} years loaded in {elapsed:.0f} s")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CARBONPEAK_HOME": str(home)}
    server = subprocess.Popen(
        [sys.executable, "-m", "carbonpeak", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):  # up to a minute: a busy machine starts two workers slowly
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        time.sleep(2)  # the second worker may start after the first accepts
        form = urllib.parse.urlencode(
            {"username": "demo-regulator", "password": "carbonpeak-demo"}
        ).encode()
        with urllib.request.urlopen(f"{base}/api/v1/auth/token", data=form) as response:
            token = json.loads(response.read())["access_token"]
        runs = endpoints(base, enterprise)
        results = {}
        for name, url in runs.items():
            warm(url, token)  # the steady state: a first request fills each worker's caches
            results[name] = wrk(url, token, seconds)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        if not kept:
            shutil.rmtree(home, ignore_errors=True)
    floor = results["floor GET /api/v1/health"]["rps"]
    baseline = results["baseline GET /openapi.json"]["rps"]
    print(f"wrk -t2 -c50 -d{seconds}s on loopback, two uvicorn workers; goal: p99 < {GOAL_MS} ms")
    for name, r in results.items():
        print(
            f"{name:<42} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:7.1f} ms  "
            f"p99 {r['p99_ms']:7.1f} ms  errors {r['errors']:.0f}  "
            f"{r['rps'] / floor:.2f}x the floor, {r['rps'] / baseline:.2f}x the baseline  "
            f"{'met' if r['p99_ms'] < GOAL_MS and not r['errors'] else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
