"""The lake rows of an ingest, in SQL (DuckDB or Spark, `io.lake_runners`): what the lake
already holds for the files' meters (`stored`), one window over the counters' rows by meter and
time that gives each one's interval value and marks repeats and late readings, the interval
meters' rows written beside them without one (`write_intervals`), and the files' rows of the
meter registry (`registry_sql`). The rules are `carbonpeak.io.lake`'s.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from carbonpeak.io.commits import committed
from carbonpeak.io.lake_runners import Runner

LOOKBACK_DAYS = 31
"""When files reach into the lake's span, the lake's readings are read from this many days
before their first time: the repeats among them and, for a late counter reading, the stored
reading it continues from (one older than this gives it no interval; it is not counted
anyway). Reading the whole of a meter's history instead ran a live feed's flushes out of
memory."""


PREFERRED = "counter IS NULL, counted IS NOT TRUE, counter"
"""Of the lake's readings of a meter at one time, the one a counter continues from: one with a
reading, then the one the lake counted (the first at that time; a later repeat of it, kept
with another reading, is not counted), then the least (two late readings at one time: either,
but the same on every run, not whichever the rows' order gives)."""


def stored(
    runner: Runner,
    lake: Path,
    registry: pd.DataFrame | None,
    overlap: bool,
    within: str = "SELECT meter FROM parsed",
) -> None:
    """`latest` (each meter's latest time in the lake and a counter's reading then), `seen`
    (the stored times of the files' meters within the files' span) and `anchors` (the reading
    each run of counter rows continues from: the latest for the rows after it, the last
    stored reading before them for late rows). The latest reading comes from the meter
    registry (`last_epoch`, `last_counter`); the lake's parts are read only for a counter
    whose registry lacks its reading (parts written before it was kept) and, when the files
    reach into the lake's span, for the readings there. `within`: the files' meters (a query;
    the single pass, which reads the files once, gives every meter checked against)."""
    known = (
        registry.dropna(subset=["last_epoch"])
        if registry is not None
        else pd.DataFrame(columns=["meter_id", "kind", "last_epoch", "last_counter"])
    )
    _firsts(runner, registry, within)
    runner.register(
        "registry_rows",
        known[["meter_id", "kind", "last_epoch", "last_counter"]].astype(
            {"meter_id": str, "kind": str, "last_epoch": "int64", "last_counter": "float64"}
        ),
    )
    candidates = [
        f"SELECT meter_id, {runner.from_epoch('last_epoch')} AS ts, last_counter AS counter, "
        f"true AS counted FROM registry_rows WHERE meter_id IN ({within})"
    ]
    files = committed(lake).readings
    legacy = bool(files) and bool(
        runner.rows(
            "SELECT count(*) FROM registry_rows WHERE kind = 'cumulative' "
            f"AND last_counter IS NULL AND meter_id IN ({within})"
        )[0][0]
    )
    if files and overlap:  # the lake's rows from LOOKBACK_DAYS before the files' first time
        first = runner.rows(f"SELECT floor(min({runner.epoch('t')})) FROM parsed")[0][0]
        since = int(first) - LOOKBACK_DAYS * 86400
        runner.parts("stored_recent", months_from(files, since, lake))
        runner.keep(
            "stored",
            "SELECT * FROM stored_recent WHERE meter_id IN (SELECT meter FROM parsed) "
            f"AND ts >= {runner.from_epoch(str(since))}",
        )
    if legacy:
        runner.parts("stored_all", files)
    if files and overlap:  # the parts' exact latest times (the registry's are whole seconds)
        candidates.append(
            "SELECT meter_id, ts, counter, counted FROM (SELECT meter_id, ts, counter, counted, "
            f"row_number() OVER (PARTITION BY meter_id ORDER BY ts DESC, {PREFERRED}) AS n "
            "FROM stored) AS s WHERE n = 1"
        )
    if legacy:  # a counter whose registry lacks its last reading: its latest row in the parts
        candidates.append(
            "SELECT meter_id, ts, counter, counted FROM (SELECT meter_id, ts, counter, counted, "
            f"row_number() OVER (PARTITION BY meter_id ORDER BY ts DESC, {PREFERRED}) AS n "
            "FROM stored_all WHERE meter_id IN "
            "(SELECT meter_id FROM registry_rows WHERE kind = 'cumulative' AND last_counter IS "
            "NULL)) AS s WHERE n = 1"
        )
    runner.keep(
        "latest",
        "SELECT meter_id, ts, counter FROM (SELECT *, row_number() OVER (PARTITION BY meter_id "
        f"ORDER BY ts DESC, {PREFERRED}) AS n FROM (" + " UNION ALL ".join(candidates) + ") "
        "AS c) AS ranked WHERE n = 1",
    )
    late_anchors = "SELECT NULL AS meter_id, NULL AS ts, NULL AS counter WHERE false"
    seen = "SELECT meter_id, ts FROM latest WHERE false"
    if files and overlap:
        seen = (
            "SELECT DISTINCT s.meter_id, s.ts FROM stored s "
            "JOIN (SELECT meter, min(t) AS first FROM parsed GROUP BY meter) f "
            "ON f.meter = s.meter_id AND s.ts >= f.first"
        )
        late_anchors = (
            "SELECT meter_id, ts, counter FROM (SELECT s.meter_id, s.ts, s.counter, "
            f"row_number() OVER (PARTITION BY s.meter_id ORDER BY s.ts DESC, {PREFERRED}) AS n "
            # the stored readings and the first, which is not stored (it gave no interval)
            "FROM (SELECT meter_id, ts, counter, counted FROM stored UNION ALL "
            "SELECT meter_id, ts, counter, true AS counted FROM firsts) s "
            "JOIN (SELECT p.meter, min(p.t) AS first FROM parsed p "
            "JOIN latest l ON l.meter_id = p.meter LEFT JOIN firsts b ON b.meter_id = p.meter "
            "WHERE p.kind = 'cumulative' AND p.t <= l.ts AND (b.ts IS NULL OR p.t > b.ts) "
            "GROUP BY p.meter) f ON f.meter = s.meter_id AND s.ts < f.first "
            "WHERE s.counter IS NOT NULL) AS before WHERE n = 1"
        )
    runner.keep("seen", seen)
    runner.keep(
        "anchors",
        "SELECT meter_id, 0 AS run, ts, counter FROM latest WHERE counter IS NOT NULL "
        f"UNION ALL SELECT meter_id, 1 AS run, ts, counter FROM ({late_anchors}) AS a",
    )


def _firsts(runner: Runner, registry: pd.DataFrame | None, within: str) -> None:
    """`firsts`: each counter's first reading in the lake (`ts`, `counter`; the counter NULL
    for registry parts written before it was kept, whose first time is whole seconds). A row
    at or before it is a backfill: no stored interval covers it."""
    frame = pd.DataFrame({"meter_id": [], "first_us": [], "first_counter": []})
    if registry is not None:
        counters = registry[(registry["kind"] == "cumulative") & registry["first_epoch"].notna()]
        exact = counters["first_us"].fillna(counters["first_epoch"] * 1_000_000)
        frame = pd.DataFrame(
            {
                "meter_id": counters["meter_id"],
                "first_us": exact,
                "first_counter": counters["first_counter"],
            }
        )
    runner.register(
        "registry_firsts",
        frame.astype({"meter_id": str, "first_us": "int64", "first_counter": "float64"}),
    )
    runner.keep(
        "firsts",
        f"SELECT meter_id, {runner.from_micros('first_us')} AS ts, first_counter AS counter "
        f"FROM registry_firsts WHERE meter_id IN ({within})",
    )


def months_from(files: list[Path], since: int, lake: Path) -> list[Path]:
    """The parts of the months (UTC, by their folders) from the one of `since` on."""
    start = pd.Timestamp(since, unit="s", tz="UTC")
    kept = []
    for part in files:
        folders = dict(
            name.split("=", 1) for name in part.relative_to(lake).parts[1:-1] if "=" in name
        )
        try:
            month = (int(folders["year"]), int(folders["month"]))
        except (KeyError, ValueError):
            kept.append(part)  # not in a month's folder: read it
            continue
        if month >= (start.year, start.month):
            kept.append(part)
    return kept or files[:1]


def rollover_ceiling(column: str) -> str:
    """The power of ten a counter rolls over at, from its reading before (`column`)."""
    return f"pow(10, ceil(log10(greatest({column}, 1))))"


def intervals_sql(runner: Runner, source: str, backfill: bool = True) -> str:
    """The lake's rows of `source` (`meter, t, v, file, line, copies`). A counter's rows go
    through one window by meter and time: each one's step from its previous reading (or stored
    anchor), `counted` false for a late reading, a row repeating the time of the one before
    sent to the side folder (year -1). An interval meter's rows need no window (the caller
    makes them unique first when a time repeats): `counted` false for a repeat of the lake.
    Without `backfill` (no stored first counter reading for the files' meters) no row chains
    into one, and the pass over the rows that looks for them is left out."""
    ceiling = rollover_ceiling("prev")
    chain = "SELECT meter_id, ts, counter FROM firsts WHERE false"
    if backfill:
        chain = f"""
      SELECT f.meter_id, f.ts, f.counter FROM firsts f
      JOIN (SELECT meter, min(t) AS earliest FROM {source} GROUP BY meter) e
        ON e.meter = f.meter_id AND e.earliest < f.ts
      LEFT JOIN (SELECT DISTINCT meter, t FROM {source}) same
        ON same.meter = f.meter_id AND same.t = f.ts
      WHERE f.counter IS NOT NULL AND same.meter IS NULL"""
    return f"""
    WITH c AS (
      SELECT l.meter_id, l.ts, f.ts AS first, f.counter AS first_counter FROM latest l
      JOIN meters m ON m.meter_id = l.meter_id LEFT JOIN firsts f ON f.meter_id = l.meter_id
      WHERE m.kind = 'cumulative'
    ),
    chain AS ({chain}
    ),
    k AS (
      SELECT r.meter, r.t, r.v, r.file, r.line, r.copies,
             CASE WHEN c.ts IS NULL OR r.t > c.ts THEN 0
                  WHEN r.t < c.first OR (r.t = c.first AND c.first_counter IS NOT NULL)
                  THEN 2 ELSE 1 END AS run,
             false AS anchor
      FROM {source} r JOIN labelled m ON m.meter = r.meter AND m.kind = 'cumulative'
      LEFT JOIN c ON c.meter_id = r.meter
      UNION ALL
      SELECT a.meter_id, a.ts, a.counter, -1, 0, 1, a.run, true FROM anchors a
      JOIN meters m ON m.meter_id = a.meter_id AND m.kind = 'cumulative'
      UNION ALL
      SELECT h.meter_id, h.ts, h.counter, -1, 0, 1, 2, false FROM chain h
      JOIN meters m ON m.meter_id = h.meter_id AND m.kind = 'cumulative'
    ),
    w AS (
      SELECT *, lag(v) OVER win AS prev, lag(t) OVER win AS before
      FROM k WINDOW win AS (PARTITION BY meter, run ORDER BY t, file, line)
    ),
    counters AS (
      SELECT m.meter_id, m.enterprise_id, m.carrier, m.unit, m.interval_minutes, w.t,
             CASE WHEN w.v - prev < 0 AND prev >= 0.9 * {ceiling} THEN {ceiling} - prev + w.v
                  WHEN w.v - prev < 0 THEN w.v
                  ELSE w.v - prev END AS value,
             w.v AS counter, w.copies, w.run <> 1 AS counted, before = w.t AS repeated
      FROM w JOIN labelled m ON m.meter = w.meter
      WHERE NOT w.anchor AND w.before IS NOT NULL
    ),
    readings AS (
      SELECT m.meter_id, m.enterprise_id, m.carrier, m.unit, m.interval_minutes, r.t,
             r.v AS value, CAST(NULL AS DOUBLE) AS counter, r.copies,
             s.ts IS NULL AS counted, false AS repeated
      FROM {source} r JOIN labelled m ON m.meter = r.meter AND m.kind <> 'cumulative'
      LEFT JOIN seen s ON s.meter_id = r.meter AND s.ts = r.t
    )
    SELECT meter_id, enterprise_id, carrier, unit, interval_minutes, t AS ts, value, counter,
           CAST(copies AS INTEGER) AS copies, counted,
           CASE WHEN repeated THEN -1 ELSE {runner.year("t")} END AS year,
           {runner.month_label("t")} AS month
    FROM (SELECT * FROM counters UNION ALL SELECT * FROM readings) AS u
    """


def write_intervals(runner: Runner, staging: Path, name: str) -> list[Path]:
    """The monthly parts of the files, written into `staging/readings`. The rows are made
    unique first (the first reading of a time kept, `copies` counting them) when a time
    repeats within the files: an interval meter's found by one count before the write, a
    counter's by the write itself, which sends such a row to a side folder (then the write is
    made again)."""
    out = staging / "readings"
    backfill = bool(runner.rows("SELECT count(*) FROM firsts WHERE counter IS NOT NULL")[0][0])
    keep_labelled(runner)
    repeated = runner.rows(
        "SELECT count(*) FROM (SELECT meter, t FROM parsed WHERE kind <> 'cumulative' "
        "GROUP BY meter, t HAVING count(*) > 1) AS r"
    )[0][0]
    written: list[Path] = []
    if not repeated:
        runner.view("unique_rows", "SELECT meter, t, v, file, line, 1 AS copies FROM parsed_rows")
        written = runner.write(intervals_sql(runner, "unique_rows", backfill), out, name, True)
    side = out / "year=-1"
    if repeated or side.exists():  # a time repeated within the files: make the rows unique
        shutil.rmtree(out, ignore_errors=True)
        runner.keep(
            "first_rows",
            "SELECT meter, t, v, file, line, copies FROM (SELECT meter, t, v, file, line, "
            "count(*) OVER (PARTITION BY meter, t) AS copies, "
            "row_number() OVER (PARTITION BY meter, t ORDER BY file, line) AS n FROM parsed) AS f "
            "WHERE n = 1",
        )
        written = runner.write(intervals_sql(runner, "first_rows", backfill), out, name, True)
        if side.exists():
            raise AssertionError("rows made unique still repeat a time")  # never: n = 1
    return written


def spans_sql() -> str:
    """Each meter of the files (`meter`) with its first and last time (`first_t`, `last_t`),
    its number of readings and its readings then (`first_v`, `last_v`; of rows repeating that
    time, the first by place): one aggregate pass over `parsed`, then the rows at those
    times."""
    return """
      WITH r AS (
        SELECT meter, min(t) AS first_t, max(t) AS last_t, count(*) AS readings
        FROM parsed GROUP BY meter
      ),
      l AS (
        SELECT meter, v FROM (
          SELECT p.meter, p.v, row_number() OVER (PARTITION BY p.meter
                 ORDER BY p.file, p.line) AS n
          FROM parsed p JOIN r ON r.meter = p.meter AND p.t = r.last_t
        ) AS at_last WHERE n = 1
      ),
      f AS (
        SELECT meter, v FROM (
          SELECT p.meter, p.v, row_number() OVER (PARTITION BY p.meter
                 ORDER BY p.file, p.line) AS n
          FROM parsed p JOIN r ON r.meter = p.meter AND p.t = r.first_t
        ) AS at_first WHERE n = 1
      )
      SELECT r.*, f.v AS first_v, l.v AS last_v FROM r
      LEFT JOIN l ON l.meter = r.meter LEFT JOIN f ON f.meter = r.meter
    """


def registry_sql(runner: Runner) -> str:
    """The files' meters with readings (`file_spans`, `spans_sql`), their first and last time
    (UTC epoch seconds; the first also in microseconds), their number of readings and a
    counter's first and last reading (`io.lake.REGISTRY_COLUMNS`). A counter's last reading is
    kept only when it is newer than the lake's latest (a late repeat of the latest reading
    never replaces it), its first only when older than the lake's first (a backfill: the next
    one chains into it)."""
    return f"""
      SELECT m.meter_id, m.enterprise_id, m.carrier, m.unit, m.kind,
             CAST(m.interval_minutes AS BIGINT) AS interval_minutes,
             CAST(floor({runner.epoch("r.first_t")}) AS BIGINT) AS first_epoch,
             CAST(floor({runner.epoch("r.last_t")}) AS BIGINT) AS last_epoch,
             CAST(r.readings AS BIGINT) AS readings,
             CASE WHEN m.kind = 'cumulative' AND (lt.ts IS NULL OR r.last_t > lt.ts)
                  THEN r.last_v END AS last_counter,
             CAST({runner.micros("r.first_t")} AS BIGINT) AS first_us,
             CASE WHEN m.kind = 'cumulative' AND (ft.ts IS NULL OR r.first_t < ft.ts)
                  THEN r.first_v END AS first_counter
      FROM meters m JOIN file_spans r ON r.meter = m.meter_id
      LEFT JOIN latest lt ON lt.meter_id = m.meter_id
      LEFT JOIN firsts ft ON ft.meter_id = m.meter_id
      ORDER BY m.meter_id
    """


def keep_labelled(runner: Runner) -> None:
    """`labelled`: each meter of the ingest once, with its attributes as the lake's labels
    (ENUMs), joined to the rows by both paths of the ingest."""
    runner.keep(
        "labelled",
        f"SELECT meter_id AS meter, {runner.labels('meter_id', 'meter_id')} AS meter_id, "
        f"{runner.labels('enterprise_id', 'enterprise_id')} AS enterprise_id, "
        f"{runner.labels('carrier', 'carrier')} AS carrier, "
        f"{runner.labels('unit', 'unit')} AS unit, "
        "CAST(interval_minutes AS BIGINT) AS interval_minutes, kind FROM meters",
    )
