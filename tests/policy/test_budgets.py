"""Carbon budgets: the implied cap and the monthly profile worked by hand, every bad row placed
by row and field, and the cascade's rules (parts against the whole and its reserve, regions
inside regions, cycles), with properties over random profiles and cascades."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.domain.uscc import make_uscc
from carbonpeak.errors import InputError
from carbonpeak.policy.budgets import (
    Budget,
    check_cascade,
    contains,
    elapsed_share,
    month_allowances,
    parse_budgets,
)
from carbonpeak.reference.loader import default_reference

REFERENCE = default_reference()
FIRM = make_uscc("91130100MA0000001")  # registered in Shijiazhuang (130100)


def _budget(**fields: object) -> Budget:
    base: dict[str, object] = {"year": 2026, "quantity": "co2", "scope": "region"}
    return Budget.model_validate({**base, **fields})


def test_the_implied_cap_is_the_cap_or_intensity_times_planned() -> None:
    # 0.8 t CO2 per 10^4 yuan x 2,500 x 10^4 yuan planned = 2,000 t
    by_intensity = _budget(
        budget_id="a", code="130000", intensity=0.8, basis="value_added", planned=2500
    )
    assert by_intensity.implied_cap == pytest.approx(2000)
    assert by_intensity.provenance()["cap_from"] == "intensity x planned"
    both = _budget(
        budget_id="b", code="130000", cap=1500, intensity=0.8, basis="value_added", planned=2500
    )
    assert both.implied_cap == 1500  # with both, the cap
    assert both.provenance()["period_to"] == "2026-12-31"


def test_the_even_profile_follows_the_days_of_the_months() -> None:
    # 2026 has 365 days: January 1,200 x 31/365 = 101.92 t, February 1,200 x 28/365 = 92.05 t
    months = month_allowances(_budget(budget_id="a", code="130000", cap=1200))
    assert months[0] == pytest.approx(1200 * 31 / 365)
    assert months[1] == pytest.approx(1200 * 28 / 365)
    assert sum(months) == pytest.approx(1200)
    # 2028 is a leap year: February 1,200 x 29/366
    leap = month_allowances(_budget(budget_id="a", code="130000", cap=1200, year=2028))
    assert leap[1] == pytest.approx(1200 * 29 / 366)


def test_a_quarterly_profile_spreads_each_quarter_by_days() -> None:
    # Q1 takes 40 % of 900 t = 360 t over 31 + 28 + 31 = 90 days: January 360 x 31/90 = 124 t
    budget = _budget(
        budget_id="a", code="130000", cap=900, profile="quarterly", shares=(0.4, 0.2, 0.2, 0.2)
    )
    months = month_allowances(budget)
    assert months[0] == pytest.approx(124)
    assert months[1] == pytest.approx(360 * 28 / 90)
    assert sum(months[:3]) == pytest.approx(360)
    # by the end of 2026-02-15: January whole (0.4 x 31/90) + half of February (0.4 x 28/90 x 15/28)
    share = elapsed_share(budget, pd.Timestamp("2026-02-15").date())
    assert share == pytest.approx(0.4 * 31 / 90 + 0.4 * 15 / 90)


def test_every_bad_row_is_named_by_row_and_field() -> None:
    rows = [
        {"budget_id": "ok", "scope": "region", "code": "130000", "year": 2026, "quantity": "co2",
         "cap": 1000},
        {"budget_id": "i", "scope": "region", "code": "130100", "year": 2026, "quantity": "co2",
         "intensity": 0.5, "basis": "product"},
        {"budget_id": "s", "scope": "region", "code": "999900", "year": 2026, "quantity": "co2",
         "cap": 5, "profile": "monthly", "shares": "0.5;0.5"},
        {"budget_id": "q", "scope": "region", "code": "130200", "year": 2026, "quantity": "co2",
         "cap": 5, "profile": "quarterly", "shares": [0.3, 0.3, 0.3, 0.3]},
        {"budget_id": "r", "scope": "enterprise", "code": FIRM[:-1] + "0", "year": 2026,
         "quantity": "coal", "cap": 5, "reserve": 1},
        {"budget_id": "n", "scope": "region", "code": "130300", "year": 2026, "quantity": "co2"},
        {"budget_id": "ok", "scope": "region", "code": "130000", "year": 2026, "quantity": "co2",
         "cap": 2000, "profile": "weekly"},
    ]  # fmt: skip
    with pytest.raises(InputError) as raised:
        parse_budgets(rows, REFERENCE)
    found = {(p.place.row, p.place.field) for p in raised.value.problems}
    assert found == {
        (2, "item"),  # intensity on product without the item
        (2, "planned"),  # ... and without the planned output
        (3, "code"),  # 999900 is no region
        (3, "shares"),  # 2 shares for a monthly profile
        (4, "shares"),  # quarterly shares summing to 1.2
        (5, "code"),  # a USCC with a wrong check character
        (5, "quantity"),
        (5, "reserve"),  # 1 is not below 1
        (6, "cap"),  # neither cap nor intensity
        (7, "budget_id"),  # "ok" again
        (7, "profile"),
    }
    # the duplicate of row 1 fails on its profile, so it is not compared for overlap; a valid
    # duplicate is:
    with pytest.raises(InputError, match="overlapping periods: row 1"):
        parse_budgets([rows[0], {**rows[0], "budget_id": "ok2"}], REFERENCE)


def test_a_spreadsheet_of_budgets_reads_with_its_blanks() -> None:
    frame = pd.DataFrame(
        {
            "budget_id": ["p", "c"],
            "scope": ["region", "enterprise"],
            "code": [130000, FIRM],  # a region code read as a number
            "parent_id": [None, "p"],
            "year": [2026.0, 2026.0],
            "quantity": ["energy", "energy"],
            "cap": [5000, None],
            "intensity": [None, 0.2],
            "basis": [None, "value_added"],
            "planned": [None, 10000],
            "reserve": [0.1, None],
        }
    )
    parent, child = parse_budgets(frame, REFERENCE)
    assert parent.code == "130000" and parent.reserve == 0.1 and parent.profile == "even"
    assert child.implied_cap == pytest.approx(2000) and child.reserve == 0
    bad = frame.assign(year=[2026, "x"])
    with pytest.raises(InputError) as raised:
        parse_budgets(bad, REFERENCE)
    assert [(p.place.row, p.place.field) for p in raised.value.problems] == [(3, "year")]


def test_the_prefix_rule() -> None:
    assert contains("130000", "130203") and contains("130200", "130203")
    assert not contains("130200", "130300") and not contains("130000", "140100")
    assert contains("130203", "130203") and not contains("130203", "130204")


# -- cascade ---------------------------------------------------------------------------------


def _cascade() -> list[Budget]:
    return [
        _budget(budget_id="he", code="130000", cap=1000, reserve=0.1),
        _budget(budget_id="sjz", code="130100", cap=500, parent_id="he"),
        _budget(budget_id="ts", code="130200", cap=400, parent_id="he"),
        _budget(budget_id="firm", scope="enterprise", code=FIRM, cap=300, parent_id="sjz"),
    ]


def test_a_cascade_within_its_limits_passes() -> None:
    # Hebei: 500 + 400 = 900 <= 1,000 x (1 - 0.1) = 900; Shijiazhuang: 300 <= 500
    assert check_cascade(_cascade(), {FIRM: "130102"}) == []


def test_parts_above_the_whole_less_its_reserve() -> None:
    budgets = _cascade()
    budgets[2] = budgets[2].model_copy(update={"cap": 450.0})
    problems = check_cascade(budgets, {FIRM: "130102"})
    # 500 + 450 = 950 > 900: 50 over
    assert [str(p) for p in problems] == [
        "field he.cap: the children of budget he sum to 950, above its limit 900 "
        "(cap x (1 - reserve)) by 50"
    ]
    # without the reserve, 950 <= 1,000 holds
    budgets[0] = budgets[0].model_copy(update={"reserve": 0.0})
    assert check_cascade(budgets, {FIRM: "130102"}) == []


def test_children_outside_their_parent() -> None:
    budgets = [
        *_cascade(),
        _budget(budget_id="sx", code="140100", cap=1, parent_id="he"),  # Shanxi under Hebei
        _budget(budget_id="late", code="130300", cap=1, parent_id="he", year=2027),
        _budget(budget_id="tce", code="130400", cap=1, parent_id="he", quantity="energy"),
        _budget(budget_id="under", scope="enterprise", code=make_uscc("91130100MA0000002"),
                cap=1, parent_id="firm"),
        _budget(budget_id="orphan", code="130500", cap=1, parent_id="nowhere"),
        _budget(budget_id="x", code="130600", cap=1, parent_id="y"),
        _budget(budget_id="y", code="130600", cap=1, parent_id="x"),
    ]  # fmt: skip
    # the enterprise registered in Shijiazhuang operates in Tangshan
    problems = check_cascade(budgets, {FIRM: "130203"})
    assert {p.place.field for p in problems} == {
        "sx.code",
        "late.year",
        "tce.quantity",
        "under.parent_id",  # an enterprise has no children (its region is not compared)
        "firm.code",  # in 130203, not inside 130100
        "orphan.parent_id",
        "x.parent_id",  # x -> y -> x
        "he.cap",  # 500 + 400 + 4 x 1 > 900
    }
    cycle = next(p for p in problems if p.place.field == "x.parent_id")
    assert cycle.message == "the parents form a cycle: x -> y -> x"


@settings(max_examples=60, deadline=None)
@given(
    profile=st.sampled_from(["even", "monthly", "quarterly"]),
    raw=st.lists(st.floats(0.01, 10), min_size=12, max_size=12),
    cap=st.floats(1, 1e9),
    year=st.integers(2000, 2060),
)
def test_allowances_sum_to_the_implied_cap(
    profile: str, raw: list[float], cap: float, year: int
) -> None:
    count = {"even": 0, "monthly": 12, "quarterly": 4}[profile]
    shares = None
    if count:
        part = raw[:count]
        shares = tuple(s / math.fsum(part) for s in part)
        if abs(math.fsum(shares) - 1) > 1e-9:
            return
    budget = _budget(
        budget_id="a", code="130000", cap=cap, profile=profile, shares=shares, year=year
    )
    months = month_allowances(budget)
    assert len(months) == 12 and min(months) >= 0
    assert math.fsum(months) == pytest.approx(cap, rel=1e-9)


@settings(max_examples=80, deadline=None)
@given(
    parent=st.floats(1, 1e6),
    reserve=st.floats(0, 0.99),
    children=st.lists(st.floats(1, 1e6), min_size=1, max_size=6),
)
def test_the_cascade_holds_iff_the_parts_fit(
    parent: float, reserve: float, children: list[float]
) -> None:
    budgets = [_budget(budget_id="p", code="130000", cap=parent, reserve=reserve)]
    budgets += [
        _budget(budget_id=f"c{i}", code=f"13{i + 1:02d}00", cap=c, parent_id="p")
        for i, c in enumerate(children)
    ]
    limit = parent * (1 - reserve)
    fits = sum(children) <= limit * (1 + 1e-9)
    assert (check_cascade(budgets, {}) == []) is fits


def test_budget_numbers_are_bounded_so_sums_stay_finite() -> None:
    # a cap, intensity or planned denominator above 10^12 is refused, and so is an implied
    # cap above it: 2 x 10^6 t per 10^4 yuan x 10^6 (10^4 yuan) = 2 x 10^12 t
    rows = [
        {"budget_id": "a", "scope": "region", "code": "130000", "year": 2026,
         "quantity": "co2", "cap": 1.7e308},
        {"budget_id": "b", "scope": "region", "code": "130100", "year": 2026,
         "quantity": "co2", "intensity": 1e200, "basis": "value_added", "planned": 1e200},
        {"budget_id": "c", "scope": "region", "code": "130200", "year": 2026,
         "quantity": "co2", "intensity": 2e6, "basis": "value_added", "planned": 1e6},
        {"budget_id": "d", "scope": "region", "code": "130300", "year": 2026,
         "quantity": "co2", "cap": 1e12},  # the bound itself: taken
    ]  # fmt: skip
    with pytest.raises(InputError) as raised:
        parse_budgets(rows, REFERENCE)
    placed = sorted((p.place.row, p.place.field) for p in raised.value.problems)
    assert placed == [(1, "cap"), (2, "intensity"), (2, "planned"), (3, "planned")]
    assert any("2e+12" in str(p) for p in raised.value.problems)
    assert parse_budgets(rows[3:], REFERENCE)[0].implied_cap == 1e12


def test_children_summing_to_infinity_break_the_cascade() -> None:
    # built without validation (as a caller of check_cascade might): a parent of the largest
    # float (its limit x (1 + 1e-9) overflows to inf) and two children of 1.7e308 (their sum
    # is inf): inf > inf is false, so the check must refuse a sum that is not finite
    def unchecked(budget_id: str, code: str, cap: float, parent: str | None) -> Budget:
        fields = {**_budget(budget_id=budget_id, code=code, cap=1).__dict__}
        return Budget.model_construct(**{**fields, "cap": cap, "parent_id": parent})

    parent = unchecked("p", "130000", 1.7976931348623157e308, None)
    kids = [unchecked(k, c, 1.7e308, "p") for k, c in (("a", "130100"), ("b", "130200"))]
    problems = check_cascade([parent, *kids], {})
    assert [p.place.field for p in problems] == ["p.cap"]
