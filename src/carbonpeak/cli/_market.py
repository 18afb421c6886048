"""`carbonpeak market`'s tables: the accounts by the guideline and the process level."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from carbonpeak.cli._kit import table


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
