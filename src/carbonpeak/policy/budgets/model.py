"""A carbon (or energy) budget: one cap for one scope, one calendar year, one quantity.

A budget belongs to a region (GB/T 2260 code) or an enterprise (USCC) and caps either CO2
(`co2`, t CO2) or energy use (`energy`, tce) in one calendar year. The cap is given, or follows
from an intensity cap and a planned denominator:

    implied cap = cap                      if a cap is given
                = intensity x planned      otherwise

where the denominator is value added (10^4 yuan, basis `value_added`) or the output of one
product item (basis `product`, in the item's default unit). The year's cap is spread over its
months by a profile: `even` (each month by its share of the year's days), `monthly` (12 shares)
or `quarterly` (4 shares, each spread over its months by their days). `reserve` is the share of
the budget held back from cascading to its children (policy/budgets/cascade.py).

No national formula, share or threshold for budgets was found (国办发〔2024〕39号 asks provinces
and cities to build budget management, docs/notes/design18.md): every number of a budget is an
input of the authority that sets it.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import date
from functools import lru_cache
from typing import Any, Literal

import numpy as np
from pydantic import Field, ValidationInfo, model_validator

from carbonpeak.domain.schema import Document, Real, Year
from carbonpeak.errors import N_, Place, Problem

Scope = Literal["region", "enterprise"]
Quantity = Literal["co2", "energy"]
Basis = Literal["value_added", "product"]
Profile = Literal["even", "monthly", "quarterly"]
SHARE_TOLERANCE = 1e-9
"""How far the shares of a profile may sum from 1 (rounding of typed decimals, not a rule)."""
UNITS = {"co2": "t", "energy": "tce"}
"""The unit of a budget's cap by its quantity."""
MAX_AMOUNT = 1e12
"""The largest cap, implied cap, intensity or planned denominator a budget takes: a
plausibility bound against typing slips and overflow (10^12 t is some 25 times the world's
yearly CO2), not a rule; sums of capped budgets stay finite."""
_SHARE_COUNT = {"monthly": 12, "quarterly": 4}
REGION_CODE = re.compile(r"\d{6}")
"""A GB/T 2260 region code: six digits."""


class Budget(Document):
    """One budget (docs/notes/design18.md "Budget"). Construct it directly or with
    `parse_budgets`; an inconsistent budget (an intensity without basis, shares that do not
    sum to 1, ...) is refused either way."""

    budget_id: str = Field(min_length=1, max_length=64)
    scope: Scope
    code: str = Field(description="GB/T 2260 region code (6 digits) or USCC (18 characters)")
    parent_id: str | None = None
    year: Year
    quantity: Quantity
    cap: Real | None = Field(
        default=None, gt=0, le=MAX_AMOUNT, description="t CO2 or tce for the year"
    )
    intensity: Real | None = Field(
        default=None,
        gt=0,
        le=MAX_AMOUNT,
        description="cap per 10^4 yuan value added or per unit of product",
    )
    basis: Basis | None = None
    item: str | None = Field(default=None, description="product item (basis product)")
    planned: Real | None = Field(
        default=None, gt=0, le=MAX_AMOUNT, description="planned value added (10^4 yuan) or output"
    )
    profile: Profile = "even"
    shares: tuple[Real, ...] | None = None
    reserve: Real = Field(default=0.0, ge=0, lt=1)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Budget:
        if info.context and info.context.get("defer"):
            return self  # parse_budgets places each problem itself
        found = consistency(self)
        if found:
            raise ValueError("; ".join(f"{field}: {p.message}" for field, p in found))
        return self

    @property
    def implied_cap(self) -> float:
        """The cap if given, else intensity x planned (t CO2 or tce)."""
        if self.cap is not None:
            return float(self.cap)
        assert self.intensity is not None and self.planned is not None
        return float(self.intensity) * float(self.planned)

    @property
    def unit(self) -> str:
        return UNITS[self.quantity]

    @property
    def period(self) -> tuple[date, date]:
        """First and last day of the budget's year."""
        return date(self.year, 1, 1), date(self.year, 12, 31)

    def provenance(self) -> dict[str, Any]:
        """Where the budget's cap comes from and for which dates: the budget's own fields
        (every number of a budget is the authority's input)."""
        start, end = self.period
        derived = self.cap is None
        return {
            "budget_id": self.budget_id,
            "period_from": start.isoformat(),
            "period_to": end.isoformat(),
            "cap_from": "intensity x planned" if derived else "cap",
            "implied_cap": self.implied_cap,
            "unit": self.unit,
            "intensity": self.intensity,
            "basis": self.basis,
            "item": self.item,
            "planned": self.planned,
            "profile": self.profile,
            "shares": list(self.shares) if self.shares is not None else None,
            "reserve": self.reserve,
        }


def consistency(budget: Budget) -> list[tuple[str, Problem]]:
    """The problems of a budget that no single field shows, each with the field it sits at."""
    out: list[tuple[str, Problem]] = []

    def problem(field: str, template: str, *values: Any) -> None:
        out.append((field, Problem.of(Place(field=field), template, *values)))

    if budget.scope == "region" and not REGION_CODE.fullmatch(budget.code):
        problem("code", N_("region code {!r} is not 6 digits (GB/T 2260)"), budget.code)
    if budget.scope == "enterprise" and len(budget.code) != 18:
        problem("code", N_("{!r} is not an 18-character unified social credit code"), budget.code)
    if budget.cap is None and budget.intensity is None:
        problem("cap", N_("a budget needs a cap or an intensity (with basis and planned)"))
    if budget.intensity is not None:
        if budget.basis is None:
            problem("basis", N_("an intensity budget needs a basis (value_added or product)"))
        if budget.planned is None:
            problem("planned", N_("an intensity budget needs the planned denominator"))
        if (
            budget.cap is None
            and budget.planned is not None
            and float(budget.intensity) * float(budget.planned) > MAX_AMOUNT
        ):
            problem(
                "planned",
                N_("the implied cap (intensity x planned) {} is above {}"),
                f"{float(budget.intensity) * float(budget.planned):.6g}",
                f"{MAX_AMOUNT:.6g}",
            )
        if budget.basis == "product" and not budget.item:
            problem("item", N_("an intensity budget on basis product needs the product item"))
    if budget.item and budget.basis != "product":
        problem("item", N_("an item is given only with basis product"))
    count = _SHARE_COUNT.get(budget.profile)
    if count is None and budget.shares is not None:
        problem("shares", N_("the even profile takes no shares"))
    elif count is not None:
        shares = budget.shares or ()
        if len(shares) != count:
            problem(
                "shares",
                N_("the {} profile needs {} shares, {} given"),
                budget.profile,
                count,
                len(shares),
            )
        elif any(s < 0 for s in shares):
            problem("shares", N_("shares must be 0 or more"))
        elif abs(math.fsum(shares) - 1) > SHARE_TOLERANCE:
            problem("shares", N_("shares sum to {}, not 1"), round(math.fsum(shares), 12))
    return out


# -- the profile ---------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _weights(year: int, profile: str, shares: tuple[float, ...] | None) -> tuple[float, ...]:
    days = np.array([calendar.monthrange(year, m)[1] for m in range(1, 13)], dtype=float)
    if profile == "even":
        weights = days / days.sum()
    elif profile == "monthly":
        weights = np.array(shares, dtype=float)
    else:
        quarter_days = days.reshape(4, 3).sum(axis=1)
        weights = (np.array(shares, dtype=float) / quarter_days).repeat(3) * days
    return tuple(float(w) for w in weights)


def month_weights(budget: Budget) -> tuple[float, ...]:
    """The 12 shares of the year's cap by month (they sum to 1)."""
    return _weights(budget.year, budget.profile, budget.shares)


def month_allowances(budget: Budget) -> list[float]:
    """The implied cap spread over the 12 months by the budget's profile (t CO2 or tce):
    even by days of month; monthly by its shares; quarterly by its shares, each quarter's
    share spread over its months by their days."""
    cap = budget.implied_cap
    return [cap * w for w in month_weights(budget)]


@lru_cache(maxsize=256)
def elapsed_fractions(year: int, as_of: date) -> tuple[float, ...]:
    """How much of each month of `year` has elapsed by the end of `as_of` (0..1): months
    before as_of's month 1, its month as_of.day / days of the month, later months 0."""
    out = []
    for month in range(1, 13):
        days = calendar.monthrange(year, month)[1]
        if (year, month) < (as_of.year, as_of.month):
            out.append(1.0)
        elif (year, month) == (as_of.year, as_of.month):
            out.append(as_of.day / days)
        else:
            out.append(0.0)
    return tuple(out)


def elapsed_share(budget: Budget, as_of: date) -> float:
    """The share of the budget's profile elapsed by the end of `as_of` (0..1)."""
    fractions = elapsed_fractions(budget.year, as_of)
    return math.fsum(w * f for w, f in zip(month_weights(budget), fractions, strict=True))


# -- region codes --------------------------------------------------------------------------


def region_prefix(code: str) -> str:
    """The prefix a region code covers (prefix rule): 130000 -> 13, 130200 -> 1302,
    130203 -> 130203."""
    if code.endswith("0000"):
        return code[:2]
    if code.endswith("00"):
        return code[:4]
    return code


def contains(region: str, code: str) -> bool:
    """Whether region code `region` covers region code `code` (itself included)."""
    return code.startswith(region_prefix(region))
