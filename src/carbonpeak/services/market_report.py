"""The annual emissions report of the national carbon market from the store (issue 21): the
year by the guideline (`services.market.market_accounts`) with what the platform holds of the
steel guideline's Annex C tables C.6 and C.7.

- C.6 (auxiliary items): the enterprise's net purchased electricity (MW·h, 3 decimals) and heat
  (GJ, 2 decimals; steam in the unit reported) by month, from the same official reports the
  account reads. C.6 asks them per main process; the platform holds them for the whole
  enterprise only, and holds none of C.6's other items (solid fuels on a dry basis, their
  monthly moisture, the co-firing facility's hours, load factor and intensities);
  `reports.market` lists those as not held.
- C.7 (other information): the meters of the year's data-quality control plan with the
  calibration interval the plan sets (`services.market_plans.year_meters`); calibration dates
  and methods, and staff training, are not held."""

from __future__ import annotations

from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from carbonpeak.accounting.activity import numbers
from carbonpeak.domain.units import compatible, conversion_factor
from carbonpeak.services.access import Actor
from carbonpeak.services.market import market_accounts
from carbonpeak.services.market_plans import year_meters
from carbonpeak.services.reference_impact import stored_activity

# C.6's units and decimals (Annex C, C.6 note *2 c, d)
UNITS = {"electricity": ("MWh", 3), "heat": ("GJ", 2)}


def annual_report(session: Session, actor: Actor, enterprise_id: str, year: int) -> dict[str, Any]:
    """`market_accounts`'s view of the year with `auxiliary` (C.6: purchased electricity and
    heat by month) and `meters` (C.7: the meters of the year's plan)."""
    view = market_accounts(session, actor, enterprise_id, year)
    return view | {
        "auxiliary": purchased_energy(session, actor, enterprise_id, year),
        "meters": year_meters(session, actor, enterprise_id, year),
    }


def purchased_energy(
    session: Session, actor: Actor, enterprise_id: str, year: int
) -> dict[str, Any]:
    """Net purchased electricity and heat (in minus out) of the enterprise's official reports
    of `year`, per item and period, in MW·h and GJ (a quantity whose unit is not an energy,
    steam in tonnes, stays in its unit): `periods` (months, or the year), `rows` (stream,
    item, unit, values by period, year: the sum of the months, or the year's report)."""
    activity, _ = stored_activity(session, actor, enterprise_id)
    if activity.empty:
        return {"periods": [], "rows": []}
    lines = activity.loc[
        activity["period"].astype(str).str.startswith(str(year))
        & activity["stream"].astype(str).str.strip().isin(tuple(UNITS))
    ]
    if lines.empty:
        return {"periods": [], "rows": []}
    directions = lines.get("direction", pd.Series("in", index=lines.index))
    sums: dict[tuple[str, str, str], dict[str, float]] = {}
    for period, stream, item, unit, amount, direction in zip(
        lines["period"].astype(str).str.strip(),
        lines["stream"].astype(str).str.strip(),
        lines["item"].astype(str).str.strip(),
        lines["unit"].astype(str).str.strip(),
        numbers(lines["amount"]),
        directions.astype(str).str.strip(),
        strict=True,
    ):
        target = UNITS[stream][0]
        shown = target if compatible(unit, target) else unit
        value = float(amount) * conversion_factor(unit, shown)
        values = sums.setdefault((stream, item, shown), {})
        values[period] = values.get(period, 0.0) + (-value if direction == "out" else value)
    months = sorted({p for values in sums.values() for p in values if len(p) == 7})
    rows = []
    for (stream, item, unit), by_period in sorted(sums.items()):
        digits = UNITS[stream][1] if unit == UNITS[stream][0] else 2
        whole = sum(by_period.get(m, 0.0) for m in months) if months else by_period[str(year)]
        rows.append(
            {
                "stream": stream,
                "item": item,
                "unit": unit,
                "values": {m: round(by_period[m], digits) for m in months if m in by_period},
                "year": round(whole, digits),
            }
        )
    return {"periods": months, "rows": rows}
