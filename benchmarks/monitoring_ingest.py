"""Speed and memory of the lake's ingest against DuckDB's plain partitioned COPY of the same file.

A synthetic readings file (CSV, `meter_id,ts,value`, ISO 8601 times with +08:00) of N meters x D
days of 15-minute readings (a third of the meters cumulative counters, the rest interval meters)
and its meters file are generated once by DuckDB. Each contender runs in a process of its own,
so its wall time and peak memory (maximum resident set, from the kernel) are its own:

- `copy`: the best hand-written DuckDB: `COPY (SELECT *, year, month FROM read_csv(...)) TO
  ... (FORMAT parquet, PARTITION_BY (year, month))`, types inferred by DuckDB, no check at all,
  DuckDB's default memory limit (80 % of RAM);
- `ingest`: `carbonpeak monitor ingest` into an empty lake, every check on (meters, units, times
  and China time, numbers and bounds, counters, repeats, the digest, the commit), with
  `CARBONPEAK_INGEST_MEMORY` as set (default 500MB);
- `ingest/10`: the same on the first tenth of the meters, to show that memory is flat in the
  file's size.

Each is given in wall seconds and in CPU seconds (user + system of every thread), which a
shared machine disturbs less.

Run:
    .venv/bin/python benchmarks/monitoring_ingest.py [--meters 1000] [--days 366]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
ENTERPRISE = "911302007A3K9C2D24"


def generate(folder: Path, meters: int, days: int) -> tuple[Path, Path, int]:
    """The readings and meters files (made once); the number of readings."""
    readings, registry = folder / f"readings-{meters}x{days}.csv", folder / f"meters-{meters}.csv"
    rows = meters * days * 96
    if not readings.exists():
        folder.mkdir(parents=True, exist_ok=True)
        connection = duckdb.connect()
        staged = readings.with_suffix(".tmp")
        connection.execute(
            f"""
            COPY (
              SELECT 'M' || lpad(CAST(m AS VARCHAR), 5, '0') AS meter_id,
                     strftime(TIMESTAMP '2024-01-01' + INTERVAL 15 MINUTE * i,
                              '%Y-%m-%dT%H:%M:%S') || '+08:00' AS ts,
                     CASE WHEN m % 3 = 0 THEN round(1000 + i * 2.5 + m, 3)
                          ELSE round(100 + (i % 96) + m % 7, 3) END AS value
              FROM range({meters}) t(m), range({days} * 96) s(i)
            ) TO '{staged}' (HEADER, DELIMITER ',', FORMAT csv)
            """
        )
        staged.replace(readings)
    if not registry.exists():
        connection = duckdb.connect()
        connection.execute(
            f"""
            COPY (
              SELECT 'M' || lpad(CAST(m AS VARCHAR), 5, '0') AS meter_id,
                     '{ENTERPRISE}' AS enterprise_id,
                     CASE WHEN m % 3 = 0 THEN 'natural_gas' ELSE 'electricity' END AS carrier,
                     CASE WHEN m % 3 = 0 THEN 'Nm3' ELSE 'kWh' END AS unit,
                     CASE WHEN m % 3 = 0 THEN 'cumulative' ELSE 'interval' END AS kind,
                     15 AS interval_minutes
              FROM range({meters}) t(m)
            ) TO '{registry}' (HEADER, FORMAT csv)
            """
        )
    return readings, registry, rows


COPY = """
import sys, duckdb
connection = duckdb.connect()
connection.execute("SET TimeZone = 'UTC'")
connection.execute(
    "COPY (SELECT *, year(ts) AS year, month(ts) AS month FROM read_csv('%s', header = true)) "
    "TO '%s' (FORMAT parquet, PARTITION_BY (year, month))"
)
"""


def measure(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system, every thread) and peak resident MiB of a
    command run in a process of its own (CPU time says more than wall time on a shared
    machine)."""
    probe = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "used = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps([time.perf_counter() - t, used.ru_utime + used.ru_stime,"
        " used.ru_maxrss / 1024]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    seconds, cpu, mib = json.loads(done.stdout.strip().splitlines()[-1])
    return float(seconds), float(cpu), float(mib)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=1000)
    parser.add_argument("--days", type=int, default=366)
    parser.add_argument("--folder", type=Path, default=ROOT / "build" / "bench-ingest")
    arguments = parser.parse_args()
    folder = arguments.folder
    readings, registry, rows = generate(folder, arguments.meters, arguments.days)
    tenth = max(1, arguments.meters // 10)
    small, small_registry, small_rows = generate(folder, tenth, arguments.days)
    out = folder / "out"
    results = {}
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    results["copy"] = measure(
        [sys.executable, "-c", COPY % (readings, out / "copy")],
    )
    cli = [sys.executable, "-m", "carbonpeak", "monitor", "ingest"]
    shutil.rmtree(out, ignore_errors=True)
    results["ingest"] = measure(
        [*cli, str(readings), "--meters", str(registry), "--lake", str(out)]
    )
    shutil.rmtree(out, ignore_errors=True)
    results["ingest/10"] = measure(
        [*cli, str(small), "--meters", str(small_registry), "--lake", str(out)]
    )
    shutil.rmtree(out, ignore_errors=True)
    size = readings.stat().st_size / 2**20
    print(
        f"{platform.node()} {os.cpu_count()} cores, {rows:,} readings ({size:,.0f} MiB CSV), "
        f"tenth {small_rows:,}; CARBONPEAK_INGEST_MEMORY="
        f"{os.environ.get('CARBONPEAK_INGEST_MEMORY', '500MB (default)')}"
    )
    base, base_cpu = results["copy"][0], results["copy"][1]
    for name, (seconds, cpu, mib) in results.items():
        print(
            f"{name:10s} {seconds:8.2f} s {cpu:8.2f} s CPU {mib:8.0f} MiB peak  "
            f"{rows if name != 'ingest/10' else small_rows:>12,} rows  "
            f"x{seconds / base:.2f} of copy (CPU x{cpu / base_cpu:.2f})"
        )


if __name__ == "__main__":
    main()
