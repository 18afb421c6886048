"""Allowances of accounted steelworks (issue 21, part 3), hand-worked: E is the year's account
by the guideline, I the 炼铁 + 烧结 emissions over the 炼铁 output of the process sheet (the 2025
rule's columns), BP a test balance value (no published value exists here)."""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

import pytest

from carbonpeak.errors import InputError
from carbonpeak.market.accounts import account_market
from carbonpeak.market.allocations import allocations_of
from carbonpeak.reference.loader import default_reference
from tests.market.test_accounts import STEEL, C, table
from tests.market.test_allocation import _with_bp
from tests.market.test_processes import IRON, PROCESSES, SINTER, sheet

# a works of a million tonnes of crude steel (synthetic amounts), and its process sheet: the
# processes of tests/market/test_processes.py x 1,000 (so I is theirs)
WORKS = [
    {"stream": "fuel", "item": "coke", "amount": "350000", "unit": "t"},
    {"stream": "fuel", "item": "bituminous_coal", "amount": "150000", "unit": "t"},
    {"stream": "fuel", "item": "natural_gas", "amount": "1000", "unit": "10^4 Nm3"},
    {"stream": "process", "item": "limestone", "amount": "60000", "unit": "t"},
    {"stream": "product", "item": "crude_steel", "amount": "1000000", "unit": "t"},
    {"stream": "product", "item": "coal_tar", "direction": "out", "amount": "10000", "unit": "t"},
]
E = (
    350000 * 28.435 * 0.02942 * C
    + 150000 * 23.736 * 0.02618 * C
    + 1000 * 389.310 * 0.01532 * C
    + 60000 * 0.440
    - 1000000 * 0.037
    - 10000 * 2.699
)
BIG = [{**line, "amount": str(float(line["amount"]) * 1000)} for line in PROCESSES]


def test_2025_steel_allowance_from_the_accounts_and_the_process_sheet() -> None:
    reference = _with_bp("0.8")
    accounts = account_market(
        table(*WORKS), "steel", processes=sheet(*PROCESSES), reference=reference
    )
    (allocation,) = allocations_of(accounts, 2025, reference).values()
    e = E
    i = (IRON + SINTER) * 1000 / 1_000_000  # t CO2 per t of pig iron
    x = (0.8 - i) / 0.8
    alpha = max(-0.03, min(0.03, 0.15 * x))
    assert float(allocation.verified_emissions_t) == pytest.approx(e)
    assert float(allocation.intensity) == pytest.approx(i)
    assert float(allocation.deviation) == pytest.approx(x)
    assert float(allocation.alpha) == pytest.approx(alpha)
    expected = (Decimal(repr(e)) * (1 + allocation.alpha)).to_integral_value(ROUND_FLOOR)
    assert allocation.allowance_t == expected
    # written out: E = 1,073,582.38 + 341,774.66 + 21,868.84 + 26,400 − 37,000 − 26,990 =
    # 1,399,635.89 t; I = (558,677.05 + 230,502.14) / 1,000,000 = 0.789179 t/t; X = 1.3526 %;
    # alpha = 0.0020289; A = ⌊E x 1.0020289⌋
    assert pytest.approx(1399635.886, abs=1e-2) == E
    assert i == pytest.approx(0.789179, abs=1e-6) and alpha == pytest.approx(0.0020289, abs=1e-7)


def test_2024_is_the_verified_emissions_and_needs_no_process_sheet() -> None:
    accounts = account_market(table(*WORKS, period="2024"), "steel")
    (allocation,) = allocations_of(accounts, 2024, default_reference()).values()
    assert float(allocation.allowance_t) == pytest.approx(E)
    assert allocation.rule == "verified_emissions"


def test_the_2025_rule_without_the_process_sheet_is_refused() -> None:
    reference = _with_bp("0.8")
    accounts = account_market(table(*WORKS), "steel", reference=reference)
    with pytest.raises(InputError, match="process sheet"):
        allocations_of(accounts, 2025, reference)


def test_every_process_a_rule_names_is_a_process_of_its_sector() -> None:
    library = default_reference()
    for rule in library.rows("market_allocation_rules"):
        named = str(rule.get("intensity_processes") or "").split()
        named += [p for p in [str(rule.get("product_process") or "")] if p]
        known = {str(r["process"]) for r in library.rows("market_processes", sector=rule["sector"])}
        assert set(named) <= known, rule.line
    assert STEEL


def test_part_of_a_year_is_not_allocated_as_the_year() -> None:
    """Found by review: three months were allocated as 2025. Each enterprise's year must be
    one annual period or its twelve months; every enterprise's problem names it."""
    reference = _with_bp("0.8")
    quarter = [{**line, "period": f"2025-0{m}"} for m in (1, 2, 3) for line in WORKS]
    accounts = account_market(table(*quarter), "steel", reference=reference)
    with pytest.raises(InputError) as caught:
        allocations_of(accounts, 2025, reference)
    (problem,) = caught.value.problems
    assert problem.place.field == STEEL and "2025-01, 2025-02, 2025-03" in problem.message


def test_an_infinite_balance_value_is_refused_at_its_row() -> None:
    reference = _with_bp("1e400")
    accounts = account_market(table(*WORKS), "steel", processes=sheet(*BIG), reference=reference)
    with pytest.raises(InputError, match="finite"):
        allocations_of(accounts, 2025, reference)


def test_a_process_sheet_of_part_of_the_year_gives_no_intensity_of_the_year() -> None:
    """Found by review: a sheet of January and February set the intensity of a twelve-month
    year (and so its allowance, 16,829,707 t with BP 0.8) without a word."""
    import pandas as pd

    reference = _with_bp("0.8")
    year = pd.concat([table(*WORKS, period=f"2025-{m:02d}") for m in range(1, 13)])
    two = pd.concat([sheet(*PROCESSES).assign(period=f"2025-{m:02d}") for m in (1, 2)])
    accounts = account_market(year, "steel", processes=two, reference=reference)
    with pytest.raises(InputError) as caught:
        allocations_of(accounts, 2025, reference)
    (problem,) = caught.value.problems
    assert problem.place.field == STEEL and problem.place.column == "period"
    assert "2025-03" in problem.message and "2025-12" in problem.message
    assert "2025-01" not in problem.message
    whole = pd.concat([sheet(*PROCESSES).assign(period=f"2025-{m:02d}") for m in range(1, 13)])
    accounts = account_market(year, "steel", processes=whole, reference=reference)
    (allocation,) = allocations_of(accounts, 2025, reference).values()
    assert float(allocation.intensity) == pytest.approx((IRON + SINTER) / 1000)
