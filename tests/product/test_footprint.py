"""Cradle-to-gate footprints along the plant's chain, against hand-worked cases (the numbers
are test inputs, not reference factors: the arithmetic is in the comments)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.product.chain import ChainError
from carbonpeak.product.footprint import Flow, Omission, Stage, Unit, footprints

KWH = 0.0006205  # tCO2e per kWh: an electricity footprint factor, for the arithmetic


def _smelter(scale: float = 1.0) -> list[Unit]:
    alumina = Unit(
        "refinery",
        {"alumina": 1000 * scale},
        600 * scale,
        (
            Flow("bauxite", 2500 * scale, "t", Stage.materials, 0.01, "test"),
            Flow("electricity", 300_000 * scale, "kWh", Stage.energy, KWH, "test"),
        ),
    )
    anode = Unit(
        "carbon plant",
        {"anode": 500 * scale},
        100 * scale,
        (Flow("petroleum coke", 400 * scale, "t", Stage.materials, 0.4, "test"),),
    )
    potline = Unit(
        "potline",
        {"aluminium ingot": 1000 * scale},
        1700 * scale,
        (Flow("electricity", 13_500_000 * scale, "kWh", Stage.energy, KWH, "test"),),
        {"alumina": 1920 * scale, "anode": 420 * scale},
    )
    return [alumina, anode, potline]


def test_an_aluminium_smelter_by_hand() -> None:
    found = footprints(_smelter())
    # alumina: 0.6 + 2.5 x 0.01 + 300 x 0.0006205 = 0.81115; anode: 0.2 + 0.8 x 0.4 = 0.52
    assert found["alumina"].total == pytest.approx(0.81115)
    assert found["anode"].total == pytest.approx(0.52)
    # ingot: 1.7 + 13 500 x 0.0006205 + 1.92 x 0.81115 + 0.42 x 0.52 = 11.852558
    ingot = found["aluminium ingot"]
    assert ingot.total == pytest.approx(11.852558)
    stages = ingot.by_stage()
    # site: 1.7 + 1.92 x 0.6 + 0.42 x 0.2 = 2.936; energy 8.37675 + 1.92 x 0.18615;
    # materials 1.92 x 0.025 + 0.42 x 0.32
    assert stages[Stage.site] == pytest.approx(2.936)
    assert stages[Stage.energy] == pytest.approx(8.37675 + 1.92 * 0.18615)
    assert stages[Stage.materials] == pytest.approx(1.92 * 0.025 + 0.42 * 0.32)
    assert stages[Stage.transport] == 0
    assert ingot.primary_share == pytest.approx(2.936 / 11.852558)
    assert ingot.allocation == "none" and ingot.warnings == ()
    assert sum(p.tco2e_per_t for p in ingot.parts) == pytest.approx(ingot.total)


def test_co_products_share_the_burden_by_mass_or_by_value() -> None:
    unit = Unit("u", {"A": 60, "B": 40}, 100)
    by_mass = footprints([unit])
    assert (by_mass["A"].total, by_mass["B"].total) == pytest.approx((1.0, 1.0))
    assert by_mass["A"].allocation == "mass"
    # values 60 x 10 = 600 and 40 x 40 = 1 600: A carries 600/2 200 of 100 t over 60 t
    by_value = footprints([Unit("u", {"A": 60, "B": 40}, 100, prices={"A": 10, "B": 40})])
    assert by_value["A"].total == pytest.approx(100 * 600 / 2200 / 60)
    assert by_value["B"].total == pytest.approx(100 * 1600 / 2200 / 40)
    assert by_value["A"].allocation == "economic"
    with pytest.raises(ChainError, match="no price for B"):
        footprints([Unit("u", {"A": 60, "B": 40}, 100, prices={"A": 10})])


def test_a_flow_without_a_factor_is_a_gap_said_not_a_silent_zero() -> None:
    unit = Unit("u", {"steel": 10}, 5, (Flow("ferro-alloy", 1, "t", Stage.materials, None),))
    found = footprints([unit])["steel"]
    assert found.total == pytest.approx(0.5)
    assert [w.code for w in found.warnings] == ["product.footprint.no_factor"]
    assert found.warnings[0].data["items"] == ["ferro-alloy"]


def test_a_default_factor_is_used_with_a_warning() -> None:
    flow = Flow("pig iron", 2, "t", Stage.materials, 1.5, "authority", default=True)
    found = footprints([Unit("u", {"steel": 10}, 5, (flow,))])["steel"]
    assert found.total == pytest.approx(0.5 + 0.3)
    assert [w.code for w in found.warnings] == ["product.footprint.default_factor"]


def test_the_cut_off_rule_of_gb_t_44905() -> None:
    unit = [Unit("u", {"x": 1}, 1)]
    fine = footprints(unit, (Omission("packaging", 0.009), Omission("lubricant", 0.004)))
    assert fine["x"].warnings == ()
    big = footprints(unit, (Omission("refractories", 0.012),))
    assert [w.code for w in big["x"].warnings] == ["product.footprint.cut_off_item"]
    many = footprints(unit, tuple(Omission(f"item {i}", 0.009) for i in range(6)))
    assert [w.code for w in many["x"].warnings] == ["product.footprint.cut_off_total"]


def test_quality_ratings_and_uncertainty_weighted_by_contribution() -> None:
    unit = Unit(
        "u",
        {"x": 1},
        3,
        (Flow("coal", 1, "t", Stage.energy, 1.0, "s", dqr=(3, 4, 5), uncertainty=0.2),),
        site_dqr=(1, 1, 1),
        site_uncertainty=0.02,
    )
    found = footprints([unit])["x"]
    # weights 3 (site) and 1 (coal): (3 x 1 + 1 x 3) / 4 = 1.5, (3 + 4) / 4, (3 + 5) / 4
    assert found.dqr == pytest.approx((1.5, 1.75, 2.0))
    # sqrt((0.02 x 3)^2 + (0.2 x 1)^2) / 4
    assert found.uncertainty == pytest.approx((0.06**2 + 0.2**2) ** 0.5 / 4)
    assert footprints([Unit("v", {"y": 1}, 1)])["y"].dqr is None


def test_bad_models_are_refused_by_name() -> None:
    with pytest.raises(ChainError, match="'slab'"):
        footprints([Unit("u", {"coil": 1}, 1, consumed={"slab": 1})])
    with pytest.raises(ChainError, match="one unit per product"):
        footprints([Unit("a", {"x": 1}, 1), Unit("b", {"x": 1}, 1)])
    with pytest.raises(ChainError, match="0 t"):
        footprints([Unit("a", {"x": 0}, 1)])


@given(scale=st.floats(0.001, 1000))
def test_footprints_do_not_depend_on_the_plants_size(scale: float) -> None:
    base = footprints(_smelter())
    scaled = footprints(_smelter(scale))
    for product, found in base.items():
        assert scaled[product].total == pytest.approx(found.total)
        assert scaled[product].primary_share == pytest.approx(found.primary_share)


def test_ratings_and_uncertainty_of_some_parts_are_not_claimed_for_the_whole() -> None:
    unit = Unit(
        "u",
        {"x": 1},
        3,
        (Flow("gypsum", 0.001, "t", Stage.materials, 1.0, "s", dqr=(1, 1, 1), uncertainty=0.01),),
    )
    found = footprints([unit])["x"]  # the site's 3 t are neither rated nor given an uncertainty
    assert found.dqr is None and found.uncertainty is None


def test_a_gap_is_said_for_the_products_whose_chain_it_is_in() -> None:
    kiln = Unit("kiln", {"clinker": 10}, 8)
    mill = Unit(
        "mill",
        {"cement": 10},
        1,
        (Flow("gypsum", 1, "t", Stage.materials, None),),
        {"clinker": 7},
    )
    found = footprints([kiln, mill])
    assert found["clinker"].warnings == ()
    assert [w.code for w in found["cement"].warnings] == ["product.footprint.no_factor"]
