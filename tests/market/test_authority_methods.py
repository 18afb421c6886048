"""A market guideline the library does not ship, added by an authority (issue 21, cement and
aluminium). The texts of the cement and aluminium guidelines of 2024 (CETS—AG—02.01 and
—04.01—V01—2024) were not found (docs/notes/ets_sources_2026.md §3, §4, §9), so no row of
theirs ships: the engine must take every factor from the rows an authority enters. The rows
below are a labelled test fixture with invented round values, not the guidelines' values."""

from __future__ import annotations

import pandas as pd
import pytest

from carbonpeak.errors import InputError
from carbonpeak.market.accounts import account_market
from carbonpeak.reference.loader import Reference, default_reference

CEMENT = "91130200MA0CEMENTX"
C = 44 / 12
SOURCE = {
    "source_id": "test_fixture_cement_guideline",
    "title": "水泥行业核算指南（test fixture: invented values, not the guideline's）",
    "issuer": "carbonpeak tests",
    "note": "rows entered as an authority would; not real values",
}
METHOD = {
    "sector": "cement",
    "method": "fixture_cement",
    "guideline": "test fixture cement guideline",
    "parameter_set": "fixture_cement",
    "process_basis": "cets_cement_2024",
    "product_basis": "cets_cement_2024",
    "oxidation": "complete",
    "measured": "",
    "default_ncv_items": "",
    "product": "clinker",
    "boundary": "direct",
    "valid_from": "2025-01-01",
    "source_id": SOURCE["source_id"],
    "status": "verified",
}


def _cement(clinker_factor: bool = True) -> Reference:
    ref = default_reference().with_records("market_methods", [METHOD], [SOURCE])
    fuel = [
        {
            "parameter_set": "fixture_cement",
            "item": "bituminous_coal",
            "parameter": parameter,
            "value": value,
            "unit": unit,
            "source_id": SOURCE["source_id"],
            "status": "verified",
        }
        for parameter, value, unit in (("ncv", "20", "GJ/t"), ("carbon_content", "0.025", "tC/GJ"))
    ]
    ref = ref.with_records("fuel_parameters", fuel)
    if clinker_factor:
        factor = {
            "item": "clinker",
            "basis": "cets_cement_2024",
            "value": "0.5",
            "unit": "tCO2/t",
            "source_id": SOURCE["source_id"],
            "status": "verified",
        }
        ref = ref.with_records("process_emission_factors", [factor])
    return ref


def _activity(**clinker: str) -> pd.DataFrame:
    rows = [
        {"stream": "fuel", "item": "bituminous_coal", "amount": "1000", "unit": "t"},
        {"stream": "electricity", "item": "electricity", "amount": "5000", "unit": "MWh"},
        {"stream": "product", "item": "clinker", "amount": "10000", "unit": "t", **clinker},
    ]
    frame = pd.DataFrame(
        [{"enterprise_id": CEMENT, "period": "2025", "direction": "in", **r} for r in rows]
    )
    return frame.astype(str).replace("nan", "")


def test_a_cement_guideline_entered_by_an_authority_accounts_by_its_own_rows() -> None:
    result = account_market(_activity(), "cement", reference=_cement())
    total = result.totals.iloc[0]
    # by hand: coal 1 000 t x 20 GJ/t x 0.025 tC/GJ x 44/12 (no oxidation factor); clinker
    # 10 000 t x 0.5 tCO2/t from the authority's basis (not IPCC 2006's 0.52); electricity
    # outside the direct boundary
    assert total["fuel_co2_t"] == pytest.approx(1000 * 20 * 0.025 * C)
    assert total["process_co2_t"] == pytest.approx(10000 * 0.5)
    assert total["product_co2_t"] == 0
    assert total["co2_t"] == pytest.approx(1000 * 20 * 0.025 * C + 5000)
    assert total["output_t"] == pytest.approx(10000)
    assert result.method.method == "fixture_cement"


def test_measured_cao_is_set_aside_where_the_guideline_accepts_no_measured_value() -> None:
    # the 2013 method would compute clinker CO2 from CaO; this guideline accepts none
    result = account_market(_activity(cao_fraction="0.65"), "cement", reference=_cement())
    assert result.totals.iloc[0]["process_co2_t"] == pytest.approx(5000)


def test_a_basis_without_a_clinker_factor_counts_it_zero_and_says_so() -> None:
    result = account_market(_activity(), "cement", reference=_cement(clinker_factor=False))
    total = result.totals.iloc[0]
    assert total["process_co2_t"] == 0
    codes = {w.code for ws in result.warnings.values() for w in ws}
    assert "accounting.process.no_factor" in codes
    assert "accounting.process.default_clinker_factor" not in codes


def test_the_shipped_library_refuses_cement() -> None:
    with pytest.raises(InputError, match="cement"):
        account_market(_activity(), "cement")


ALUMINIUM = "91130200MA0A1UMNXG"
ALUMINIUM_METHOD = METHOD | {
    "sector": "aluminium",
    "method": "fixture_aluminium",
    "parameter_set": "fixture_aluminium",
    "process_basis": "cets_aluminium_2024",
    "product_basis": "cets_aluminium_2024",
    "product": "primary_aluminium",
}
# the 2013 guideline's anode defaults (process_parameters, not keyed by a basis: an edition
# cannot give the aluminium guideline its own yet): 0.42 t/t x (1 - 0.02 - 0.004) x 44/12
ANODE = 1000 * 0.42 * (1 - 0.02 - 0.004) * C


def _aluminium(pfc: bool) -> Reference:
    ref = default_reference().with_records("market_methods", [ALUMINIUM_METHOD], [SOURCE])
    if pfc:
        rows = [
            {
                "item": "primary_aluminium",
                "gas": gas,
                "basis": "cets_aluminium_2024",
                "value": value,
                "unit": "kg/t",
                "source_id": SOURCE["source_id"],
                "status": "verified",
            }
            for gas, value in (("cf4", "0.1"), ("c2f6", "0.01"))
        ]
        ref = ref.with_records("gas_emission_factors", rows)
    return ref


def _smelter() -> pd.DataFrame:
    row = {"stream": "product", "item": "primary_aluminium", "amount": "1000", "unit": "t"}
    return pd.DataFrame([{"enterprise_id": ALUMINIUM, "period": "2025", "direction": "in", **row}])


def test_an_aluminium_guideline_takes_the_anode_effect_factors_of_its_own_basis() -> None:
    result = account_market(_smelter(), "aluminium", reference=_aluminium(pfc=True))
    # by hand: 1 000 t x (0.1 kg CF4 x 6 630 + 0.01 kg C2F6 x 11 100) / 1 000 (AR5)
    pfc = 1000 * (0.1 * 6630 + 0.01 * 11100) / 1000
    assert result.totals.iloc[0]["process_co2_t"] == pytest.approx(ANODE + pfc)


def test_an_aluminium_basis_without_anode_effect_factors_is_not_filled_from_2013() -> None:
    # before: the 2013 guideline's 0.034 and 0.0034 kg/t were taken silently (263.16 t)
    result = account_market(_smelter(), "aluminium", reference=_aluminium(pfc=False))
    assert result.totals.iloc[0]["process_co2_t"] == pytest.approx(ANODE)
    codes = {w.code for ws in result.warnings.values() for w in ws}
    assert "accounting.process.no_factor" in codes
