"""`carbonpeak monitoring enpi`: an energy baseline fitted on its drivers and the savings of a
reporting period (a command of the monitoring group, kept apart for its size)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from carbonpeak.cli._kit import (
    JsonOption,
    fail,
    names,
    out,
    placed,
    print_json,
    renamed,
    span,
    table,
)


def enpi(
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
    date_column: Annotated[
        str | None, typer.Option("--date-column", help="The date column (default: period).")
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", hidden=True, help="Deprecated: --date-column.")
    ] = None,
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

    from carbonpeak.errors import N_
    from carbonpeak.io.lake import read_any
    from carbonpeak.io.lake_files import require_rows
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

    chosen = names(drivers, "--drivers", "driver")
    column = renamed(("--date-column", date_column), ("--period", period))[1] or "period"
    base_span, report_span = span(baseline, "--baseline"), span(report, "--report")
    made = {"hdd": hdd_base, "cdd": cdd_base}
    frame = read_any(data, "data")
    require_rows(frame, data, N_("no rows in {}"))
    computed = [d for d in chosen if d in made and d not in frame.columns]
    for name in computed:
        if temperature is None or made[name] is None:
            fail(
                f"--drivers: {name} is not a column of {data}: give --temperature and --{name}-base"
            )
    needed = [energy, *[d for d in chosen if d not in computed]]
    if computed and temperature is not None:
        needed.append(temperature)
    tidy, problems = check_table(frame, column, list(dict.fromkeys(needed)))
    if problems:
        with placed(data, "data"):
            fail(problems)
    for name in computed:
        tidy[name] = degree_days(tidy[str(temperature)], float(made[name] or 0.0), name)
    rules = ModelRules.of(default_reference())
    model = fit(tidy, energy, chosen, rules, baseline=base_span, date_column=column)
    result: dict[str, Any] = {"model": model.as_dict()}
    times = tidy[column]
    if report_span is not None:
        reporting = tidy[(times >= str(report_span[0])) & (times <= str(report_span[1]))]
    else:
        reporting = tidy[times > pd.Timestamp(model.baseline[1])]
    result["savings"] = None
    try:
        if len(reporting):
            result["savings"] = savings(
                model, reporting, rules, date_column=column, allow_invalid=allow_invalid
            )
        result["anomalies"] = residual_anomalies(
            model, tidy, rules, date_column=column, allow_invalid=allow_invalid
        )
    except ModelDisqualified as refused:
        result["refused"] = str(refused)
    if as_json:
        print_json(result)
        return
    _render(result)


def _render(result: dict[str, Any]) -> None:
    shown = result["model"]
    out.print(
        f"Baseline {shown['baseline']['from']} to {shown['baseline']['to']}, {shown['n']} points: "
        + ("valid" if shown["valid"] else "disqualified")
    )
    if shown["coefficients"]:
        out.print(
            table(
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
