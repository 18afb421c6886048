"""Equipment calculators against worked examples (by hand from the formulas and the reference
tables, and the published DOE and forum figures) and against properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.diagnosis import equipment as calc
from carbonpeak.diagnosis.economics import annuity, economics, irr, mac_curve, npv
from carbonpeak.errors import InputError
from carbonpeak.reference.loader import Reference, default_reference

CFM = 0.0283168466  # m3 per cubic foot
PSI_KPA = 6.894757


@pytest.fixture(scope="module")
def reference() -> Reference:
    return default_reference()


def test_motor_grades_and_the_replacement_saving(reference: Reference) -> None:
    # GB 18613-2020, 75 kW 4-pole: grade 3 95.0 %, grade 2 96.0 %, grade 1 96.7 %
    assert calc.motor_minimum(reference, 75, 4, 1) == pytest.approx(0.967)
    assert calc.motor_grade(reference, 75, 4, 0.95) == 3
    assert calc.motor_grade(reference, 75, 4, 0.962) == 2
    assert calc.motor_grade(reference, 75, 4, 0.94) is None
    # between ratings, linear: 100 kW 4-pole grade 3 is halfway between 95.2 (90) and 95.4 (110)
    assert calc.motor_minimum(reference, 100, 4, 3) == pytest.approx(0.953)
    found = calc.motor(reference, "M", 75, 4, load=0.75, hours=6000, efficiency=0.95)
    (saving,) = found.proposals[0].savings
    # 75 x 0.75 x 6000 x (1/0.95 - 1/0.967) = 6245.58 kWh
    assert saving.amount == pytest.approx(6245.58, abs=0.01) and saving.unit == "kWh"
    assumed = calc.motor(reference, "M", 15, 4, load=0.6, hours=5000)
    assert assumed.state["efficiency"] == pytest.approx(0.921) and assumed.warnings
    below = calc.motor(reference, "M", 75, 4, load=0.75, hours=6000, efficiency=0.93)
    assert below.state["below_limit"] and "below the limit" in below.warnings[0].message
    with pytest.raises(InputError, match="outside GB 18613-2020"):
        calc.motor_minimum(reference, 2000, 4, 1)


def test_transformer_losses_and_grade(reference: Reference) -> None:
    # 1000 kVA oil-immersed electrical steel Yyn0 at grade 3 (P0 0.83, Pk 10.3) against grade 1
    # (0.665, 7.415), half load all year: (0.83 + 0.25 x 10.3) x 8760 = 29,827.8 kWh;
    # (0.665 + 0.25 x 7.415) x 8760 = 22,064.25 kWh
    found = calc.transformer(
        reference, "T", "oil_immersed", "electrical_steel", "Yyn0", "none", 1000, 0.83, 10.3, 0.5
    )
    assert found.state["grade"] == 3 and found.state["losses_kwh"] == pytest.approx(29827.8)
    assert found.proposals[0].savings[0].amount == pytest.approx(29827.8 - 22064.25)
    dry = calc.transformer(
        reference, "T", "dry", "electrical_steel", "none", "F", 250, 0.45, 2.4, 0.6
    )
    assert dry.state["grade"] == 2  # P0 0.45 <= 0.490 (grade 2), Pk 2.4 <= 2.485
    with pytest.raises(InputError, match="no GB 20052-2024 row"):
        calc.transformer(reference, "T", "dry", "electrical_steel", "none", "F", 333, 1, 1, 0.5)


def test_leaks_reproduce_the_doe_reference_points(reference: Reference) -> None:
    """A 1/8 in hole leaks about 21.4 cfm at 80 psig and 26 cfm at 100 psig (DOE)."""
    at_80 = calc.leak_flow(reference, 3.175, 80 * PSI_KPA) / CFM
    at_100 = calc.leak_flow(reference, 3.175, 100 * PSI_KPA) / CFM
    assert at_80 == pytest.approx(21.4, rel=0.005) and at_100 == pytest.approx(26, rel=0.005)


def test_compressor_grade_leaks_and_pressure(reference: Reference) -> None:
    # GB 19153-2019 Table 1, 37 kW, 0.8 MPa, air-cooled: 6.7 / 7.3 / 8.1 kW per m3/min
    found = calc.compressor(
        reference, "C", 37, 0.8, "air", 37, 5.0, 6000, leaks=[(3.0, 4)], pressure_reduction_kpa=50
    )
    assert found.state["specific_power"] == pytest.approx(7.4) and found.state["grade"] == 3
    leak, pressure = found.proposals
    flow = 4 * calc.leak_flow(reference, 3.0, 800)
    assert leak.savings[0].amount == pytest.approx(flow * 7.4 * 6000)
    # 0.5 % of input power per psi: 50 kPa = 7.2519 psi
    assert pressure.savings[0].amount == pytest.approx(37 * 6000 * 0.005 * 50 / PSI_KPA)
    with pytest.raises(InputError, match="more than the compressor delivers"):
        calc.compressor(reference, "C", 37, 0.8, "air", 37, 5.0, 6000, leaks=[(10.0, 20)])
    odd = calc.compressor(reference, "C", 38, 0.8, "air", 37, 5.0, 6000)
    assert not odd.state["graded"] and "not graded" in odd.warnings[0].message


def test_pumps_follow_the_cube_law_without_static_head(reference: Reference) -> None:
    profile = [(1.0, 1000), (0.5, 1000)]
    found = calc.fluid_system(reference, "P", "pump", 400, 40, 55, 0, 0.8, 0.95, profile)
    full, half = found.state["points"]
    assert half["speed_fraction"] == pytest.approx(0.5)
    assert half["variable_speed_kw"] == pytest.approx(full["variable_speed_kw"] / 8)
    # rho g Q H / eta: 998.2 x 9.80665 x (400/3600) x 40 / (0.8 x 0.95 x 0.97) at full flow
    expected = 998.2 * 9.80665 * 400 / 3600 * 40 / (0.8 * 0.95 * 0.97) / 1000
    assert full["variable_speed_kw"] == pytest.approx(expected)
    # system efficiency: at the rated point the valve is open, so it is η η_m; at half flow the
    # throttle burns the difference between the machine curve and the system curve
    assert full["system_efficiency"] == pytest.approx(0.8 * 0.95)
    h_pump, h_system = 55 - 15 / 400**2 * 200**2, 40 / 400**2 * 200**2
    assert half["system_efficiency"] == pytest.approx(0.8 * 0.95 * h_system / h_pump)
    assert found.state["system_efficiency_variable_speed"] == pytest.approx(0.8 * 0.95 * 0.97)
    with pytest.raises(InputError, match="static rise < rated rise"):
        calc.fluid_system(reference, "P", "pump", 400, 40, 35, 0, 0.8, 0.95, profile)


def test_pump_grades_of_gb_19762(reference: Reference) -> None:
    # the notes' check: single-stage, ns 100, Q 100 m3/h: 80.3 / 78.3 / 73.3 %
    values = [calc.pump_minimum(reference, "single_suction", 100, 100, g) for g in (1, 2, 3)]
    assert values == pytest.approx([0.803, 0.783, 0.733], abs=5e-4)
    # ns = 3.65 n sqrt(Q) / H^0.75; a double-suction pump counts half its flow
    assert calc.specific_speed(100, 30, 2900, False) == pytest.approx(
        3.65 * 2900 * (100 / 3600) ** 0.5 / 30**0.75
    )
    assert calc.specific_speed(200, 30, 2900, True) == pytest.approx(
        calc.specific_speed(100, 30, 2900, False)
    )
    # the flow ranges: 5-300 and above 300 m3/h have their own grade-1 constants
    low, high = (calc.pump_minimum(reference, "single_suction", q, 100, 1) for q in (300, 301))
    assert low > high  # 161.33 against 162.33
    graded = calc.fluid_system(
        reference,
        "P",
        "pump",
        400,
        40,
        55,
        15,
        0.70,
        0.94,
        [(1.0, 1000)],
        pump_type="single_suction",
        speed_rpm=1480,
    )
    ns = graded.state["specific_speed"]
    minimum = calc.pump_minimum(reference, "single_suction", 400, ns, 3)
    assert (
        graded.state["grade"] is None
        and minimum > 0.70
        and "below the limit" in graded.warnings[0].message
    )
    with pytest.raises(InputError, match="outside the ranges"):
        calc.pump_minimum(reference, "inline", 5000, 100, 1)


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 30.0), st.floats(0.3, 0.95))
def test_static_head_keeps_the_saving_below_the_cube_law(static: float, flow: float) -> None:
    reference = default_reference()
    with_static = calc.fluid_system(
        reference, "P", "pump", 400, 40, 55, static, 0.8, 0.95, [(flow, 1)]
    )
    without = calc.fluid_system(reference, "P", "pump", 400, 40, 55, 0.0, 0.8, 0.95, [(flow, 1)])
    point, cube = with_static.state["points"][0], without.state["points"][0]
    assert point["variable_speed_kw"] >= cube["variable_speed_kw"] - 1e-9
    assert point["speed_fraction"] >= cube["speed_fraction"] - 1e-12
    assert point["throttled_kw"] == pytest.approx(cube["throttled_kw"])  # the same machine curve


def test_boiler_by_heat_losses(reference: Reference) -> None:
    # Siegert: (180 - 20) x (0.65 / (21 - 6) + 0.009) = 8.3733 %; η = 100 - 8.3733 - 1.5
    found = calc.boiler(
        reference, "B", "natural_gas", 2e6, "Nm3", 180, 20, 6, 0.65, 0.009, 1.5, target_o2_pct=3
    )
    assert found.state["efficiency_pct"] == pytest.approx(90.12667, abs=1e-4)
    assert found.state["excess_air_ratio"] == pytest.approx(1.4)
    better = 100 - 160 * (0.65 / 18 + 0.009) - 1.5
    saving = found.proposals[0].savings[0]
    assert saving.amount == pytest.approx(2e6 * (1 - 90.126667 / better), rel=1e-6)
    assert (saving.item, saving.unit) == ("natural_gas", "Nm3")
    # GB 24500-2020 Table 4, gas non-condensing 96 / 94 / 92: 90.13 % is below the limit
    graded = calc.boiler(
        reference,
        "B",
        "natural_gas",
        2e6,
        "Nm3",
        180,
        20,
        6,
        0.65,
        0.009,
        1.5,
        grade_fuel="natural_gas_non_condensing",
    )
    assert (
        graded.state["grade"] is None
        and "below the GB 24500-2020 limit" in graded.warnings[0].message
    )
    better = calc.boiler(
        reference,
        "B",
        "natural_gas",
        2e6,
        "Nm3",
        120,
        20,
        3,
        0.65,
        0.009,
        1.0,
        grade_fuel="natural_gas_non_condensing",
    )
    assert better.state["efficiency_pct"] == pytest.approx(100 - 100 * (0.65 / 18 + 0.009) - 1)
    assert better.state["grade"] == 2  # 94.49 % meets grade 2 (94), not grade 1 (96)
    with pytest.raises(InputError, match="one of"):
        calc.boiler(
            reference, "B", "natural_gas", 1, "Nm3", 120, 20, 3, 0.65, 0.009, 1, grade_fuel="peat"
        )
    # CO loss, IMR: a x CO / (CO + CO2) = 32 x 0.02 / (0.02 + 9) with CO 200 ppm, CO2 9 %
    co = calc.boiler(
        reference, "B", "natural_gas", 1, "Nm3", 180, 20, 6, 0.65, 0.009, 0, None, 200, 9
    )
    assert co.state["co_loss_pct"] == pytest.approx(32 * 0.02 / 9.02)


def test_waste_heat_against_a_worked_example(reference: Reference) -> None:
    # 1419.8 kg/h, cp 1.05 kJ/(kg K), 355.6 -> 180 °C: 72.7 kW (forum example, notes §7)
    found = calc.waste_heat(
        reference, "W", "fuel_oil", 1419.8, 1.05, 355.6, 180, 1000, 0.9, 0.04, "t"
    )
    assert found.state["recoverable_kw"] == pytest.approx(72.7, abs=0.05)
    heat_gj = found.state["recoverable_kw"] * 1000 * 3.6 / 1000
    assert found.proposals[0].savings[0].amount == pytest.approx(heat_gj / (0.9 * 0.04))
    with pytest.raises(InputError, match="below the 121 °C exit limit"):
        calc.waste_heat(
            reference, "W", "natural_gas", 1000, 1.05, 200, 100, 1000, 0.9, 0.0356, "Nm3"
        )


def test_economics() -> None:
    # 10,000 now, 3,000 a year for 5 years at 8 %: annuity 3.99271; NPV 1,978.13
    assert annuity(0.08, 5) == pytest.approx(3.992710, abs=1e-6)
    assert npv(10_000, 3_000, 5, 0.08) == pytest.approx(1978.13, abs=0.01)
    rate = irr(10_000, 3_000, 5)
    assert rate is not None and npv(10_000, 3_000, 5, rate) == pytest.approx(0, abs=1e-6)
    assert rate == pytest.approx(0.152382, abs=1e-5)
    assert irr(10_000, 1_000, 5) is None  # never repays
    huge = irr(100, 1e6, 5)  # above 10,000 % a year: still found
    assert huge is not None and npv(100, 1e6, 5, huge) == pytest.approx(0, abs=1e-3)
    found = economics(10_000, 3_000, 5, 0.08, abatement_t=10)
    crf = 0.08 * 1.08**5 / (1.08**5 - 1)
    assert found["mac_yuan_per_t"] == pytest.approx((10_000 * crf - 3_000) / 10)
    assert economics(0, 100, 5, 0.0, 1)["mac_yuan_per_t"] == -100
    curve = mac_curve(
        [
            {"measure_id": "a", "measure": "a", "mac_yuan_per_t": 50.0, "co2_t": 2.0},
            {"measure_id": "b", "measure": "b", "mac_yuan_per_t": -10.0, "co2_t": 3.0},
            {"measure_id": "c", "measure": "c", "mac_yuan_per_t": None, "co2_t": 1.0},
        ]
    )
    assert [(c["measure_id"], c["from_t"], c["to_t"]) for c in curve] == [("b", 0, 3), ("a", 3, 5)]
    assert math.isclose(sum(c["abatement_t"] for c in curve), 5.0)
