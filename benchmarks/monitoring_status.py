"""The regulator's monitoring view under load: a synthetic province of monitored enterprises
(2,000 by default, 4 meters each, 35 days of 15-minute readings: 27 million), the page
`/monitoring` and `GET /api/v1/monitoring/status` served by `carbonpeak serve` (two uvicorn
workers) to 50 concurrent clients (wrk), and the computation uncached against hand-written
DuckDB SQL of the same completeness figures.

The lake is written directly by DuckDB in the layout `carbonpeak monitor ingest` writes
(hive-partitioned Parquet by UTC year and month, the lake's columns and types, the meter
registry) and committed with `io.commits.commit`, so readers see it as an ingested lake.
Every tenth meter misses 02:00-03:45 of the last full day, and one meter in a hundred stops
two days before the end (silent). The store holds the enterprises (the demo province's
generator gives their ids and regions) and a regulator of the province.

Measured: the first page (computing the status in each worker) and, warm, p50/p99 and requests
per second of each URL at 50 connections; the server's peak resident memory (the largest
VmHWM of its processes); in this process, the status computed uncached (with and without the
anomalies) and two hand-written SQL queries of each meter's completeness yesterday and over
30 days (a count of distinct timestamps; and, as ours, the counted rows, which the lake keeps
one per timestamp, plus the others set against them), checked equal, and the ratios.

Run: .venv/bin/python benchmarks/monitoring_status.py [--enterprises N] [--days D] [--seconds S]
(needs wrk: apt-get install wrk)
"""

from __future__ import annotations

import argparse
import concurrent.futures
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
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from _wrk import latency_ms  # benchmarks run as scripts: their folder is on the path

METERS_EACH = 4
START = datetime(2024, 3, 1, tzinfo=UTC) - timedelta(hours=8)  # 1 March 00:00 CST
CST = 8 * 3600


def load_store(home: Path, enterprises: int) -> tuple[list[tuple[str, str]], str]:
    """A store with the enterprises (id, region) and a regulator of their province."""
    from carbonpeak.demo.province import generate_province
    from carbonpeak.services.users import add_user
    from carbonpeak.store.db import make_engine, transaction, upgrade
    from carbonpeak.store.models import Enterprise

    os.environ["CARBONPEAK_HOME"] = str(home)
    province = generate_province(seed=2030, enterprises=enterprises)
    engine = make_engine()
    upgrade(engine)
    rows = [e.enterprise for e in province.enterprises][:enterprises]
    with transaction(engine) as session:
        for e in rows:
            session.add(
                Enterprise(
                    enterprise_id=e.enterprise_id,
                    name=e.name,
                    region_code=e.region_code,
                    industry_code=e.industry_code,
                )
            )
        add_user(
            session, "bench-regulator", "regulator", "bench-password", [province.region.region_code]
        )
    engine.dispose()
    return [(e.enterprise_id, e.region_code) for e in rows], province.region.region_code


def write_lake(lake: Path, enterprises: list[tuple[str, str]], days: int) -> int:
    """The synthetic lake, committed; return its number of readings."""
    from carbonpeak.io.commits import commit

    shutil.rmtree(lake, ignore_errors=True)
    (lake / "readings").mkdir(parents=True)
    (lake / "meters").mkdir(parents=True)
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    ids = [e for e, _r in enterprises]
    connection.execute(
        "CREATE TABLE firms AS SELECT * FROM (SELECT unnest(?) AS enterprise_id)", [ids]
    )
    connection.execute(
        "CREATE TABLE meters AS SELECT row_number() OVER () - 1 AS m, enterprise_id, k "
        f"FROM firms, range({METERS_EACH}) t(k)"
    )
    steps = days * 96
    last_day = steps - 96  # the first step of the last (partial) day
    start = START.strftime("%Y-%m-%d %H:%M:%S")
    connection.execute(
        f"""
        COPY (
          SELECT 'M' || lpad(m::VARCHAR, 6, '0') AS meter_id, enterprise_id,
                 CASE WHEN k = 3 THEN 'natural_gas' ELSE 'electricity' END AS carrier,
                 CASE WHEN k = 3 THEN 'Nm3' ELSE 'kWh' END AS unit,
                 15::INTEGER AS interval_minutes,
                 TIMESTAMPTZ '{start}+00' + to_minutes(i * 15) AS ts,
                 round(50 + 40 * sin(i / 15.0) + (hash(m * 100000 + i) % 1000) / 100.0
                       + CASE WHEN i = {steps} - 8 AND m % 500 = 7 THEN 5000 ELSE 0 END, 3)
                   AS value,
                 NULL::DOUBLE AS counter, 1::INTEGER AS copies, TRUE AS counted,
                 year(TIMESTAMPTZ '{start}+00' + to_minutes(i * 15)) AS year,
                 month(TIMESTAMPTZ '{start}+00' + to_minutes(i * 15)) AS month
          FROM meters, range({steps}) s(i)
          WHERE NOT (m % 10 = 0 AND i >= {last_day} - 96 + 8 AND i < {last_day} - 96 + 16)
            AND NOT (m % 100 = 1 AND i >= {steps} - 2 * 96)
        ) TO '{lake / "readings"}' (FORMAT parquet, PARTITION_BY (year, month),
                                     FILENAME_PATTERN 'part-{{i}}')
        """
    )
    glob = str(lake / "readings" / "year=*" / "month=*" / "*.parquet")
    connection.execute(
        f"""
        COPY (
          SELECT meter_id, any_value(enterprise_id) AS enterprise_id,
                 any_value(carrier) AS carrier, any_value(unit) AS unit,
                 'interval' AS kind, any_value(interval_minutes) AS interval_minutes,
                 min(epoch(ts))::BIGINT AS first_epoch, max(epoch(ts))::BIGINT AS last_epoch,
                 count(*) AS readings
          FROM read_parquet('{glob}') GROUP BY meter_id ORDER BY meter_id
        ) TO '{lake / "meters" / "part-bench.parquet"}' (FORMAT parquet)
        """
    )
    rows = int(connection.execute(f"SELECT count(*) FROM read_parquet('{glob}')").fetchone()[0])
    parts = sorted((lake / "readings").rglob("part-*.parquet"))
    parts.append(lake / "meters" / "part-bench.parquet")
    (lake / "_commits").mkdir()
    commit(lake, "bench", parts)
    return rows


def uncached(lake: Path) -> dict[str, float]:
    """Our status uncached (with and without anomalies) against hand-written SQL of each
    meter's completeness yesterday and over the 30 days (the same figures, checked)."""
    from carbonpeak.engine.session import open_engine
    from carbonpeak.io.commits import committed
    from carbonpeak.io.lake import read_lake, read_meters
    from carbonpeak.monitoring.status import StatusOptions, latest_time, status
    from carbonpeak.reference.loader import default_reference

    reference = default_reference()
    meters = read_meters(lake)
    now = latest_time(meters)
    out: dict[str, float] = {}
    results = {}
    for name, options in (
        ("ours", StatusOptions()),
        ("ours_no_anomalies", StatusOptions(anomaly_count=0)),
    ):
        start = time.perf_counter()
        engine = open_engine("duckdb")
        result = status(engine, read_lake(engine, lake), read_meters(lake), reference, now, options)
        out[name] = time.perf_counter() - start
        engine.stop()
        results[name] = result
    files = "[" + ", ".join(f"'{p}'" for p in committed(lake).readings) + "]"
    today = int((now.timestamp() + CST) // 86400 * 86400 - CST)
    connection = duckdb.connect()
    start = time.perf_counter()
    sql = connection.execute(
        f"""
        WITH stamps AS (
          SELECT DISTINCT meter_id, epoch(ts)::BIGINT AS t FROM read_parquet({files})
          WHERE ts >= to_timestamp({today - 30 * 86400}) AND ts < to_timestamp({today})
        )
        SELECT meter_id,
               count(*) FILTER (WHERE t >= {today - 86400}) AS received_yesterday,
               count(*) AS received_history
        FROM stamps GROUP BY meter_id
        """
    ).fetchall()
    out["sql"] = time.perf_counter() - start
    # the same with the lake's promise that counted rows are one per meter and timestamp (as
    # ours): only the rows not counted are set against them
    start = time.perf_counter()
    counted_sql = connection.execute(
        f"""
        WITH r AS (
          SELECT meter_id, epoch(ts)::BIGINT AS t, counted FROM read_parquet({files})
          WHERE ts >= to_timestamp({today - 30 * 86400}) AND ts < to_timestamp({today})
        ),
        late AS (SELECT DISTINCT meter_id, t FROM r WHERE NOT counted),
        extra AS (
          SELECT meter_id, t FROM late
          ANTI JOIN (SELECT meter_id, t FROM r WHERE counted) c USING (meter_id, t)
        ),
        stamps AS (SELECT meter_id, t FROM r WHERE counted UNION ALL SELECT * FROM extra)
        SELECT meter_id,
               count(*) FILTER (WHERE t >= {today - 86400}) AS received_yesterday,
               count(*) AS received_history
        FROM stamps GROUP BY meter_id
        """
    ).fetchall()
    out["sql_counted"] = time.perf_counter() - start
    assert sorted(counted_sql) == sorted(sql), "the two SQL queries disagree"
    ours = {m.meter_id: (m.received_yesterday, m.received_history) for m in results["ours"].meters}
    assert {m: (int(y), int(h)) for m, y, h in sql} == {
        m: v for m, v in ours.items() if v != (0, 0)
    }, "the SQL and ours disagree"
    totals = results["ours"].totals()
    out["completeness_yesterday"] = totals["completeness_yesterday"]
    out["silent_meters"] = totals["silent_meters"]
    out["anomalies"] = len(results["ours"].anomalies)
    return out


def wrk(url: str, header: str, seconds: int) -> dict[str, float]:
    output = subprocess.run(
        ["wrk", "-t2", "-c50", f"-d{seconds}s", "--latency", "--timeout", "30s", "-H", header, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def latency(label: str) -> float:
        return latency_ms(output, label)

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50_ms": latency("50%"),
        "p99_ms": latency("99%"),
        "errors": float(errors.group(1)) if errors else 0.0,
    }


def peak_rss_mb(root: int) -> float:
    """The largest peak resident set (VmHWM) of `root` and its descendants, in MB."""
    family, found = {root}, True
    while found:
        found = False
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) in family:
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) in family:
                family.add(int(entry))
                found = True
    peak = 0
    for pid in family:
        try:
            text = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmHWM:\s+(\d+) kB", text)
        if match:
            peak = max(peak, int(match.group(1)))
    return peak / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=2000)
    parser.add_argument("--days", type=int, default=35)
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    home = Path(tempfile.mkdtemp(prefix="carbonpeak-monitoring-"))
    lake = home / "lake"
    try:
        began = time.perf_counter()
        enterprises, _province = load_store(home, args.enterprises)
        rows = write_lake(lake, enterprises, args.days)
        print(
            f"lake: {len(enterprises)} enterprises x {METERS_EACH} meters x {args.days} days "
            f"of 15-minute readings = {rows:,} rows, with the store, in "
            f"{time.perf_counter() - began:.0f} s"
        )
        figures = uncached(lake)
        print(
            f"uncached status (DuckDB, this process): {figures['ours']:.2f} s; without the "
            f"anomalies {figures['ours_no_anomalies']:.2f} s. Hand-written SQL of each "
            f"meter's completeness yesterday and over 30 days: count(DISTINCT) "
            f"{figures['sql']:.2f} s, counted rows + the others set against them "
            f"{figures['sql_counted']:.2f} s. Ours without anomalies / SQL: "
            f"{figures['ours_no_anomalies'] / figures['sql']:.2f}x and "
            f"{figures['ours_no_anomalies'] / figures['sql_counted']:.2f}x; with them "
            f"{figures['ours'] / figures['sql_counted']:.2f}x the second. Completeness yesterday "
            f"{100 * figures['completeness_yesterday']:.2f} %, silent meters "
            f"{figures['silent_meters']:.0f}, anomalies listed {figures['anomalies']:.0f}"
        )
        serve(home, lake, args.seconds)
    finally:
        shutil.rmtree(home, ignore_errors=True)


def serve(home: Path, lake: Path, seconds: int) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "CARBONPEAK_HOME": str(home), "CARBONPEAK_LAKE": str(lake)}
    server = subprocess.Popen(
        [sys.executable, "-m", "carbonpeak", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.1)
        form = urllib.parse.urlencode(
            {"username": "bench-regulator", "password": "bench-password"}
        ).encode()
        with urllib.request.urlopen(f"{base}/api/v1/auth/token", data=form) as response:
            token = json.loads(response.read())["access_token"]
        cookie = f"Cookie: carbonpeak_session={token}"
        bearer = f"Authorization: Bearer {token}"

        def get(url: str, header: str) -> tuple[float, int]:
            name, value = header.split(": ", 1)
            request = urllib.request.Request(url, headers={name: value})
            start = time.perf_counter()
            with urllib.request.urlopen(request, timeout=600) as response:
                size = len(response.read())
            return time.perf_counter() - start, size

        first, size = get(f"{base}/monitoring", cookie)
        print(f"first page (computing the status in a worker): {first:.2f} s, {size / 1e6:.2f} MB")
        with concurrent.futures.ThreadPoolExecutor(8) as pool:  # warm both workers
            warm = list(pool.map(lambda _: get(f"{base}/monitoring", cookie), range(8)))
            list(pool.map(lambda _: get(f"{base}/api/v1/monitoring/status", bearer), range(8)))
        print(f"warm-up: slowest of 8 concurrent pages {max(t for t, _s in warm):.2f} s")
        api_size = get(f"{base}/api/v1/monitoring/status", bearer)[1]
        runs = {
            "GET /monitoring (the page, cached)": (f"{base}/monitoring", cookie),
            "GET /monitoring?sort=silent": (f"{base}/monitoring?sort=silent", cookie),
            f"GET /api/v1/monitoring/status ({api_size / 1e3:.0f} kB)": (
                f"{base}/api/v1/monitoring/status",
                bearer,
            ),
            "GET /monitoring/enterprises.csv": (f"{base}/monitoring/enterprises.csv", cookie),
            "baseline GET /openapi.json": (f"{base}/openapi.json", bearer),
        }
        results = {name: wrk(url, header, seconds) for name, (url, header) in runs.items()}
        rss = peak_rss_mb(server.pid)
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    print(f"wrk -t2 -c50 -d{seconds}s on loopback, two uvicorn workers")
    for name, r in results.items():
        print(
            f"{name:<44} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:8.1f} ms  "
            f"p99 {r['p99_ms']:8.1f} ms  errors {r['errors']:.0f}"
        )
    print(f"server peak resident memory (largest process): {rss:.0f} MB")


if __name__ == "__main__":
    main()
