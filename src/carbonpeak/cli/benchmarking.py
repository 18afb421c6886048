"""`carbonpeak benchmarking`: grade products against the national benchmark and baseline levels
and the limit standards. Today's top-level `benchmark` is the same command."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from carbonpeak.cli._kit import (
    ActivityArgument,
    Alias,
    EnterprisesOption,
    JsonOption,
    err,
    fail,
    out,
    placed,
    print_json,
    read_activity_files,
    table,
    warn_lines,
)

app = typer.Typer(
    name="benchmarking",
    help="Grades against the benchmark, baseline and limit levels (also: benchmark).",
    no_args_is_help=True,
)


def _fmt(value: Any, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


@app.command("grade")
def grade(
    activity: ActivityArgument,
    enterprises: EnterprisesOption = None,
    as_json: JsonOption = False,
) -> None:
    """Grade each product against the benchmark and baseline levels and limit grades."""
    from carbonpeak.benchmarking.grades import grade as compute

    reference, frame, enterprise_frame = read_activity_files(activity, enterprises)
    results = compute(frame, enterprise_frame, reference).results()
    if as_json:
        print_json({"results": results})
        return
    out.print(
        table(
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


ALIASES = (Alias(("benchmark",), grade),)


@app.command("carbon-efficiency")
def carbon_efficiency(
    accounts: Annotated[
        Path,
        typer.Argument(
            help="CSV or workbook (sheet `accounts`): enterprise_id, industry_code, year, co2_t, "
            "value_added_10k_yuan [, zero_carbon_generation_co2_t, sinks_co2_t]"
        ),
    ],
    industry_digits: Annotated[
        int | None,
        typer.Option(help="digits of the GB/T 4754 code that make an industry (2: a division)"),
    ] = None,
    mean: Annotated[
        str, typer.Option(help="industry mean: weighted (sum CO2 / sum VA) or simple")
    ] = "weighted",
    as_json: JsonOption = False,
) -> None:
    """Carbon-efficiency grades (碳效码, the Zhejiang method; bounds unverified): L = CO2 per
    10^4 yuan of value added, K = L / the industry's, grade 1-5."""
    from carbonpeak.benchmarking.carbon_efficiency import grade as compute
    from carbonpeak.io.tables import read_table

    if mean not in ("weighted", "simple"):
        fail(f"--mean {mean!r} is not weighted or simple")
    with placed(accounts, "accounts"):
        frame = read_table(accounts, "accounts")
        result = compute(
            frame,
            mean="simple" if mean == "simple" else "weighted",
            industry_digits=industry_digits,
        )
    if as_json:
        print_json(result.as_dict())
        return
    rows = result.results()
    out.print(
        table(
            f"Carbon efficiency: {len(rows)} enterprise-years",
            ["enterprise", "industry", "year", "L t/10^4 yuan", "band", "industry L", "K", "grade"],
            [
                [
                    r["enterprise_id"],
                    r["industry_code"],
                    r["year"],
                    _fmt(r["l_t_per_10k_yuan"], 3),
                    r["band"],
                    _fmt(r["industry_l_t_per_10k_yuan"], 3),
                    _fmt(r["k"], 2),
                    r["grade"],
                ]
                for r in rows
            ],
        )
    )
    messages = dict.fromkeys(w["message"] for r in rows for w in r["warnings"])
    warn_lines(list(messages))  # the general warnings repeat on every row: once each
