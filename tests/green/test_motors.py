"""Motor shares by GB 18613-2020 grade worked by hand, and the saving of replacing the grade-3
motors: the hand formula rated kW x load x hours x (1/η3 - 1/η2) with the standard's minima read
from the table, which the calculator must give."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.diagnosis.equipment import motor_minimum
from carbonpeak.errors import InputError
from carbonpeak.green.motors import Motor, Share, in_service_target, shares
from carbonpeak.reference.loader import Reference, default_reference


@pytest.fixture(scope="module")
def reference() -> Reference:
    return default_reference()


def _motor(
    ref: Reference,
    name: str,
    kw: float,
    grade: int | None,
    region: str,
    industry: str,
    load: float = 0.75,
    hours: float = 6000,
) -> Motor:
    efficiency = (
        motor_minimum(ref, kw, 4, grade)
        if grade is not None
        else motor_minimum(ref, kw, 4, 3) - 0.01
    )
    return Motor("E" + region, region, industry, name, kw, 4, efficiency, grade, load, hours)


def test_the_target_is_the_motor_plans_in_service_share(reference: Reference) -> None:
    target = in_service_target(reference)
    # 工信厅联节〔2021〕45号 一(二): in-service high-efficiency motors ≥ 20 % by 2023
    assert (target.plan, target.year, target.share, target.high_efficiency_grade) == (
        "motor_plan_2021_2023",
        2023,
        0.2,
        2,
    )
    assert "45号" in target.source
    # 一(二) says "在役高效节能电机占比达到20%以上": not whether of motors counted or of kW
    assert target.basis == "unstated"


def test_shares_by_count_and_kw_against_the_target(reference: Reference) -> None:
    motors = [
        _motor(reference, "a", 75, 1, "130100", "3011"),
        _motor(reference, "b", 15, 3, "130100", "3011"),
        _motor(reference, "c", 15, 3, "130100", "3011"),
        _motor(reference, "d", 55, 2, "130200", "2611"),
        _motor(reference, "e", 11, None, "130200", "2611"),
    ]
    result = shares(motors, reference, "industry")
    g30 = next(g for g in result.groups if g.code == "30")
    # division 30: 1 of 3 high-efficiency by count; 75 of 105 kW
    assert g30.share_by_count == pytest.approx(1 / 3)
    assert g30.share_by_kw == pytest.approx(75 / 105)
    assert g30.meets_target is None  # the target's basis is unstated: no verdict
    g26 = next(g for g in result.groups if g.code == "26")
    assert g26.count_by_grade == {"1": 0, "2": 1, "3": 0, "below": 1, "unknown": 0}
    assert g26.share_by_kw == pytest.approx(55 / 66)
    total = result.total
    assert total.motors == 5 and total.rated_kw == pytest.approx(171)
    assert total.share_by_count == pytest.approx(2 / 5)
    codes = {w.code for w in result.warnings}
    assert codes == {
        "green.motors.target_unverified",
        "green.motors.below_limit",
        "green.motors.basis_unstated",
    }


def test_the_verdict_is_on_the_targets_basis_only() -> None:
    # 1 of 4 motors high-efficiency (25 %), 10 of 100 kW (10 %), against 20 %
    share = Share("g", target_share=0.2, basis="count")
    share.motors, share.rated_kw, share.high_efficiency_motors, share.high_efficiency_kw = (
        4,
        100.0,
        1,
        10.0,
    )
    assert share.meets_target is True
    share.basis = "kw"
    assert share.meets_target is False
    share.basis = "unstated"
    assert share.meets_target is None


def test_motors_of_unknown_grade_are_out_of_the_shares_and_the_saving(
    reference: Reference,
) -> None:
    eta3 = motor_minimum(reference, 15, 4, 3)
    known = Motor(
        "E", "130100", "3011", "k", 15, 4, motor_minimum(reference, 15, 4, 2), 2, 0.6, 5000
    )
    # no efficiency given: the diagnosis took the limit value (grade 3), the grade is unknown
    assumed = Motor("E", "130100", "3011", "u", 15, 4, eta3, 3, 0.6, 5000, efficiency_given=False)
    result = shares([known, assumed], reference, "region")
    total = result.total
    assert total.count_by_grade == {"1": 0, "2": 1, "3": 0, "below": 0, "unknown": 1}
    assert (total.motors, total.known_motors, total.coverage) == (2, 1, 0.5)
    assert total.share_by_count == 1.0 and total.share_by_kw == 1.0  # 1 of 1 known
    assert (total.replaced_motors, total.saving_kwh) == (0, 0.0)
    unknown = next(w for w in result.warnings if w.code == "green.motors.efficiency_unknown")
    assert (unknown.data["count"], unknown.data["motors"]) == (1, 2)


def test_saving_of_replacing_grade_3_motors_by_hand(reference: Reference) -> None:
    # 15 kW 4-pole, load 0.6, 5000 h: GB 18613-2020 minima, grade 3 92.1 %, grade 2 93.9 %
    eta3, eta2 = motor_minimum(reference, 15, 4, 3), motor_minimum(reference, 15, 4, 2)
    assert (round(eta3, 3), round(eta2, 3)) == (0.921, 0.939)
    motors = [
        Motor("E", "130100", "3011", "m1", 15, 4, eta3, 3, 0.6, 5000),
        Motor("E", "130100", "3011", "m2", 15, 4, eta2, 2, 0.6, 5000),  # grade 2: not replaced
    ]
    result = shares(motors, reference, "region")
    hand = 15 * 0.6 * 5000 * (1 / 0.921 - 1 / 0.939)  # = 936.6 kWh a year
    assert result.total.saving_kwh == pytest.approx(hand, rel=1e-9)
    assert result.total.replaced_motors == 1
    to_one = shares(motors, reference, "region", to_grade=1)
    eta1 = motor_minimum(reference, 15, 4, 1)
    assert to_one.total.saving_kwh == pytest.approx(15 * 0.6 * 5000 * (1 / eta3 - 1 / eta1))


def test_no_motors_no_share_and_a_bad_grade_refused(reference: Reference) -> None:
    empty = shares([], reference, "region")
    assert empty.total.share_by_count is None and empty.total.meets_target is None
    with pytest.raises(InputError):
        shares([], reference, "region", to_grade=3)


@given(
    st.lists(
        st.tuples(
            st.sampled_from([0.75, 5.5, 15.0, 75.0, 160.0]),
            st.sampled_from([1, 2, 3, None]),
            st.sampled_from(["130100", "130200", "150200"]),
        ),
        max_size=12,
    )
)
@settings(max_examples=40, deadline=None)
def test_shares_add_up(rows: list[tuple[float, int | None, str]]) -> None:
    """Every motor counts once in its group and once in the total; the groups add up to the
    total; shares lie in [0, 1]; only grade-3 motors are replaced, each saving something."""
    reference = default_reference()
    motors = [
        _motor(reference, f"m{i}", kw, grade, region, "3011")
        for i, (kw, grade, region) in enumerate(rows)
    ]
    result = shares(motors, reference, "region")
    total = result.total
    assert total.motors == len(rows) == sum(total.count_by_grade.values())
    assert sum(g.motors for g in result.groups) == total.motors
    assert sum(g.saving_kwh for g in result.groups) == pytest.approx(total.saving_kwh)
    assert total.replaced_motors == sum(1 for _, grade, _ in rows if grade == 3)
    for share in (total, *result.groups):
        for value in (share.share_by_count, share.share_by_kw):
            assert value is None or 0 <= value <= 1
    assert (total.saving_kwh > 0) == (total.replaced_motors > 0)


def test_a_target_whose_year_has_passed_says_so(reference: Reference) -> None:
    from datetime import date

    # the motor plan's in-service target is for 2023: shown in 2026 it says the plan has ended
    later = shares([], reference, "region", on=date(2026, 12, 7))
    (past,) = [w for w in later.warnings if w.code == "green.motors.target_year_past"]
    assert (past.data["year"], past.data["day"]) == (2023, "2026-12-07")
    during = shares([], reference, "region", on=date(2023, 6, 1))
    assert "green.motors.target_year_past" not in {w.code for w in during.warnings}
