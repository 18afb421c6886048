"""The reference rows of plans and monthly evidence agree with each other and with the steel
guideline's rows already in the library (fuel_parameters set cets_steel_2024)."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from carbonpeak.reference.loader import default_reference

GUIDELINE = "cets_steel_2024"


def test_fuel_classes_cover_the_fuels_of_table_a1():
    reference = default_reference()
    fuels = {str(r["item"]) for r in reference.rows("fuel_parameters", parameter_set=GUIDELINE)}
    classes = {
        str(r["item"]): r["fuel_class"]
        for r in reference.rows("market_fuel_classes", guideline=GUIDELINE)
    }
    assert set(classes) == fuels and len(fuels) == 25
    assert classes["coke"] == "coke"
    counts = {c: list(classes.values()).count(c) for c in ("solid", "liquid", "gas")}
    assert counts == {"solid": 9, "liquid": 10, "gas": 5}  # A.1: 10 solids with coke
    # every gas of A.1 is counted in 10^4 Nm3, every solid and liquid in tonnes
    for record in reference.rows("fuel_parameters", parameter_set=GUIDELINE, parameter="ncv"):
        gas = classes[str(record["item"])] == "gas"
        assert (str(record["unit"]) == "GJ/wan_Nm3") == gas


def test_requirements_cite_the_guideline():
    reference = default_reference()
    rows = reference.rows("market_plan_requirements", as_of=date(2026, 1, 1), sector="steel")
    assert rows and all(r["source_id"] == GUIDELINE and r["clause"] for r in rows)
    by_key = {(r["emission_type"], r["item_class"], r["parameter"]): r for r in rows}
    assert by_key[("fuel", "coke", "ncv")]["acquisition"] == "default"
    assert by_key[("fuel", "any", "carbon_content")]["acquisition"] == "default"
    solid = by_key[("fuel", "solid", "ncv")]
    assert (solid["measured_frequency"], solid["fixed_for_year"]) == ("every_batch", "yes")
    for fluid in ("liquid", "gas"):
        assert by_key[("fuel", fluid, "ncv")]["measured_frequency"] == "monthly"
    for emission_type in ("carbonate", "electrode", "raw_material", "product"):
        assert by_key[(emission_type, "any", "emission_factor")]["acquisition"] == "default"
    assert by_key[("enterprise", "any", "crude_steel_output")]["required"] == "yes"
    assert not reference.rows("market_plan_requirements", sector="cement")
    assert not reference.rows("market_plan_requirements", sector="aluminium")


def test_evidence_items_cover_plan_parameters_that_exist():
    reference = default_reference()
    requirements = {
        f"{r['emission_type']}:{r['parameter']}"
        for r in reference.rows("market_plan_requirements", sector="steel")
    }
    items = reference.rows("market_evidence_items", guideline=GUIDELINE)
    assert len(items) == 9 + 2 + 6  # 10.2.1 a)-i), 10.2.2 a)-b), 10.2.3 a)-f)
    for item in items:
        assert set(str(item.get("covers") or "").split()) <= requirements
        assert (item["mandatory"] == "yes") == (item["group"] in ("key", "auxiliary"))


def test_evidence_deadlines_do_not_overlap():
    reference = default_reference()
    for sector in ("steel", "cement", "aluminium"):
        rows = sorted(
            reference.rows("market_evidence_deadlines", sector=sector),
            key=lambda r: r["first_month"],
        )
        for earlier, later in pairwise(rows):
            assert earlier["last_month"] is not None
            assert earlier["last_month"] < later["first_month"]
        for row in rows:  # a rule is a number of days or a date, not both
            assert (row.get("days_after_month_end") is None) != (row.get("due") is None)
