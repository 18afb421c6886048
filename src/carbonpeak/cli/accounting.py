"""`carbonpeak accounting`: energy and GHG accounts of activity tables, their roll-up, the
activity template and batch submission to the store.

Today's top-level `account`, `rollup`, `submit` and `template activity` are the same commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carbonpeak.cli._kit import (
    ActivityArgument,
    Alias,
    EnterprisesOption,
    JsonOption,
    choice,
    fail,
    out,
    placed,
    print_json,
    read_activity_files,
    renamed,
    table,
)

app = typer.Typer(
    name="accounting",
    help="Energy and GHG accounts of activity tables "
    "(also: account, rollup, submit, template activity).",
    no_args_is_help=True,
)


@app.command("account")
def account(
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
    from carbonpeak.accounting.engine import AccountingOptions
    from carbonpeak.accounting.engine import account as compute
    from carbonpeak.io.sheets import frame_to_csv
    from carbonpeak.io.tables import atomic_path

    choice(gwp, ("SAR", "AR4", "AR5", "AR6"), "--gwp")
    choice(electricity_method, ("equivalent", "coal"), "--electricity-method")
    choice(electricity_basis, ("location", "market"), "--electricity-basis")
    reference, frame, enterprise_frame = read_activity_files(activity, enterprises)
    options = AccountingOptions(
        electricity_method=electricity_method,  # type: ignore[arg-type]
        electricity_basis=electricity_basis,  # type: ignore[arg-type]
        grid_year=grid_year,
        gwp=gwp,
        monte_carlo=monte_carlo,
    )
    accounts = compute(frame, enterprise_frame, options, reference, validate=False)
    if csv_out is not None:
        with atomic_path(csv_out) as temporary:
            frame_to_csv(accounts.totals, temporary)
    if as_json:
        print_json({"results": accounts.results()})
        return
    rows = []
    for result in accounts.results(with_lines=False):
        co2 = result["co2_t"]
        rows.append(
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
        table(
            f"Accounts: {len(rows)} enterprise-periods (electricity {electricity_method}, "
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
            rows,
        )
    )
    if csv_out is not None:
        out.print(f"Written {csv_out}")


@app.command("rollup")
def rollup(
    activity: ActivityArgument,
    enterprises: EnterprisesOption = None,
    by: Annotated[
        str,
        typer.Option(
            help="Comma-separated groupings: enterprise_id, industry_code, "
            "industry_division, region_code, province_code; empty for the total."
        ),
    ] = "",
    freq: Annotated[
        str | None, typer.Option("--freq", help="year (default) or as_reported.")
    ] = None,
    period: Annotated[
        str | None, typer.Option("--period", hidden=True, help="Deprecated: --freq.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Energy and emissions summed by industry, region or in total."""
    from carbonpeak.accounting.engine import account as compute
    from carbonpeak.accounting.rollup import roll_up

    option, given = renamed(("--freq", freq), ("--period", period))
    chosen = choice(given or "year", ("year", "as_reported"), option)
    reference, frame, enterprise_frame = read_activity_files(activity, enterprises)
    accounts = compute(frame, enterprise_frame, reference=reference, validate=False)
    groups = [b.strip() for b in by.split(",") if b.strip()]
    totals = roll_up(
        accounts.totals,
        enterprise_frame,
        by=groups,
        freq="as_reported" if chosen == "as_reported" else "year",
    )
    records = [{str(k): v for k, v in r.items()} for r in totals.to_dict("records")]
    if as_json:
        print_json({"by": groups, "freq": chosen, "rows": records})
        return
    columns = [*groups, "period", "enterprises", "energy_tce", "co2_t", "co2e_t", "uncertainty_pct"]
    out.print(
        table(
            f"Roll-up by {', '.join(groups) or 'total'}",
            columns,
            [
                [r[c] if isinstance(r[c], str | int) else f"{r[c]:,.1f}" for c in columns]
                for r in records
            ],
        )
    )


@app.command("submit")
def submit(
    path: ActivityArgument,
    as_user: Annotated[str, typer.Option("--as", help="The user submitting.")],
    period: Annotated[
        str | None,
        typer.Option(
            "--period", help="报告期 of a form 205-1 workbook whose header gives none (YYYY[-MM])."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Submit an activity file, or a filled NBS form 205-1 (能源购进、消费与库存) workbook, to
    the store as a user (batch loads); all or nothing."""
    from carbonpeak.services.accounting import submit_as

    with placed(path):  # read with the store's library in force, every problem placed
        made = submit_as(as_user, path, period)
    if as_json:
        print_json({"submissions": made})
        return
    created = sum(1 for s in made if s["created"])
    out.print(
        f"{len(made)} enterprise-periods: {created} new versions, {len(made) - created} unchanged"
    )


@app.command("template")
def template(
    path: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
) -> None:
    """Write the activity template workbook, with drop-down lists for codes."""
    from carbonpeak.io.template import SHEETS, write_activity_template
    from carbonpeak.reference.loader import default_reference

    if path.suffix.lower() != ".xlsx":
        fail(f"{path}: the template is an Excel workbook, name it *.xlsx")
    write_activity_template(path, default_reference())
    out.print(f"Written {path}: sheets {', '.join(SHEETS)}")


@app.command("form-template")
def form_template(
    path: Annotated[Path, typer.Argument(help="The workbook to write (.xlsx).")],
) -> None:
    """Write a blank NBS form 205-1 (能源购进、消费与库存) workbook, which `submit` and the
    upload page read."""
    from carbonpeak.io.energy_form import write_energy_form
    from carbonpeak.io.tables import atomic_path
    from carbonpeak.reference.loader import default_reference

    if path.suffix.lower() != ".xlsx":
        fail(f"{path}: the form is an Excel workbook, name it *.xlsx")
    with atomic_path(path) as temporary:
        write_energy_form(temporary, default_reference())
    out.print(f"Written {path}: form 205-1, fill 统一社会信用代码, 报告期 and one row per energy")


ALIASES = (
    Alias(("account",), account),
    Alias(("rollup",), rollup),
    Alias(("submit",), submit),
    Alias(("template", "activity"), template, "Templates to fill in."),
)
