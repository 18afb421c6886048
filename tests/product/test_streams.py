"""The source-stream formulas against the worked examples printed in the EU CBAM communication
template for installations v2.1.1 (B_EmInst rows 14-16, 97, 111-112; G_FurtherGuidance G132;
docs/notes/research22.md §2.6), and their properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.product.cbam import carbon_to_co2
from carbonpeak.product.streams import (
    Measured,
    Method,
    PfcSlope,
    Stream,
    heat_factor,
    measured,
    pfc_slope,
    stream_emissions,
)
from carbonpeak.reference.loader import default_reference

C = carbon_to_co2(default_reference()).value  # the template's 3.664, from the reference


def test_example_1_combustion_of_heavy_fuel_oil() -> None:
    done = stream_emissions(
        Stream("HFO", Method.combustion, 252_000, ncv=45, factor=73, oxidation=100), C
    )
    assert done.energy_tj == pytest.approx(11_340, rel=1e-12)
    assert done.fossil_co2_t == pytest.approx(827_820, rel=1e-12)
    assert done.biogenic_co2_t == 0


def test_example_2_process_emissions_of_raw_meal() -> None:
    done = stream_emissions(Stream("raw meal", Method.process, 121_000, factor=0.08794), C)
    assert done.fossil_co2_t == pytest.approx(10_640.74, rel=1e-12)
    assert done.energy_tj is None


def test_example_3_mass_balance_of_steel_output_uses_3_664() -> None:
    done = stream_emissions(Stream("steel", Method.mass_balance, -1_808_226, carbon=0.003878), C)
    assert done.fossil_co2_t == pytest.approx(-25_693.068768192, rel=1e-12)
    # 44/12 would give -25 711.77: the template's factor is not the molar ratio
    assert done.fossil_co2_t != pytest.approx(-1_808_226 * 0.003878 * 44 / 12, rel=1e-6)


def test_pfc_example_by_the_slope_method() -> None:
    done = pfc_slope(PfcSlope(500_000, 2.17, 1.23, 0.146, 0.122, 0.98), 6630, 11100)
    assert done.cf4_t == pytest.approx(194.8443, rel=1e-12)
    assert done.c2f6_t == pytest.approx(23.7710046, rel=1e-12)
    assert done.co2e_t == pytest.approx(1_587_424.347, abs=0.0005)


def test_cems_examples() -> None:
    n2o = measured(Measured(64.2925, 4, 265, gwp=265))
    assert n2o.gas_t == pytest.approx(68.15005, rel=1e-12)
    assert n2o.fossil_co2e_t == pytest.approx(18_059.76325, rel=1e-12)
    co2 = measured(Measured(1820, 5000, 50, biomass=15))
    assert (co2.fossil_co2e_t, co2.biogenic_co2e_t) == pytest.approx((386_750, 68_250), rel=1e-12)


def test_heat_factor_of_a_boiler() -> None:
    assert heat_factor(96, 0.9) == pytest.approx(106.67, abs=0.005)
    with pytest.raises(ValueError, match="efficiency"):
        heat_factor(96, 0)


def test_a_stream_without_its_factor_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match=r"'coal'.*factor"):
        stream_emissions(Stream("coal", Method.combustion, 10, ncv=20), C)


@given(
    activity=st.floats(0, 1e7),
    ncv=st.floats(0.1, 60),
    factor=st.floats(0, 120),
    biomass=st.floats(0, 100),
)
def test_biomass_splits_the_stream_and_loses_nothing(
    activity: float, ncv: float, factor: float, biomass: float
) -> None:
    whole = stream_emissions(Stream("s", Method.combustion, activity, ncv=ncv, factor=factor), C)
    split = stream_emissions(
        Stream("s", Method.combustion, activity, ncv=ncv, factor=factor, biomass=biomass), C
    )
    assert split.fossil_co2_t + split.biogenic_co2_t == pytest.approx(
        whole.fossil_co2_t, rel=1e-9, abs=1e-9
    )
    assert split.fossil_co2_t <= whole.fossil_co2_t + 1e-9
