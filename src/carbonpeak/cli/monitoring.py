"""`carbonpeak monitoring` (alias `monitor`): the lake of meter readings and daily drivers, data
quality, energy roll-ups, anomalies and energy baselines (EnPI)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from carbonpeak.cli._compact import compact
from carbonpeak.cli._enpi import enpi
from carbonpeak.cli._ingest import ingest
from carbonpeak.cli._kit import (
    Alias,
    JsonOption,
    choice,
    day,
    fail,
    names,
    out,
    placed,
    print_json,
    renamed,
    suffix,
    table,
    warn_lines,
)
from carbonpeak.cli._status import status

if TYPE_CHECKING:
    from carbonpeak.engine.session import Engine

app = typer.Typer(
    name="monitoring",
    help="Metered energy: the lake of readings (also: monitor).",
    no_args_is_help=True,
)
app.command("enpi")(enpi)
app.command("ingest")(ingest)
app.command("status")(status)
app.command("compact")(compact)
ALIASES = (Alias(("monitor",), app),)

EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="duckdb (in process, the default) or spark; else $CARBONPEAK_ENGINE.",
    ),
]
LakeOption = Annotated[Path, typer.Option("--lake", help="The lake folder.")]
FromOption = Annotated[
    str | None, typer.Option("--from", help="First China Standard Time day (YYYY-MM-DD).")
]
ToOption = Annotated[
    str | None, typer.Option("--to", help="Last China Standard Time day (YYYY-MM-DD).")
]


def _days(start: str | None, end: str | None) -> tuple[date | None, date | None]:
    """--from and --to as days, within the times a reading can have (`EARLIEST`..`LATEST` of
    `carbonpeak.monitoring.readings`)."""
    from carbonpeak.monitoring.readings import EARLIEST, LATEST

    first, last = EARLIEST.date(), LATEST.date() - timedelta(days=1)
    chosen = day(start, "--from"), day(end, "--to")
    for option, text, value in zip(("--from", "--to"), (start, end), chosen, strict=True):
        if value is not None and not first <= value <= last:
            fail(f"{option} {text}: give a day from {first} to {last}")
    return chosen


@contextmanager
def _engine(name: str | None, lake: Path) -> Iterator[Engine]:
    """The DataFrame engine of a command on `lake`, stopped when it ends; a failure on a
    damaged part of the lake names the part (exit 2)."""
    from carbonpeak.engine.session import open_engine
    from carbonpeak.io.lake_files import named_damage

    engine = open_engine(name)
    try:
        with named_damage(lake):
            yield engine
    finally:
        engine.stop()


@app.command("meters-template")
def meters_template(
    path: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
) -> None:
    """Write the meters registry workbook (Chinese headers with their codes, drop-downs for
    the carrier and the kind, a help sheet, an example meter); `monitoring ingest --meters`
    reads it, by its Chinese or English headers."""
    from carbonpeak.io.meter_sheet import TITLE, write_meters_template
    from carbonpeak.reference.loader import default_reference

    if path.suffix.lower() != ".xlsx":
        fail(f"{path}: the template is an Excel workbook, name it *.xlsx")
    write_meters_template(path, default_reference())
    out.print(f"Written {path}: fill sheet {TITLE}, one meter a row")


@app.command("flush")
def flush(
    lake: Annotated[
        Path | None, typer.Option("--lake", help="The lake folder (default: $CARBONPEAK_LAKE).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Move the meter readings posted to the API (landed, not yet in the lake) into the lake,
    a commit for each 1,000 batches, as the server does every CARBONPEAK_FLUSH_SECONDS; a
    flush that died is completed, never counted twice."""
    from carbonpeak.services.monitoring_feed import flush_in_store

    done = flush_in_store(lake)
    if as_json:
        print_json(done)
        return
    if not done["batches"]:
        out.print("no landed batches: nothing to flush")
        return
    out.print(
        f"{done['batches']} batch(es) flushed: {done['readings']} interval readings and "
        f"{done['repeats']} repeat(s), {done['new_parts']} new part(s)"
    )


@app.command("drivers")
def drivers(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="DRIVERS", help="Daily drivers: enterprise_id, day and numeric columns."
        ),
    ],
    lake: LakeOption,
    as_json: JsonOption = False,
) -> None:
    """Add daily drivers of energy (production, temperature, ...) to the lake; a later file's
    value of an enterprise, day and driver replaces an earlier one."""
    from carbonpeak.io.lake import ingest_drivers
    from carbonpeak.reference.loader import default_reference

    written = ingest_drivers(path, lake, default_reference())
    if as_json:
        print_json(written)
        return
    if not written["new_parts"]:
        out.print(f"{path} is already in the lake: nothing written")
        return
    out.print(f"{written['rows']} driver values written")


@app.command("quality")
def quality(
    lake: LakeOption,
    start: FromOption = None,
    end: ToOption = None,
    monthly: Annotated[
        Path | None,
        typer.Option(
            "--monthly", help="Reported monthly totals: meter_id, month (YYYY-MM), value."
        ),
    ] = None,
    engine_name: EngineOption = None,
    as_json: JsonOption = False,
) -> None:
    """Data quality per meter over a window of days, after the national online-monitoring
    rules: completeness (>= 90 % a day passes), duplicates, gaps, negative values, spikes,
    and daily against reported monthly totals (within 5 %)."""
    from carbonpeak.io.lake import read_any, read_lake, read_meters
    from carbonpeak.monitoring.quality import QualityRules, check_monthly, quality
    from carbonpeak.reference.loader import default_reference

    first, last = _days(start, end)
    reported = None
    if monthly is not None:
        reported, problems = check_monthly(read_any(monthly, "monthly"))
        if problems:
            with placed(monthly, "monthly"):
                fail(problems)
    with _engine(engine_name, lake) as engine:
        result = quality(
            engine,
            read_lake(engine, lake),
            read_meters(lake),
            QualityRules.of(default_reference()),
            first,
            last,
            reported,
        )
    if as_json:
        print_json(
            {
                "from": result.start.isoformat(),
                "to": result.end.isoformat(),
                "meters": result.meters,
                "months": result.months,
            }
        )
        return
    columns = [
        "meter_id",
        "expected",
        "received",
        "completeness",
        "duplicates",
        "gaps",
        "negatives",
        "spikes",
        "days_complete",
        "passes",
    ]
    out.print(
        table(
            f"Data quality {result.start} to {result.end}",
            columns,
            [[m[c] for c in columns] for m in result.meters],
        )
    )
    if result.months:
        month_columns = ["meter_id", "month", "reported", "daily_total", "deviation", "passes"]
        out.print(
            table(
                "Daily against reported monthly totals",
                month_columns,
                [[m[c] for c in month_columns] for m in result.months],
            )
        )


@app.command("rollup")
def rollup(
    lake: LakeOption,
    freq: Annotated[
        str | None, typer.Option("--freq", help="hour, day (default) or month.")
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", hidden=True, help="Deprecated: --freq.")
    ] = None,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="meter, carrier or enterprise; or their columns: meter_id | "
            "enterprise_id,carrier | enterprise_id.",
        ),
    ] = "meter",
    start: FromOption = None,
    end: ToOption = None,
    enterprises: Annotated[
        Path | None,
        typer.Option(
            "--enterprises",
            help="enterprise_id, region_code: the province's grid factor for electricity.",
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--out", help="Write the rows to FILE (.csv or .parquet).")
    ] = None,
    engine_name: EngineOption = None,
    as_json: JsonOption = False,
) -> None:
    """Energy per meter, carrier or enterprise by China Standard Time hour, day or month, in
    the meter's unit, in tce and in CO2 (factors from the reference library, as in
    accounting)."""
    from carbonpeak.io.activity import read_enterprises
    from carbonpeak.io.lake import read_lake, read_meters, write_rows
    from carbonpeak.monitoring.rollup import BY_WORDS, FREQS, GROUPINGS, roll_up
    from carbonpeak.reference.loader import default_reference

    option, given = renamed(("--freq", freq), ("--period", period))
    chosen = choice(given or "day", tuple(FREQS), option)
    columns_by = BY_WORDS.get(by) or tuple(names(by, "--by"))
    if columns_by not in GROUPINGS:
        choice(by, (*BY_WORDS, *(",".join(g) for g in GROUPINGS)), "--by")
    suffix(output, (".csv", ".parquet"), "--out")
    first, last = _days(start, end)
    reference = default_reference()
    regions = read_enterprises(enterprises, reference) if enterprises is not None else None
    with _engine(engine_name, lake) as engine:
        result = roll_up(
            engine,
            read_lake(engine, lake),
            read_meters(lake),
            reference,
            freq=chosen,
            by=columns_by,
            start=first,
            end=last,
            enterprises=regions,
        )
        if output is not None:
            written = write_rows(result.arrow(), output)
            out.print(f"Written {output}: {written} rows")
            return
        records = result.records()
    if as_json:
        print_json(
            {
                "freq": chosen,
                "by": list(columns_by),
                "from": result.start.isoformat(),
                "to": result.end.isoformat(),
                "rows": records,
                "warnings": result.factors.warnings,
            }
        )
        return
    columns = (
        list(records[0])
        if records
        else [*GROUPINGS[columns_by], "period_start", "energy_tce", "co2_t"]
    )
    out.print(
        table(
            f"Energy by {chosen}, {result.start} to {result.end}",
            columns,
            [[r[c] for c in columns] for r in records],
        )
    )
    warn_lines(result.factors.warnings)


@app.command("anomalies")
def anomalies(
    lake: LakeOption,
    level: Annotated[
        str, typer.Option("--level", help="reading (against its hour) or day (its weekday).")
    ] = "reading",
    start: FromOption = None,
    end: ToOption = None,
    threshold: Annotated[
        float | None,
        typer.Option("--threshold", help="Flag beyond this many spreads (default: reference)."),
    ] = None,
    engine_name: EngineOption = None,
    as_json: JsonOption = False,
) -> None:
    """Readings far from the meter's usual value at that hour, or days far from its usual
    total for that weekday, each with a score and a reason."""
    from carbonpeak.io.lake import read_lake, read_meters
    from carbonpeak.monitoring.anomalies import LEVELS, anomalies
    from carbonpeak.monitoring.quality import QualityRules
    from carbonpeak.reference.loader import default_reference

    choice(level, LEVELS, "--level")
    if threshold is not None and not threshold > 0:
        fail(f"--threshold {threshold:g}: give a number above 0")
    first, last = _days(start, end)
    with _engine(engine_name, lake) as engine:
        found = anomalies(
            engine,
            read_lake(engine, lake),
            read_meters(lake),
            QualityRules.of(default_reference()),
            level,
            first,
            last,
            threshold,
        )
    if as_json:
        print_json({"level": level, "anomalies": found})
        return
    when = "ts" if level == "reading" else "day"
    columns = ["meter_id", when, "value", "usual", "score", "reason"]
    out.print(table(f"{len(found)} anomalies", columns, [[a[c] for c in columns] for a in found]))
