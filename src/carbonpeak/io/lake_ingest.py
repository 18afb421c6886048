"""The lake's ingest, in SQL on DuckDB: files of readings checked and added to the lake in one
commit, at the speed of DuckDB's own reader and writer and in bounded memory.

The steps (the lake's rules are in `carbonpeak.io.lake`):

1. the meters are checked (`monitoring.readings.check_meters`); the digest of the files' bytes
   and the meters names the commit, so the same files twice write nothing (`lake_sources`);
2. with the lake locked, every row is staged as text (`lake_sources.stage`) and parsed: the
   time (ISO 8601; without an offset it is China Standard Time), the value;
3. one pass counts the rows with a problem; only when there is one are the problems listed,
   each by file, row and column (the first `PROBLEM_LIMIT`), and nothing is written;
4. what the lake already holds for these meters is read from the monthly parts that can hold
   it: each meter's latest reading (a counter continues from it) and, when the files reach back
   into the lake's span, the readings there (repeats, late counter readings);
5. one window over the rows, by meter and time, gives each counter's interval value (resets and
   rollovers as `monitoring.readings` says) and marks repeats; it is written by DuckDB's
   partitioned COPY into the staging folder. A repeated timestamp within the files (rare) is
   sent to a side folder by the same pass; when there is one, the pass is made again on the
   rows made unique first (the first reading of a timestamp kept, `copies` counting them);
6. the parts are moved into the lake and committed (`carbonpeak.io.commits`).

DuckDB runs in a database of its own with `CARBONPEAK_INGEST_MEMORY`, spilling into the staging
folder beyond it, so memory does not grow with the files. The result equals the pandas
reference implementation (`monitoring.readings.to_intervals`): a property test holds them
together.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.commits import (
    STAGING_PREFIX,
    commit,
    committed,
    fault_point,
    locked,
    manifest_path,
    sync,
)
from carbonpeak.io.lake_files import named_damage, read_any, require_rows
from carbonpeak.io.lake_sources import renumber, scan, stage
from carbonpeak.io.tables import place_problems
from carbonpeak.monitoring.readings import (
    EARLIEST,
    LATEST,
    METER_COLUMNS,
    READING_LIMIT,
    check_meters,
)
from carbonpeak.reference.loader import Reference
from carbonpeak.settings import settings

Progress = Callable[[str, int, int], None]
"""Told each step as it starts: its name, its number and the number of steps."""
STEPS = ("read", "check", "write", "commit")
PROBLEM_LIMIT = 1000
"""The problems of a file listed at most (then a count of the rest): a file with problems on
every row would otherwise give an error as large as itself."""
CST_HOURS = 8

_OFFSET = r"[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)$"
_ISO = r"\d{4}-\d{2}-\d{2}([Tt ]\d{2}(:\d{2}(:\d{2}(\.\d{1,9})?)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)?)?"


def ingest(
    readings: Path | Sequence[Path],
    meters: Path | pd.DataFrame,
    lake: Path,
    reference: Reference,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Check readings files (CSV, gzip'd CSV, Parquet, Excel) against their meters (a file,
    or a table with the columns of one) and add them to the lake in one commit; return what
    was written (`readings`, `repeats`, `parts`, `new_parts`)."""
    paths = [readings] if isinstance(readings, Path) else list(readings)
    if not paths:
        raise InputError(Problem.of(Place(), N_("no readings files given")))
    source = meters if isinstance(meters, Path) else Path("meters")
    table = read_any(meters, "meters") if isinstance(meters, Path) else meters.copy()
    require_rows(table, source, N_("no meters in {}"))
    checked, problems = check_meters(table, reference)
    if problems:
        raise InputError(place_problems(problems, source, "meters"))
    rows = checked["row"].tolist()
    checked = checked[list(METER_COLUMNS)].reset_index(drop=True)
    digest = hashlib.sha256()
    empty_lines = [scan(path, digest) for path in paths]
    digest.update(checked.to_csv(index=False).encode())
    name = digest.hexdigest()[:16]
    with locked(lake), named_damage(lake):
        return _ingest(paths, empty_lines, checked.assign(row=rows), source, lake, name, progress)


def _connect(staging: Path) -> duckdb.DuckDBPyConnection:
    configured = settings()
    connection = duckdb.connect(
        ":memory:",
        config={
            "memory_limit": configured.ingest_memory,
            "temp_directory": str(staging / "spill"),
            **({"threads": configured.threads} if configured.threads else {}),
        },
    )
    connection.execute("SET TimeZone = 'UTC'")
    return connection


def _ingest(
    paths: list[Path],
    empty_lines: list[list[int]],
    meters: pd.DataFrame,
    source: Path,
    lake: Path,
    name: str,
    progress: Progress | None,
) -> dict[str, int]:
    from carbonpeak.io.lake import read_meters  # the registry reader lives with the lake

    tell = progress or (lambda step, number, total: None)
    registry = read_meters(lake) if committed(lake).meters else None
    if registry is not None:
        _refuse_other_owners(meters, registry, source)
    if manifest_path(lake, name).exists():  # these very files are in the lake
        parts = [p for p in _listed(lake, name) if p.relative_to(lake).parts[0] == "readings"]
        return {"readings": 0, "repeats": 0, "parts": len(parts), "new_parts": 0}
    with tempfile.TemporaryDirectory(dir=lake, prefix=STAGING_PREFIX) as folder:
        staging = Path(folder)
        connection = _connect(staging)
        try:
            tell("read", 1, len(STEPS))
            stage(connection, paths)
            for number, empty in enumerate(empty_lines):
                if empty:
                    renumber(connection, number, empty)
            _parse(connection, meters, paths)
            tell("check", 2, len(STEPS))
            overlap = _check(connection, paths, registry)
            tell("write", 3, len(STEPS))
            _stored(connection, lake, overlap)
            written = _write(connection, staging, name)
            counts = connection.execute(
                "SELECT count(*) FILTER (WHERE counted), count(*) FROM read_parquet(?)",
                [[str(p) for p in written]],
            ).fetchall()[0]
            _write_registry(connection, staging / "meters.parquet")
        finally:
            connection.close()
        tell("commit", 4, len(STEPS))
        targets = [lake / p.relative_to(staging) for p in written]
        targets.append(lake / "meters" / f"part-{name}.parquet")
        _commit(lake, name, [*written, staging / "meters.parquet"], targets)
    counted, total = (int(counts[0]), int(counts[1])) if counts else (0, 0)
    return {
        "readings": counted,
        "repeats": total - counted,
        "parts": len(written),
        "new_parts": len(written),
    }


def _listed(lake: Path, name: str) -> list[Path]:
    import json

    entry = json.loads(manifest_path(lake, name).read_text(encoding="utf-8"))
    return [lake / str(p) for p in entry["parts"]]


def _refuse_other_owners(meters: pd.DataFrame, registry: pd.DataFrame, source: Path) -> None:
    owners = registry[["meter_id", "enterprise_id"]]
    known = meters.merge(owners, on="meter_id", suffixes=("", "_stored"))
    other = known[known["enterprise_id"] != known["enterprise_id_stored"]]
    problems = [
        Problem.of(
            Place(row=int(row), column="enterprise_id"),
            N_("meter {!r} is in the lake for enterprise {}"),
            meter,
            owner,
        )
        for row, meter, owner in zip(
            other["row"], other["meter_id"], other["enterprise_id_stored"], strict=True
        )
    ]
    if problems:
        raise InputError(place_problems(problems, source, "meters"))


def _parse(connection: duckdb.DuckDBPyConnection, meters: pd.DataFrame, paths: list[Path]) -> None:
    """`parsed`: each staged row with its UTC time `t` and number `v` (NULL when blank or
    unreadable) and its meter's `kind` (NULL for an unknown meter)."""
    connection.register("meter_table", meters[list(METER_COLUMNS)])
    connection.execute("CREATE TABLE meters AS SELECT * FROM meter_table")
    connection.unregister("meter_table")
    rows = connection.execute("SELECT count(*) FROM staged").fetchall()[0]
    if not rows or not rows[0]:
        shown = paths[0] if len(paths) == 1 else ", ".join(str(p) for p in paths)
        raise InputError(Problem.of(Place(file=str(paths[0])), N_("no readings in {}"), shown))
    connection.execute(
        f"""
        CREATE TABLE parsed AS
        SELECT s.file, s.line, s.meter, s.said, m.kind, m.enterprise_id AS owner,
               s.ts AS raw_ts, s.value AS raw_value,
               CASE WHEN regexp_full_match(trim(s.ts), '{_ISO}')
                    THEN TRY_CAST(trim(s.ts) AS TIMESTAMPTZ)
                         - CASE WHEN regexp_matches(trim(s.ts), '{_OFFSET}')
                                THEN INTERVAL 0 HOUR ELSE INTERVAL {CST_HOURS} HOUR END
               END AS t,
               TRY_CAST(trim(s.value) AS DOUBLE) AS v
        FROM staged s LEFT JOIN meters m ON m.meter_id = s.meter
        """
    )
    connection.execute("DROP TABLE staged")


_EARLY, _LATE = f"TIMESTAMPTZ '{EARLIEST.isoformat()}'", f"TIMESTAMPTZ '{LATEST.isoformat()}'"
_PROBLEMS: list[tuple[str, str, str, str]] = [
    # (column, the condition of a row with the problem, the shown value, its message)
    ("meter_id", "kind IS NULL", "meter", N_("unknown meter {!r}")),
    (
        "ts",
        f"t IS NULL AND NOT (regexp_full_match(trim(raw_ts), '{_ISO}') "
        "AND TRY_CAST(left(trim(raw_ts), 4) AS INTEGER) NOT BETWEEN 1970 AND 2199)",
        "raw_ts",
        N_("{!r} is not an ISO 8601 time"),
    ),
    (
        "ts",
        f"(t < {_EARLY} OR t >= {_LATE}) OR (t IS NULL AND regexp_full_match(trim(raw_ts), "
        f"'{_ISO}') AND TRY_CAST(left(trim(raw_ts), 4) AS INTEGER) NOT BETWEEN 1970 AND 2199)",
        "raw_ts",
        N_("{!r} is not between {} and {} (UTC)"),
    ),
    (
        "value",
        "v IS NULL AND coalesce(trim(raw_value), '') <> ''",
        "raw_value",
        N_("{!r} is not a number"),
    ),
    ("value", "v IS NOT NULL AND NOT isfinite(v)", "raw_value", N_("{!r} is not a finite number")),
    (
        "value",
        f"isfinite(v) AND abs(v) > {READING_LIMIT}",
        "raw_value",
        N_("{!r} is beyond any meter's reading (at most {} in magnitude)"),
    ),
    (
        "enterprise_id",
        "coalesce(trim(said), '') <> '' AND owner IS NOT NULL AND trim(said) <> owner",
        "said",
        N_("meter {!r} belongs to enterprise {}, not {}"),
    ),
]


def _check(
    connection: duckdb.DuckDBPyConnection, paths: list[Path], registry: pd.DataFrame | None
) -> bool:
    """Refuse the files when a row has a problem (listing them); else say whether any row
    lies within the lake's span of its meter (then the lake's readings there are read)."""
    any_problem = " OR ".join(f"({condition})" for _c, condition, _s, _m in _PROBLEMS)
    found = connection.execute(f"SELECT count(*) FROM parsed WHERE {any_problem}").fetchall()[0]
    if found and found[0]:
        raise InputError(_problems(connection, paths, int(found[0])))
    if registry is None:
        return False
    spans = registry.dropna(subset=["last_epoch"])[["meter_id", "last_epoch"]]
    connection.register("spans", spans)
    inside = connection.execute(
        "SELECT count(*) FROM parsed p JOIN spans s ON s.meter_id = p.meter "
        "WHERE epoch(p.t) <= s.last_epoch"
    ).fetchall()[0]
    return bool(inside and inside[0])


def _problems(
    connection: duckdb.DuckDBPyConnection, paths: list[Path], count: int
) -> list[Problem]:
    """Every problem of the rows (the first `PROBLEM_LIMIT`), by file, row and column."""
    selects = [
        f"SELECT file, line, {order} AS o, {shown} AS shown, owner, said FROM parsed "
        f"WHERE {condition}"
        for order, (_column, condition, shown, _m) in enumerate(_PROBLEMS)
    ]
    rows = connection.execute(
        "SELECT * FROM (" + " UNION ALL ".join(selects) + ") "
        f"ORDER BY file, line, o LIMIT {PROBLEM_LIMIT}"
    ).fetchall()
    limit = (f"{EARLIEST:%Y-%m-%d}", f"{LATEST - pd.Timedelta(seconds=1):%Y-%m-%d}")
    problems = []
    for file, line, order, shown, owner, said in rows:
        column, _condition, _shown, template = _PROBLEMS[order]
        extra: tuple[object, ...] = ()
        if template.startswith("{!r} is not between"):
            extra = limit
        elif template.startswith("{!r} is beyond"):
            extra = (f"{READING_LIMIT:g}",)
        elif column == "enterprise_id":
            extra = (owner, str(said).strip())
        place = Place(file=str(paths[file]), row=int(line), column=column)
        problems.append(Problem.of(place, template, shown, *extra))
    if count > len(rows):
        problems.append(
            Problem.of(
                Place(file=str(paths[0])),
                N_("{} more rows with a problem are not listed"),
                count - len(rows),
            )
        )
    return problems


def _stored(connection: duckdb.DuckDBPyConnection, lake: Path, overlap: bool) -> None:
    """`latest` (each counter's latest stored reading), `seen` (the stored times of the file's
    meters within the files' span) and `anchors` (the stored reading each run of counter rows
    continues from), from the lake's committed parts that can hold them."""
    connection.execute("CREATE TABLE latest (meter_id VARCHAR, ts TIMESTAMPTZ, counter DOUBLE)")
    connection.execute("CREATE TABLE seen (meter_id VARCHAR, ts TIMESTAMPTZ)")
    connection.execute(
        "CREATE TABLE anchors (meter_id VARCHAR, late BOOLEAN, ts TIMESTAMPTZ, counter DOUBLE)"
    )
    parts = committed(lake).readings
    if not parts:
        return
    listed = "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in parts) + "]"
    connection.execute(
        "CREATE TEMP VIEW stored AS SELECT meter_id, ts, counter FROM read_parquet("
        f"{listed}, union_by_name = true) WHERE meter_id IN (SELECT DISTINCT meter FROM parsed)"
    )
    connection.execute(
        "INSERT INTO latest SELECT meter_id, max(ts), arg_max(counter, ts) FROM stored "
        "GROUP BY meter_id"
    )
    if overlap:
        connection.execute(
            "INSERT INTO seen SELECT DISTINCT s.meter_id, s.ts FROM stored s "
            "JOIN (SELECT meter, min(t) AS first FROM parsed GROUP BY meter) f "
            "ON f.meter = s.meter_id AND s.ts >= f.first"
        )
        connection.execute(
            "INSERT INTO anchors SELECT s.meter_id, true, max(s.ts), arg_max(s.counter, s.ts) "
            "FROM stored s JOIN (SELECT p.meter, min(p.t) AS first FROM parsed p "
            "JOIN latest l ON l.meter_id = p.meter WHERE p.kind = 'cumulative' "
            "AND p.t <= l.ts GROUP BY p.meter) f ON f.meter = s.meter_id AND s.ts < f.first "
            "WHERE s.counter IS NOT NULL GROUP BY s.meter_id"
        )
    connection.execute(
        "INSERT INTO anchors SELECT meter_id, false, ts, counter FROM latest "
        "WHERE counter IS NOT NULL"
    )


def _ceiling(column: str) -> str:
    return f"pow(10, ceil(log10(greatest({column}, 1))))"


def _intervals_sql(source: str) -> str:
    """The lake's rows of `source` (`meter, t, v, line, copies`): each counter's step from its
    previous reading (or stored anchor), `counted` false for a repeat or a late counter
    reading; a row repeating the time of the one before goes to the side folder (year -1)."""
    ceiling = _ceiling("prev")
    return f"""
    WITH k AS (
      SELECT r.meter, r.t, r.v, r.line, r.copies, m.kind,
             (m.kind = 'cumulative' AND l.ts IS NOT NULL AND r.t <= l.ts) AS late,
             false AS anchor
      FROM {source} r JOIN meters m ON m.meter_id = r.meter
      LEFT JOIN latest l ON l.meter_id = r.meter
      UNION ALL
      SELECT meter_id, ts, counter, 0, 1, 'cumulative', late, true FROM anchors
    ),
    w AS (
      SELECT *, lag(v) OVER win AS prev, lag(t) OVER win AS before, row_number() OVER win AS n
      FROM k WINDOW win AS (PARTITION BY meter, late ORDER BY t, line)
    )
    SELECT w.meter AS meter_id, m.enterprise_id, m.carrier, m.unit,
           CAST(m.interval_minutes AS BIGINT) AS interval_minutes, w.t AS ts,
           CASE WHEN w.kind <> 'cumulative' THEN w.v
                WHEN w.v - prev < 0 AND prev >= 0.9 * {ceiling} THEN {ceiling} - prev + w.v
                WHEN w.v - prev < 0 THEN w.v
                ELSE w.v - prev END AS value,
           CASE WHEN w.kind = 'cumulative' THEN w.v END AS counter,
           CAST(w.copies AS INTEGER) AS copies,
           CASE WHEN w.kind = 'cumulative' THEN NOT w.late ELSE s.ts IS NULL END AS counted,
           CASE WHEN before = w.t THEN -1
                ELSE CAST(date_part('year', make_timestamp(epoch_us(w.t))) AS INTEGER) END
             AS year,
           lpad(CAST(date_part('month', make_timestamp(epoch_us(w.t))) AS VARCHAR), 2, '0')
             AS month
    FROM w JOIN meters m ON m.meter_id = w.meter
    LEFT JOIN seen s ON s.meter_id = w.meter AND s.ts = w.t AND w.kind <> 'cumulative'
    WHERE NOT w.anchor AND NOT (w.kind = 'cumulative' AND w.n = 1)
    """


def _write(connection: duckdb.DuckDBPyConnection, staging: Path, name: str) -> list[Path]:
    """The monthly parts of the files, written into `staging/readings`."""
    connection.execute("SET preserve_insertion_order = false")
    connection.execute(
        "CREATE TEMP VIEW unique_rows AS SELECT meter, t, v, line, 1 AS copies FROM parsed"
    )
    out = staging / "readings"
    _copy(connection, _intervals_sql("unique_rows"), out, name)
    side = out / "year=-1"
    if side.exists():  # a time repeated within the files: make the rows unique first
        shutil.rmtree(out)
        connection.execute(
            "CREATE TABLE first_rows AS SELECT meter, t, arg_min(v, line) AS v, "
            "min(line) AS line, count(*) AS copies FROM parsed GROUP BY meter, t"
        )
        _copy(connection, _intervals_sql("first_rows"), out, name)
        if side.exists():
            raise AssertionError("rows made unique still repeat a time")  # never: GROUP BY
    return sorted(out.rglob("*.parquet"))


def _copy(connection: duckdb.DuckDBPyConnection, sql: str, out: Path, name: str) -> None:
    target = "'" + str(out).replace("'", "''") + "'"
    connection.execute(
        f"COPY ({sql}) TO {target} (FORMAT parquet, PARTITION_BY (year, month), "
        f"FILENAME_PATTERN 'part-{name}-{{i}}', OVERWRITE_OR_IGNORE)"
    )


def _write_registry(connection: duckdb.DuckDBPyConnection, target: Path) -> None:
    """The files' meters with readings, their first and last time (UTC epoch seconds) and
    their number of readings (`io.lake.REGISTRY_COLUMNS`)."""
    quoted = "'" + str(target).replace("'", "''") + "'"
    connection.execute(
        f"""
        COPY (
          SELECT m.meter_id, m.enterprise_id, m.carrier, m.unit, m.kind,
                 CAST(m.interval_minutes AS BIGINT) AS interval_minutes,
                 r.first_epoch, r.last_epoch, r.readings
          FROM meters m JOIN (
            SELECT meter, CAST(min(epoch(t)) AS BIGINT) AS first_epoch,
                   CAST(max(epoch(t)) AS BIGINT) AS last_epoch, count(*) AS readings
            FROM parsed GROUP BY meter) r ON r.meter = m.meter_id
          ORDER BY m.meter_id
        ) TO {quoted} (FORMAT parquet)
        """
    )


def _commit(lake: Path, name: str, staged: list[Path], targets: list[Path]) -> None:
    """Move the staged parts into the lake and commit them (the protocol of `io.commits`)."""
    for part in staged:
        sync(part)
    fault_point("staged")
    for number, (part, target) in enumerate(zip(staged, targets, strict=True)):
        target.parent.mkdir(parents=True, exist_ok=True)
        part.replace(target)
        if number == 0:
            fault_point("moved-one")
    for folder in {target.parent for target in targets}:
        sync(folder)
    fault_point("moved")
    commit(lake, name, targets)
    fault_point("committed")
