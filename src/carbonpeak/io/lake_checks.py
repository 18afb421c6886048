"""The checks of a lake ingest's rows, in SQL (DuckDB or Spark, `io.lake_runners`): the text
cells of the staged files parsed into a meter, a UTC time and a number (`parse_columns`), and
every row's problems counted in one pass and, only when there is one, listed by file, row and
column (`check`).

A time is ISO 8601 (`ISO`): with an offset it is that instant; without one, and a date alone
(midnight), it is China Standard Time, as `monitoring.readings.utc_times` reads it. A value is a
decimal number (`NUMBER`), checked by the same pattern on both engines before the cast, so the
two accept the same files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.io.lake_runners import Runner
from carbonpeak.monitoring.readings import EARLIEST, LATEST, OFFSET_PATTERN, READING_LIMIT

PROBLEM_LIMIT = 1000
"""The problems of a file listed at most (then a count of the rest): a file with problems on
every row would otherwise give an error as large as itself."""
CST_HOURS = 8
OFFSET = OFFSET_PATTERN
ISO = (
    r"\d{4}-\d{2}-\d{2}([T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?"
    r"(Z|[+-](0\d|1[0-4])(:?[0-5]\d)?)?)?"
)
"""The times both engines read alike: a date, or a date and a time of day (hours 00-23, to the
minute or second, a fraction to the nanosecond, read to the microsecond), with an offset or
none; no space before the offset (DuckDB cannot read it), no hour alone. (Spark's runner
completes `00:45+08:00` and `+08`, which its cast cannot read.)"""
ISO_WITH_OFFSET = (
    r"\d{4}-\d{2}-\d{2}[T ]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?"
    r"(Z|[+-](0\d|1[0-4])(:?[0-5]\d)?)"
)
"""`ISO` with its offset: a text that matches it whole matches `ISO` and `OFFSET` and has no
space to trim, so its time is the cast of the text itself (the common form, parsed without
the trim and the second pattern: `time_sql`)."""
NUMBER = r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?"
"""A decimal number, the text each engine's cast reads alike (`5d`, `0x10`, `1_000` are none)."""
NOT_FINITE = {"inf": "Infinity", "infinity": "Infinity", "nan": "NaN"}
"""The words of the numbers that are not finite, reported as such (not as "not a number")."""


def time_sql(runner: Runner, column: str, fast: bool = True) -> str:
    """The UTC time of a text `column` (NULL when it is not `ISO`): without an offset, and a
    date alone, China Standard Time. `fast`: the common forms first (a text that matches a
    pattern whole has no space to trim, and one that matches `ISO_WITH_OFFSET` carries its
    offset); any other text is trimmed and read as without, so the times are the same, only
    the usual rows take one pattern and a cast (a test holds the two together)."""
    raw, text = f"CAST({column} AS STRING)", f"trim(CAST({column} AS STRING))"
    slow = (
        f"WHEN {runner.full_match(text, ISO)} THEN {runner.to_time(text)} - CASE WHEN "
        f"{runner.matches(text, OFFSET)} THEN INTERVAL 0 HOURS "
        f"ELSE INTERVAL {CST_HOURS} HOURS END"
    )
    if not fast:
        return f"CASE {slow} END"
    return (
        f"CASE WHEN {runner.full_match(raw, ISO_WITH_OFFSET)} THEN {runner.to_time(raw)} "
        f"WHEN {runner.full_match(raw, ISO)} THEN {runner.to_time(raw)} "
        f"- INTERVAL {CST_HOURS} HOURS {slow} END"
    )


def number_sql(runner: Runner, column: str, fast: bool = True) -> str:
    """The number of a text `column` (NULL when it is none), `NOT_FINITE` words included.
    `fast`: a text that is a `NUMBER` whole (no space to trim) is cast as it is."""
    raw, number = f"CAST({column} AS STRING)", f"trim(CAST({column} AS STRING))"
    words = " ".join(
        f"WHEN lower({number}) IN ('{word}', '+{word}') THEN CAST('{name}' AS DOUBLE) "
        f"WHEN lower({number}) = '-{word}' THEN -CAST('{name}' AS DOUBLE)"
        for word, name in NOT_FINITE.items()
    )
    first = f"WHEN {runner.full_match(raw, NUMBER)} THEN {runner.to_number(raw)} " if fast else ""
    return (
        f"(CASE {first}WHEN {runner.full_match(number, NUMBER)} THEN {runner.to_number(number)} "
        f"{words} END)"
    )


def parse_columns(runner: Runner) -> str:
    """The SELECT list that makes a file's text columns (`meter_id, ts, value, said`) into
    `meter`, the UTC time `t` and the number `v` (NULL when blank or unreadable), the texts
    kept only where they could not be read (`raw_ts`, `raw_value`), `said` and `blank` (a row
    of empty cells)."""
    text, number = "trim(CAST(ts AS STRING))", "trim(CAST(value AS STRING))"
    time, value = time_sql(runner, "ts"), number_sql(runner, "value")
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
        (CASE WHEN coalesce(trim(CAST(meter_id AS STRING)), '') <> '' THEN false
              ELSE coalesce({text}, '') = '' AND coalesce({number}, '') = '' END) AS blank
    """


def problem_conditions(runner: Runner) -> list[tuple[str, str, str, str]]:
    """(column, the condition of a row with the problem, the shown value, its message)."""
    iso = runner.full_match("trim(raw_ts)", ISO)
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


def check(runner: Runner, paths: list[Path], registry: pd.DataFrame | None) -> bool:
    """Refuse the files when a row has a problem (listing them); else say whether any row
    lies within the lake's span of its meter (then the lake's readings there are read)."""
    conditions = problem_conditions(runner)
    counted = " + ".join(
        f"CAST(coalesce({condition}, false) AS INTEGER)" for _c, condition, _s, _m in conditions
    )
    found = runner.rows(f"SELECT coalesce(sum({counted}), 0) FROM parsed")[0][0]
    if found:
        raise InputError(problems_of(runner, conditions, paths, int(found)))
    if registry is None:
        return False
    spans = registry.dropna(subset=["last_epoch"])[["meter_id", "last_epoch"]]
    runner.register("spans", spans.astype({"last_epoch": "int64"}))
    inside = runner.rows(
        "SELECT count(*) FROM parsed p JOIN spans s ON s.meter_id = p.meter "
        f"WHERE floor({runner.epoch('p.t')}) <= s.last_epoch"  # the registry keeps whole seconds
    )[0][0]
    return bool(inside)


def problems_of(
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
