"""The lake ingest's single pass (DuckDB): files with no problem read once, straight into the
staging folder (about 2.8 times the CPU of DuckDB's own partitioned COPY of the same CSV, where
the slow path takes 4.5: docs/performance.md).

Most files have no problem. For them the slow path's table of every row with its place
(`lake_sources.stage`), read again by each later step, is not needed: one COPY reads the CSV
files, checks every cell with the same conditions (`lake_checks.problem_conditions`), sends
every meter's rows through one window by meter and time (a counter's step from the reading
before, or from the lake's latest; a time equal to the one before is a repeat) and writes the
lake's monthly parts into the staging folder; a counter's first reading, which gives no
interval, goes to a side folder (`year=-3`) for the registry. The registry's figures are then
read back from what was written.

The pass stops, with nothing kept, at the first row that needs the slow path, which places
every problem by file, row and column and handles the rarer cases: a row with a problem, a
time repeated within the files, a row within the lake's span of its meter (late data, repeats
of the lake, a backfill), a counter whose stored latest reading was not kept (lakes written
before it was), a file the reader cannot read. Nothing of a file is in the lake before the
commit either way. Excel and Parquet inputs always take the slow path.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd

from carbonpeak.errors import InputError
from carbonpeak.io.lake_checks import parse_columns, problem_conditions
from carbonpeak.io.lake_intervals import keep_labelled, rollover_ceiling, stored
from carbonpeak.io.lake_runners import DuckDBRunner
from carbonpeak.io.lake_sources import csv_source, kind_of

REDO = "carbonpeak: the slow path"
"""The error that stops the single pass (DuckDB's `error()`), caught here."""
SIDE = "year=-3"
"""The side folder of the counters' first readings (for the registry, never committed)."""


def single_pass(
    runner: DuckDBRunner,
    paths: list[Path],
    registry: pd.DataFrame | None,
    lake: Path,
    staging: Path,
) -> tuple[list[Path], tuple[int, int]] | None:
    """The parts written into `staging/readings` (named `part-pending-<n>`) and the number of
    their rows counted and in all; `file_spans`, `latest` and `firsts` kept for the registry
    (`lake_intervals.registry_sql`). None, and nothing left in `staging/readings`, when the
    files need the slow path."""
    if any(kind_of(path) != "csv" for path in paths) or _legacy(registry):
        return None
    try:
        sources = [csv_source(path) for path in paths]
    except InputError:  # a column missing: the slow path says which file's problem comes first
        return None
    out = staging / "readings"
    try:
        stored(runner, lake, registry, False, "SELECT meter_id FROM meters")
        _spans(runner, registry)
        runner.view("fast_rows", _rows_sql(runner, sources))
        files = runner.write(_write_sql(runner), out, "pending", True)
    except duckdb.Error:  # REDO, or a file the slow path names the problem of
        shutil.rmtree(out, ignore_errors=True)
        return None
    if not files:
        return None  # no readings: the slow path says so
    side = [f for f in files if SIDE in f.parts]
    written = [f for f in files if SIDE not in f.parts]
    runner.view_of("fast_written", files)
    runner.keep(
        "file_spans",
        "SELECT CAST(meter_id AS STRING) AS meter, min(ts) AS first_t, max(ts) AS last_t, "
        "count(*) AS readings, "
        "arg_min_null(counter, ts) AS first_v, arg_max_null(counter, ts) AS last_v "
        "FROM fast_written GROUP BY meter_id",
    )
    counts = (0, 0)
    if written:
        runner.view_of("fast_lake_rows", written)
        found = runner.rows(
            "SELECT count(CASE WHEN counted THEN 1 END), count(*) FROM fast_lake_rows"
        )[0]
        counts = (int(found[0]), int(found[1]))
    for part in side:
        part.unlink()
    shutil.rmtree(out / SIDE, ignore_errors=True)
    return written, counts


def _legacy(registry: pd.DataFrame | None) -> bool:
    """A counter of the lake whose latest reading the registry lacks (parts written before it
    was kept): the slow path reads it from the parts."""
    if registry is None:
        return False
    counters = registry[(registry["kind"] == "cumulative") & registry["last_epoch"].notna()]
    return bool(counters["last_counter"].isna().any())


def _spans(runner: DuckDBRunner, registry: pd.DataFrame | None) -> None:
    """`lake_spans`: each meter's latest time in the lake (whole seconds, as the registry
    keeps it); a row at or before it takes the slow path."""
    frame = pd.DataFrame({"meter_id": pd.Series([], dtype=str), "last_epoch": []})
    if registry is not None:
        frame = registry.dropna(subset=["last_epoch"])[["meter_id", "last_epoch"]]
    runner.register("lake_spans", frame.astype({"meter_id": str, "last_epoch": "int64"}))


def _rows_sql(runner: DuckDBRunner, sources: list[str]) -> str:
    """Every non-blank row of the files as `meter, t, v`, stopping at one with a problem or
    within the lake's span of its meter."""
    parse = parse_columns(runner)
    parsed = " UNION ALL ".join(f"SELECT {parse} FROM {source}" for source in sources)
    problem = " OR ".join(f"coalesce({c}, false)" for _n, c, _s, _m in problem_conditions(runner))
    inside = f"coalesce(floor({runner.epoch('p.t')}) <= s.last_epoch, false)"
    return f"""
      SELECT meter, t, v FROM (
        SELECT p.*, m.kind, m.enterprise_id AS owner, {inside} AS inside
        FROM ({parsed}) AS p LEFT JOIN meters m ON m.meter_id = p.meter
        LEFT JOIN lake_spans s ON s.meter_id = p.meter
        WHERE NOT p.blank
      ) AS q
      WHERE CASE WHEN {problem} OR inside THEN error('{REDO}') ELSE true END
    """


def _write_sql(runner: DuckDBRunner) -> str:
    """The lake's rows of `fast_rows`: every meter's rows by time in one window (after a
    counter's stored latest reading, `anchors`), a counter's value its step from the reading
    before (resets and rollovers as `lake_intervals.intervals_sql`), a counter's first
    reading sent to the side folder, a repeated time stopping the pass."""
    keep_labelled(runner)
    ceiling = rollover_ceiling("prev")
    return f"""
    WITH k AS (
      SELECT m.meter_id, r.t, r.v, m.kind = 'cumulative' AS cumulative, false AS anchor
      FROM fast_rows r JOIN labelled m ON m.meter = r.meter
      UNION ALL
      SELECT m.meter_id, a.ts, a.counter, true, true FROM anchors a
      JOIN labelled m ON m.meter = a.meter_id AND m.kind = 'cumulative' WHERE a.run = 0
    ),
    w AS (
      SELECT *, lag(v) OVER win AS prev, lag(t) OVER win AS before
      FROM k WINDOW win AS (PARTITION BY meter_id ORDER BY t)
    )
    SELECT w.meter_id, m.enterprise_id, m.carrier, m.unit, m.interval_minutes, w.t AS ts,
           CASE WHEN NOT cumulative THEN w.v
                WHEN w.v - prev < 0 AND prev >= 0.9 * {ceiling} THEN {ceiling} - prev + w.v
                WHEN w.v - prev < 0 THEN w.v
                ELSE w.v - prev END AS value,
           CASE WHEN cumulative THEN w.v END AS counter, CAST(1 AS INTEGER) AS copies,
           true AS counted,
           CASE WHEN before = w.t THEN CAST(error('{REDO}') AS INTEGER)
                WHEN cumulative AND before IS NULL THEN -3
                ELSE {runner.year("w.t")} END AS year,
           {runner.month_label("w.t")} AS month
    FROM w JOIN labelled m ON m.meter_id = w.meter_id
    WHERE NOT w.anchor
    """
