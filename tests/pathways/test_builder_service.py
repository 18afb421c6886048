"""The builder's service: the choices come from the CEADs history, the file starts from the
observed base year, a kept scenario runs beside the new one with a difference table."""

from __future__ import annotations

import pytest
import yaml

from carbonpeak.errors import InputError
from carbonpeak.services import pathways as service

FORM = {
    "name": ["BAU"],
    "sectors": ["steel"],
    "regions": ["130000", "140000"],
    "horizon": ["2050"],
    "growth_year": ["2019", "2030"],
    "growth_rate": ["2", "-1"],
    "intensity_year": ["2019", "2050"],
    "intensity_value": ["100", "60"],
    "low": ["-10"],
    "high": ["10"],
}


def test_the_choices_are_the_observed_ones() -> None:
    choices = service.builder_choices(None)
    assert choices["base_year"] == 2019
    assert "steel" in choices["sectors"] and "total" not in choices["sectors"]
    hebei = next(r for r in choices["regions"] if r["code"] == "130000")
    assert hebei == {"code": "130000", "name_zh": "河北省", "name_en": "Hebei"}


def test_the_file_starts_from_the_observed_base_year() -> None:
    built = service.build_scenario(None, FORM)
    observed = {
        r["region_code"]: r["values"]["2019"]
        for r in service.history(None, "steel", ["130000", "140000"])["regions"]
    }
    regions = yaml.safe_load(built["text"])["scenarios"]["BAU"]["regions"]
    for code, value in observed.items():
        scale = regions[code]["sectors"]["steel"]["emission_intensity"]["scale"]
        assert scale["mode"] == pytest.approx(value)
    result = service.run_scenarios(built["text"], 10)
    total = result["scenarios"]["BAU"]["total"]["values"]["2019"]
    assert total == pytest.approx(sum(observed.values()))


def test_two_scenarios_and_their_difference() -> None:
    kept = service.build_scenario(None, FORM, draws=50)["own"]
    low = {**FORM, "name": ["LOW"], "intensity_value": ["100", "30"]}
    both = service.run_builder(None, low, kept, 50)
    assert both["names"] == ["BAU", "LOW"]
    rows = {d["year"]: d for d in both["difference"]}
    assert sorted(rows) == [2019, 2020, 2025, 2030, 2035, 2040, 2045, 2050]
    # the same output and base; in 2050 LOW's intensity is 30 % of 2019's against BAU's 60 %:
    # LOW = BAU / 2, the difference -BAU / 2; in 2019 both are the observed sum, no difference
    assert rows[2050]["second"] == pytest.approx(rows[2050]["first"] / 2)
    assert rows[2050]["change"] == pytest.approx(-rows[2050]["first"] / 2)
    assert rows[2019]["change"] == pytest.approx(0.0)


def test_a_name_taken_by_the_kept_scenario_is_refused() -> None:
    kept = service.build_scenario(None, FORM)["own"]
    with pytest.raises(InputError) as raised:
        service.run_builder(None, FORM, kept, 10)
    assert [p.place.field for p in raised.value.problems] == ["name"]
    with pytest.raises(InputError) as raised:
        service.build_scenario(None, FORM, "not: [a file")
    assert [p.place.field for p in raised.value.problems] == ["kept"]


@pytest.mark.parametrize("horizon", ["abc", "[1]", "1800", "{a: 1}"])
def test_a_kept_file_edited_is_refused_at_its_field(horizon: str) -> None:
    # the kept scenario travels in a hidden form field: an edited horizon is the kept
    # file's problem (it was a 500: int("abc"), int([1]))
    kept = service.build_scenario(None, FORM)["own"]
    edited = kept.replace("horizon: 2050", f"horizon: {horizon}")
    assert edited != kept
    low = {**FORM, "name": ["LOW"]}
    for call in (service.build_scenario, service.run_builder):
        with pytest.raises(InputError) as raised:
            call(None, low, edited, 10)
        assert [p.place.field for p in raised.value.problems] == ["kept"]
    with pytest.raises(InputError):
        service.kept_names(edited)


def test_industry_is_the_sum_of_the_parts_offered() -> None:
    """The choices say industry includes the key industrial sectors (ceads_sectors' flag)."""
    wholes = service.builder_choices(None)["wholes"]
    assert set(wholes["industry"]) == {
        "steel",
        "building_materials",
        "nonferrous",
        "chemicals",
        "petrochemicals",
        "power",
    }
    with pytest.raises(InputError) as raised:
        service.build_scenario(None, {**FORM, "sectors": ["industry", "steel"]})
    assert [p.place.field for p in raised.value.problems] == ["sectors"]
