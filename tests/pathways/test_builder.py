"""The scenario builder's form -> scenario mapping: a hand-worked form gives the scenario a
hand-written YAML gives; every valid form round-trips through its YAML; every problem of a bad
form is placed by field and row at once."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.errors import InputError
from carbonpeak.pathways.builder import Plan, file_of, read_form, scenario_of
from carbonpeak.pathways.projection import parse
from carbonpeak.pathways.run import run

SECTORS = ("steel", "power", "chemicals")
REGIONS = ("110000", "130000", "140000")
BASE = 2019

FORM = {
    "name": ["policy"],
    "sectors": ["steel"],
    "regions": ["130000"],
    "horizon": ["2060"],
    "growth_year": ["2019", "2030", "", ""],
    "growth_rate": ["2", "-1", "", ""],
    "intensity_year": ["2019", "2060", ""],
    "intensity_value": ["100", "50", ""],
    "low": ["-10"],
    "high": ["10"],
}

# what an analyst writes by hand for the same scenario: output grows 2 %/a from 2019 and -1 %/a
# from 2030; CO2 per unit falls from the base year's to half of it in 2060; the base year's
# 200 Mt with a triangular 200 x (1 - 0.10) = 180 .. 200 .. 200 x (1 + 0.10) = 220
BY_HAND = """
description: carbonpeak scenario builder, from 2019
regions:
  '130000':
    sectors:
      steel:
        activity: {unit: '1', growth: {start: 1.0, rate: {2019: 0.02, 2030: -0.01}}}
        emission_intensity:
          unit: MtCO2
          points: {2019: 1.0, 2060: 0.5}
          extend: hold
          scale: {dist: triangular, low: 180.0, mode: 200.0, high: 220.0}
"""


def test_the_form_gives_the_hand_written_scenario() -> None:
    plan = read_form(FORM, SECTORS, REGIONS, BASE)
    scenario = scenario_of(plan, {("130000", "steel"): 200.0}, BASE)
    assert scenario == yaml.safe_load(BY_HAND)


def test_the_engine_runs_what_the_form_wrote() -> None:
    plan = read_form(FORM, SECTORS, REGIONS, BASE)
    file = file_of(
        {"policy": scenario_of(plan, {("130000", "steel"): 200.0}, BASE)}, BASE, 2060, 20
    )
    result, _, _ = run(*parse(file), 20)
    values = result["scenarios"]["policy"]["total"]["values"]
    # 2019: 200; 2020: 200 x 1.02 x (1 - 0.5 x 1/41) = 204 x 0.987805 = 201.51
    # 2060: 200 x 1.02^10 (2020-29) x 0.99^31 (2030-60) x 0.5 = 200 x 1.218994 x 0.732303 x 0.5
    #     = 89.26
    assert values["2019"] == pytest.approx(200.0)
    assert values["2020"] == pytest.approx(201.512, abs=1e-3)
    assert values["2060"] == pytest.approx(89.26, abs=0.01)


def test_every_problem_is_placed_at_once() -> None:
    bad = {
        **FORM,
        "name": [""],
        "regions": ["990000"],
        "growth_rate": ["2", "abc"],
        "intensity_year": ["2018", "2060"],
        "low": ["5"],
    }
    with pytest.raises(InputError) as raised:
        read_form(bad, SECTORS, REGIONS, BASE)
    places = {(p.place.field, p.place.row) for p in raised.value.problems}
    assert places == {
        ("name", None),
        ("regions", None),
        ("growth_rate", 2),
        ("intensity_year", 1),  # before the base year, so the first year is not the base year
        ("low", None),
    }
    assert all(p.template for p in raised.value.problems)  # each can be said in Chinese


def test_the_first_row_is_the_base_year_and_years_are_not_repeated() -> None:
    bad = {**FORM, "growth_year": ["2020", "2020"], "growth_rate": ["1", "2"]}
    with pytest.raises(InputError) as raised:
        read_form(bad, SECTORS, REGIONS, BASE)
    said = sorted((p.place.row, p.message) for p in raised.value.problems)
    assert said == [(1, "the first year is the base year 2019"), (2, "year 2020 is given twice")]


def test_a_pair_without_observed_data_is_refused() -> None:
    plan = read_form(FORM, SECTORS, REGIONS, BASE)
    with pytest.raises(InputError) as raised:
        scenario_of(plan, {}, BASE)
    assert raised.value.problems[0].place.field == "regions"


def _rows(
    low: float, high: float, horizon: int
) -> st.SearchStrategy[tuple[tuple[int, float], ...]]:
    years = st.lists(st.integers(BASE + 1, horizon), max_size=5, unique=True)
    value = st.floats(low, high, allow_nan=False)
    return years.flatmap(
        lambda ys: st.tuples(*[st.tuples(st.just(y), value) for y in [BASE, *sorted(ys)]])
    )


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    horizon = draw(st.integers(BASE + 1, 2100))
    return Plan(
        name=draw(st.text(st.characters(categories=("L", "N")), min_size=1, max_size=40)),
        sectors=tuple(draw(st.lists(st.sampled_from(SECTORS), min_size=1, unique=True))),
        regions=tuple(draw(st.lists(st.sampled_from(REGIONS), min_size=1, unique=True))),
        horizon=horizon,
        growth=draw(_rows(-50, 50, horizon)),
        intensity=draw(_rows(0, 1000, horizon)),
        low=draw(st.floats(-90, 0)),
        high=draw(st.floats(0, 90)),
    )


def _fields(plan: Plan) -> dict[str, list[str]]:
    return {
        "name": [plan.name],
        "sectors": list(plan.sectors),
        "regions": list(plan.regions),
        "horizon": [str(plan.horizon)],
        "growth_year": [str(y) for y, _ in plan.growth] + [""],
        "growth_rate": [repr(v) for _, v in plan.growth] + [""],
        "intensity_year": [str(y) for y, _ in plan.intensity],
        "intensity_value": [repr(v) for _, v in plan.intensity],
        "low": [repr(plan.low)],
        "high": [repr(plan.high)],
    }


@settings(max_examples=60, deadline=None)
@given(plans(), st.floats(0, 5000))
def test_any_valid_form_round_trips_through_its_yaml(plan: Plan, level: float) -> None:
    assert read_form(_fields(plan), SECTORS, REGIONS, BASE) == plan
    base = {(r, s): level for r in REGIONS for s in SECTORS}
    file = file_of({plan.name: scenario_of(plan, base, BASE)}, BASE, plan.horizon, 10)
    text = yaml.safe_dump(file, allow_unicode=True, sort_keys=False)
    assert yaml.safe_load(text) == file
    assert parse(yaml.safe_load(text)) == parse(file)


def test_a_whole_beside_its_parts_is_refused() -> None:
    """industry already sums steel: both would count steel twice."""
    form = {**FORM, "sectors": ["industry", "steel", "power"]}
    wholes = {"industry": ("steel", "power")}
    with pytest.raises(InputError) as raised:
        read_form(form, ("industry", *SECTORS), REGIONS, BASE, wholes)
    [problem] = raised.value.problems
    assert problem.place.field == "sectors"
    assert problem.message == "industry already includes steel, power: pick it alone or its parts"
    assert read_form({**form, "sectors": ["industry"]}, ("industry",), REGIONS, BASE, wholes)


def test_a_decimal_comma_is_refused_at_its_field() -> None:
    """review19 #1: "2,5" was read as 25 % a year; it is refused where it was typed."""
    form = {**FORM, "growth_rate": ["2,5", "-1", "", ""]}
    with pytest.raises(InputError) as raised:
        read_form(form, SECTORS, REGIONS, BASE)
    said = {(p.place.field, p.place.row): p.message for p in raised.value.problems}
    assert said[("growth_rate", 1)] == "'2,5' is not a number"
    # a full-width decimal typed through an IME and a per cent sign are read
    plan = read_form({**FORM, "growth_rate": ["２．５％", "-1%", "", ""]}, SECTORS, REGIONS, BASE)
    assert plan.growth == ((2019, 2.5), (2030, -1.0))
