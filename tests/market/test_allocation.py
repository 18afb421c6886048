"""Allocation of the national carbon market: the hand-worked cases of
docs/notes/ets_sources_2026.md §8, the draft's rounding example, refusals, and properties
(|A/E - 1| <= 0.03, A monotone in the intensity)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.errors import InputError, Place
from carbonpeak.market.allocation import allocate, allocation_rule
from carbonpeak.reference.editions import Edition, EditionRow, apply_edition
from carbonpeak.reference.loader import Reference, default_reference

BP_SOURCE = {
    "source_id": "test_fixture_platform",
    "title": "全国碳市场管理平台 行业平衡值（test fixture, not a published value）",
    "issuer": "carbonpeak tests",
    "note": "a balance value entered as an authority would; not a real value",
}


def _with_bp(value: str = "1.000", sector: str = "steel", year: int = 2025) -> Reference:
    row = {
        "sector": sector,
        "year": year,
        "value": value,
        "unit": "tCO2/t",
        "source_id": "test_fixture_platform",
        "status": "verified",
    }
    return default_reference().with_records("market_balance_values", [row], [BP_SOURCE])


REFERENCE = _with_bp()


def _steel(intensity: str, emissions: int = 1_000_000) -> Decimal:
    # I = intensity_emissions / product: 1 000 t of product
    result = allocate(REFERENCE, "steel", 2025, emissions, Decimal(intensity) * 1000, 1000)
    return result.allowance_t


def test_the_hand_worked_case_of_the_notes() -> None:
    """E = 1 000 000 t, BP = 1.000, I = 0.950: X = 5 % exactly, alpha = 0.0075,
    A = 1 007 500 t; the rule, the formula and the balance value are cited."""
    result = allocate(REFERENCE, "steel", 2025, 1_000_000, "950", "1000")
    assert result.deviation == Decimal("0.05")
    assert result.alpha == Decimal("0.0075")
    assert result.allowance_t == Decimal(1_007_500)
    assert (result.rule, result.allocation_unit, result.coefficient) == (
        "intensity_coefficient",
        "enterprise",
        "market.alpha",
    )
    assert result.intensity == Decimal("0.95") and result.balance_value == Decimal("1.0")
    assert [r["table"] for r in result.reference_rows] == [
        "market_allocation_rules",
        "formulas",
        "market_balance_values",
    ]
    # the 2025 rule and coefficient are a secondary transcription: the result says so
    [warning] = result.warnings
    assert warning.code == "market.allocation.unverified" and warning.data["count"] == 2
    assert result.surplus_t == Decimal(7_500)


@pytest.mark.parametrize(
    ("intensity", "alpha"),
    [
        ("0.75", "0.03"),  # X = 25 %
        ("1.25", "-0.03"),  # X = -25 %
        ("0.80", "0.03"),  # X = exactly 20 %: in the capped band
        ("1.20", "-0.03"),  # X = exactly -20 %
        ("1.00", "0"),
    ],
)
def test_the_coefficient_is_capped_at_three_percent(intensity: str, alpha: str) -> None:
    result = allocate(REFERENCE, "steel", 2025, 1_000_000, Decimal(intensity) * 1000, 1000)
    assert result.alpha == Decimal(alpha)
    assert result.allowance_t == Decimal(1_000_000) * (1 + Decimal(alpha))


def test_2024_allocates_the_verified_emissions() -> None:
    """2024: A = E for every sector, no intensity or balance value needed, not rounded."""
    for sector in ("steel", "cement", "aluminium"):
        result = allocate(default_reference(), sector, 2024, "123456.78")
        assert result.allowance_t == Decimal("123456.78")
        assert result.rule == "verified_emissions" and result.alpha == 0
        assert result.warnings == ()  # read in the MEE 2026 report


def test_allowances_are_rounded_down() -> None:
    """The draft's example 1789.70 t -> 1789 t: an allowance of 1789.70 before rounding
    (E = 1789.70 at X = 0) is 1789 t."""
    result = allocate(REFERENCE, "steel", 2025, "1789.70", 1000, 1000)
    assert result.alpha == 0 and result.allowance_t == Decimal(1789)


def test_the_sectors_units() -> None:
    cement = _with_bp("0.860", "cement")
    line = allocate(cement, "cement", 2025, 860_000, 817_000, 1_000_000)  # I = 0.817: X = 5 %
    assert line.allocation_unit == "clinker_line" and line.allowance_t == Decimal(866_450)
    aluminium = _with_bp("1.600", "aluminium")
    potline = allocate(aluminium, "aluminium", 2025, 160_000, 176_000, 100_000)  # X = -10 %
    assert potline.allocation_unit == "electrolysis_process"
    assert potline.alpha == Decimal("-0.015") and potline.allowance_t == Decimal(157_600)


def test_refusals_name_what_is_missing() -> None:
    with pytest.raises(InputError, match="no allocation rule of the national carbon market for"):
        allocate(REFERENCE, "steel", 2026, 1000, 950, 1000)  # the 2026 plan was not read
    with pytest.raises(InputError, match="for glass in 2025"):
        allocate(REFERENCE, "glass", 2025, 1000, 950, 1000)
    with pytest.raises(InputError, match="market_balance_values"):
        allocate(default_reference(), "steel", 2025, 1000, 950, 1000)  # no BP entered
    with pytest.raises(InputError, match="intensity_product"):
        allocate(REFERENCE, "steel", 2025, 1000, 950)
    with pytest.raises(InputError, match="must be above 0") as refused:
        allocate(REFERENCE, "steel", 2025, 1000, 950, 0)
    assert refused.value.problems[0].place.field == "product_t"
    with pytest.raises(InputError, match="0 or more"):
        allocate(REFERENCE, "steel", 2025, -5, 950, 1000)


def test_a_balance_value_in_other_units_is_converted(tmp_path: Path) -> None:
    reference = _with_bp("950", "steel").with_records(
        "market_balance_values",
        [
            {
                "sector": "cement",
                "year": 2025,
                "value": "860",
                "unit": "kgCO2/t",
                "source_id": "test_fixture_platform",
                "status": "unverified",
                "note": "test fixture",
            }
        ],
    )
    line = allocate(reference, "cement", 2025, 860_000, 817_000, 1_000_000)
    assert line.balance_value == Decimal("0.86") and line.alpha == Decimal("0.0075")
    assert line.warnings[0].data["count"] == 3  # the fixture's BP is unverified too


@settings(max_examples=200, deadline=None)
@given(
    emissions=st.integers(min_value=0, max_value=10**8),
    intensity=st.decimals(min_value="0.001", max_value="5", places=3),
    other=st.decimals(min_value="0.001", max_value="5", places=3),
)
def test_properties(emissions: int, intensity: Decimal, other: Decimal) -> None:
    """A stays within 3 % of E (before rounding down by less than a tonne), and a lower
    intensity never gets fewer allowances."""
    a = _steel(str(intensity), emissions)
    assert Decimal(emissions) * Decimal("0.97") - 1 < a <= Decimal(emissions) * Decimal("1.03")
    low, high = sorted((intensity, other))
    assert _steel(str(low), emissions) >= _steel(str(high), emissions)


def test_exceptions_get_their_verified_emissions() -> None:
    """2025 special clinker lines (white clinker, 电石渣 above 15 %, gypsum to sulfuric acid):
    allowance = verified emissions, whatever their intensity; no such case in 2024's rule
    (there every unit gets E) or for steel in 2025."""
    cement = _with_bp("0.860", "cement")
    line = allocate(cement, "cement", 2025, "860000.5", 1_200_000, 1_000_000, "white_clinker")
    assert line.allowance_t == Decimal("860000.5") and line.rule == "verified_emissions"
    assert line.exception == "white_clinker" and line.alpha == 0
    assert [r["table"] for r in line.reference_rows] == [
        "market_allocation_rules",
        "market_allocation_exceptions",
    ]
    assert line.as_dict()["exception"] == "white_clinker"
    # without the balance value too: the exception needs no intensity
    assert (
        allocate(default_reference(), "cement", 2025, 5, exception="carbide_slag").allowance_t == 5
    )
    with pytest.raises(InputError, match="no allocation exception 'white_clinker' of steel"):
        allocate(REFERENCE, "steel", 2025, 1000, 950, 1000, "white_clinker")
    with pytest.raises(InputError, match="exception 'carbide_slag' of cement in 2024"):
        allocate(default_reference(), "cement", 2024, 1000, exception="carbide_slag")


def test_an_edition_makes_2026_allocatable() -> None:
    """2026 is refused until an authority's edition writes its rule and coefficient (here a
    test fixture, not the 2026 plan): then it allocates as 2025 does."""
    provenance = {"source_id": "test_fixture_2026", "status": "unverified", "note": "fixture"}
    rows = (
        EditionRow(
            "formulas",
            {
                **provenance,
                "formula": "market.alpha",
                "form": "linear",
                "variable": "intensity_deviation",
                "intercept": "0",
                "slope": "0.15",
                "floor": "-0.03",
                "cap": "0.03",
            },
            "add",
            Place(file="formulas.csv", row=2),
        ),
        EditionRow(
            "market_allocation_rules",
            {
                **provenance,
                "sector": "steel",
                "allocation_unit": "enterprise",
                "rule": "intensity_coefficient",
                "coefficient": "market.alpha",
                "intensity_emissions": "炼铁工序 + 烧结工序 emissions",
                "intensity_product": "炼铁工序产品产量",
                "rounding": "down",
            },
            "add",
            Place(file="market_allocation_rules.csv", row=2),
        ),
    )
    document = {
        "source_id": "test_fixture_2026",
        "title": "2026 分配方案（test fixture, not the plan）",
        "issuer": "carbonpeak tests",
        "note": "a fixture",
    }
    edition = Edition(document, date(2026, 1, 1), rows, place=Place(file="edition.yaml"))
    library = apply_edition(_with_bp(year=2026), edition).reference
    result = allocate(library, "steel", 2026, 1_000_000, 950, 1000)
    assert result.allowance_t == Decimal(1_007_500)
    assert allocation_rule(library, "steel", 2025).line == 5  # 2025 keeps its own row
    with pytest.raises(InputError, match="for cement in 2026"):
        allocate(library, "cement", 2026, 1_000_000, 950, 1000)
