"""The `carbonpeak` command line.

Every command that prints results takes `--json`. Bad input gives a readable message on stderr
and exit code 2; `reference check` exits 1 when the tables have problems. No traceback reaches
a user: an unexpected failure is reported in one line with exit code 70.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from carbonpeak import __version__
from carbonpeak.errors import CarbonpeakError, InputError, Place, Problem

app = typer.Typer(
    name="carbonpeak",
    help="carbonpeak: energy and carbon accounts, grades and policy engines for industry.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
reference_app = typer.Typer(help="The cited reference tables.", no_args_is_help=True)
validate_app = typer.Typer(help="Check identifiers and codes.", no_args_is_help=True)
units_app = typer.Typer(help="Unit conversions.", no_args_is_help=True)
app.add_typer(reference_app, name="reference")
app.add_typer(validate_app, name="validate")
app.add_typer(units_app, name="units")

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)
for _console in (out, err):
    if not _console.is_terminal:  # pipes and files get whole lines, not an 80-column wrap
        _console.width = 200

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _table(title: str | None, columns: list[str], rows: list[list[Any]]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    return table


def _version(value: bool) -> None:
    if value:
        out.print(f"carbonpeak {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """carbonpeak: energy and carbon accounts, grades and policy engines for industry."""


# -- reference ----------------------------------------------------------------

DataOption = Annotated[
    Path | None,
    typer.Option("--data", help="A reference data directory (default: the packaged tables)."),
]


def _reference(data: Path | None) -> Any:
    from carbonpeak.reference.loader import Reference, default_reference

    return Reference.load(data) if data else default_reference()


@reference_app.command("list")
def reference_list(data: DataOption = None, as_json: JsonOption = False) -> None:
    """List the reference tables: rows, verified and unverified, description."""
    ref = _reference(data)
    rows = []
    for name in ref.table_names:
        spec = ref.spec(name)
        counts = ref.counts(name)
        rows.append(
            {
                "table": name,
                "rows": sum(counts.values()),
                "verified": counts.get("verified", 0),
                "unverified": counts.get("unverified", 0),
                "temporal": spec.temporal,
                "key": list(spec.key),
                "description": " ".join(spec.description.split()),
            }
        )
    if as_json:
        _print_json({"tables": rows})
        return
    out.print(
        _table(
            "Reference tables",
            ["table", "rows", "verified", "unverified", "by date", "description"],
            [
                [
                    r["table"],
                    r["rows"],
                    r["verified"],
                    r["unverified"],
                    "yes" if r["temporal"] else "",
                    r["description"],
                ]
                for r in rows
            ],
        )
    )


def _parse_date(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CarbonpeakError(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


@reference_app.command("show")
def reference_show(
    table: Annotated[str, typer.Argument(help="Table name (see `reference list`).")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Only rows in force on this date (YYYY-MM-DD).")
    ] = None,
    data: DataOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show a table's rows, with their source and status."""
    ref = _reference(data)
    day = _parse_date(as_of, "--as-of")
    spec = ref.spec(table)
    records = ref.rows(table, as_of=day)
    if as_json:
        _print_json(
            {
                "table": table,
                "as_of": day,
                "key": list(spec.key),
                "rows": [{"line": r.line, **dict(r.values)} for r in records],
            }
        )
        return
    columns = [c for c in spec.header if c != "note"]
    title = f"{table}" + (f" in force on {day}" if day else "") + f": {len(records)} rows"
    out.print(_table(title, columns, [[r.get(c) for c in columns] for r in records]))


@reference_app.command("sources")
def reference_sources(data: DataOption = None, as_json: JsonOption = False) -> None:
    """List the documents the reference rows cite."""
    ref = _reference(data)
    sources = ref.sources
    if as_json:
        _print_json({"sources": [s.__dict__ for s in sources]})
        return
    out.print(
        _table(
            f"Sources: {len(sources)}",
            ["source_id", "title", "number", "date", "url"],
            [[s.source_id, s.title, s.document_number, s.date, s.url] for s in sources],
        )
    )


@reference_app.command("check")
def reference_check(data: DataOption = None, as_json: JsonOption = False) -> None:
    """Validate every reference table; exit 1 listing every problem."""
    from carbonpeak.reference.loader import check, iter_problems

    problems = check(data)
    if as_json:
        _print_json({"ok": not problems, "problems": iter_problems(problems)})
    elif problems:
        for problem in problems:
            err.print(str(problem), markup=False)
        err.print(f"{len(problems)} problem(s)")
    else:
        out.print("reference tables: ok")
    if problems:
        raise typer.Exit(1)


# -- validate ----------------------------------------------------------------


@validate_app.command("uscc")
def validate_uscc(
    code: Annotated[str, typer.Argument(help="An 18-character unified social credit code.")],
    as_json: JsonOption = False,
) -> None:
    """Check a unified social credit code (GB 32100-2015): `valid`, or why not (exit 2)."""
    from carbonpeak.domain.uscc import check_uscc

    verdict = check_uscc(code)
    if as_json:
        _print_json(
            {
                "code": code,
                "valid": verdict.valid,
                "reason": verdict.reason,
                "expected_check": verdict.expected_check,
                "warnings": list(verdict.warnings),
            }
        )
    elif verdict.valid:
        out.print("valid")
        for warning in verdict.warnings:
            err.print(f"warning: {warning}", markup=False)
    else:
        err.print(f"invalid: {verdict.reason}", markup=False)
    if not verdict.valid:
        raise typer.Exit(2)


@validate_app.command("region")
def validate_region(
    code: Annotated[str, typer.Argument(help="A 6-digit GB/T 2260 region code.")],
    as_json: JsonOption = False,
) -> None:
    """Resolve a GB/T 2260 region code to its names and province (exit 2 if unknown)."""
    from carbonpeak.domain.codes import region_by_code

    region = region_by_code(code)
    if as_json:
        _print_json(region.__dict__)
        return
    parent = f", in {region_by_code(region.parent_code).name_zh}" if region.parent_code else ""
    out.print(f"{region.region_code} {region.name_zh} ({region.name_en}), {region.level}{parent}")


@validate_app.command("industry")
def validate_industry(
    code: Annotated[str, typer.Argument(help="A GB/T 4754-2017 code, e.g. 3110 or C.")],
    as_json: JsonOption = False,
) -> None:
    """Resolve a GB/T 4754-2017 industry code to its names and parents (exit 2 if unknown)."""
    from carbonpeak.domain.codes import industry_by_code

    industry = industry_by_code(code)
    chain = []
    parent = industry.parent_code
    while parent:
        item = industry_by_code(parent)
        chain.append(item)
        parent = item.parent_code
    if as_json:
        _print_json({**industry.__dict__, "parents": [i.__dict__ for i in chain]})
        return
    english = f" ({industry.name_en})" if industry.name_en else ""
    out.print(f"{industry.industry_code} {industry.name_zh}{english}, {industry.level}")
    for item in chain:
        out.print(f"  in {item.industry_code} {item.name_zh}")


# -- units ----------------------------------------------------------------


@units_app.command("convert")
def units_convert(
    value: Annotated[float, typer.Argument(help="The number to convert.")],
    from_unit: Annotated[str, typer.Argument(metavar="FROM", help="Its unit, e.g. tce.")],
    to_unit: Annotated[str, typer.Argument(metavar="TO", help="The unit wanted, e.g. GJ.")],
    as_json: JsonOption = False,
) -> None:
    """Convert a value between units (tce, kgce, GJ, 10^4 Nm3, tCO2, weight_box, ...)."""
    from carbonpeak.domain.units import convert

    result = convert(value, from_unit, to_unit)
    if as_json:
        _print_json({"value": value, "from": from_unit, "to": to_unit, "result": result})
        return
    out.print(f"{value:g} {from_unit} = {result:.6g} {to_unit}")


# -- accounting -------------------------------------------------------------------------------

template_app = typer.Typer(help="Templates to fill in.", no_args_is_help=True)
app.add_typer(template_app, name="template")

ActivityArgument = Annotated[
    Path, typer.Argument(help="Activity table: CSV, or .xlsx with sheet activity.")
]
EnterprisesOption = Annotated[
    Path | None,
    typer.Option(
        "--enterprises",
        help="Enterprises table (CSV, or sheet `enterprises`): enterprise_id, region_code, ...",
    ),
]


monitor_app = typer.Typer(help="Metered energy: the lake of readings.", no_args_is_help=True)
app.add_typer(monitor_app, name="monitor")


@monitor_app.command("ingest")
def monitor_ingest(
    readings: Annotated[
        Path, typer.Argument(help="Readings: meter_id, ts, value (CSV or Parquet).")
    ],
    meters: Annotated[
        Path,
        typer.Option(
            "--meters",
            help="Meters: meter_id, enterprise_id, carrier, unit, kind, interval_minutes.",
        ),
    ],
    lake: Annotated[Path, typer.Option("--lake", help="The lake folder (created if missing).")],
    as_json: JsonOption = False,
) -> None:
    """Check a readings file and add it to the lake (hive-partitioned Parquet by year and
    month); the same file twice changes nothing; a file with a problem writes nothing."""
    from carbonpeak.io.lake import ingest
    from carbonpeak.reference.loader import default_reference

    written = ingest(readings, meters, lake, default_reference())
    if as_json:
        _print_json(written)
        return
    if not written["new_parts"]:
        out.print(f"{readings} is already in the lake: nothing written")
        return
    out.print(
        f"{written['readings']} interval readings and {written['repeats']} repeat(s) in "
        f"{written['parts']} monthly part(s), {written['new_parts']} new"
    )


def _day(text: str | None, option: str) -> date | None:
    """A YYYY-MM-DD option as a date; a usage error (exit code 2) naming the option."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(
            f"{text!r} is not a date (YYYY-MM-DD)", param_hint=option
        ) from None


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


@monitor_app.command("drivers")
def monitor_drivers(
    drivers: Annotated[
        Path,
        typer.Argument(help="Daily drivers: enterprise_id, day and numeric columns."),
    ],
    lake: LakeOption,
    as_json: JsonOption = False,
) -> None:
    """Add daily drivers of energy (production, temperature, ...) to the lake; a later file's
    value of an enterprise, day and driver replaces an earlier one."""
    from carbonpeak.io.lake import ingest_drivers
    from carbonpeak.reference.loader import default_reference

    written = ingest_drivers(drivers, lake, default_reference())
    if as_json:
        _print_json(written)
        return
    if not written["new_parts"]:
        out.print(f"{drivers} is already in the lake: nothing written")
        return
    out.print(f"{written['rows']} driver values written")


@monitor_app.command("quality")
def monitor_quality(
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
    from carbonpeak.engine.session import open_engine
    from carbonpeak.io.lake import read_any, read_lake, read_meters
    from carbonpeak.io.tables import place_problems
    from carbonpeak.monitoring.quality import QualityRules, check_monthly, quality
    from carbonpeak.reference.loader import default_reference

    first, last = _day(start, "--from"), _day(end, "--to")
    reported = None
    if monthly is not None:
        reported, problems = check_monthly(read_any(monthly, "monthly"))
        if problems:
            raise InputError(place_problems(problems, monthly, "monthly"))
    engine = open_engine(engine_name)
    try:
        result = quality(
            engine,
            read_lake(engine, lake),
            read_meters(lake),
            QualityRules.of(default_reference()),
            first,
            last,
            reported,
        )
    finally:
        engine.stop()
    if as_json:
        _print_json(
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
        _table(
            f"Data quality {result.start} to {result.end}",
            columns,
            [[m[c] for c in columns] for m in result.meters],
        )
    )
    if result.months:
        month_columns = ["meter_id", "month", "reported", "daily_total", "deviation", "passes"]
        out.print(
            _table(
                "Daily against reported monthly totals",
                month_columns,
                [[m[c] for c in month_columns] for m in result.months],
            )
        )


def _span(text: str | None, option: str) -> tuple[date, date] | None:
    """FROM..TO as two dates; a usage error (exit code 2) naming the option."""
    if text is None:
        return None
    first, sep, last = text.partition("..")
    begin, end = _day(first, option), _day(last, option) if sep else None
    if begin is None or end is None or end < begin:
        raise typer.BadParameter(
            f"{text!r} is not FROM..TO (two dates, in order)", param_hint=option
        )
    return begin, end


@monitor_app.command("enpi")
def monitor_enpi(
    data: Annotated[
        Path, typer.Argument(help="A table: period (date or month), energy and drivers.")
    ],
    energy: Annotated[str, typer.Option("--energy", help="The energy column.")],
    drivers: Annotated[
        str, typer.Option("--drivers", help="Driver columns, comma-separated (hdd, cdd too).")
    ],
    baseline: Annotated[
        str | None,
        typer.Option("--baseline", help="Baseline FROM..TO (default: all rows)."),
    ] = None,
    report: Annotated[
        str | None,
        typer.Option("--report", help="Reporting FROM..TO (default: the rows after the baseline)."),
    ] = None,
    period: Annotated[str, typer.Option("--period", help="The date column.")] = "period",
    temperature: Annotated[
        str | None,
        typer.Option("--temperature", help="Daily mean temperature column (°C) for hdd / cdd."),
    ] = None,
    hdd_base: Annotated[
        float | None, typer.Option("--hdd-base", help="Base temperature of hdd (°C).")
    ] = None,
    cdd_base: Annotated[
        float | None, typer.Option("--cdd-base", help="Base temperature of cdd (°C).")
    ] = None,
    allow_invalid: Annotated[
        bool,
        typer.Option("--allow-invalid", help="Predict with a disqualified model anyway."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Fit an energy baseline on its drivers (SEP validity gates, CV(RMSE), NMBE), then the
    savings of the reporting period with CUSUM and fractional savings uncertainty, and the
    days far from the model."""
    import pandas as pd

    from carbonpeak.io.lake import read_any
    from carbonpeak.io.tables import place_problems
    from carbonpeak.monitoring.enpi import (
        ModelDisqualified,
        ModelRules,
        check_table,
        degree_days,
        fit,
        residual_anomalies,
        savings,
    )
    from carbonpeak.reference.loader import default_reference

    names = [d.strip() for d in drivers.split(",") if d.strip()]
    if not names:
        raise typer.BadParameter("name at least one driver", param_hint="--drivers")
    base_span, report_span = _span(baseline, "--baseline"), _span(report, "--report")
    made = {"hdd": hdd_base, "cdd": cdd_base}
    table = read_any(data, "data")
    computed = [d for d in names if d in made and d not in table.columns]
    for name in computed:
        if temperature is None or made[name] is None:
            raise typer.BadParameter(
                f"{name} is not a column of {data}: give --temperature and --{name}-base",
                param_hint="--drivers",
            )
    needed = [energy, *[d for d in names if d not in computed]]
    if computed and temperature is not None:
        needed.append(temperature)
    tidy, problems = check_table(table, period, list(dict.fromkeys(needed)))
    if problems:
        raise InputError(place_problems(problems, data, "data"))
    for name in computed:
        tidy[name] = degree_days(tidy[str(temperature)], float(made[name] or 0.0), name)
    rules = ModelRules.of(default_reference())
    model = fit(tidy, energy, names, rules, base_span, period)
    result: dict[str, Any] = {"model": model.as_dict()}
    times = tidy[period]
    if report_span is not None:
        chosen = (times >= str(report_span[0])) & (times <= str(report_span[1]))
    else:
        chosen = times > pd.Timestamp(model.baseline[1])
    reporting = tidy[chosen]
    result["savings"] = None
    try:
        if len(reporting):
            result["savings"] = savings(model, reporting, rules, period, allow_invalid)
        result["anomalies"] = residual_anomalies(model, tidy, rules, period, allow_invalid)
    except ModelDisqualified as refused:
        result["refused"] = str(refused)
    if as_json:
        _print_json(result)
        return
    shown = result["model"]
    out.print(
        f"Baseline {shown['baseline']['from']} to {shown['baseline']['to']}, {shown['n']} points: "
        + ("valid" if shown["valid"] else "disqualified")
    )
    if shown["coefficients"]:
        out.print(
            _table(
                None,
                ["term", "coefficient", "p-value"],
                [[k, v, shown["p_values"][k]] for k, v in shown["coefficients"].items()],
            )
        )
        out.print(f"R2 {shown['r2']}, CV(RMSE) {shown['cvrmse']}, NMBE {shown['nmbe']}")
    for warning in shown["warnings"]:
        out.print(f"- {warning['message']}", markup=False)
    if "refused" in result:
        out.print(f"No savings: {result['refused']}", markup=False)
    saved = result["savings"]
    if saved:
        out.print(
            f"Reporting {saved['n']} points: actual {saved['actual']}, predicted "
            f"{saved['predicted']}, savings {saved['savings']} ({saved['savings_fraction']}), "
            f"FSU {saved['fsu']} at {saved['confidence']:.0%}"
        )
        for warning in saved["warnings"]:
            out.print(f"- {warning['message']}", markup=False)


@monitor_app.command("rollup")
def monitor_rollup(
    lake: LakeOption,
    period: Annotated[str, typer.Option("--period", help="hour, day or month.")] = "day",
    by: Annotated[str, typer.Option("--by", help="meter, carrier or enterprise.")] = "meter",
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
    from carbonpeak.engine.session import open_engine
    from carbonpeak.io.activity import read_enterprises
    from carbonpeak.io.lake import read_lake, read_meters, write_rows
    from carbonpeak.monitoring.rollup import GROUPS, PERIODS, rollup
    from carbonpeak.reference.loader import default_reference

    if period not in PERIODS:
        raise typer.BadParameter(f"{period!r}: one of {', '.join(PERIODS)}", param_hint="--period")
    if by not in GROUPS:
        raise typer.BadParameter(f"{by!r}: one of {', '.join(GROUPS)}", param_hint="--by")
    if output is not None and output.suffix.lower() not in (".csv", ".parquet"):
        raise typer.BadParameter(f"{output}: name it *.csv or *.parquet", param_hint="--out")
    first, last = _day(start, "--from"), _day(end, "--to")
    reference = default_reference()
    regions = read_enterprises(enterprises, reference) if enterprises is not None else None
    engine = open_engine(engine_name)
    try:
        result = rollup(
            engine,
            read_lake(engine, lake),
            read_meters(lake),
            period,
            reference,
            by,
            first,
            last,
            regions,
        )
        if output is not None:
            written = write_rows(result.arrow(), output)
            out.print(f"Written {output}: {written} rows")
            return
        records = result.records()
    finally:
        engine.stop()
    if as_json:
        _print_json(
            {
                "period": period,
                "by": by,
                "from": result.start.isoformat(),
                "to": result.end.isoformat(),
                "rows": records,
                "warnings": result.factors.warnings,
            }
        )
        return
    columns = list(records[0]) if records else [*GROUPS[by], "period_start", "energy_tce", "co2_t"]
    out.print(
        _table(
            f"Energy by {period}, {result.start} to {result.end}",
            columns,
            [[r[c] for c in columns] for r in records],
        )
    )
    for warning in result.factors.warnings:
        out.print(f"- {warning['message']}", markup=False)


@monitor_app.command("anomalies")
def monitor_anomalies(
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
    from carbonpeak.engine.session import open_engine
    from carbonpeak.io.lake import read_lake, read_meters
    from carbonpeak.monitoring.anomalies import LEVELS, anomalies
    from carbonpeak.monitoring.quality import QualityRules
    from carbonpeak.reference.loader import default_reference

    if level not in LEVELS:
        raise typer.BadParameter(f"{level!r}: one of {', '.join(LEVELS)}", param_hint="--level")
    if threshold is not None and not threshold > 0:
        raise typer.BadParameter("give a number above 0", param_hint="--threshold")
    first, last = _day(start, "--from"), _day(end, "--to")
    engine = open_engine(engine_name)
    try:
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
    finally:
        engine.stop()
    if as_json:
        _print_json({"level": level, "anomalies": found})
        return
    when = "ts" if level == "reading" else "day"
    columns = ["meter_id", when, "value", "usual", "score", "reason"]
    out.print(_table(f"{len(found)} anomalies", columns, [[a[c] for c in columns] for a in found]))


credits_app = typer.Typer(
    help="Passenger-car dual credits: CAFC and NEV credits by the rules of each year.",
    no_args_is_help=True,
)
app.add_typer(credits_app, name="credits")


@credits_app.command("compute")
def credits_compute(
    fleet: Annotated[
        Path,
        typer.Argument(
            help="Fleet: enterprise_id, year, model_id, powertrain, curb_mass_kg, seat_rows, "
            "fuel_consumption_l_per_100km, electric_range_km, fuel_cell_power_kw, volume, imported."
        ),
    ],
    year: Annotated[int, typer.Option("--year", help="The accounting year.")],
    enterprises: Annotated[
        Path | None,
        typer.Option("--enterprises", help="enterprise_id, name, affiliate_group (optional)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """CAFC actual, target, compliance value and credits, and NEV credits earned, target and
    balance, of each enterprise in a year, under the rules in force for it."""
    from carbonpeak.io.lake import read_any
    from carbonpeak.io.tables import place_problems
    from carbonpeak.policy.dual_credit.compute import compute
    from carbonpeak.policy.dual_credit.fleet import check_fleet
    from carbonpeak.reference.loader import default_reference

    reference = default_reference()
    tidy, problems = check_fleet(read_any(fleet, "fleet"), reference)
    if problems:
        raise InputError(place_problems(problems, fleet, "fleet"))
    if year not in set(tidy["year"]):
        raise typer.BadParameter(f"{fleet} has no rows of {year}", param_hint="--year")
    names: dict[str, str] = {}
    if enterprises is not None:
        table = read_any(enterprises, "enterprises")
        if "enterprise_id" in table.columns and "name" in table.columns:
            names = dict(
                zip(table["enterprise_id"].astype(str), table["name"].astype(str), strict=True)
            )
    results = compute(tidy, reference, [year]).results()
    for result in results:
        result["name"] = names.get(result["enterprise_id"], "")
    if as_json:
        _print_json({"enterprises": results})
        return
    columns = [
        "enterprise_id",
        "cafc_actual",
        "cafc_target",
        "cafc_compliance_value",
        "cafc_credits",
        "nev_credits_earned",
        "nev_credits_target",
        "nev_credits",
    ]
    out.print(_table(f"Dual credits {year}", columns, [[r[c] for c in columns] for r in results]))


@credits_app.command("industry")
def credits_industry(
    fleet: Annotated[Path, typer.Argument(help="The fleet of every enterprise of the year.")],
    year: Annotated[int, typer.Option("--year", help="The accounting year.")],
    as_json: JsonOption = False,
) -> None:
    """All enterprises of a year: credits by sign, the NEV supply/demand ratio and the credit
    pool's state, beside the official annual results."""
    from carbonpeak.io.lake import read_any
    from carbonpeak.io.tables import place_problems
    from carbonpeak.policy.dual_credit.compute import compute
    from carbonpeak.policy.dual_credit.fleet import check_fleet
    from carbonpeak.policy.dual_credit.industry import industry
    from carbonpeak.reference.loader import default_reference

    reference = default_reference()
    tidy, problems = check_fleet(read_any(fleet, "fleet"), reference)
    if problems:
        raise InputError(place_problems(problems, fleet, "fleet"))
    if year not in set(tidy["year"]):
        raise typer.BadParameter(f"{fleet} has no rows of {year}", param_hint="--year")
    view = industry(compute(tidy, reference, [year]), year, reference)
    if as_json:
        _print_json(view)
        return
    rows = [[m, v, view["official"].get(m, "")] for m, v in view["computed"].items()]
    out.print(_table(f"Industry {year}", ["measure", "computed", "official"], rows))
    out.print(f"NEV supply/demand ratio {view['nev_supply_demand_ratio']}; pool: {view['pool']}")


@credits_app.command("plan")
def credits_plan(
    plan: Annotated[Path, typer.Argument(help="The plan (YAML or JSON): lines, bounds, prices.")],
    price: Annotated[
        list[str] | None, typer.Option("--price", help="What-if: YEAR=PRICE to buy NEV credits.")
    ] = None,
    nev_ratio: Annotated[
        list[str] | None, typer.Option("--nev-ratio", help="What-if: YEAR=RATIO of NEV credits.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The cheapest path to compliance over the plan's years (a linear programme on HiGHS):
    volumes by line, NEV credits bought, sold and banked, CAFC credits banked, and the cost."""
    import yaml

    from carbonpeak.policy.dual_credit.planner import plan_from_dict, solve
    from carbonpeak.reference.loader import default_reference

    try:
        data = yaml.safe_load(plan.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CarbonpeakError(f"{plan}: file not found") from None
    except yaml.YAMLError as error:
        raise CarbonpeakError(f"{plan}: not YAML or JSON ({error})") from None
    if not isinstance(data, dict):
        raise CarbonpeakError(f"{plan}: a plan is a mapping (enterprise_id, years, lines, prices)")
    parsed = plan_from_dict(data)

    def pairs(values: list[str] | None, option: str) -> dict[int, float]:
        out: dict[int, float] = {}
        for text in values or []:
            year_text, _, value_text = text.partition("=")
            try:
                out[int(year_text)] = float(value_text)
            except ValueError:
                raise typer.BadParameter(f"{text!r} is not YEAR=VALUE", param_hint=option) from None
        return out

    parsed.buy_price.update(pairs(price, "--price"))
    ratios = pairs(nev_ratio, "--nev-ratio")
    if ratios:
        parsed.overrides.setdefault("nev_ratio", {}).update(ratios)
    result = solve(parsed, default_reference())
    if as_json:
        _print_json(result)
        return
    columns = [
        "year",
        "buy_nev_credits",
        "sell_nev_credits",
        "bank_nev_credits",
        "bank_cafc_credits",
        "vehicle_cost",
        "credit_cost",
    ]
    out.print(
        _table(
            f"Plan of {result['enterprise_id']}",
            columns,
            [[y[c] for c in columns] for y in result["years"]],
        )
    )
    for year in result["years"]:
        out.print(
            f"{year['year']}: " + ", ".join(f"{k} {v:,.0f}" for k, v in year["volumes"].items())
        )
    out.print(f"Total cost {result['total_cost']:,.0f}")


@credits_app.command("ledger")
def credits_ledger(
    entries: Annotated[
        Path,
        typer.Argument(
            help="Entries in date order: day, kind (earn, deficit, transfer, trade, offset, "
            "deposit, withdraw), credit (cafc, nev), vintage, amount, entity, counterparty, "
            "settles, settles_credit, price."
        ),
    ],
    enterprises: Annotated[
        Path | None,
        typer.Option("--enterprises", help="enterprise_id, affiliate_group (for transfers)."),
    ] = None,
    ratio: Annotated[
        list[str] | None,
        typer.Option("--ratio", help="YEAR=RATIO: a year's NEV supply/demand ratio (the pool)."),
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Balances as of this day (YYYY-MM-DD).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Replay a ledger of credit entries: refuse what breaks a rule (with the row and the
    reason), then print the balances by entity, type, vintage and origin, and the deficits
    left unsettled after their deadline."""
    from datetime import date as day_type

    from carbonpeak.io.lake import read_any
    from carbonpeak.io.tables import place_problems
    from carbonpeak.policy.dual_credit.ledger import Ledger, Rules, load_entries
    from carbonpeak.reference.loader import default_reference

    ratios: dict[int, float] = {}
    for text in ratio or []:
        year_text, _, value_text = text.partition("=")
        try:
            ratios[int(year_text)] = float(value_text)
        except ValueError:
            raise typer.BadParameter(f"{text!r} is not YEAR=RATIO", param_hint="--ratio") from None
    day = _day(as_of, "--as-of")
    groups: dict[str, str] = {}
    if enterprises is not None:
        table = read_any(enterprises, "enterprises")
        if "affiliate_group" in table.columns:
            groups = {
                str(e).strip(): str(g).strip()
                for e, g in zip(table["enterprise_id"], table["affiliate_group"], strict=True)
                if str(g).strip()
            }
    ledger = Ledger(Rules(default_reference()), groups, ratios)
    problems = load_entries(read_any(entries, "entries"), ledger)
    if problems:
        raise InputError(place_problems(problems, entries, "entries"))
    today = day or (ledger.entries[-1].day if ledger.entries else day_type.today())
    balances, unsettled = ledger.balances(today), ledger.unsettled(today)
    result = {
        "as_of": today.isoformat(),
        "entries": len(ledger.entries),
        "balances": balances,
        "unsettled": unsettled,
    }
    if as_json:
        _print_json(result)
        return
    columns = ["entity", "credit", "vintage", "origin", "credits"]
    out.print(
        _table(
            f"Balances as of {today}",
            columns,
            [[r[c] for c in columns] for r in balances],
        )
    )
    for late in unsettled:
        out.print(
            f"- {late['entity']}: {late['owed']} {late['credit']} credits of {late['year']} "
            f"unsettled after {late['deadline']}: {late['consequence']}",
            markup=False,
        )


swap_app = typer.Typer(
    help="Production-capacity replacement: steel, cement clinker, flat glass, aluminium.",
    no_args_is_help=True,
)
app.add_typer(swap_app, name="swap")


@swap_app.command("check")
def swap_check(
    application: Annotated[Path, typer.Argument(help="The application (YAML or JSON).")],
    as_json: JsonOption = False,
) -> None:
    """Check a replacement application against the rules in force on its date: the ratio, the
    exit capacity required and provided, every rule checked with its source."""
    import yaml

    from carbonpeak.policy.capacity_swap import check, parse
    from carbonpeak.reference.loader import default_reference

    try:
        data = yaml.safe_load(application.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CarbonpeakError(f"{application}: file not found") from None
    except yaml.YAMLError as error:
        raise CarbonpeakError(f"{application}: not YAML or JSON ({error})") from None
    reference = default_reference()
    try:
        verdict = check(parse(data, reference), reference)
    except InputError as error:
        raise InputError(
            [
                Problem(Place(file=str(application), field=p.place.field), p.message)
                for p in error.problems
            ]
        ) from None
    if as_json:
        _print_json(verdict)
        return
    out.print(
        f"{verdict['sector']} under {verdict['document']}: "
        + ("compliant" if verdict["compliant"] else "NOT compliant")
    )
    columns = [
        "stage",
        "case",
        "required_ratio",
        "required_exit_t",
        "provided_exit_t",
        "shortfall_t",
    ]
    out.print(_table(None, columns, [[s[c] for c in columns] for s in verdict["stages"]]))
    for item in verdict["checks"]:
        mark = "ok " if item["passed"] else "NO "
        out.print(f"{mark}{item['rule']}: {item['detail']} [{item['source']}]", markup=False)
    for warning in verdict["warnings"]:
        out.print(f"- {warning}", markup=False)


datacentre_app = typer.Typer(
    help="Green data centres: PUE, grade and policy targets.", no_args_is_help=True
)
app.add_typer(datacentre_app, name="datacentre")


@datacentre_app.command("assess")
def datacentre_assess(
    centre: Annotated[
        Path,
        typer.Argument(
            help="The data centre (YAML or JSON): region_code, evaluation_date, racks, months."
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """PUE from metered total and IT energy, its GB 40879 grade and the policy targets that
    apply to the data centre's scope and place."""
    import yaml

    from carbonpeak.policy.data_centre import assess, parse
    from carbonpeak.reference.loader import default_reference

    try:
        data = yaml.safe_load(centre.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CarbonpeakError(f"{centre}: file not found") from None
    except yaml.YAMLError as error:
        raise CarbonpeakError(f"{centre}: not YAML or JSON ({error})") from None
    reference = default_reference()
    try:
        result = assess(parse(data, reference), reference)
    except InputError as error:
        raise InputError(
            [
                Problem(Place(file=str(centre), field=p.place.field), p.message)
                for p in error.problems
            ]
        ) from None
    if as_json:
        _print_json(result)
        return
    grade = f"grade {result['grade']}" if result["grade"] else "no grade"
    out.print(f"PUE {result['pue']} over {result['months']} months: {grade}")
    for item in result["checks"]:
        out.print(
            f"{'ok ' if item['passed'] else 'NO '}{item['rule']} [{item['source']}]", markup=False
        )
    for warning in result["warnings"]:
        out.print(f"- {warning}", markup=False)


projects_app = typer.Typer(help="Two-high project screening.", no_args_is_help=True)
app.add_typer(projects_app, name="projects")


@projects_app.command("screen")
def projects_screen(
    project: Annotated[Path, typer.Argument(help="The project (YAML or JSON).")],
    budgets: Annotated[
        Path | None,
        typer.Option(
            "--budgets",
            help="A regional table as `caps track` takes it: the region's remaining energy "
            "allowance of its latest year becomes the project's budget.",
        ),
    ] = None,
    target: Annotated[
        str, typer.Option("--target", help="The intensity target of --budgets.")
    ] = "industry_energy_2025",
    as_json: JsonOption = False,
) -> None:
    """Screen a project: two-high industry, design against the benchmark level, the route
    (NDRC window guidance or the province), the region's remaining budgets."""
    import yaml

    from carbonpeak.policy.two_high import parse, screen
    from carbonpeak.reference.loader import default_reference

    try:
        data = yaml.safe_load(project.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CarbonpeakError(f"{project}: file not found") from None
    except yaml.YAMLError as error:
        raise CarbonpeakError(f"{project}: not YAML or JSON ({error})") from None
    reference = default_reference()
    if budgets is not None and isinstance(data, dict):
        from carbonpeak.io.lake import read_any
        from carbonpeak.io.tables import place_problems
        from carbonpeak.policy.energy_caps import Target, check_table, remaining_for, track

        chosen = Target.of(reference, target)
        tidy, problems = check_table(read_any(budgets, "regions"), chosen.indicator)
        if problems:
            raise InputError(place_problems(problems, budgets, "regions"))
        found = remaining_for(track(tidy, chosen), str(data.get("region_code", "")))
        if found is None:
            raise CarbonpeakError(f"{budgets}: no row of the project's region or its province")
        data = {**data, "remaining_energy_budget_tce": found[1]}
    try:
        result = screen(parse(data, reference), reference)
    except InputError as error:
        raise InputError(
            [
                Problem(Place(file=str(project), field=p.place.field), p.message)
                for p in error.problems
            ]
        ) from None
    if as_json:
        _print_json(result)
        return
    out.print(f"{result['verdict']} (route: {result['route'] or '-'})")
    for item in result["checks"]:
        out.print(
            f"{'ok ' if item['passed'] else 'NO '}{item['rule']}: {item['detail']}", markup=False
        )
    for warning in result["warnings"]:
        out.print(f"- {warning}", markup=False)


caps_app = typer.Typer(
    help="Energy-use control: intensity paths and caps by region.", no_args_is_help=True
)
app.add_typer(caps_app, name="caps")


@caps_app.command("track")
def caps_track(
    table: Annotated[
        Path,
        typer.Argument(
            help="region_code, year, value_added_10k_yuan, energy_tce (or co2_t), "
            "cap_tce (optional)."
        ),
    ],
    target: Annotated[
        str, typer.Option("--target", help="A target of the reference table intensity_targets.")
    ] = "industry_energy_2025",
    change: Annotated[
        float | None,
        typer.Option("--change", help="Your own target instead: the relative change, e.g. -0.14."),
    ] = None,
    base: Annotated[int | None, typer.Option("--base", help="Base year of --change.")] = None,
    end: Annotated[int | None, typer.Option("--end", help="Target year of --change.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Each region's intensity year by year against the path to its target: on track or not,
    the energy (or CO2) the path allows, used and remaining; and its cap where given."""
    from carbonpeak.io.lake import read_any
    from carbonpeak.io.tables import place_problems
    from carbonpeak.policy.energy_caps import Target, check_table, track
    from carbonpeak.reference.loader import default_reference

    chosen = Target.of(default_reference(), target)
    if change is not None:
        if base is None or end is None or end <= base:
            raise typer.BadParameter(
                "give --base and a later --end with --change", param_hint="--change"
            )
        chosen = Target("given", chosen.indicator, base, end, change, "input", False)
    tidy, problems = check_table(read_any(table, "regions"), chosen.indicator)
    if problems:
        raise InputError(place_problems(problems, table, "regions"))
    rows = track(tidy, chosen)
    result = {
        "target": chosen.code,
        "indicator": chosen.indicator,
        "base_year": chosen.base_year,
        "target_year": chosen.target_year,
        "change": chosen.change,
        "source": chosen.source_id,
        "rows": rows,
    }
    if as_json:
        _print_json(result)
        return
    columns = [
        "region_code",
        "year",
        "intensity",
        "path_intensity",
        "on_track",
        "allowed",
        "used",
        "remaining",
    ]
    out.print(
        _table(
            f"{chosen.indicator}: {chosen.change:+.1%} from {chosen.base_year} "
            f"to {chosen.target_year}",
            columns,
            [[r.get(c, r.get("error", "")) for c in columns] for r in rows],
        )
    )


factory_app = typer.Typer(
    help="Green factories: the GB/T 36132 scoring sheet.", no_args_is_help=True
)
app.add_typer(factory_app, name="factory")


@factory_app.command("evaluate")
def factory_evaluate(
    sheet: Annotated[Path, typer.Argument(help="The filled-in scoring sheet (YAML or JSON).")],
    as_json: JsonOption = False,
) -> None:
    """Score a green-factory sheet: vetoes (basic requirements, mandatory items), the weighted
    score, and what is missing."""
    import yaml

    from carbonpeak.policy.green_factory import evaluate, parse
    from carbonpeak.reference.loader import default_reference

    try:
        data = yaml.safe_load(sheet.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CarbonpeakError(f"{sheet}: file not found") from None
    except yaml.YAMLError as error:
        raise CarbonpeakError(f"{sheet}: not YAML or JSON ({error})") from None
    reference = default_reference()
    try:
        result = evaluate(parse(data, reference), reference)
    except InputError as error:
        raise InputError(
            [
                Problem(Place(file=str(sheet), field=p.place.field), p.message)
                for p in error.problems
            ]
        ) from None
    if as_json:
        _print_json(result)
        return
    out.print(
        f"Score {result['score']} / 100; " + ("no veto" if result["passes_vetoes"] else "VETOED")
    )
    for line in result["vetoes"] + result["missing"]:
        out.print(f"- {line}", markup=False)


pathways_app = typer.Typer(
    help="Peaking pathways: scenarios, peaks, uncertainty, decomposition.", no_args_is_help=True
)
app.add_typer(pathways_app, name="pathways")


def _scenario_file(path: Path) -> Any:
    import yaml

    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CarbonpeakError(f"{path}: file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise CarbonpeakError(f"{path}: not YAML or JSON ({error})") from None


def _compare_option(
    routes: Any, against: str, year: int | None, result: dict[str, Any]
) -> dict[str, Any]:
    from carbonpeak.pathways.compare import compare

    names = [n.strip() for n in against.split(",")]
    if len(names) != 2 or not all(names):
        raise InputError([Problem(Place(field="--compare"), "give BASE,OTHER (two scenarios)")])
    when = year if year is not None else min(2030, int(result["end"]))
    return compare(routes, (names[0], when), (names[1], when))


@pathways_app.command("example")
def pathways_example() -> None:
    """Print the example scenario file (every feature: quantities, uncertainty, fuels, regions,
    stock turnover) to start from."""
    from carbonpeak.pathways.projection import example_text

    sys.stdout.write(example_text())


@pathways_app.command("run")
def pathways_run(
    scenario: Annotated[Path, typer.Argument(help="The scenario file (YAML or JSON).")],
    draws: Annotated[
        int | None,
        typer.Option("--draws", min=1, help="Monte Carlo draws (default 10,000 if uncertain)."),
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of the draws.")] = None,
    output: Annotated[
        Path | None,
        typer.Option("--out", help="Write the central paths as an IAMC table (.csv or .xlsx)."),
    ] = None,
    against: Annotated[
        str | None,
        typer.Option("--compare", help="BASE,OTHER: decompose OTHER's CO2 against BASE's."),
    ] = None,
    year: Annotated[
        int | None, typer.Option("--year", help="Year of the comparison (default 2030).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Project every scenario's sectors (and regions) and report when and at what level their
    CO2 peaks, with the distribution over the draws when parameters are uncertain; with
    `--compare`, why two scenarios differ (LMDI: activity, structure, intensity)."""
    from carbonpeak.io.tables import atomic_path
    from carbonpeak.pathways.projection import parse
    from carbonpeak.pathways.run import run

    if output is not None and output.suffix.lower() not in (".csv", ".xlsx"):
        raise typer.BadParameter(f"{output}: name it *.csv or *.xlsx", param_hint="--out")
    data = _scenario_file(scenario)
    if seed is not None and isinstance(data, dict):
        data = {**data, "seed": seed}
    try:
        spec, scenarios = parse(data)
        result, table, routes = run(spec, scenarios, draws)
        if against is not None:
            result["comparison"] = _compare_option(routes, against, year, result)
    except InputError as error:
        raise InputError(
            [
                Problem(Place(file=str(scenario), field=p.place.field), p.message)
                for p in error.problems
            ]
        ) from None
    if output is not None:
        with atomic_path(output) as temporary:
            if output.suffix.lower() == ".csv":
                table.to_csv(temporary, index=False)
            else:
                table.to_excel(temporary, index=False, sheet_name="data")
    for warning in result["warnings"]:
        err.print(f"warning: {warning}", markup=False)
    if as_json:
        _print_json(result)
        return
    if output is not None:
        out.print(f"Written {output}: {len(table)} rows (IAMC)")
    if "comparison" in result:
        found = result["comparison"]
        out.print(
            _table(
                f"{found['end']['scenario']} against {found['base']['scenario']} in "
                f"{found['base']['year']}: {found['total_change']:+.6g} {spec.units.co2}",
                ["factor", "effect", "index"],
                [
                    [f, f"{v:+.6g}", f"{found['multiplicative'][f]:.4f}"]
                    for f, v in found["additive"].items()
                ],
            )
        )
    rows = []
    for name, body in result["scenarios"].items():
        for sector, entry in [*body["sectors"].items(), ("total", body["total"])]:
            spread = entry.get("uncertainty", {})
            rows.append(
                [
                    name,
                    sector,
                    entry["peak_year"],
                    f"{entry['peak_value']:.6g} {entry['unit']}",
                    "already"
                    if entry["already_peaked"]
                    else ("not yet" if entry["not_yet_peaked"] else ""),
                    len(entry["plateau_years"]),
                    f"{spread['p_peak_by_2030']:.1%}" if spread else "",
                ]
            )
    out.print(
        _table(
            f"Peaks {result['base_year']}-{result['end']}"
            + (f", {result['draws']} draws" if result["draws"] else ""),
            ["scenario", "sector", "peak year", "peak", "peaked", "plateau years", "P(<=2030)"],
            rows,
        )
    )


@pathways_app.command("history")
def pathways_history(
    sector: Annotated[
        str, typer.Option("--sector", help="Key sector of the CEADs history (or industry, total).")
    ] = "industry",
    region: Annotated[
        list[str] | None, typer.Option("--region", help="Province code(s); all if not given.")
    ] = None,
    series: Annotated[
        str | None, typer.Option("--series", help="A national series instead (e.g. cement).")
    ] = None,
    estimates: Annotated[
        bool, typer.Option("--estimates/--no-estimates", help="Keep values marked estimates.")
    ] = True,
    as_json: JsonOption = False,
) -> None:
    """Observed peaks: each province's CO2 of a key sector (CEADs inventories, 1997-2019) and
    their sum, or a national series (output, energy, CO2)."""
    from carbonpeak.pathways.history import observed_peaks, series_peak
    from carbonpeak.reference.loader import default_reference

    reference = default_reference()
    if series is not None:
        found = series_peak(reference, series, estimates)
        if as_json:
            _print_json(found)
            return
        out.print(
            f"{series}: peak {found['peak_year']} at {found['peak_value']:g} {found['unit']}"
            + (", not yet peaked" if found["not_yet_peaked"] else "")
            + (f" (estimates: {found['estimates']})" if found["estimates"] else "")
        )
        return
    result = observed_peaks(reference, sector, region)
    if as_json:
        _print_json(result)
        return
    rows = [
        [
            r["region_code"],
            r["name"],
            r["peak_year"],
            f"{r['peak_value']:.1f}",
            "already" if r["already_peaked"] else ("not yet" if r["not_yet_peaked"] else ""),
            f"{list(r['values'].values())[-1]:.1f}",
        ]
        for r in result["regions"]
    ]
    total = result["sum"]
    out.print(
        _table(
            f"CO2 of {sector} (Mt), CEADs 1997-2019; the sum of {total['regions']} provinces "
            f"peaks in {total['peak_year']}",
            ["code", "province", "peak year", "peak", "peaked", "last"],
            rows,
        )
    )


@pathways_app.command("stirpat")
def pathways_stirpat(
    data: Annotated[Path, typer.Argument(help="A table with the target and driver columns.")],
    target: Annotated[str, typer.Option("--target", help="The emissions column.")],
    drivers: Annotated[str, typer.Option("--drivers", help="Driver columns, e.g. P,A,T.")],
    squares: Annotated[
        str, typer.Option("--squares", help="Drivers also entered squared (EKC), e.g. A.")
    ] = "",
    ridge: Annotated[
        float | None, typer.Option("--ridge", min=0, help="λ (default: by cross-validation).")
    ] = None,
    split: Annotated[
        int | None, typer.Option("--backtest", help="Fit up to this year, test the rest.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """STIRPAT elasticities by ridge regression on logarithms (correlational), and a back-test
    that fits on the early years and predicts the later ones."""
    from carbonpeak.io.lake import read_any
    from carbonpeak.io.tables import place_problems
    from carbonpeak.pathways.stirpat import backtest, fit

    names = [d.strip() for d in drivers.split(",") if d.strip()]
    squared = [d.strip() for d in squares.split(",") if d.strip()]
    if not names:
        raise typer.BadParameter("name at least one driver", param_hint="--drivers")
    if set(squared) - set(names):
        raise typer.BadParameter("square only drivers", param_hint="--squares")
    table = read_any(data, "data")
    try:
        if split is None:
            result = {
                k: v
                for k, v in fit(table, target, names, squared, ridge).items()
                if not k.startswith("_")
            }
        else:
            result = backtest(table, target, names, split, squared, ridge)
    except InputError as error:
        raise InputError(place_problems(error.problems, data, "data")) from None
    if as_json:
        _print_json(result)
        return
    model = result.get("model", result)
    out.print(
        _table(
            f"STIRPAT ln {target}: λ {model['ridge']:.3g}, R² {model['r2']:.3f}",
            ["driver", "elasticity", "VIF"],
            [[k, f"{v:.3f}", model["vif"][k]] for k, v in model["elasticities"].items()],
        )
    )
    if split is not None:
        out.print(
            f"Back-test from {split}: MAPE {result['mape']:.1%}; observed peak "
            f"{result['observed_peak']['peak_year']}, "
            f"predicted {result['predicted_peak']['peak_year']}"
        )
    err.print(model["caveat"], markup=False)


@pathways_app.command("lmdi")
def pathways_lmdi(
    data: Annotated[
        Path, typer.Argument(help="sector, period (two values), one column per factor.")
    ],
    factors: Annotated[str, typer.Option("--factors", help="Factor columns, e.g. Q,S,I,F.")],
    method: Annotated[str, typer.Option("--method", help="lmdi1 or lmdi2.")] = "lmdi1",
    group: Annotated[
        str | None, typer.Option("--group", help="A column grouping sectors (multi-level).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """LMDI decomposition of the change of an aggregate (the sum over sectors of the product of
    their factors): the additive effect and the multiplicative index of each factor."""
    from carbonpeak.io.lake import read_any
    from carbonpeak.io.tables import place_problems
    from carbonpeak.pathways.lmdi import METHODS, check_table, decompose, decompose_groups

    names = [f.strip() for f in factors.split(",") if f.strip()]
    if not names:
        raise typer.BadParameter("name at least one factor", param_hint="--factors")
    if method not in METHODS:
        raise typer.BadParameter(f"{method!r}: one of {', '.join(METHODS)}", param_hint="--method")
    tidy, problems, periods = check_table(read_any(data, "data"), names, group)
    if problems:
        raise InputError(place_problems(problems, data, "data"))
    result = (
        decompose_groups(tidy, names, periods, method)
        if group
        else decompose(tidy, names, periods, method)
    )
    if as_json:
        _print_json(result)
        return
    out.print(
        _table(
            f"{method}: {result['base']} -> {result['end']}, change {result['total_change']:g}, "
            f"ratio {result['ratio']}",
            ["factor", "additive", "multiplicative"],
            [[f, result["additive"][f], result["multiplicative"][f]] for f in names],
        )
    )


@template_app.command("activity")
def template_activity(
    path: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
) -> None:
    """Write the activity template workbook, with drop-down lists for codes."""
    from carbonpeak.io.template import write_activity_template
    from carbonpeak.reference.loader import default_reference

    if path.suffix.lower() != ".xlsx":
        raise CarbonpeakError(f"{path}: the template is an Excel workbook, name it *.xlsx")
    write_activity_template(path, default_reference())
    out.print(f"Written {path}: sheets activity, enterprises, lists, readme")


def _print_problems(problems: list[Any], limit: int = 200) -> None:
    for problem in problems[:limit]:
        err.print(str(problem), markup=False)
    if len(problems) > limit:
        err.print(f"... and {len(problems) - limit} more")
    err.print(f"{len(problems)} problem(s); nothing was computed or written")


@app.command("account")
def account_command(
    activity: ActivityArgument,
    enterprises: EnterprisesOption = None,
    grid_year: Annotated[
        int | None, typer.Option("--grid-year", help="Grid-factor year (default: each period's).")
    ] = None,
    gwp: Annotated[str, typer.Option("--gwp", help="GWP set: SAR, AR4, AR5 or AR6.")] = "AR5",
    electricity_method: Annotated[
        str, typer.Option("--electricity-method", help="equivalent (当量值) or coal (等价值).")
    ] = "equivalent",
    electricity_basis: Annotated[
        str, typer.Option("--electricity-basis", help="location (grid average) or market.")
    ] = "location",
    monte_carlo: Annotated[
        int, typer.Option("--monte-carlo", help="Monte Carlo draws for total uncertainty.", min=0)
    ] = 0,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="Write the totals to this CSV file.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Energy (GB/T 2589) and GHG accounts of each enterprise and period."""
    from carbonpeak.accounting.engine import AccountingOptions, account
    from carbonpeak.io.tables import atomic_path

    choices = {
        "--gwp": (gwp, ("SAR", "AR4", "AR5", "AR6")),
        "--electricity-method": (electricity_method, ("equivalent", "coal")),
        "--electricity-basis": (electricity_basis, ("location", "market")),
    }
    for option, (value, allowed) in choices.items():
        if value not in allowed:
            raise CarbonpeakError(f"{option} {value!r}: choose one of {', '.join(allowed)}")
    ref, frame, enterprise_frame = _read_checked(activity, enterprises)
    options = AccountingOptions(
        electricity_method=electricity_method,  # type: ignore[arg-type]
        electricity_basis=electricity_basis,  # type: ignore[arg-type]
        grid_year=grid_year,
        gwp=gwp,
        monte_carlo=monte_carlo,
    )
    accounts = account(frame, enterprise_frame, options, ref, validate=False)
    if csv_out is not None:
        with atomic_path(csv_out) as temporary:
            accounts.totals.to_csv(temporary, index=False)
    if as_json:
        _print_json({"results": accounts.results()})
        return
    table_rows = []
    for result in accounts.results(with_lines=False):
        co2 = result["co2_t"]
        table_rows.append(
            [
                result["enterprise_id"],
                result["period"],
                f"{result['energy_tce']:,.0f}",
                f"{co2['combustion']:,.0f}",
                f"{co2['process']:,.0f}",
                f"{co2['electricity']:,.0f}",
                f"{co2['heat']:,.0f}",
                f"{co2['total']:,.0f}",
                f"{result['co2e_t']:,.0f}",
                f"±{result['uncertainty_pct']:.1f}%",
                len(result["warnings"]),
            ]
        )
    out.print(
        _table(
            f"Accounts: {len(table_rows)} enterprise-periods (electricity {electricity_method}, "
            f"{electricity_basis}; GWP {gwp})",
            [
                "enterprise",
                "period",
                "energy tce",
                "combustion tCO2",
                "process tCO2",
                "electricity tCO2",
                "heat tCO2",
                "CO2 t",
                "CO2e t",
                "uncertainty",
                "warnings",
            ],
            table_rows,
        )
    )
    if csv_out is not None:
        out.print(f"Written {csv_out}")


def _read_checked(activity: Path, enterprises: Path | None) -> tuple[Any, Any, Any]:
    """Read and check the input files; print every problem and exit 2 if any."""
    from carbonpeak.io.activity import read_activity
    from carbonpeak.reference.loader import default_reference

    ref = default_reference()
    try:
        frame, enterprise_frame = read_activity(activity, ref, enterprises)
    except InputError as exc:
        _print_problems(exc.problems)
        raise typer.Exit(2) from None
    return ref, frame, enterprise_frame


@app.command("benchmark")
def benchmark_command(
    activity: ActivityArgument,
    enterprises: EnterprisesOption = None,
    as_json: JsonOption = False,
) -> None:
    """Grade each product against the benchmark and baseline levels and limit grades."""
    from carbonpeak.benchmarking.grades import grade

    ref, frame, enterprise_frame = _read_checked(activity, enterprises)
    grades = grade(frame, enterprise_frame, ref)
    results = grades.results()
    if as_json:
        _print_json({"results": results})
        return
    out.print(
        _table(
            f"Grades: {len(results)} products",
            [
                "enterprise",
                "period",
                "area",
                "indicator",
                "benchmark",
                "baseline",
                "grade",
                "limit grade",
                "saving tce",
                "saving tCO2",
                "percentile",
            ],
            [
                [
                    r["enterprise_id"],
                    r["period"],
                    r["area"],
                    f"{_fmt(r['indicator_value'])} {r['unit'] or ''}",
                    _fmt(r["benchmark"]),
                    _fmt(r["baseline"]),
                    r["grade"],
                    r["limit_grade"],
                    _fmt(r["saving_potential_tce"], 0),
                    _fmt(r["saving_potential_co2_t"], 0),
                    _fmt(r["percentile"], 0),
                ]
                for r in results
            ],
        )
    )
    for result in results:
        for warning in result["warnings"]:
            err.print(
                f"warning {result['enterprise_id']} {result['period']}: "
                f"{warning['code']}: {warning['message']}",
                markup=False,
            )


def _fmt(value: Any, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


@app.command("rollup")
def rollup_command(
    activity: ActivityArgument,
    enterprises: EnterprisesOption = None,
    by: Annotated[
        str,
        typer.Option(
            help="Comma-separated groupings: enterprise_id, industry_code, "
            "industry_division, region_code, province_code; empty for the total."
        ),
    ] = "",
    period: Annotated[str, typer.Option(help="year or as_reported.")] = "year",
    as_json: JsonOption = False,
) -> None:
    """Energy and emissions summed by industry, region or in total."""
    from carbonpeak.accounting.engine import account
    from carbonpeak.accounting.rollup import roll_up

    if period not in ("year", "as_reported"):
        raise CarbonpeakError(f"--period {period!r}: choose year or as_reported")
    ref, frame, enterprise_frame = _read_checked(activity, enterprises)
    accounts = account(frame, enterprise_frame, reference=ref, validate=False)
    groups = [b.strip() for b in by.split(",") if b.strip()]
    table = roll_up(accounts.totals, enterprise_frame, groups, period)  # type: ignore[arg-type]
    records = [{str(k): v for k, v in r.items()} for r in table.to_dict("records")]
    if as_json:
        _print_json({"by": groups, "period": period, "rows": records})
        return
    columns = [*groups, "period", "enterprises", "energy_tce", "co2_t", "co2e_t", "uncertainty_pct"]
    out.print(
        _table(
            f"Roll-up by {', '.join(groups) or 'total'}",
            columns,
            [
                [r[c] if isinstance(r[c], str | int) else f"{r[c]:,.1f}" for c in columns]
                for r in records
            ],
        )
    )


# -- store ----------------------------------------------------------------------------------

db_app = typer.Typer(help="The SQL store.", no_args_is_help=True)
users_app = typer.Typer(help="Users of the platform.", no_args_is_help=True)
audit_app = typer.Typer(help="The audit log.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(audit_app, name="audit")


@db_app.command("upgrade")
def db_upgrade(as_json: JsonOption = False) -> None:
    """Create or migrate the store's schema (SQLite by default, CARBONPEAK_DATABASE_URL)."""
    from carbonpeak.store.db import current_revision, opened, upgrade

    with opened() as engine:
        before = current_revision(engine)
        upgrade(engine)
        after = current_revision(engine)
        url = engine.url.render_as_string(hide_password=True)
    if as_json:
        _print_json({"database": url, "from": before, "to": after})
        return
    out.print(f"{url}: schema {before or 'empty'} -> {after}")


@users_app.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="admin, regulator, enterprise or automaker.")],
    region: Annotated[
        list[str] | None, typer.Option(help="Region code a regulator oversees (repeatable).")
    ] = None,
    enterprise: Annotated[
        list[str] | None, typer.Option(help="USCC of an enterprise the user acts for (repeatable).")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Add a user; the password is read from standard input, never from the command line."""
    from carbonpeak.services.users import add_user
    from carbonpeak.store.db import opened, require_schema, transaction

    if not password_stdin:
        raise CarbonpeakError("give the password on standard input with --password-stdin")
    password = sys.stdin.readline().rstrip("\n")
    with opened() as engine:
        require_schema(engine)
        with transaction(engine) as session:
            user = add_user(session, username, role, password, region or [], enterprise or [])
        result = {
            "user_id": user.user_id,
            "username": user.username,
            "role": user.role,
            "scopes": sorted(f"{s.kind}:{s.code}" for s in user.scopes),
        }
    if as_json:
        _print_json(result)
        return
    out.print(f"user {result['username']} ({result['role']}) added")


@audit_app.command("verify")
def audit_verify(as_json: JsonOption = False) -> None:
    """Check the hash chain of the audit log; exit 1 naming the first broken entry."""
    from carbonpeak.store.audit import verify
    from carbonpeak.store.db import opened, require_schema, transaction

    with opened() as engine:
        require_schema(engine)
        with transaction(engine) as session:
            verdict = verify(session)
    if as_json:
        _print_json(verdict.__dict__)
    elif verdict.ok:
        out.print(f"audit log: {verdict.entries} entries, chain intact")
    else:
        err.print(f"audit log broken at entry {verdict.seq}: {verdict.problem}", markup=False)
    if not verdict.ok:
        raise typer.Exit(1)


# -- demo ----------------------------------------------------------------


def _demo_meters(activity: Any, plants: int, seed: int, out_dir: Path, load: bool) -> list[Path]:
    """Write the demo plants' meters, readings and drivers; with `load`, add them to the
    lake (`CARBONPEAK_LAKE`)."""
    from carbonpeak.demo.meters import demo_meters
    from carbonpeak.io.lake import default_lake, ingest, ingest_drivers
    from carbonpeak.reference.loader import default_reference

    made = demo_meters(activity, plants, seed)
    files = [out_dir / "meters.csv", out_dir / "readings.parquet", out_dir / "production.csv"]
    made.meters.to_csv(files[0], index=False)
    made.readings.to_parquet(files[1], index=False)
    made.drivers.to_csv(files[2], index=False)
    if load:
        lake = default_lake()
        ingest(files[1], files[0], lake, default_reference())
        ingest_drivers(files[2], lake, default_reference())
    return files


@app.command("diagnose")
def diagnose_command(
    plant: Annotated[Path | None, typer.Argument(help="The plant file (YAML or JSON).")] = None,
    example: Annotated[
        bool, typer.Option("--example", help="Print an example plant file and stop.")
    ] = False,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Write the diagnosis report (.pdf or .html)."),
    ] = None,
    lang: Annotated[str, typer.Option("--lang", help="Language of the report: zh_CN or en.")] = (
        "zh_CN"
    ),
    as_json: JsonOption = False,
) -> None:
    """Energy-conservation diagnosis of a plant: each piece of equipment against its national
    standard, the measures with their energy, CO2, cost saving, payback, NPV, IRR and MAC."""
    if example:
        from carbonpeak.diagnosis.plant import example_text

        sys.stdout.write(example_text())
        return
    if plant is None:
        raise typer.BadParameter("give the plant file (or --example)", param_hint="PLANT")
    if report is not None and report.suffix.lower() not in (".pdf", ".html"):
        raise typer.BadParameter(f"{report}: name it *.pdf or *.html", param_hint="--report")
    if lang not in ("zh_CN", "en"):
        raise typer.BadParameter(f"{lang!r}: zh_CN or en", param_hint="--lang")
    from carbonpeak.diagnosis.plant import diagnose, parse
    from carbonpeak.io.lake import read_any
    from carbonpeak.reference.loader import default_reference

    data = _scenario_file(plant)
    try:
        parsed = parse(data)
        activity = None
        if parsed.activity:
            table_path = (plant.parent / parsed.activity).resolve()
            if not table_path.exists():
                raise InputError([Problem(Place(field="activity"), f"{table_path}: not found")])
            activity = read_any(table_path, "activity")
        result = diagnose(parsed, default_reference(), activity)
    except InputError as error:
        raise InputError(
            [
                Problem(Place(file=str(plant), field=p.place.field), p.message)
                for p in error.problems
            ]
        ) from None
    for warning in result["warnings"]:
        err.print(f"warning: {warning}", markup=False)
    if report is not None:
        from carbonpeak.io.tables import atomic_path
        from carbonpeak.reports.diagnosis import diagnosis_html, diagnosis_pdf

        with atomic_path(report) as temporary:
            if report.suffix.lower() == ".pdf":
                temporary.write_bytes(diagnosis_pdf(result, default_reference(), lang))
            else:
                temporary.write_text(
                    diagnosis_html(result, default_reference(), lang), encoding="utf-8"
                )
    if as_json:
        _print_json(result)
        return
    if report is not None:
        out.print(f"Written {report}")
    totals = result["totals"]
    out.print(
        _table(
            f"{result['plant']['name'] or result['plant']['enterprise_id']}: "
            f"{totals['energy_tce']:,.1f} tce, {totals['co2_t']:,.1f} tCO2, "
            f"{totals['cost_saving_yuan']:,.0f} yuan a year",
            ["measure", "tce/a", "tCO2/a", "yuan/a", "capital", "payback a", "IRR", "MAC yuan/t"],
            [
                [
                    m["measure_id"],
                    f"{m['energy_tce']:,.1f}",
                    f"{m['co2_t']:,.1f}",
                    f"{m['cost_saving_yuan']:,.0f}",
                    "" if m["capital_cost_yuan"] is None else f"{m['capital_cost_yuan']:,.0f}",
                    ""
                    if m.get("simple_payback_years") is None
                    else f"{m['simple_payback_years']:.1f}",
                    "" if m.get("irr") is None else f"{m['irr']:.0%}",
                    "" if m.get("mac_yuan_per_t") is None else f"{m['mac_yuan_per_t']:,.0f}",
                ]
                for m in result["measures"]
            ],
        )
    )


@app.command("demo")
def demo(
    out_dir: Annotated[
        Path, typer.Option("--out", help="Directory for the generated CSV files.")
    ] = Path("demo-province"),
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed gives the same files.")
    ] = 2030,
    enterprises: Annotated[int, typer.Option(help="Number of enterprises.", min=1)] = 1500,
    load: Annotated[
        bool,
        typer.Option(
            "--load",
            help="Also load it into the store (with demo logins) and its meters into the lake.",
        ),
    ] = False,
    plants: Annotated[
        int, typer.Option(help="Plants with a year of 15-minute meter readings.", min=0)
    ] = 12,
    as_json: JsonOption = False,
) -> None:
    """Generate the deterministic synthetic province and print its summary."""
    import pandas as pd

    from carbonpeak.demo.province import generate_province, province_results, write_province

    province = generate_province(seed=seed, enterprises=enterprises)
    paths = write_province(province, out_dir)
    activity = pd.read_csv(out_dir / "activity.csv", dtype=str, keep_default_na=False)
    results = province_results(province, activity)
    if plants:
        paths += _demo_meters(activity, plants, seed, out_dir, load)
    from carbonpeak.demo.pathways import province_pathways

    scenario_path, peaks = province_pathways(province, activity, out_dir)
    paths.append(scenario_path)
    results["pathways"] = peaks
    from carbonpeak.demo.plants import demo_plants, write_plants
    from carbonpeak.diagnosis.plant import diagnose, parse
    from carbonpeak.reference.loader import default_reference

    plant_files = demo_plants(province, default_reference(), seed)
    paths += write_plants(plant_files, out_dir)
    results["diagnoses"] = []
    for plant_file in plant_files:
        found = diagnose(parse(plant_file), default_reference())
        results["diagnoses"].append(
            {
                "enterprise_id": plant_file["enterprise_id"],
                "measures": len(found["measures"]),
                **found["totals"],
            }
        )
    if load:
        from carbonpeak.services.demo import load_province
        from carbonpeak.store.db import opened, transaction, upgrade

        with opened() as engine:
            upgrade(engine)
            with transaction(engine) as session:
                results["loaded"] = load_province(session, province, activity)  # type: ignore[assignment]
            from carbonpeak.services.access import Actor
            from carbonpeak.services.diagnosis import register_diagnosis
            from carbonpeak.store.models import Opportunity, User

            with transaction(engine) as session:
                if session.query(Opportunity).first() is None:  # once: the demo is loaded again
                    admin = session.query(User).filter(User.username == "demo-admin").one()
                    for plant_file in plant_files:
                        register_diagnosis(session, Actor.of(admin), plant_file)
    if as_json:
        _print_json({"files": [str(p) for p in paths], "summary": province.summary(), **results})
        return
    out.print(
        f"Synthetic province {province.region.name_zh} ({province.region.name_en}), "
        f"seed {seed}: {len(province.enterprises)} enterprises, {len(province.sites)} sites, "
        f"{len(province.units)} production units in {len(province.prefectures)} prefectures; "
        f"{len(activity)} activity rows for {activity['period'].iloc[0]}"
    )
    out.print(
        _table(
            "Accounts by sector",
            ["sector", "enterprises", "energy tce", "CO2 t", "CO2e t"],
            [
                [
                    r["sector"],
                    r["enterprises"],
                    f"{r['energy_tce']:,.0f}",
                    f"{r['co2_t']:,.0f}",
                    f"{r['co2e_t']:,.0f}",
                ]
                for r in results["sectors"]
            ],
        )
    )
    out.print(
        _table(
            "Grades against the national levels",
            [
                "area",
                "products",
                "benchmark",
                "baseline",
                "below baseline",
                "saving tce",
                "saving tCO2",
            ],
            [
                [
                    r["area"],
                    r["products"],
                    r["benchmark"],
                    r["baseline"],
                    r["below_baseline"],
                    f"{r['saving_potential_tce']:,.0f}",
                    f"{r['saving_potential_co2_t']:,.0f}",
                ]
                for r in results["grades"]
            ],
        )
    )
    out.print(
        _table(
            "Diagnoses of the demo plants (plants/*.yaml; carbonpeak diagnose FILE --report R.pdf)",
            ["enterprise", "measures", "tce/a", "tCO2/a", "yuan/a", "investment"],
            [
                [
                    d["enterprise_id"],
                    d["measures"],
                    f"{d['energy_tce']:,.0f}",
                    f"{d['co2_t']:,.0f}",
                    f"{d['cost_saving_yuan']:,.0f}",
                    f"{d['capital_cost_yuan']:,.0f}",
                ]
                for d in results["diagnoses"]
            ],
        )
    )
    out.print(
        _table(
            f"Pathways ({scenario_path}: scenarios from the accounts, assumed rates)",
            ["scenario", "sector", "peak year", "peak MtCO2", "2030 MtCO2", "P(peak by 2030)"],
            [
                [
                    r["scenario"],
                    r["sector"],
                    r["peak_year"],
                    f"{r['peak_value']:,.1f}",
                    f"{r['value_2030']:,.1f}",
                    "" if r["p_peak_by_2030"] is None else f"{r['p_peak_by_2030']:.0%}",
                ]
                for r in results["pathways"]
                if r["sector"] in ("steel", "cement", "total")
            ],
        )
    )
    out.print("Written: " + ", ".join(str(p) for p in paths))
    if load:
        loaded: Any = results["loaded"]
        out.print(
            f"Loaded into the store: {loaded['enterprises_added']} enterprises added, "
            f"{loaded['submissions_created']} submissions created; logins "
            + ", ".join(f"{n} / {p}" for n, p in loaded["logins"].items())
        )


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.", min=1, max=64)] = 1,
) -> None:
    """Serve the dashboard and the REST API (OpenAPI at /docs) on the configured store."""
    import uvicorn

    from carbonpeak.store.db import opened, require_schema

    with opened() as engine:
        require_schema(engine)
    out.print(
        f"carbonpeak dashboard on http://{host}:{port}/ , "
        f"API on http://{host}:{port}/api/v1 (docs at /docs)"
    )
    uvicorn.run(
        "carbonpeak.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )


@app.command("submit")
def submit_command(
    path: ActivityArgument,
    as_user: Annotated[str, typer.Option("--as", help="The user submitting.")],
    as_json: JsonOption = False,
) -> None:
    """Submit an activity file to the store as a user (batch loads); all or nothing."""
    from sqlalchemy import select

    from carbonpeak.errors import InputError
    from carbonpeak.io.tables import place_problems, read_table
    from carbonpeak.services.access import Actor
    from carbonpeak.services.accounting import submit
    from carbonpeak.store.db import opened, require_schema, transaction
    from carbonpeak.store.models import User

    frame = read_table(path, "activity")
    with opened() as engine:
        require_schema(engine)
        try:
            with transaction(engine) as session:
                user = session.execute(
                    select(User).where(User.username == as_user)
                ).scalar_one_or_none()
                if user is None:
                    raise CarbonpeakError(f"no user {as_user!r}")
                made = submit(session, Actor.of(user), frame, path.name)
        except InputError as exc:
            _print_problems(place_problems(exc.problems, path, "activity"))
            raise typer.Exit(2) from None
    if as_json:
        _print_json({"submissions": made})
        return
    created = sum(1 for s in made if s["created"])
    out.print(
        f"{len(made)} enterprise-periods: {created} new versions, {len(made) - created} unchanged"
    )


# -- entry point ----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; return the exit code instead of exiting."""
    try:
        app(args=argv, prog_name="carbonpeak")
    except SystemExit as exc:  # typer exits with the command's code, 2 on usage errors
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except CarbonpeakError as exc:
        err.print(f"error: {exc}", markup=False)
        return 2
    except Exception as exc:  # the last guard: no traceback reaches a user
        err.print(f"internal error: {type(exc).__name__}: {exc}", markup=False)
        return 70
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
