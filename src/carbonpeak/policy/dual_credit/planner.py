"""The cheapest path to compliance of one enterprise over several years: a linear programme
solved by HiGHS (through `scipy.optimize.milp`).

A plan names the enterprise's product lines (powertrain, curb mass, seat rows, fuel
consumption, electric range, fuel-cell power) with, for each year, the bounds of its volume and
the cost of a vehicle of the line (its cost against the enterprise's other choices: an NEV's
extra cost is positive, a line that earns a margin negative), an optional total volume per year,
and the NEV credit prices (to buy, and to sell if it may). The programme chooses:
- the volume of each line each year, within its bounds;
- NEV credits bought and sold each year;
- NEV and CAFC credits banked into the next year (worth the carry-forward rate there);
- NEV credits used to settle the CAFC deficit (1:1);
so that neither the NEV nor the CAFC balance of any year is negative, at the least total cost
(vehicle costs + credits bought - credits sold).

The NEV balance is linear in the volumes. The CAFC credit, (compliance - actual) x volume, is
r x sum(T_i x_i) - sum(FC_i x_i) x (volume / W-volume): linear but for the last ratio (the
actual value divides by the multiplier-weighted volume), which is taken from the previous
solution until it settles (successive linear programming). The credits reported are then
recomputed exactly by `compute` from the chosen volumes (which also rounds as the rules do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import numpy as np
import pandas as pd
from pydantic import BeforeValidator, Field, ValidationError, field_validator
from scipy.optimize import Bounds, LinearConstraint, milp

from carbonpeak.domain.schema import Document, Real, Whole, Year, problems_of
from carbonpeak.errors import CarbonpeakError, InputError
from carbonpeak.policy.dual_credit.compute import _models
from carbonpeak.policy.dual_credit.rules import CONVENTIONAL, NEV, rules_for
from carbonpeak.reference.loader import Reference


class Infeasible(CarbonpeakError):
    """No plan within the bounds complies."""


@dataclass
class Line:
    name: str
    powertrain: str
    curb_mass_kg: float
    seat_rows: int
    fuel_consumption_l_per_100km: float = 0.0
    electric_range_km: float = 0.0
    fuel_cell_power_kw: float = 0.0
    bounds: dict[int, tuple[float, float]] = field(default_factory=dict)
    cost: dict[int, float] = field(default_factory=dict)


@dataclass
class Plan:
    enterprise_id: str
    years: list[int]
    lines: list[Line]
    buy_price: dict[int, float]
    sell_price: dict[int, float] = field(default_factory=dict)
    total: dict[int, float] = field(default_factory=dict)
    overrides: dict[str, dict[int, float]] = field(
        default_factory=dict
    )  # parameter -> year -> value


# Plausibility bounds of a plan (not values of any rule): more vehicles of a line a year than
# the world makes, a price or cost beyond any seen, a car heavier than a passenger car.
MAX_VOLUME = 1e8  # vehicles of a line (or in all) a year
MAX_MONEY = 1e7  # yuan per vehicle or per credit
Volume = Annotated[Real, Field(ge=0, le=MAX_VOLUME)]
Price = Annotated[Real, Field(ge=0, le=MAX_MONEY)]
Cost = Annotated[Real, Field(ge=-MAX_MONEY, le=MAX_MONEY)]  # below 0: a line that earns
Powertrain = Annotated[
    Literal["ice", "hev", "phev", "bev", "fcv"],  # CONVENTIONAL and NEV
    BeforeValidator(lambda v: v.lower() if isinstance(v, str) else v),
]


class LineIn(Document):
    """A product line of a plan as written."""

    name: str = Field(min_length=1)
    powertrain: Powertrain
    curb_mass_kg: Real = Field(gt=0, le=3500, description="a passenger car's")
    seat_rows: Whole = Field(2, ge=1, le=9)
    fuel_consumption_l_per_100km: Real | None = Field(None, ge=0, le=100)
    electric_range_km: Real | None = Field(None, ge=0, le=10_000)
    fuel_cell_power_kw: Real | None = Field(None, ge=0, le=1000)
    volume: dict[Year, tuple[Volume, Volume]] = Field(description="[low, high] by year")
    cost: dict[Year, Cost] = Field(default_factory=dict)

    @field_validator("volume")
    @classmethod
    def _ordered(cls, value: dict[int, tuple[float, float]]) -> dict[int, tuple[float, float]]:
        for year, (low, high) in value.items():
            if low > high:
                raise ValueError(f"{year}: give [low, high] with low <= high")
        return value


class PricesIn(Document):
    buy: dict[Year, Price]
    sell: dict[Year, Price] = Field(default_factory=dict)


class PlanIn(Document):
    """A plan as written (YAML or JSON)."""

    enterprise_id: str = Field(min_length=1)
    years: list[Year] = Field(min_length=1)
    lines: list[LineIn] = Field(min_length=1)
    prices: PricesIn
    total: dict[Year, Volume] = Field(default_factory=dict)
    overrides: dict[str, dict[Year, Real]] | None = None


def plan_from_dict(data: Any) -> Plan:
    """A plan from its YAML/JSON form; `InputError` naming every field that is wrong (by its
    dotted path, `lines.0.volume.2024`), unknown keys included."""
    try:
        given = PlanIn.model_validate(data)
    except ValidationError as error:
        raise InputError(problems_of(error)) from None
    return Plan(
        given.enterprise_id,
        list(given.years),
        [
            Line(
                line.name,
                line.powertrain,
                line.curb_mass_kg,
                line.seat_rows,
                line.fuel_consumption_l_per_100km or 0.0,
                line.electric_range_km or 0.0,
                line.fuel_cell_power_kw or 0.0,
                dict(line.volume),
                dict(line.cost),
            )
            for line in given.lines
        ],
        dict(given.prices.buy),
        dict(given.prices.sell),
        dict(given.total),
        {name: dict(values) for name, values in (given.overrides or {}).items()},
    )


def solve(plan: Plan, reference: Reference, rounds: int = 8) -> dict[str, Any]:
    """The cheapest compliant path of the plan; `Infeasible` if none within the bounds."""
    years, lines = plan.years, plan.lines
    n_years, n_lines = len(years), len(lines)
    per_year = []
    for year in years:
        rules = rules_for(year, reference)
        for name, values in plan.overrides.items():
            if year in values:
                rules.parameters[name] = values[year]
        frame = pd.DataFrame(
            {
                "enterprise_id": plan.enterprise_id,
                "year": year,
                "model_id": [line.name for line in lines],
                "powertrain": [line.powertrain for line in lines],
                "curb_mass_kg": [line.curb_mass_kg for line in lines],
                "seat_rows": [line.seat_rows for line in lines],
                "fuel_consumption_l_per_100km": [
                    line.fuel_consumption_l_per_100km for line in lines
                ],
                "electric_range_km": [line.electric_range_km for line in lines],
                "fuel_cell_power_kw": [line.fuel_cell_power_kw for line in lines],
                "volume": 1,
                "imported": False,
                "nev": [line.powertrain in NEV for line in lines],
            }
        )
        per_year.append((rules, _models(frame, rules)))
    # variables: volumes (years x lines), then per year: buy, sell, bank NEV, bank CAFC,
    # NEV credits used for the CAFC deficit
    extra = 5
    size = n_years * n_lines + n_years * extra

    def v(t: int, i: int) -> int:
        return t * n_lines + i

    def e(t: int, k: int) -> int:
        return n_years * n_lines + t * extra + k

    BUY, SELL, BANK_NEV, BANK_CAFC, NEV_TO_CAFC = range(extra)
    cost = np.zeros(size)
    low, high = np.zeros(size), np.full(size, np.inf)
    for t, year in enumerate(years):
        for i, line in enumerate(lines):
            lo, hi = line.bounds.get(year, (0.0, 0.0))
            low[v(t, i)], high[v(t, i)] = lo, hi
            cost[v(t, i)] = line.cost.get(year, 0.0)
        cost[e(t, BUY)] = plan.buy_price.get(year, np.inf)
        if year in plan.sell_price:
            cost[e(t, SELL)] = -plan.sell_price[year]
        else:
            high[e(t, SELL)] = 0.0
        if not np.isfinite(cost[e(t, BUY)]):
            cost[e(t, BUY)], high[e(t, BUY)] = 0.0, 0.0
    high[e(n_years - 1, BANK_NEV)] = high[e(n_years - 1, BANK_CAFC)] = 0.0  # nothing left over
    ratio = np.ones(n_years)  # volume / W-volume, refined below
    result = None
    for _ in range(rounds):
        rows, lower, upper = [], [], []
        for t, (rules, models) in enumerate(per_year):
            p = rules.parameters
            credit = models["nev_credit_per_vehicle"].to_numpy()
            conventional = models["powertrain"].isin(CONVENTIONAL).to_numpy()
            low_fc = models["low_fc"].to_numpy()
            weight = np.where(low_fc, p["low_fc_weight"], 1.0) * conventional
            nev_row = np.zeros(size)
            for i in range(n_lines):
                nev_row[v(t, i)] = credit[i] - p["nev_ratio"] * weight[i]
            nev_row[e(t, BUY)], nev_row[e(t, SELL)] = 1.0, -1.0
            nev_row[e(t, BANK_NEV)], nev_row[e(t, NEV_TO_CAFC)] = -1.0, -1.0
            if t:
                nev_row[e(t - 1, BANK_NEV)] = _rate(
                    reference, "nev_carry_forward_rate", years[t - 1]
                )
            rows.append(nev_row)
            lower.append(0.0)
            upper.append(np.inf)
            cafc_row = np.zeros(size)
            compliance = models["target_l_per_100km"].to_numpy() * p["cafc_ratio"]
            fuel = models["fuel_l_per_100km"].to_numpy()
            # compliance x volume = r x sum(T_i x_i); actual x volume = sum(FC_i x_i) x ratio
            for i in range(n_lines):
                cafc_row[v(t, i)] = compliance[i] - fuel[i] * ratio[t]
            cafc_row[e(t, NEV_TO_CAFC)], cafc_row[e(t, BANK_CAFC)] = 1.0, -1.0
            if t:
                cafc_row[e(t - 1, BANK_CAFC)] = _rate(
                    reference, "cafc_carry_forward_rate", years[t - 1]
                )
            rows.append(cafc_row)
            lower.append(0.0)
            upper.append(np.inf)
            year = years[t]
            if year in plan.total:
                total_row = np.zeros(size)
                for i in range(n_lines):
                    total_row[v(t, i)] = 1.0
                rows.append(total_row)
                lower.append(plan.total[year])
                upper.append(plan.total[year])
        result = milp(
            cost,
            constraints=LinearConstraint(np.array(rows), np.array(lower), np.array(upper)),
            bounds=Bounds(low, high),
        )
        if result.status != 0:
            raise Infeasible(f"no compliant plan within the bounds ({result.message})")
        volumes = result.x[: n_years * n_lines].reshape(n_years, n_lines)
        new_ratio = np.array(
            [
                volumes[t].sum()
                / max((volumes[t] * per_year[t][1]["multiplier"].to_numpy()).sum(), 1e-9)
                for t in range(n_years)
            ]
        )
        if np.allclose(new_ratio, ratio, rtol=1e-6):
            break
        ratio = new_ratio
    assert result is not None
    return _report(plan, per_year, result.x, years, lines, extra, reference)


def _rate(reference: Reference, name: str, vintage: int) -> float:
    from datetime import date

    rows = reference.rows("dual_credit_parameters", as_of=date(vintage, 12, 31), parameter=name)
    return float(rows[0]["value"]) if rows else 0.0  # type: ignore[arg-type]


def _report(
    plan: Plan,
    per_year: list[Any],
    x: np.ndarray,
    years: list[int],
    lines: list[Line],
    extra: int,
    reference: Reference,
) -> dict[str, Any]:
    from carbonpeak.policy.dual_credit.compute import compute

    n_lines = len(lines)
    out_years = []
    total_cost = 0.0
    for t, year in enumerate(years):
        volumes = {line.name: round(float(x[t * n_lines + i]), 1) for i, line in enumerate(lines)}
        base = len(years) * n_lines + t * extra
        buy, sell, bank_nev, bank_cafc, nev_to_cafc = (
            round(float(x[base + k]), 2) for k in range(extra)
        )
        vehicle_cost = sum(line.cost.get(year, 0.0) * volumes[line.name] for line in lines)
        credit_cost = buy * plan.buy_price.get(year, 0.0) - sell * plan.sell_price.get(year, 0.0)
        total_cost += vehicle_cost + credit_cost
        fleet = per_year[t][1].assign(
            volume=[max(round(volumes[line.name]), 0) for line in lines],
        )
        fleet = fleet[fleet["volume"] > 0]
        exact = compute(fleet, reference, [year]).enterprises.iloc[0] if len(fleet) else None
        out_years.append(
            {
                "year": year,
                "volumes": volumes,
                "buy_nev_credits": buy,
                "sell_nev_credits": sell,
                "bank_nev_credits": bank_nev,
                "bank_cafc_credits": bank_cafc,
                "nev_credits_used_for_cafc": nev_to_cafc,
                "vehicle_cost": round(vehicle_cost, 2),
                "credit_cost": round(credit_cost, 2),
                "cafc_credits": int(exact["cafc_credits"]) if exact is not None else 0,
                "nev_credits": float(exact["nev_credits"]) if exact is not None else 0.0,
            }
        )
    return {
        "enterprise_id": plan.enterprise_id,
        "total_cost": round(total_cost, 2),
        "years": out_years,
    }
