"""The plan form's reader (`io.plan_form`): the workbook's example fleet as a form, read into
the plan mapping `plan_from_dict` takes; every volume pair read as typed or placed at its row
and field; a line added and removed gives the form back."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.errors import InputError
from carbonpeak.io.fleet import check_bilingual_fleet, example_fleet
from carbonpeak.io.plan_form import edited, form_of_fleet, layout, read_plan_form
from carbonpeak.policy.dual_credit.planner import plan_from_dict
from carbonpeak.reference.loader import default_reference

MAKER = "911302007A3K9C2D24"


@pytest.fixture(scope="module")
def form() -> dict[str, list[str]]:
    fleet, problems = check_bilingual_fleet(example_fleet(MAKER, 2023), default_reference())
    assert not problems
    return form_of_fleet(fleet)


def test_the_example_fleet_as_a_plan(form: dict[str, list[str]]) -> None:
    plan = read_plan_form(form)
    assert plan["years"] == [2024, 2025] and plan["prices"] == {"buy": {}, "sell": {}}
    # A4 of the workbook's example: a BEV of 1,800 kg, 400 km, 8,000 cars in 2023
    a4 = plan["lines"][2]
    assert a4 == {
        "name": "A4",
        "powertrain": "bev",
        "curb_mass_kg": 1800,
        "seat_rows": 2,
        "electric_range_km": 400,
        "volume": {2024: [0, 8000], 2025: [0, 8000]},
    }
    assert len(plan_from_dict(plan).lines) == 4  # the planner takes it as it is


@settings(max_examples=60, deadline=None)
@given(
    row=st.integers(0, 3),
    low=st.integers(-1000, 10**6),
    high=st.integers(-1000, 10**6),
)
def test_a_volume_pair_is_read_or_placed(
    form: dict[str, list[str]], row: int, low: int, high: int
) -> None:
    fields = {k: list(v) for k, v in form.items()}
    fields["line_low_2025"][row], fields["line_high_2025"][row] = str(low), str(high)
    if 0 <= low <= high:
        assert read_plan_form(fields)["lines"][row]["volume"][2025] == [low, high]
        return
    with pytest.raises(InputError) as raised:
        read_plan_form(fields)
    places = {(p.place.row, p.place.field) for p in raised.value.problems}
    expected = set()
    if low < 0:
        expected.add((row + 1, "line_low_2025"))
    if high < 0:
        expected.add((row + 1, "line_high_2025"))
    if not expected:  # both read, high below low
        expected.add((row + 1, "line_high_2025"))
    assert places == expected


def test_a_line_added_then_removed_gives_the_form_back(form: dict[str, list[str]]) -> None:
    added = edited(form, "add")
    assert len(layout(added)["rows"]) == 5 and read_plan_form(added) == read_plan_form(form)
    assert edited(added, "remove-5") == {k: list(v) for k, v in form.items()}
