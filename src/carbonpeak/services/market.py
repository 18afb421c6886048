"""The national carbon market of an enterprise from the store: its year accounted by the
market's guideline of its sector from the same official reports the MIIT accounts read, and
the reconciliation of the two (issue 21, parts 1 and 4).

An enterprise's sector is the row of `market_sectors` of its industry class; one of another
class is not in the market for steel, cement or aluminium. Every figure is computed with the
library in force (shipped tables and approved editions)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.accounting.activity import numbers
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.market.accounts import (
    MarketAccounts,
    account_market,
    below_threshold,
    with_processes,
)
from carbonpeak.market.allocations import allocations_of
from carbonpeak.market.inputs import checked_activity
from carbonpeak.market.methods import method_of
from carbonpeak.market.processes import processes_of
from carbonpeak.market.projection import project_position, projected_emissions
from carbonpeak.market.reconcile import REASONS, STEPS, reconcile
from carbonpeak.reference.loader import Reference
from carbonpeak.services.access import Actor
from carbonpeak.services.enterprises import get_enterprise
from carbonpeak.services.reference import library_in_force
from carbonpeak.services.reference_impact import stored_activity
from carbonpeak.store.models import Enterprise, User
from carbonpeak.store.models_market import MarketProcessRow

# the market's sectors by name (pages and reports say them in the reader's language)
SECTOR_NAMES = {"steel": N_("steel"), "cement": N_("cement"), "aluminium": N_("aluminium")}
NUMBERS = ("fuel_co2_t", "process_co2_t", "product_co2_t", "co2_t", "output_t")
# the columns of the process sheet (`market.processes`) as the store keeps them
SHEET_COLUMNS = (
    "enterprise_id",
    "period",
    "process",
    "stream",
    "item",
    "direction",
    "amount",
    "unit",
    "ncv",
    "ncv_unit",
)


def sector_of(reference: Reference, industry_code: str | None) -> str | None:
    """The market sector of an industry class (GB/T 4754), or None."""
    rows = reference.rows("market_sectors", industry_code=str(industry_code or ""))
    return str(rows[0]["sector"]) if rows else None


def market_enterprise(session: Session, actor: Actor, enterprise_id: str) -> tuple[Enterprise, str]:
    """An enterprise the caller may see (404 otherwise) and its market sector; one of an
    industry class outside the market's sectors (`market_sectors`) is refused, naming them."""
    enterprise = get_enterprise(session, actor, enterprise_id)
    reference = library_in_force(session)
    sector = sector_of(reference, enterprise.industry_code)
    if sector is None:
        covered = ", ".join(
            f"{r['sector']} {r['industry_code']}" for r in reference.rows("market_sectors")
        )
        raise InputError(
            Problem.of(
                Place(field="enterprise_id"),
                N_(
                    "enterprise {} (industry {}) is not in a sector of the national carbon "
                    "market ({})"
                ),
                enterprise_id,
                enterprise.industry_code or "–",
                covered,
            )
        )
    return enterprise, sector


def market_accounts(
    session: Session, actor: Actor, enterprise_id: str, year: int
) -> dict[str, Any]:
    """The enterprise's `year` by its sector's guideline: the months (or the year) of its
    official reports, their sum, and the reconciliation with the MIIT accounts by source
    stream. An enterprise the caller may not see is not found; one outside the market's
    sectors, or whose sector has no guideline for the year in the library, is refused."""
    enterprise, sector = market_enterprise(session, actor, enterprise_id)
    reference = library_in_force(session)
    method_of(sector, year, reference)  # refused without a guideline, reports or not
    sheet = stored_sheet(session, enterprise_id, year)
    activity, enterprises = stored_activity(session, actor, enterprise_id)
    if not activity.empty:
        activity = activity.loc[activity["period"].astype(str).str.startswith(str(year))]
    base: dict[str, Any] = {
        "enterprise_id": enterprise_id,
        "name": enterprise.name,
        "year": year,
        "sector": sector,
        "steps": {step: REASONS[step] for step in STEPS},
        "process_sheet": None if sheet is None else sheet.attrs["stored"],
    }
    if activity.empty:
        return base | {
            "method": None,
            "lines": [],
            "periods": [],
            "total": None,
            "reconciliation": [],
            "projection": None,
            "processes": [],
            "process_lines": [],
            "process_refused": None,
            "allocation": None,
            "warnings": [],
        }
    activity = activity.reset_index(drop=True)
    noted = checked_activity(activity, reference)
    result = account_market(activity, sector, enterprises, reference)
    refused: Problem | None = None
    if sheet is not None:
        try:
            result = with_processes(result, sheet, activity, enterprises, reference)
        except InputError as error:  # e.g. an activity stored since that no longer matches it
            refused = error.problems[0]  # said in the reader's language by the surface
    streams = reconcile(activity, sector, enterprises, reference).streams
    streams = streams.loc[streams["stream"] != "economic"]  # value added: no emissions
    by_stream = (
        streams.groupby(["stream", "item", "direction"], as_index=False, sort=True)[
            ["miit_co2e_t", *STEPS, "market_co2_t"]
        ]
        .sum()
        .round(6)
    )
    totals = result.totals
    output = float(totals["output_t"].sum(min_count=1))
    co2 = float(totals["co2_t"].sum())
    total: dict[str, Any] = {c: _float(totals[c].sum(min_count=1)) for c in NUMBERS}
    total["intensity_t_per_t"] = _float(co2 / output) if output and output > 0 else None
    total["miit_co2e_t"] = _float(streams["miit_co2e_t"].sum())
    below = below_threshold(co2, totals["period"], str(enterprise.industry_code), reference)
    return base | {
        "method": result.method.as_dict(),
        "periods": result.results(),
        "lines": _lines(result.lines),
        "total": total,
        "reconciliation": by_stream.to_dict("records"),
        "projection": _what_if(reference, sector, year, totals),
        "processes": result.process_results(),
        "process_lines": []
        if result.processes is None
        else _process_lines(sheet, sector, reference),
        "process_refused": refused,
        "allocation": _allocation(result, year, reference),
        "warnings": [w.as_dict() for w in (*noted, *([below] if below else []))],
    }


def stored_sheet(session: Session, enterprise_id: str, year: int) -> pd.DataFrame | None:
    """The enterprise's stored process sheet of `year` as the reader gives it (text cells and
    `row`, the line of the uploaded file), or None; `attrs["stored"]`: its file, who uploaded
    it and when."""
    rows = (
        session.execute(
            select(MarketProcessRow)
            .where(MarketProcessRow.enterprise_id == enterprise_id, MarketProcessRow.year == year)
            .order_by(MarketProcessRow.line, MarketProcessRow.row_id)
        )
        .scalars()
        .all()
    )
    if not rows:
        return None
    frame = pd.DataFrame(
        [{**{c: getattr(r, c) for c in SHEET_COLUMNS}, "row": r.line} for r in rows],
        columns=[*SHEET_COLUMNS, "row"],
    )
    first = rows[0]
    frame.attrs["stored"] = {
        "file_name": first.file_name,
        "rows": len(rows),
        "uploaded_by": session.get(User, first.uploaded_by).username,  # type: ignore[union-attr]
        "uploaded_at": first.uploaded_at.isoformat(),
    }
    return frame


def _process_lines(
    sheet: pd.DataFrame | None, sector: str, reference: Reference
) -> list[dict[str, Any]]:
    """The process sheet's quantities by period, process, stream, item, direction and unit, as
    reported (the inputs and outputs of the report's process table, C.4)."""
    if sheet is None or sheet.empty:
        return []
    known = processes_of(sector, reference)
    by_name = {v["name_zh"]: k for k, v in known.items()}
    frame = sheet.assign(
        process=sheet["process"].map(lambda p: by_name.get(p, p)),
        amount=numbers(sheet["amount"]),
    )
    keys = ["period", "process", "stream", "item", "direction", "unit"]
    grouped = frame.groupby(keys, as_index=False, sort=True).agg(amount=("amount", "sum"))
    return [
        {**{k: str(row[k]) for k in keys}, "amount": _float(row["amount"])}
        for row in grouped.to_dict("records")
    ]


def _allocation(result: MarketAccounts, year: int, reference: Reference) -> dict[str, Any]:
    """The allowance the year's rule gives on the account (`market.allocations`; the 2025
    steel rule reads its intensity from the process level), or why none."""
    try:
        allocations = allocations_of(result, year, reference)
    except InputError as error:  # no rule for the year, part of a year, no process sheet ...
        return {"refused": error.problems[0]}  # said in the reader's language by the surface
    (allocation,) = allocations.values()
    return allocation.as_dict() | {"surplus_t": str(allocation.surplus_t), "refused": None}


def _lines(lines: pd.DataFrame) -> list[dict[str, Any]]:
    """The lines the guideline counted, by period and source stream: quantity in the item's
    default unit (net: out counts negative) and CO2 (the report's monthly table)."""
    if lines.empty:
        return []
    frame = lines.assign(
        **{c: lines[c].astype(str).str.strip() for c in ("period", "stream", "item", "direction")}
    )
    frame = frame.loc[frame["stream"] != "economic"]
    grouped = frame.groupby(["period", "stream", "item"], as_index=False, sort=True).agg(
        qty=("qty", "sum"), co2_t=("co2e_t", "sum")
    )
    return [
        {
            "period": str(row["period"]),
            "stream": str(row["stream"]),
            "item": str(row["item"]),
            "qty": _float(row["qty"]),
            "co2_t": _float(row["co2_t"]),
        }
        for row in grouped.to_dict("records")
    ]


def _what_if(
    reference: Reference, sector: str, year: int, totals: pd.DataFrame
) -> dict[str, Any] | None:
    """The year-end what-if of a year reported by month and not yet whole: the emissions
    projected from the months so far (`market.projection`), and the allowance the year's rule
    would give on them where the library holds the rule and its inputs (else why not)."""
    monthly = totals.loc[totals["period"].astype(str).str.len() == 7]
    if monthly.empty or len(monthly) >= 12:
        return None
    months = {
        int(str(period)[5:]): Decimal(repr(round(float(co2), 2)))
        for period, co2 in zip(monthly["period"], monthly["co2_t"], strict=True)
    }
    projected, _ = projected_emissions(year, months)
    out: dict[str, Any] = {
        "months": len(months),
        "reported_t": _float(sum(months.values(), Decimal(0))),
        "projected_t": _float(projected),
        "allowance_t": None,
        "surplus_t": None,
        "refused": None,
    }
    try:
        position = project_position(reference, sector, year, months)
    except InputError as error:  # no rule for the year, no balance value, no intensity
        out["refused"] = error.problems[0]  # said in the reader's language by the surface
        return out
    out["allowance_t"] = _float(position.projected_allowance_t)
    out["surplus_t"] = _float(position.surplus_t)
    return out


def _float(value: Any) -> float | None:
    number = float(value)
    return round(number, 6) if np.isfinite(number) else None
