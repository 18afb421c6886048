"""One upload, both regimes (issue 21, part 4): the MIIT account and the carbon market's of the
same rows, their difference split into named steps that add up to it, hand-worked."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.accounting.engine import account
from carbonpeak.market.accounts import account_market
from carbonpeak.market.reconcile import STEPS, reconcile
from carbonpeak.reference.loader import default_reference
from tests.market.test_accounts import STEEL, WORKS, C, table


def test_the_steps_add_up_to_the_difference_of_the_two_accounts() -> None:
    frame = table(*WORKS)
    result = reconcile(frame, "steel")
    miit = account(frame).totals["co2e_t"].sum()
    market = account_market(frame, "steel").totals["co2_t"].sum()
    (total,) = result.totals.to_dict("records")
    assert total["miit_co2e_t"] == pytest.approx(miit)
    assert total["market_co2_t"] == pytest.approx(market)
    assert total["miit_co2e_t"] + sum(total[s] for s in STEPS) == pytest.approx(market)
    streams = result.streams
    assert streams["market_co2_t"].sum() == pytest.approx(market)
    assert (streams["miit_co2e_t"] + streams[list(STEPS)].sum(axis=1)).to_numpy() == (
        pytest.approx(streams["market_co2_t"].to_numpy())
    )


def test_each_step_by_hand() -> None:
    """100 t anthracite and 1,000 MWh of electricity. The 2013 guidelines' defaults for
    anthracite: NCV 26.7 GJ/t, CC 0.02749 tC/GJ, oxidation rate 0.94 (tests/accounting); the
    guideline's: NCV 25.024, CC 0.02749, no oxidation factor."""
    frame = table(
        {"stream": "fuel", "item": "anthracite", "amount": "100", "unit": "t"},
        {"stream": "electricity", "item": "electricity", "amount": "1000", "unit": "MWh"},
    )
    result = reconcile(frame, "steel").streams.set_index("item")
    coal = result.loc["anthracite"]
    assert coal["miit_co2e_t"] == pytest.approx(100 * 26.7 * 0.02749 * 0.94 * C)
    assert coal["method"] == pytest.approx(100 * 26.7 * 0.02749 * (1 - 0.94) * C)
    assert coal["measured"] == 0
    assert coal["factors"] == pytest.approx(100 * (25.024 - 26.7) * 0.02749 * C)
    assert coal["boundary"] == 0
    assert coal["market_co2_t"] == pytest.approx(100 * 25.024 * 0.02749 * C)
    power = result.loc["electricity"]
    miit_power = account(frame.iloc[1:]).totals["co2e_t"].iloc[0]
    assert power["miit_co2e_t"] == pytest.approx(miit_power) and miit_power > 0
    assert power["boundary"] == pytest.approx(-miit_power)
    assert power["market_co2_t"] == 0
    assert power[["method", "measured", "factors"]].abs().sum() == 0


def test_a_measured_value_the_guideline_refuses_is_its_own_step() -> None:
    """Coke with a measured NCV of 30 GJ/t: the MIIT account takes it; the guideline takes its
    default, 28.435 GJ/t (§6.2.2). The measured step replaces 30 by the 2013 default, the
    factor step the 2013 default by the guideline's."""
    frame = table(
        {
            "stream": "fuel",
            "item": "coke",
            "amount": "10",
            "unit": "t",
            "ncv": "30",
            "ncv_unit": "GJ/t",
        }
    )
    (row,) = reconcile(frame, "steel").streams.to_dict("records")
    library = default_reference()

    def old(parameter: str) -> float:
        value = library.lookup(
            "fuel_parameters", parameter_set="guideline_2013", item="coke", parameter=parameter
        )
        return value.to("GJ/t") if parameter == "ncv" else value.value

    ncv, cc = old("ncv"), old("carbon_content")
    assert row["measured"] == pytest.approx(10 * (ncv - 30) * cc * C)
    assert row["factors"] == pytest.approx(10 * (28.435 * 0.02942 - ncv * cc) * C)
    assert row["market_co2_t"] == pytest.approx(10 * 28.435 * 0.02942 * C)


@settings(max_examples=10, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(range(len(WORKS))),
            st.floats(min_value=0, max_value=1e6, allow_nan=False),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_the_parts_always_add_up(lines: list[tuple[int, float]]) -> None:
    frame = table(*({**WORKS[i], "amount": repr(amount)} for i, amount in lines))
    result = reconcile(frame, "steel")
    for record in result.totals.to_dict("records"):
        parts = record["miit_co2e_t"] + sum(record[s] for s in STEPS)
        assert parts == pytest.approx(record["market_co2_t"], rel=1e-9, abs=1e-6)
    market = account_market(frame, "steel").totals.set_index(["enterprise_id", "period"])
    assert result.totals.set_index(["enterprise_id", "period"])["market_co2_t"].to_numpy() == (
        pytest.approx(market["co2_t"].to_numpy(), rel=1e-9, abs=1e-6)
    )
    assert STEEL in set(result.totals["enterprise_id"])
