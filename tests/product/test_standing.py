"""Where a plant's units stand nationally (`product.standing`): the grade of the account's
product line on the unit the map gives it to, and the distance to the benchmark in tCO2/t
derived as the benchmarking wing prices its saving potential (hand-worked)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.product.plant import Assignment, MapUnit, ProductMap
from carbonpeak.product.standing import standings

PLAN = ProductMap(
    units=(
        MapUnit("回转窑", {"熟料": 1000.0}, 2),
        MapUnit("水泥磨", {"水泥": 1200.0}, 3),
    ),
    assignments=(
        Assignment("回转窑", "clinker", 1.0, 2),
        Assignment("回转窑", "electricity", 0.7, 3),
        Assignment("水泥磨", "electricity", 0.3, 4),
    ),
)


def _grade(**given: object) -> dict[str, object]:
    return {
        "product": "clinker",
        "area": "cement_clinker",
        "grade": "baseline",
        "indicator_value": 102.0,  # kgce/t
        "unit": "kgce/t",
        "benchmark": 100.0,
        "baseline": 117.0,
        "distance_to_benchmark": 2.0,
        "product_amount": 1000.0,
        "co2_t": 280.0,  # the boundary's: 102 tce of energy
        "level_status": "unverified",
    } | given


def test_the_distance_in_tco2_per_tonne_by_hand() -> None:
    (found,) = standings(PLAN, [_grade()])
    assert (found.unit, found.products, found.area) == ("回转窑", ("熟料",), "cement_clinker")
    # 2 kgce/t x 1000 t = 2 tce to save, at 280 t / 102 tce: 5.490 t, per 1000 t
    assert found.distance_tco2_per_t == pytest.approx(2 * 1000 / 1000 * 280 / 102 / 1000)
    assert found.level_status == "unverified"


def test_a_split_line_goes_to_the_unit_with_the_larger_share() -> None:
    (found,) = standings(PLAN, [_grade(product="electricity", area="x")])
    assert found.unit == "回转窑"


def test_a_negative_unit_energy_is_not_priced() -> None:
    """A converter that recovers more energy than it uses (review25 M1: the demo BOF's
    -16.4 kgce/t against -30): its distance stands in kgce/t, not in tCO2/t."""
    (found,) = standings(
        PLAN,
        [_grade(indicator_value=-16.4, benchmark=-30.0, distance_to_benchmark=13.6,
                co2_t=-231_300.0, product_amount=1_927_173.0)],
    )  # fmt: skip
    assert found.distance == pytest.approx(13.6) and found.distance_tco2_per_t is None
    (emitting,) = standings(PLAN, [_grade(indicator_value=-5.0, co2_t=10_000.0)])
    assert emitting.distance_tco2_per_t is None


def test_a_grade_of_a_line_in_no_unit_is_left_out() -> None:
    assert standings(PLAN, [_grade(product="crude_steel")]) == []


@given(
    indicator=st.floats(1, 2000),
    benchmark=st.floats(1, 2000),
    amount=st.floats(1, 1e7),
    co2_per_energy=st.floats(0.5, 5),
)
def test_better_than_the_benchmark_is_negative(
    indicator: float, benchmark: float, amount: float, co2_per_energy: float
) -> None:
    """The sign follows the distance, and the tCO2 distance is the energy distance at the
    boundary's own CO2 per unit of energy."""
    co2 = indicator * amount * co2_per_energy
    (found,) = standings(
        PLAN,
        [
            _grade(
                indicator_value=indicator,
                benchmark=benchmark,
                distance_to_benchmark=indicator - benchmark,
                product_amount=amount,
                co2_t=co2,
            )
        ],
    )
    assert found.distance_tco2_per_t is not None
    assert found.distance_tco2_per_t == pytest.approx((indicator - benchmark) * co2_per_energy)
    assert found.distance_tco2_per_t * (indicator - benchmark) >= 0
