"""`carbonpeak market`'s tables (the accounts by the guideline and the process level) and the
check of a plan workbook, kept apart for the group's size."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table

from carbonpeak.cli._kit import fail, table
from carbonpeak.errors import N_, Place, Problem
from carbonpeak.reference.loader import Reference

if TYPE_CHECKING:
    from carbonpeak.market.plan_checks import PlanCheck
    from carbonpeak.market.plans import QualityPlan


def _number(value: Any, digits: int) -> str:
    return "" if value != value else f"{value:,.{digits}f}"  # NaN: empty


def account_tables(result: Any) -> list[Table]:
    """The totals of a `MarketAccounts` and, with a process sheet, its processes."""
    method = result.method
    shown = [
        table(
            f"{method.guideline} ({method.method})",
            [
                "enterprise",
                "period",
                "fuels tCO2",
                "processes tCO2",
                "products tCO2",
                "CO2 t",
                f"{method.product} t",
                "tCO2/t",
            ],
            [
                [
                    r["enterprise_id"],
                    r["period"],
                    *(_number(r[c], 2) for c in PARTS),
                    _number(r["output_t"], 2),
                    _number(r["intensity_t_per_t"], 4),
                ]
                for r in result.totals.to_dict("records")
            ],
        )
    ]
    if result.processes is not None:
        shown.append(
            table(
                "工序 (processes)",
                ["enterprise", "period", "process", "CO2 t", "product", "output t", "tCO2/t"],
                [
                    [
                        r["enterprise_id"],
                        r["period"],
                        f"{r['name_zh']} {r['process']}",
                        _number(r["co2_t"], 2),
                        r["product"],
                        _number(r["output_t"], 2),
                        _number(r["intensity_t_per_t"], 4),
                    ]
                    for r in result.processes.to_dict("records")
                ],
            )
        )
    return shown


PARTS = ("fuel_co2_t", "process_co2_t", "product_co2_t", "co2_t")


def checked_plan(
    workbook: Path, previous: Path | None, reference: Reference
) -> tuple[QualityPlan, PlanCheck]:
    """The plan of a workbook and its check (against `previous`: of the same year, what the
    guideline fixes for the year; of an earlier year, what it measured); every problem placed
    at its sheet, row and column as read (exit 2)."""
    from carbonpeak.io.market_plan_reader import place_in_workbook, read_plan, read_plan_lines
    from carbonpeak.market.plan_checks import check_plan

    earlier = None
    if previous is not None:
        earlier = read_plan(previous.name, _bytes(previous), reference)
    found, lines = read_plan_lines(workbook.name, _bytes(workbook), reference)
    checked = check_plan(
        found,
        found.sector,
        found.year,
        reference,
        previous=earlier,
        earlier=(earlier,) if earlier is not None else (),
    )
    if checked.problems:
        fail(place_in_workbook(checked.problems, str(workbook), lines))
    return found, checked


def _bytes(path: Path) -> bytes:
    if not path.is_file():
        fail(Problem.of(Place(file=str(path)), N_("file not found")))
    return path.read_bytes()
