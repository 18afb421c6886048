"""Accounts by the national carbon market's steel guideline CETS—AG—03.01—V01—2024 (issue 21,
part 1), hand-worked from the text's formula (1) and its Annex A rows
(docs/notes/ets_sources_2026.md §1.5–§1.7): fuels FC x NCV x CC x 44/12 (no oxidation factor),
carbonates, electrodes and carbon-bearing raw materials x their A.2 factors, minus the carbon
products (粗钢, 外销的生铁、粗苯、焦油) x their A.2 factors."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from carbonpeak.errors import InputError
from carbonpeak.market.accounts import account_market, below_threshold
from carbonpeak.market.methods import method_of
from carbonpeak.reference.loader import default_reference

STEEL = "911302005B8M2P4Q99"  # a synthetic code with valid check characters
C = 44 / 12


def table(*lines: dict[str, Any], period: str = "2025") -> pd.DataFrame:
    records = [{"enterprise_id": STEEL, "period": period, "direction": "in", **x} for x in lines]
    return pd.DataFrame(records).astype(str).replace("nan", "")


WORKS = [
    {
        "stream": "fuel",
        "item": "coke",
        "amount": "1000",
        "unit": "t",
        "ncv": "30",
        "ncv_unit": "GJ/t",
    },
    {"stream": "fuel", "item": "coke", "direction": "out", "amount": "100", "unit": "t"},
    {
        "stream": "fuel",
        "item": "anthracite",
        "amount": "200",
        "unit": "t",
        "ncv": "26",
        "ncv_unit": "GJ/t",
    },
    {
        "stream": "fuel",
        "item": "bituminous_coal",
        "amount": "300",
        "unit": "t",
        "carbon_content_tc_per_gj": "0.03",
    },
    {"stream": "fuel", "item": "natural_gas", "amount": "50", "unit": "10^4 Nm3"},
    {"stream": "process", "item": "limestone", "amount": "10000", "unit": "t"},
    {"stream": "process", "item": "dolomite", "amount": "2000", "unit": "t"},
    {"stream": "process", "item": "electrode", "amount": "50", "unit": "t"},
    {"stream": "process", "item": "steel_scrap", "amount": "1000", "unit": "t"},
    {"stream": "process", "item": "magnesite", "amount": "100", "unit": "t"},
    {"stream": "electricity", "item": "electricity", "amount": "100000", "unit": "MWh"},
    {"stream": "product", "item": "crude_steel", "amount": "500000", "unit": "t"},
    {"stream": "product", "item": "pig_iron", "direction": "out", "amount": "10000", "unit": "t"},
    {"stream": "product", "item": "coal_tar", "direction": "out", "amount": "2000", "unit": "t"},
    {
        "stream": "product",
        "item": "crude_benzene",
        "direction": "out",
        "amount": "500",
        "unit": "t",
    },
]

# By hand, from 附表A.1 and A.2:
FUEL = (
    (1000 - 100) * 28.435 * 0.02942 * C  # coke, net of the coke sold; its NCV is the default
    + 200 * 26.0 * 0.02749 * C  # anthracite at its measured NCV (accepted)
    + 300 * 23.736 * 0.02618 * C  # bituminous coal: the default carbon content, not 0.03
    + 50 * 389.310 * 0.01532 * C  # natural gas, 10^4 Nm3
)
PROCESS = 10000 * 0.440 + 2000 * 0.476 + 50 * 3.663 + 1000 * 0.037  # magnesite: not listed
PRODUCTS = -(500000 * 0.037 + 10000 * 0.172 + 2000 * 2.699 + 500 * 3.382)


def test_a_steelworks_year_by_formula_1_by_hand() -> None:
    result = account_market(table(*WORKS), "steel")
    assert result.method.method == "cets_steel_2024"
    (total,) = result.totals.to_dict("records")
    assert total["fuel_co2_t"] == pytest.approx(FUEL)
    assert total["process_co2_t"] == pytest.approx(PROCESS)
    assert total["product_co2_t"] == pytest.approx(PRODUCTS)
    assert total["co2_t"] == pytest.approx(FUEL + PROCESS + PRODUCTS)
    assert total["output_t"] == 500000
    assert total["intensity_t_per_t"] == pytest.approx((FUEL + PROCESS + PRODUCTS) / 500000)
    # written out: coke 2,760.64041 + anthracite 524.14267 + bituminous 683.54933 + natural
    # gas 1,093.44202 = 5,061.77443 t; process 4,400 + 952 + 183.15 + 37 = 5,572.15 t
    assert pytest.approx(5061.77443, abs=1e-5) == FUEL
    assert pytest.approx(5572.15) == PROCESS
    assert pytest.approx(-27309.0) == PRODUCTS


def test_the_account_says_what_the_guideline_set_aside() -> None:
    result = account_market(table(*WORKS), "steel")
    warnings = {w.code: w.data for w in result.warnings[(STEEL, "2025")]}
    assert warnings["market.methods.indirect_outside"] == {"items": ["electricity"]}
    assert warnings["market.methods.not_in_guideline"] == {"items": ["magnesite"]}
    measured = [
        w.data
        for w in result.warnings[(STEEL, "2025")]
        if w.code == "market.methods.default_required"
    ]
    assert {"parameter": "ncv", "items": ["coke"]} in measured
    assert {"parameter": "carbon_content_tc_per_gj", "items": ["bituminous_coal"]} in measured
    assert all("anthracite" not in m["items"] for m in measured)  # its measured NCV counts


def test_a_fuel_the_guideline_has_no_default_for_is_refused_at_its_row() -> None:
    works = [*WORKS[:3], {"stream": "fuel", "item": "raw_coal", "amount": "10", "unit": "t"}]
    with pytest.raises(InputError) as caught:
        account_market(table(*works), "steel")
    (problem,) = caught.value.problems
    assert problem.place.row == 5 and problem.place.column == "item"
    assert "raw_coal" in problem.message


@pytest.mark.parametrize(
    ("sector", "year"), [("cement", 2025), ("aluminium", 2025), ("steel", 2023)]
)
def test_no_guideline_no_account(sector: str, year: int) -> None:
    """Cement and aluminium: their guidelines' texts were not found; steel before 2024: the
    guideline applies from the 2024 reports. Never the 2013 guidelines instead."""
    with pytest.raises(InputError) as caught:
        method_of(sector, year)
    assert "market_methods" in caught.value.problems[0].message
    with pytest.raises(InputError):
        account_market(table(*WORKS, period=str(year)), sector)


def test_monthly_periods_sum_to_the_year() -> None:
    months = [
        {**line, "period": f"2025-{m:02d}", "amount": str(float(line["amount"]) / 12)}
        for m in range(1, 13)
        for line in WORKS
    ]
    frame = pd.DataFrame([{"enterprise_id": STEEL, "direction": "in", **x} for x in months]).astype(
        str
    )
    result = account_market(frame, "steel")
    assert len(result.totals) == 12
    assert result.totals["co2_t"].sum() == pytest.approx(FUEL + PROCESS + PRODUCTS)


def test_a_period_whose_every_line_is_outside_counts_zero_and_says_why() -> None:
    power = {"stream": "electricity", "item": "electricity", "amount": "10", "unit": "MWh"}
    result = account_market(table(power, period="2025-01"), "steel")
    (total,) = result.totals.to_dict("records")
    assert total["co2_t"] == 0 and total["period"] == "2025-01"
    (warning,) = result.warnings[(STEEL, "2025-01")]
    assert warning.code == "market.methods.indirect_outside"
    both = account_market(
        pd.concat([table(*WORKS, period="2025-02"), table(power, period="2025-01")]), "steel"
    )
    assert list(both.totals["period"]) == ["2025-01", "2025-02"]
    assert both.totals["co2_t"].iloc[0] == 0


@pytest.mark.parametrize("distinct", [3, 70])  # bits of one integer, or joined texts
def test_enterprise_periods_with_the_same_flags_share_their_warnings(distinct: int) -> None:
    from carbonpeak.market.methods import _warnings

    periods = pd.DataFrame(
        {"enterprise_id": [STEEL] * 3, "period": ["2025-01", "2025-02", "2025-03"]}
    )
    items = [f"m{i:02d}" for i in range(distinct)]
    flags = [
        pd.DataFrame(
            {"key": [0] * distinct + [1] * distinct, "kind": "unlisted", "item": items * 2}
        ),
        pd.DataFrame({"key": [2], "kind": "outside", "item": ["electricity"]}),
    ]
    warnings = _warnings(flags, periods)
    january, february = warnings[(STEEL, "2025-01")], warnings[(STEEL, "2025-02")]
    assert january is february  # made once
    assert january[0].data == {"items": items}
    assert warnings[(STEEL, "2025-03")][0].code == "market.methods.indirect_outside"


@pytest.mark.parametrize(
    ("lines", "needle"),
    [
        ([], "no period"),
        (
            [{"stream": "product", "item": "coke", "direction": "out", "amount": "5", "unit": "t"}],
            "fuel line",
        ),
    ],
)
def test_found_by_review_refused_with_their_place(lines: list[dict[str, str]], needle: str) -> None:
    """An empty table (an internal KeyError before), sold coke as a product (silently not
    deducted before; formula (1) note 3 nets it out of the fuels)."""
    frame = table(*lines) if lines else table(*WORKS).iloc[0:0]
    with pytest.raises(InputError) as caught:
        account_market(frame, "steel")
    assert needle in caught.value.problems[0].message


def test_a_year_reported_both_annually_and_monthly_is_refused() -> None:
    both = pd.concat([table(*WORKS), table(*WORKS, period="2025-01")])
    with pytest.raises(InputError, match="both as a year and by month"):
        account_market(both, "steel")


def test_a_whole_year_under_the_lists_threshold_says_so() -> None:
    """market_sectors: a unit is put on the list from 2.6万 tCO2e of annual direct emissions
    (the 2026 work notice, the 2027 list rules); a part of a year says nothing."""
    ref = default_reference()
    under = below_threshold(25_999.99, ["2025"], "3120", ref)
    assert under is not None and under.code == "market.accounts.below_threshold"
    assert under.data == {"co2": 25_999.99, "threshold": 26_000.0}
    assert below_threshold(26_000.0, ["2025"], "3120", ref) is None
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    assert below_threshold(1_000.0, months, "3011", ref) is not None
    assert below_threshold(1_000.0, months[:11], "3011", ref) is None  # not yet whole
    assert below_threshold(1_000.0, ["2025"], "2511", ref) is None  # not a market class
