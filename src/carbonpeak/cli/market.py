"""`carbonpeak market`: the national carbon market for steel, cement and aluminium — accounts
of activity tables by the market's guidelines, and their reconciliation with the MIIT accounts
of the same rows."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from carbonpeak.cli._kit import (
    ActivityArgument,
    Alias,
    EnterprisesOption,
    JsonOption,
    choice,
    day,
    fail,
    out,
    placed,
    print_json,
    read_activity_files,
    table,
    warn_lines,
)
from carbonpeak.cli._market import account_tables, checked_plan
from carbonpeak.domain.days import china_today
from carbonpeak.errors import N_, Place, Problem

if TYPE_CHECKING:
    import pandas as pd

    from carbonpeak.reference.loader import Reference

app = typer.Typer(
    name="market",
    help="The national carbon market (steel, cement, aluminium): accounts by its guidelines "
    "and their reconciliation with the MIIT accounts.",
    no_args_is_help=True,
)

SECTORS = ("steel", "cement", "aluminium")
PROCESS_SHEET = "工序"
LEDGER_SHEET = "台账"
ALIASES: tuple[Alias, ...] = ()
SectorOption = Annotated[
    str, typer.Option("--sector", help="steel (钢铁), cement (水泥) or aluminium (铝冶炼).")
]


def _read(
    sector: str, activity: Path, enterprises: Path | None
) -> tuple[Reference, pd.DataFrame, pd.DataFrame | None]:
    from carbonpeak.services.market import sector_of

    choice(sector, SECTORS, "--sector")
    reference, frame, enterprise_frame = read_activity_files(activity, enterprises)
    if enterprise_frame is not None and "industry_code" in enterprise_frame.columns:
        reported = set(frame["enterprise_id"].astype(str).str.strip())
        others = [
            Problem.of(
                Place(file=str(enterprises), row=number + 2, column="industry_code"),
                N_("enterprise {} (industry {}) is of the market's sector {}, not {}"),
                code,
                industry,
                found,
                sector,
            )
            for number, (code, industry) in enumerate(
                zip(
                    enterprise_frame["enterprise_id"],
                    enterprise_frame["industry_code"],
                    strict=True,
                )
            )
            if str(code).strip() in reported
            and (found := sector_of(reference, str(industry))) not in (None, sector)
        ]
        if others:
            fail(others)
    return reference, frame, enterprise_frame


def _write(frame: pd.DataFrame, path: Path | None) -> None:
    from carbonpeak.io.sheets import frame_to_csv
    from carbonpeak.io.tables import atomic_path

    if path is not None:
        with atomic_path(path) as temporary:
            frame_to_csv(frame, temporary)


@app.command("account")
def account(
    activity: ActivityArgument,
    sector: SectorOption,
    enterprises: EnterprisesOption = None,
    processes: Annotated[
        Path | None,
        typer.Option(
            "--processes",
            help="The process sheet (CSV, or sheet 工序 of a workbook): fuels into and out of "
            "each process and its product, for the process level.",
        ),
    ] = None,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="Write the totals to this CSV file.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Emissions of each enterprise and period by the market's guideline of the sector in force
    in the periods' year (steel: CETS—AG—03.01—V01—2024, formula (1); with --processes, the
    process level, formulas (2)–(4))."""
    from carbonpeak.io.tables import read_table
    from carbonpeak.market.accounts import account_market, with_processes
    from carbonpeak.market.inputs import checked_activity

    reference, frame, enterprise_frame = _read(sector, activity, enterprises)
    with placed(activity):
        noted = checked_activity(frame, reference)
        result = account_market(frame, sector, enterprise_frame, reference)
    if processes is not None:
        with placed(processes, PROCESS_SHEET):
            sheet = read_table(processes, PROCESS_SHEET)
            result = with_processes(result, sheet, frame, enterprise_frame, reference)
    _write(result.totals, csv_out)
    if as_json:
        print_json(
            {
                "method": result.method.as_dict(),
                "results": result.results(),
                "processes": result.process_results(),
                "warnings": [w.as_dict() for w in noted],
            }
        )
        return
    for shown in account_tables(result):
        out.print(shown)
    warn_lines([w.message for w in noted])
    warn_lines([f"{k[0]} {k[1]}: {w}" for k, listed in result.warnings.items() for w in listed])
    if csv_out is not None:
        out.print(f"Written {csv_out}")


@app.command("reconcile")
def reconcile(
    activity: ActivityArgument,
    sector: SectorOption,
    enterprises: EnterprisesOption = None,
    csv_out: Annotated[
        Path | None,
        typer.Option("--csv", help="Write the differences by source stream to this CSV file."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The MIIT account and the market's of the same rows, their difference by source stream
    split into method, measured values, factor edition and boundary."""
    from carbonpeak.market.reconcile import REASONS, STEPS
    from carbonpeak.market.reconcile import reconcile as compute

    reference, frame, enterprise_frame = _read(sector, activity, enterprises)
    with placed(activity):
        result = compute(frame, sector, enterprise_frame, reference)
    _write(result.streams, csv_out)
    if as_json:
        print_json(
            {
                "method": result.method.as_dict(),
                "steps": {step: REASONS[step] for step in STEPS},
                "totals": result.totals.round(6).to_dict("records"),
                "streams": result.streams.round(6).to_dict("records"),
            }
        )
        return
    numbers = ["miit_co2e_t", *STEPS, "market_co2_t"]
    rows = [
        [r["enterprise_id"], r["period"], r["stream"], r["item"], r["direction"]]
        + [f"{r[c]:,.2f}" for c in numbers]
        for r in result.streams.to_dict("records")
    ]
    out.print(
        table(
            f"MIIT accounts and {result.method.method}, by source stream",
            [
                "enterprise",
                "period",
                "stream",
                "item",
                "direction",
                "MIIT tCO2e",
                *STEPS,
                "market tCO2",
            ],
            rows,
        )
    )
    for step in STEPS:
        out.print(f"{step}: {REASONS[step]}")
    if csv_out is not None:
        out.print(f"Written {csv_out}")


@app.command("allocate")
def allocate(
    activity: ActivityArgument,
    sector: SectorOption,
    year: Annotated[int, typer.Option("--year", help="The compliance year.", min=2024)],
    enterprises: EnterprisesOption = None,
    processes: Annotated[
        Path | None,
        typer.Option(
            "--processes",
            help="The process sheet (CSV, or sheet 工序): the 2025 steel rule takes its "
            "intensity from 炼铁 and 烧结.",
        ),
    ] = None,
    balance_values: Annotated[
        Path | None,
        typer.Option(
            "--balance-values",
            help="The sector's balance values as the authority enters them (a CSV with the "
            "header of the table market_balance_values).",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The allowance (配额) of each enterprise of the activity for a compliance year, by the
    year's allocation rule: 2024 the verified emissions; 2025 E x (1 + alpha) of the intensity
    against the sector's balance value (the account's figures stand in for the verified ones)."""
    from carbonpeak.io.tables import read_table
    from carbonpeak.market.accounts import account_market, with_processes
    from carbonpeak.market.allocations import allocations_of
    from carbonpeak.market.inputs import checked_activity

    reference, frame, enterprise_frame = _read(sector, activity, enterprises)
    if balance_values is not None:
        reference = reference.with_rows("market_balance_values", balance_values)
    with placed(activity):
        noted = checked_activity(frame, reference)
        result = account_market(frame, sector, enterprise_frame, reference)
    if processes is not None:
        with placed(processes, PROCESS_SHEET):
            sheet = read_table(processes, PROCESS_SHEET)
            result = with_processes(result, sheet, frame, enterprise_frame, reference)
    allocations = allocations_of(result, year, reference)
    if as_json:
        print_json({code: a.as_dict() for code, a in allocations.items()})
        return
    out.print(
        table(
            f"配额 allowances {year} ({sector})",
            ["enterprise", "rule", "E t", "I t/t", "BP t/t", "X", "alpha", "A t", "A - E t"],
            [
                [
                    code,
                    a.rule,
                    f"{a.verified_emissions_t:,.2f}",
                    "" if a.intensity is None else f"{a.intensity:.4f}",
                    "" if a.balance_value is None else f"{a.balance_value:.4f}",
                    "" if a.deviation is None else f"{a.deviation:.2%}",
                    f"{a.alpha:.6f}",
                    f"{a.allowance_t:,.0f}",
                    f"{a.surplus_t:,.2f}",
                ]
                for code, a in allocations.items()
            ],
        )
    )
    warn_lines([w.message for w in noted])
    warn_lines(sorted({w.message for a in allocations.values() for w in a.warnings}))


@app.command("balance")
def balance(
    entries: Annotated[
        Path,
        typer.Argument(
            help="The ledger's entries (CSV, or sheet 台账 of a workbook): day, kind, holder, "
            "amount, and vintage, year, counterparty, price where they apply."
        ),
    ],
    sector: SectorOption,
    holder: Annotated[str, typer.Option("--holder", help="The emitter (its code).")],
    year: Annotated[int, typer.Option("--year", help="The compliance year.", min=2019)],
    on: Annotated[
        str | None, typer.Option("--on", help="The day of the position (default: today).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """An emitter's compliance position for a year from its ledger: its obligation, allowances
    allocated and held, surrendered and offset, the shortfall, the deadline and whether late."""
    from carbonpeak.io.tables import read_table
    from carbonpeak.market.ledger import Ledger
    from carbonpeak.market.ledger_rules import Rules
    from carbonpeak.market.ledger_table import load_entries
    from carbonpeak.reference.loader import default_reference

    choice(sector, SECTORS, "--sector")
    when = day(on, "--on") or china_today()
    ledger = Ledger(Rules(default_reference()), sectors={holder: sector})
    with placed(entries, LEDGER_SHEET):
        problems = load_entries(read_table(entries, LEDGER_SHEET), ledger)
        if problems:
            fail(problems)
    position = ledger.position(holder, year, when)
    if as_json:
        print_json(position.as_dict())
        return
    data = position.as_dict()
    out.print(
        table(
            f"清缴 position {holder} {year} on {data['on']}",
            ["measure", "t"],
            [
                [key, "" if data[key] is None else data[key]]
                for key in (
                    "obligation_t",
                    "allocated_t",
                    "usable_t",
                    "surrendered_t",
                    "offset_t",
                    "offset_cap_t",
                    "shortfall_t",
                    "to_buy_t",
                )
            ]
            + [["deadline", data["deadline"] or ""], ["late", "yes" if data["late"] else "no"]],
        )
    )
    warn_lines([w["message"] for w in data["warnings"]])


@app.command("plan")
def plan(
    workbook: Annotated[
        Path,
        typer.Argument(
            help="The plan workbook (sheets 版本, 企业, 设施, 参数); with --template, where to "
            "write a blank one."
        ),
    ],
    previous: Annotated[
        Path | None,
        typer.Option(
            "--previous",
            help="An earlier version: of the same year, what the guideline fixes for the year "
            "stays fixed; of an earlier year, what it measured does not go back to the default.",
        ),
    ] = None,
    template: Annotated[
        bool, typer.Option("--template", help="Write a blank plan to WORKBOOK instead.")
    ] = False,
    sector: Annotated[str, typer.Option("--sector", help="With --template: the sector.")] = "steel",
    year: Annotated[int, typer.Option("--year", help="With --template: the plan's year.")] = 2026,
    enterprise: Annotated[
        str, typer.Option("--enterprise", help="With --template: the enterprise's USCC.")
    ] = "",
    name: Annotated[str, typer.Option("--name", help="With --template: its name.")] = "",
    as_json: JsonOption = False,
) -> None:
    """Check a data-quality control plan (数据质量控制方案) against the guideline of its sector
    and year: every problem placed at its sheet, row and column (exit 2), or its warnings."""
    from carbonpeak.io.market_plan import plan_workbook_bytes
    from carbonpeak.io.tables import atomic_path
    from carbonpeak.market.plans import Enterprise, PlanVersion, QualityPlan
    from carbonpeak.reference.loader import default_reference

    reference = default_reference()
    if template:
        choice(sector, SECTORS, "--sector")
        blank = QualityPlan(
            enterprise=Enterprise(name=name or "—", uscc=enterprise or "—"),
            sector=sector,
            year=year,
            versions=(PlanVersion(number="V1", date=china_today(), reason="首次制定"),),
        )
        with atomic_path(workbook) as temporary:
            temporary.write_bytes(plan_workbook_bytes(blank, reference))
        out.print(f"Written {workbook}")
        return
    found, checked = checked_plan(workbook, previous, reference)
    if as_json:
        print_json(
            {
                "guideline": checked.guideline,
                "warnings": [w.as_dict() for w in checked.warnings],
                "rows": len(found.parameters),
            }
        )
        return
    out.print(
        f"{workbook}: {found.enterprise.uscc} {found.year} ({found.sector}), version "
        f"{found.version.number}, {len(found.parameters)} parameter rows: meets "
        f"{checked.guideline or 'no guideline in the library'}"
    )
    warn_lines([w.message for w in checked.warnings])
