"""`carbonpeak benchmarking`: grade products against the national benchmark and baseline levels
and the limit standards. Today's top-level `benchmark` is the same command."""

from __future__ import annotations

from typing import Any

import typer

from carbonpeak.cli._kit import (
    ActivityArgument,
    Alias,
    EnterprisesOption,
    JsonOption,
    err,
    out,
    print_json,
    read_activity_files,
    table,
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
