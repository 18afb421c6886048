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
folder beyond it, so memory does not grow with the files. The same SQL runs on Spark when an
open Spark engine is given (`io.lake_runners` says where the two differ). The result equals
the pandas reference implementation (`monitoring.readings.to_intervals`): a property test holds
them together.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pandas as pd

from carbonpeak.engine.session import Engine
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.commits import (
    STAGING_PREFIX,
    commit,
    committed,
    fault_point,
    holds,
    locked,
    manifest_path,
    sync,
)
from carbonpeak.io.lake_files import named_damage, read_any, require_rows
from carbonpeak.io.lake_runners import DuckDBRunner, Runner, SparkRunner
from carbonpeak.io.lake_sources import kind_of, scan
from carbonpeak.io.tables import place_problems
from carbonpeak.monitoring.readings import (
    EARLIEST,
    LATEST,
    METER_COLUMNS,
    READING_LIMIT,
    check_meters,
)
from carbonpeak.reference.loader import Reference

Progress = Callable[[str, int, int], None]
"""Told each step as it starts: its name, its number and the number of steps."""
STEPS = ("read", "check", "write", "commit")
PROBLEM_LIMIT = 1000
"""The problems of a file listed at most (then a count of the rest): a file with problems on
every row would otherwise give an error as large as itself."""
CST_HOURS = 8
LOOKBACK_DAYS = 31
"""When files reach into the lake's span, the lake's readings are read from this many days
before their first time: the repeats among them and, for a late counter reading, the stored
reading it continues from (one older than this gives it no interval; it is not counted
anyway). Reading the whole of a meter's history instead ran a live feed's flushes out of
memory."""

_OFFSET = r"[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)$"
_ISO = r"\d{4}-\d{2}-\d{2}([Tt ]\d{2}(:\d{2}(:\d{2}(\.\d{1,9})?)?)?\s*([Zz]|[+-]\d{2}(:?\d{2})?)?)?"


def ingest(
    readings: Path | Sequence[Path],
    meters: Path | pd.DataFrame,
    lake: Path,
    reference: Reference,
    progress: Progress | None = None,
    engine: Engine | None = None,
) -> dict[str, int]:
    """Check readings files (CSV, gzip'd CSV, Parquet, Excel) against their meters (a file,
    or a table with the columns of one) and add them to the lake in one commit; return what
    was written (`readings`, `repeats`, `parts`, `new_parts`). On DuckDB unless an open Spark
    `engine` is given."""
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
    missing = [path for path in paths if not path.is_file()]
    if missing:
        raise InputError([Problem.of(Place(file=str(p)), N_("file not found")) for p in missing])
    with locked(lake), named_damage(lake), ThreadPoolExecutor(1) as reader:
        scanned = reader.submit(_scan, paths, checked)  # the digest and empty lines, meanwhile
        try:
            return _ingest(paths, scanned, checked.assign(row=rows), source, lake, progress, engine)
        finally:
            scanned.cancel()


def _scan(paths: list[Path], meters: pd.DataFrame) -> tuple[str, list[list[int]]]:
    """The name of the files' commit (the digest of their bytes and their meters) and each
    CSV file's empty lines."""
    digest = hashlib.sha256()
    empty_lines = [scan(path, digest) for path in paths]
    # the meters in the order of their ids: the same table, reordered, names the same commit
    digest.update(meters.sort_values("meter_id").to_csv(index=False).encode())
    return digest.hexdigest()[:16], empty_lines


def _ingest(
    paths: list[Path],
    scanned: Future[tuple[str, list[list[int]]]],
    meters: pd.DataFrame,
    source: Path,
    lake: Path,
    progress: Progress | None,
    engine: Engine | None,
) -> dict[str, int]:
    from carbonpeak.io.lake import read_meters  # the registry reader lives with the lake

    tell = progress or (lambda step, number, total: None)
    tell("read", 1, len(STEPS))
    registry = read_meters(lake) if committed(lake).meters else None
    if registry is not None:
        _refuse_other_owners(meters, registry, source)
    with tempfile.TemporaryDirectory(dir=lake, prefix=STAGING_PREFIX) as folder:
        staging = Path(folder)
        runner: Runner = (
            SparkRunner(engine, staging)
            if engine is not None and engine.name == "spark"
            else DuckDBRunner(staging)
        )
        try:
            links = _linked(paths, staging)
            try:
                _parse(runner, meters, links, lambda: scanned.result()[1], paths)
            except InputError as error:  # named by the links: name the files given
                named = {str(link): str(path) for link, path in zip(links, paths, strict=True)}
                raise InputError(
                    [
                        replace(p, place=replace(p.place, file=named.get(p.place.file or "")))
                        if p.place.file in named
                        else p
                        for p in error.problems
                    ]
                ) from None
            name = scanned.result()[0]
            if holds(lake, name):  # these very files are in the lake (perhaps compacted)
                own = _listed(lake, name) if manifest_path(lake, name).exists() else []
                parts = [p for p in own if p.relative_to(lake).parts[0] == "readings"]
                return {"readings": 0, "repeats": 0, "parts": len(parts), "new_parts": 0}
            tell("check", 2, len(STEPS))
            overlap = _check(runner, paths, registry)
            tell("write", 3, len(STEPS))
            _stored(runner, lake, registry, overlap)
            written = _write(runner, staging, name)
            counts = (
                runner.rows(
                    "SELECT count(CASE WHEN counted THEN 1 END), count(*) FROM "
                    + _read_back(runner, written)
                )[0]
                if written  # none when every counter has a single reading and no meter else
                else (0, 0)
            )
            registry_parts = runner.write(_registry_sql(runner), staging / "meters", name, False)
        finally:
            runner.close()
        tell("commit", 4, len(STEPS))
        targets = [lake / p.relative_to(staging) for p in written]
        targets += [lake / "meters" / f"part-{name}.parquet"]
        _commit(lake, name, [*written, *registry_parts], targets)
    counted, total = int(counts[0]), int(counts[1])
    return {
        "readings": counted,
        "repeats": total - counted,
        "parts": len(written),
        "new_parts": len(written),
    }


def _read_back(runner: Runner, files: list[Path]) -> str:
    runner.view_of("written_back", files)
    return "written_back"


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


def _parse_columns(runner: Runner) -> str:
    """The SELECT list that makes a file's text columns (`meter_id, ts, value, said`) into
    `meter`, the UTC time `t` and the number `v` (NULL when blank or unreadable), the texts
    kept only where they could not be read (`raw_ts`, `raw_value`), `said` and `blank` (a row
    of empty cells)."""
    text, number = "trim(CAST(ts AS STRING))", "trim(CAST(value AS STRING))"
    time = (
        f"CASE WHEN {runner.full_match(text, _ISO)} THEN {runner.to_time(text)} - CASE WHEN "
        f"{runner.matches(text, _OFFSET)} THEN INTERVAL 0 HOURS "
        f"ELSE INTERVAL {CST_HOURS} HOURS END END"
    )
    value = runner.to_number(number)
    readable = (
        f"({value} IS NOT NULL AND {runner.is_finite(value)} AND abs({value}) <= {READING_LIMIT})"
    )
    return f"""
        trim(CAST(meter_id AS STRING)) AS meter, {time} AS t, {value} AS v,
        CASE WHEN ({time}) IS NULL OR ({time}) < {runner.from_epoch("0")}
             OR ({time}) >= {runner.from_epoch(str(int(LATEST.timestamp())))}
             THEN CAST(ts AS STRING) END AS raw_ts,
        CASE WHEN NOT {readable} THEN CAST(value AS STRING) END AS raw_value,
        CAST(said AS STRING) AS said,
        (coalesce(trim(CAST(meter_id AS STRING)), '') = '' AND coalesce({text}, '') = ''
         AND coalesce({number}, '') = '') AS blank
    """


def _linked(paths: list[Path], staging: Path) -> list[Path]:
    """Each input linked into the staging folder under a plain name: the readers take a path
    as a pattern (`r[1].csv` would read `r1.csv`, `*` every file), a link's name is none."""
    folder = staging / "inputs"
    folder.mkdir()
    links = []
    for number, path in enumerate(paths):
        kind = kind_of(path)
        suffix = {"parquet": ".parquet", "excel": path.suffix.lower()}.get(kind, ".csv")
        if kind == "csv" and path.suffix.lower() == ".gz":
            suffix = ".csv.gz"
        link = folder / f"input-{number}{suffix}"
        link.symlink_to(path.resolve())
        links.append(link)
    return links


def _parse(
    runner: Runner,
    meters: pd.DataFrame,
    paths: list[Path],
    empty_lines: Callable[[], list[list[int]]],
    named: list[Path],
) -> None:
    """`parsed`: each row of the files with its place, its parsed time and number and its
    meter's `kind` and enterprise (`owner`; both NULL for an unknown meter)."""
    runner.register("meters", meters[list(METER_COLUMNS)])
    runner.stage(paths, empty_lines, _parse_columns(runner))
    runner.view(
        "parsed",
        "SELECT p.*, m.kind, m.enterprise_id AS owner FROM parsed_rows p "
        "LEFT JOIN meters m ON m.meter_id = p.meter",
    )
    count = runner.rows("SELECT count(*) FROM parsed_rows")[0][0]
    if not count:
        shown = named[0] if len(named) == 1 else ", ".join(str(p) for p in named)
        raise InputError(Problem.of(Place(file=str(named[0])), N_("no readings in {}"), shown))


def _problem_conditions(runner: Runner) -> list[tuple[str, str, str, str]]:
    """(column, the condition of a row with the problem, the shown value, its message)."""
    iso = runner.full_match("trim(raw_ts)", _ISO)
    year = "try_cast(left(trim(raw_ts), 4) AS INTEGER)"
    early = f"{runner.from_epoch(str(int(EARLIEST.timestamp())))}"
    late = f"{runner.from_epoch(str(int(LATEST.timestamp())))}"
    outside_years = f"({year} < {EARLIEST.year} OR {year} >= {LATEST.year})"
    return [
        ("meter_id", "kind IS NULL", "meter", N_("unknown meter {!r}")),
        (
            "ts",
            f"t IS NULL AND NOT coalesce({iso} AND {outside_years}, false)",  # a blank too
            "coalesce(raw_ts, '')",
            N_("{!r} is not an ISO 8601 time"),
        ),
        (
            "ts",
            f"coalesce(t < {early} OR t >= {late}, false) "
            f"OR (t IS NULL AND coalesce({iso} AND {outside_years}, false))",
            "raw_ts",
            N_("{!r} is not between {} and {} (UTC)"),
        ),
        (
            "value",
            "v IS NULL AND coalesce(trim(raw_value), '') <> ''",
            "raw_value",
            N_("{!r} is not a number"),
        ),
        (
            "value",
            f"v IS NOT NULL AND NOT {runner.is_finite('v')}",
            "raw_value",
            N_("{!r} is not a finite number"),
        ),
        (
            "value",
            f"{runner.is_finite('v')} AND abs(v) > {READING_LIMIT}",
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


def _check(runner: Runner, paths: list[Path], registry: pd.DataFrame | None) -> bool:
    """Refuse the files when a row has a problem (listing them); else say whether any row
    lies within the lake's span of its meter (then the lake's readings there are read)."""
    conditions = _problem_conditions(runner)
    counted = " + ".join(
        f"CAST(coalesce({condition}, false) AS INTEGER)" for _c, condition, _s, _m in conditions
    )
    found = runner.rows(f"SELECT coalesce(sum({counted}), 0) FROM parsed")[0][0]
    if found:
        raise InputError(_problems(runner, conditions, paths, int(found)))
    if registry is None:
        return False
    spans = registry.dropna(subset=["last_epoch"])[["meter_id", "last_epoch"]]
    runner.register("spans", spans.astype({"last_epoch": "int64"}))
    inside = runner.rows(
        "SELECT count(*) FROM parsed p JOIN spans s ON s.meter_id = p.meter "
        f"WHERE floor({runner.epoch('p.t')}) <= s.last_epoch"  # the registry keeps whole seconds
    )[0][0]
    return bool(inside)


def _problems(
    runner: Runner, conditions: list[tuple[str, str, str, str]], paths: list[Path], count: int
) -> list[Problem]:
    """Every problem of the rows (the first `PROBLEM_LIMIT`), by file, row and column."""
    selects = [
        f"SELECT file, line, {order} AS o, {shown} AS shown, owner, said FROM parsed "
        f"WHERE coalesce({condition}, false)"
        for order, (_column, condition, shown, _m) in enumerate(conditions)
    ]
    rows = runner.rows(
        "SELECT * FROM (" + " UNION ALL ".join(selects) + ") AS found "
        f"ORDER BY file, line, o LIMIT {PROBLEM_LIMIT}"
    )
    limit = (f"{EARLIEST:%Y-%m-%d}", f"{LATEST - pd.Timedelta(seconds=1):%Y-%m-%d}")
    problems = []
    for file, line, order, shown, owner, said in rows:
        column, _condition, _shown, template = conditions[order]
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
                N_("{} more problems are not listed"),
                count - len(rows),
            )
        )
    return problems


def _stored(runner: Runner, lake: Path, registry: pd.DataFrame | None, overlap: bool) -> None:
    """`latest` (each meter's latest time in the lake and a counter's reading then), `seen`
    (the stored times of the files' meters within the files' span) and `anchors` (the reading
    each run of counter rows continues from: the latest for the rows after it, the last
    stored reading before them for late rows). The latest reading comes from the meter
    registry (`last_epoch`, `last_counter`); the lake's parts are read only for a counter
    whose registry lacks its reading (parts written before it was kept) and, when the files
    reach into the lake's span, for the readings there."""
    known = (
        registry.dropna(subset=["last_epoch"])
        if registry is not None
        else pd.DataFrame(columns=["meter_id", "kind", "last_epoch", "last_counter"])
    )
    runner.register(
        "registry_rows",
        known[["meter_id", "kind", "last_epoch", "last_counter"]].astype(
            {"meter_id": str, "kind": str, "last_epoch": "int64", "last_counter": "float64"}
        ),
    )
    candidates = [
        f"SELECT meter_id, {runner.from_epoch('last_epoch')} AS ts, last_counter AS counter "
        "FROM registry_rows WHERE meter_id IN (SELECT meter FROM parsed)"
    ]
    files = committed(lake).readings
    legacy = bool(files) and bool(
        runner.rows(
            "SELECT count(*) FROM registry_rows WHERE kind = 'cumulative' "
            "AND last_counter IS NULL AND meter_id IN (SELECT meter FROM parsed)"
        )[0][0]
    )
    if files and overlap:  # the lake's rows from LOOKBACK_DAYS before the files' first time
        first = runner.rows(f"SELECT floor(min({runner.epoch('t')})) FROM parsed")[0][0]
        since = int(first) - LOOKBACK_DAYS * 86400
        runner.parts("stored_recent", _months_from(files, since, lake))
        runner.keep(
            "stored",
            "SELECT * FROM stored_recent WHERE meter_id IN (SELECT meter FROM parsed) "
            f"AND ts >= {runner.from_epoch(str(since))}",
        )
    if legacy:
        runner.parts("stored_all", files)
    if files and overlap:  # the parts' exact latest times (the registry's are whole seconds)
        candidates.append(
            "SELECT meter_id, ts, counter FROM (SELECT meter_id, ts, counter, row_number() OVER "
            "(PARTITION BY meter_id ORDER BY ts DESC, counter IS NULL) AS n FROM stored) AS s "
            "WHERE n = 1"
        )
    if legacy:  # a counter whose registry lacks its last reading: its latest row in the parts
        candidates.append(
            "SELECT meter_id, ts, counter FROM (SELECT meter_id, ts, counter, row_number() OVER "
            "(PARTITION BY meter_id ORDER BY ts DESC) AS n FROM stored_all WHERE meter_id IN "
            "(SELECT meter_id FROM registry_rows WHERE kind = 'cumulative' AND last_counter IS "
            "NULL)) AS s WHERE n = 1"
        )
    runner.keep(
        "latest",
        "SELECT meter_id, ts, counter FROM (SELECT *, row_number() OVER (PARTITION BY meter_id "
        "ORDER BY ts DESC, counter IS NULL) AS n FROM (" + " UNION ALL ".join(candidates) + ") "
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
            "row_number() OVER (PARTITION BY s.meter_id ORDER BY s.ts DESC) AS n "
            "FROM stored s JOIN (SELECT p.meter, min(p.t) AS first FROM parsed p "
            "JOIN latest l ON l.meter_id = p.meter WHERE p.kind = 'cumulative' "
            "AND p.t <= l.ts GROUP BY p.meter) f ON f.meter = s.meter_id AND s.ts < f.first "
            "WHERE s.counter IS NOT NULL) AS before WHERE n = 1"
        )
    runner.keep("seen", seen)
    runner.keep(
        "anchors",
        "SELECT meter_id, false AS late, ts, counter FROM latest WHERE counter IS NOT NULL "
        f"UNION ALL SELECT meter_id, true AS late, ts, counter FROM ({late_anchors}) AS a",
    )


def _months_from(files: list[Path], since: int, lake: Path) -> list[Path]:
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


def _ceiling(column: str) -> str:
    return f"pow(10, ceil(log10(greatest({column}, 1))))"


def _intervals_sql(runner: Runner, source: str) -> str:
    """The lake's rows of `source` (`meter, t, v, line, copies`): each counter's step from its
    previous reading (or stored anchor), `counted` false for a repeat or a late counter
    reading; a row repeating the time of the one before goes to the side folder (year -1)."""
    ceiling = _ceiling("prev")
    return f"""
    WITH c AS (
      SELECT l.meter_id, l.ts FROM latest l JOIN meters m ON m.meter_id = l.meter_id
      WHERE m.kind = 'cumulative'
    ),
    k AS (
      SELECT r.meter, r.t, r.v, r.file, r.line, r.copies,
             (c.ts IS NOT NULL AND r.t <= c.ts) AS late, false AS anchor
      FROM {source} r LEFT JOIN c ON c.meter_id = r.meter
      UNION ALL
      SELECT meter_id, ts, counter, -1, 0, 1, late, true FROM anchors
    ),
    w AS (
      SELECT *, lag(v) OVER win AS prev, lag(t) OVER win AS before
      FROM k WINDOW win AS (PARTITION BY meter, late ORDER BY t, file, line)
    )
    SELECT {runner.labels("w.meter", "meter_id")} AS meter_id,
           {runner.labels("m.enterprise_id", "enterprise_id")} AS enterprise_id,
           {runner.labels("m.carrier", "carrier")} AS carrier,
           {runner.labels("m.unit", "unit")} AS unit,
           CAST(m.interval_minutes AS BIGINT) AS interval_minutes, w.t AS ts,
           CASE WHEN m.kind <> 'cumulative' THEN w.v
                WHEN w.v - prev < 0 AND prev >= 0.9 * {ceiling} THEN {ceiling} - prev + w.v
                WHEN w.v - prev < 0 THEN w.v
                ELSE w.v - prev END AS value,
           CASE WHEN m.kind = 'cumulative' THEN w.v END AS counter,
           CAST(w.copies AS INTEGER) AS copies,
           CASE WHEN m.kind = 'cumulative' THEN NOT w.late ELSE s.ts IS NULL END AS counted,
           CASE WHEN before = w.t THEN -1 ELSE {runner.year("w.t")} END AS year,
           lpad(CAST({runner.month("w.t")} AS STRING), 2, '0') AS month
    FROM w JOIN meters m ON m.meter_id = w.meter
    LEFT JOIN seen s ON s.meter_id = w.meter AND s.ts = w.t AND m.kind <> 'cumulative'
    WHERE NOT w.anchor AND NOT (m.kind = 'cumulative' AND w.before IS NULL)
    """


def _write(runner: Runner, staging: Path, name: str) -> list[Path]:
    """The monthly parts of the files, written into `staging/readings`."""
    out = staging / "readings"
    runner.keep("unique_rows", "SELECT meter, t, v, file, line, 1 AS copies FROM parsed")
    written = runner.write(_intervals_sql(runner, "unique_rows"), out, name, True)
    side = out / "year=-1"
    if side.exists():  # a time repeated within the files: make the rows unique first
        shutil.rmtree(out)
        runner.keep(
            "first_rows",
            "SELECT meter, t, v, file, line, copies FROM (SELECT meter, t, v, file, line, "
            "count(*) OVER (PARTITION BY meter, t) AS copies, "
            "row_number() OVER (PARTITION BY meter, t ORDER BY file, line) AS n FROM parsed) AS f "
            "WHERE n = 1",
        )
        written = runner.write(_intervals_sql(runner, "first_rows"), out, name, True)
        if side.exists():
            raise AssertionError("rows made unique still repeat a time")  # never: n = 1
    return written


def _registry_sql(runner: Runner) -> str:
    """The files' meters with readings, their first and last time (UTC epoch seconds), their
    number of readings and a counter's last reading (`io.lake.REGISTRY_COLUMNS`): one
    aggregate pass, then the rows at each meter's last time (the first of them by place). A
    counter's reading is kept only when it is newer than the lake's latest: a late repeat of
    the latest reading never replaces it."""
    return f"""
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
      )
      SELECT m.meter_id, m.enterprise_id, m.carrier, m.unit, m.kind,
             CAST(m.interval_minutes AS BIGINT) AS interval_minutes,
             CAST(floor({runner.epoch("r.first_t")}) AS BIGINT) AS first_epoch,
             CAST(floor({runner.epoch("r.last_t")}) AS BIGINT) AS last_epoch, r.readings,
             CASE WHEN m.kind = 'cumulative' AND (lt.ts IS NULL OR r.last_t > lt.ts)
                  THEN l.v END AS last_counter
      FROM meters m JOIN r ON r.meter = m.meter_id LEFT JOIN l ON l.meter = m.meter_id
      LEFT JOIN latest lt ON lt.meter_id = m.meter_id
      ORDER BY m.meter_id
    """


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
