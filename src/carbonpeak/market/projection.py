"""A year-end what-if of an allocation unit: from the emissions of the months reported so far
(the monthly evidence), the year's obligation projected, the allowance its rule would give on
it, and the surplus or shortfall.

The projection is the carbon budgets' (policy/budgets/tracking.py, `projected` along the even
profile): the months reported count as reported, and the months not reported (those to come
and any gap) run at the daily pace of the recent months, the reported ones among the last
three through the last month reported:

    projected = sum reported + (sum of the recent months / their days) x days not reported

It is restated here rather than imported because floor-2 wings do not import each other's
modules (market and policy are independent in the floors contract). With all twelve months
reported the projection is their sum. The intensity of the intensity-coefficient rule is that
of the months reported (their intensity emissions over their product output), which the
projection does not change; the allowance is then `allocation.allocate` on the projected
emissions, so a year or sector without a rule or balance value is refused as there.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from carbonpeak.domain.warnings import ResultWarning, records, warn
from carbonpeak.errors import N_, InputError, Place, Problem
from carbonpeak.market.allocation import Allocation, Number, allocate, decimal
from carbonpeak.reference.loader import Reference

RECENT_MONTHS = 3  # the budgets' recent pace: the last three months through the last reported


@dataclass(frozen=True)
class Projection:
    """The projected position of one allocation unit for one year."""

    sector: str
    year: int
    months: tuple[int, ...]  # the months reported
    recent: tuple[int, ...]  # the months whose daily pace carries the others
    reported_t: Decimal  # the emissions of the months reported
    projected_emissions_t: Decimal  # the projected obligation (verified emissions) of the year
    allocation: Allocation  # the year's rule on the projected emissions
    warnings: tuple[ResultWarning, ...] = field(default=())

    @property
    def projected_allowance_t(self) -> Decimal:
        return self.allocation.allowance_t

    @property
    def surplus_t(self) -> Decimal:
        """Projected allowance minus projected obligation (below 0: the shortfall to buy)."""
        return self.allocation.allowance_t - self.projected_emissions_t

    def as_dict(self) -> dict[str, Any]:
        return {
            "sector": self.sector,
            "year": self.year,
            "months": list(self.months),
            "recent": list(self.recent),
            "reported_t": str(self.reported_t),
            "projected_emissions_t": str(self.projected_emissions_t),
            "projected_allowance_t": str(self.projected_allowance_t),
            "surplus_t": str(self.surplus_t),
            "allocation": self.allocation.as_dict(),
            "warnings": records(self.warnings),
        }


def _months(values: Mapping[int, Number], name: str) -> dict[int, Decimal]:
    out = {}
    for month, value in values.items():
        if not (isinstance(month, int) and 1 <= month <= 12):
            raise InputError(
                Problem.of(Place(field=name), N_("{!r} is not a month from 1 to 12"), month)
            )
        out[month] = decimal(value, f"{name}[{month}]")
    return out


def projected_emissions(
    year: int, emissions_t: Mapping[int, Decimal]
) -> tuple[Decimal, tuple[int, ...]]:
    """The year's emissions projected from the months reported (see the module's docstring),
    and the recent months whose pace was used (none when all twelve are reported)."""
    days = {m: calendar.monthrange(year, m)[1] for m in range(1, 13)}
    reported = sum(emissions_t.values(), Decimal(0))
    missing = sum(d for m, d in days.items() if m not in emissions_t)
    if not missing:
        return reported, ()
    last = max(emissions_t)
    recent = tuple(m for m in sorted(emissions_t) if m > last - RECENT_MONTHS)
    pace = sum((emissions_t[m] for m in recent), Decimal(0)) / sum(days[m] for m in recent)
    return reported + pace * missing, recent


def project_position(
    reference: Reference,
    sector: str,
    year: int,
    emissions_t: Mapping[int, Number],
    intensity_emissions_t: Mapping[int, Number] | None = None,
    product_t: Mapping[int, Number] | None = None,
    exception: str | None = None,
) -> Projection:
    """The year-end what-if of one allocation unit of `sector` from its monthly emissions so
    far (`emissions_t`: month -> t CO2e) and, for the intensity-coefficient rule, the monthly
    emissions and product output of its intensity (`exception`: as in `allocate`)."""
    months = _months(emissions_t, "emissions_t")
    if not months:
        raise InputError(
            Problem.of(
                Place(field="emissions_t"),
                N_("no month of {} is reported: nothing to project from"),
                year,
            )
        )
    projected, recent = projected_emissions(year, months)
    intensity = (
        None
        if intensity_emissions_t is None
        else _months(intensity_emissions_t, "intensity_emissions_t")
    )
    product = None if product_t is None else _months(product_t, "product_t")
    allocation = allocate(
        reference,
        sector,
        year,
        projected,
        None if intensity is None else sum(intensity.values(), Decimal(0)),
        None if product is None else sum(product.values(), Decimal(0)),
        exception,
    )
    warnings = allocation.warnings
    if recent:
        warnings = (
            warn("market.projection.months", year=year, months=len(months), recent=len(recent)),
            *warnings,
        )
    return Projection(
        sector=sector,
        year=year,
        months=tuple(sorted(months)),
        recent=recent,
        reported_t=sum(months.values(), Decimal(0)),
        projected_emissions_t=projected,
        allocation=allocation,
        warnings=warnings,
    )
