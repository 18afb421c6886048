"""The year-end what-if of the carbon market, worked by hand: the months reported count as
they are, the others at the daily pace of the recent reported months (the budgets' method)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from carbonpeak.errors import InputError
from carbonpeak.market.projection import project_position
from carbonpeak.reference.loader import default_reference
from tests.market.test_allocation import REFERENCE

# 2025: Jan-Mar 40 000 t each; Apr-Jun 30 000, 31 000, 30 000 t: 91 000 t in 91 days
HALF_YEAR = {1: 40_000, 2: 40_000, 3: 40_000, 4: 30_000, 5: 31_000, 6: 30_000}


def test_half_a_year_under_each_rule() -> None:
    """211 000 t reported; 1 000 t a day over the 184 days of July-December: 395 000 t.
    2024's rule gives the projected emissions (no surplus); 2025's, at I = 0.95 against
    BP = 1.000 (X = 5 %, alpha = 0.0075), floor(395 000 x 1.0075) = 397 962 t: 2 962 t over."""
    y2024 = project_position(default_reference(), "steel", 2024, HALF_YEAR)
    # 2024 is a leap year: Jul-Dec still 184 days, Apr-Jun still 91
    assert y2024.projected_emissions_t == Decimal(395_000) and y2024.surplus_t == 0
    assert y2024.recent == (4, 5, 6) and y2024.reported_t == Decimal(211_000)
    y2025 = project_position(
        REFERENCE,
        "steel",
        2025,
        HALF_YEAR,
        intensity_emissions_t={1: 90_000, 4: 100_000},  # 190 000 t over 200 000 t: I = 0.95
        product_t={1: 100_000, 4: 100_000},
    )
    assert y2025.projected_emissions_t == Decimal(395_000)
    assert y2025.allocation.alpha == Decimal("0.0075")
    assert y2025.projected_allowance_t == Decimal(397_962)
    assert y2025.surplus_t == Decimal(2_962)
    assert [w.code for w in y2025.warnings] == [
        "market.projection.months",
        "market.allocation.unverified",
    ]


def test_a_gap_in_the_months() -> None:
    """Jan 50 000, Feb 28 000, Apr 30 000 t (March not reported): the recent months are Feb
    and Apr (58 000 t in 58 days); March and May-December (276 days) at 1 000 t a day."""
    projection = project_position(
        default_reference(), "cement", 2025 - 1, {1: 50_000, 2: 28_000, 4: 30_000}
    )
    # 2024: February has 29 days: (28 000 + 30 000) / 59 a day over 276 days
    assert projection.recent == (2, 4)
    expected = Decimal(108_000) + Decimal(58_000) / Decimal(59) * 276
    assert projection.projected_emissions_t == expected


def test_a_full_year_is_its_sum() -> None:
    months = {m: 1_000 for m in range(1, 13)}
    projection = project_position(default_reference(), "aluminium", 2024, months)
    assert projection.projected_emissions_t == Decimal(12_000) and projection.recent == ()
    assert projection.warnings == ()


def test_refusals() -> None:
    with pytest.raises(InputError, match="not a month"):
        project_position(default_reference(), "steel", 2024, {13: 5})
    with pytest.raises(InputError, match="nothing to project"):
        project_position(default_reference(), "steel", 2024, {})
    with pytest.raises(InputError, match="no allocation rule"):
        project_position(REFERENCE, "steel", 2026, HALF_YEAR)
