"""Data-quality control plans checked against the steel guideline's rows (CETS—AG—03.01—V01—2024,
docs/notes/ets_sources_2026.md §1.6, §1.8): a valid plan by hand, and each bad case refused at its
place (Annex B section, row, field)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from carbonpeak.errors import Place
from carbonpeak.market.plan_checks import check_plan
from carbonpeak.market.plans import (
    Enterprise,
    Facility,
    ParameterRow,
    PlanVersion,
    QualityPlan,
    diff_plans,
)
from carbonpeak.reference.loader import Reference, default_reference


@pytest.fixture(scope="module")
def reference() -> Reference:
    return default_reference()


ENTERPRISE = Enterprise(name="某钢铁有限公司", uscc="91320000000000000X")


def row(emission_type: str, item: str, parameter: str, acquisition: str, **extra) -> ParameterRow:
    return ParameterRow(
        emission_type=emission_type,
        item=item,
        parameter=parameter,
        acquisition=acquisition,
        **extra,
    )


SCALE = {"meter": "电子汽车衡 SCS-100", "accuracy_class": "III", "calibration_months": 12}
BELT = {"meter": "皮带秤 ICS-20", "accuracy_class": "0.5级", "calibration_months": 12}
GAS_METER = {"meter": "涡轮流量计 LWQ-200", "accuracy_class": "1.5", "calibration_months": 6}


def valid_rows() -> list[ParameterRow]:
    return [
        # coke: NCV and CC defaults (6.2.2, 6.2.3)
        row("fuel", "coke", "net_consumption", "measured", unit="t", **SCALE),
        row("fuel", "coke", "ncv", "default", unit="GJ/t"),
        row("fuel", "coke", "carbon_content", "default", unit="tC/GJ"),
        # anthracite: NCV measured every batch (6.2.2)
        row("fuel", "anthracite", "net_consumption", "measured", unit="t", **BELT),
        row(
            "fuel",
            "anthracite",
            "ncv",
            "measured",
            unit="GJ/t",
            monitoring_frequency="every_batch",
            description="每批次入厂检测，GB/T 213，CMA 实验室",
        ),
        row("fuel", "anthracite", "carbon_content", "default", unit="tC/GJ"),
        # natural gas: NCV measured monthly (6.2.2.4)
        row("fuel", "natural_gas", "net_consumption", "measured", unit="10^4 Nm3", **GAS_METER),
        row("fuel", "natural_gas", "ncv", "measured", monitoring_frequency="monthly"),
        row("fuel", "natural_gas", "carbon_content", "default"),
        # limestone, electrode, crude steel deducted
        row("carbonate", "limestone", "quantity", "measured", unit="t", **SCALE),
        row("carbonate", "limestone", "emission_factor", "default", unit="tCO2/t"),
        row("electrode", "electrode", "quantity", "calculated", unit="t"),
        row("electrode", "electrode", "emission_factor", "default", unit="tCO2/t"),
        row("product", "crude_steel", "quantity", "measured", unit="t"),
        row("product", "crude_steel", "emission_factor", "default", unit="tCO2/t"),
        row("enterprise", "", "emissions", "calculated", unit="tCO2"),
        row("enterprise", "", "crude_steel_output", "measured", unit="t"),
        row("enterprise", "", "intensity", "calculated", unit="tCO2/t"),
    ]


def plan(rows: list[ParameterRow] | None = None, **extra) -> QualityPlan:
    fields = {
        "enterprise": ENTERPRISE,
        "sector": "steel",
        "year": 2026,
        "versions": (PlanVersion(number="V1", date=date(2025, 12, 20), reason="首次制定"),),
        "facilities": (
            Facility(name="1#高炉", number="BF01", model="2500 m3", status="in_use"),
            Facility(name="2#焦炉", number="CO02", status="stopped"),
        ),
        "parameters": tuple(valid_rows() if rows is None else rows),
        "record_retention_years": 5,
    }
    fields.update(extra)
    return QualityPlan(**fields)


def places(result) -> list[tuple[Place, str]]:
    return [(p.place, p.message) for p in result.problems]


def test_valid_steel_plan(reference):
    result = check_plan(plan(), "steel", 2026, reference)
    assert result.problems == ()
    assert result.guideline == "cets_steel_2024"
    assert result.warnings == ()
    tables = {table for table, _ in result.used}
    assert {"market_plan_requirements", "market_plan_rules", "market_meter_classes"} <= tables


def test_no_crude_steel_output(reference):
    rows = [r for r in valid_rows() if r.parameter != "crude_steel_output"]
    result = check_plan(plan(rows), "steel", 2026, reference)
    [(where, message)] = places(result)
    assert where == Place(sheet="B.4", field="parameter")
    assert "crude_steel_output" in message and "8; 附录B 表B.4" in message


def test_fuel_without_ncv(reference):
    rows = [r for r in valid_rows() if r.key != ("fuel", "natural_gas", "ncv")]
    result = check_plan(plan(rows), "steel", 2026, reference)
    [(where, message)] = places(result)
    # placed at the fuel's first row (its net consumption, row 7)
    assert where == Place(sheet="B.4", row=7, field="parameter")
    assert "natural_gas has no ncv row" in message


def replaced(key, **change) -> list[ParameterRow]:
    return [r.model_copy(update=change) if r.key == key else r for r in valid_rows()]


def test_coke_ncv_measured_refused(reference):
    rows = replaced(("fuel", "coke", "ncv"), acquisition="measured", monitoring_frequency="monthly")
    [(where, message)] = places(check_plan(plan(rows), "steel", 2026, reference))
    assert where == Place(sheet="B.4", row=2, field="acquisition")
    assert "allows default" in message and "6.2.2" in message


def test_carbon_content_measured_refused(reference):
    rows = replaced(("fuel", "anthracite", "carbon_content"), acquisition="measured")
    [(where, message)] = places(check_plan(plan(rows), "steel", 2026, reference))
    assert where == Place(sheet="B.4", row=6, field="acquisition")
    assert "6.2.3" in message


def test_gas_ncv_measured_quarterly_refused(reference):
    rows = replaced(("fuel", "natural_gas", "ncv"), monitoring_frequency="quarterly")
    [(where, message)] = places(check_plan(plan(rows), "steel", 2026, reference))
    assert where == Place(sheet="B.4", row=8, field="monitoring_frequency")
    assert "monthly" in message and "6.2.2.4" in message


@pytest.mark.parametrize("frequency", ["monthly", "weekly", "daily", "continuous"])
def test_gas_ncv_monthly_or_more_often_accepted(reference, frequency):
    rows = replaced(("fuel", "natural_gas", "ncv"), monitoring_frequency=frequency)
    assert check_plan(plan(rows), "steel", 2026, reference).ok


def test_solid_ncv_measured_monthly_refused(reference):
    # other solid fuels are measured every batch (6.2.2), not once a month
    rows = replaced(("fuel", "anthracite", "ncv"), monitoring_frequency="monthly")
    [(where, _)] = places(check_plan(plan(rows), "steel", 2026, reference))
    assert where == Place(sheet="B.4", row=5, field="monitoring_frequency")


def test_calibration_interval_over_12_months(reference):
    rows = replaced(("fuel", "coke", "net_consumption"), calibration_months=24)
    [(where, message)] = places(check_plan(plan(rows), "steel", 2026, reference))
    assert where == Place(sheet="B.4", row=1, field="calibration_months")
    assert "24 months" in message and "at most 12" in message


def test_meter_without_calibration_interval(reference):
    rows = replaced(("fuel", "coke", "net_consumption"), calibration_months=None)
    [(where, _)] = places(check_plan(plan(rows), "steel", 2026, reference))
    assert where == Place(sheet="B.4", row=1, field="calibration_months")


def test_meter_class_below_annex_f(reference):
    # a belt scale weighing a solid fuel: 0.5 class (Annex F); 1.0 is coarser
    rows = replaced(("fuel", "anthracite", "net_consumption"), accuracy_class="1.0级")
    [(where, message)] = places(check_plan(plan(rows), "steel", 2026, reference))
    assert where == Place(sheet="B.4", row=4, field="accuracy_class")
    assert "class 1" in message and "0.5" in message


def test_gas_meter_class_two_accepted_liquid_stricter(reference):
    # a turbine meter: 2.0 for gases, 0.5 for liquids (Annex F)
    rows = replaced(("fuel", "natural_gas", "net_consumption"), accuracy_class="2.0级")
    assert check_plan(plan(rows), "steel", 2026, reference).ok
    diesel = [
        row(
            "fuel",
            "diesel",
            "net_consumption",
            "measured",
            meter="涡轮流量计",
            accuracy_class="1.0",
            calibration_months=12,
        ),
        row("fuel", "diesel", "ncv", "default"),
        row("fuel", "diesel", "carbon_content", "default"),
    ]
    result = check_plan(plan([*valid_rows(), *diesel]), "steel", 2026, reference)
    [(where, _)] = places(result)
    assert where == Place(sheet="B.4", row=19, field="accuracy_class")


def test_later_version_without_reason(reference):
    versions = (
        PlanVersion(number="V1", date=date(2025, 12, 20), reason="首次制定"),
        PlanVersion(number="V2", date=date(2026, 3, 1)),
    )
    [(where, message)] = places(check_plan(plan(versions=versions), "steel", 2026, reference))
    assert where == Place(sheet="B.1", row=2, field="reason")
    assert "V2" in message


def test_version_dates_and_numbers(reference):
    versions = (
        PlanVersion(number="V1", date=date(2025, 12, 20), reason="首次制定"),
        PlanVersion(
            number="V1", date=date(2025, 11, 1), reason="新增燃料", trigger="facility_change"
        ),
    )
    found = {
        (p.place.field, p.place.row)
        for p in check_plan(plan(versions=versions), "steel", 2026, reference).problems
    }
    assert found == {("number", 2), ("date", 2)}


def test_unknown_fuel_and_parameter(reference):
    rows = [
        *valid_rows(),
        row("fuel", "hydrogen", "net_consumption", "measured"),
        row("carbonate", "limestone", "carbon_content", "default"),
    ]
    found = places(check_plan(plan(rows), "steel", 2026, reference))
    assert [w for w, _ in found] == [
        Place(sheet="B.4", row=19, field="item"),
        Place(sheet="B.4", row=20, field="parameter"),
    ]


def test_duplicate_row_and_facility(reference):
    facilities = (
        Facility(name="1#高炉", number="BF01", status="in_use"),
        Facility(name="2#高炉", number="BF01", status="in_use"),
    )
    rows = [*valid_rows(), row("fuel", "coke", "ncv", "default")]
    found = [
        w
        for w, _ in places(check_plan(plan(rows, facilities=facilities), "steel", 2026, reference))
    ]
    assert found == [
        Place(sheet="B.3", row=2, field="number"),
        Place(sheet="B.4", row=19, field="parameter"),
    ]


def test_record_retention(reference):
    [(where, message)] = places(
        check_plan(plan(record_retention_years=3), "steel", 2026, reference)
    )
    assert where == Place(sheet="B.6", field="record_retention_years")
    assert "at least 5" in message


def test_measured_ncv_does_not_go_back_to_default(reference):
    before = plan()
    rows = replaced(("fuel", "anthracite", "ncv"), acquisition="default", monitoring_frequency=None)
    versions = (
        *before.versions,
        PlanVersion(number="V2", date=date(2026, 5, 1), reason="检测成本"),
    )
    after = plan(rows, versions=versions)
    assert check_plan(after, "steel", 2026, reference).ok  # alone, the plan is valid
    [(where, message)] = places(check_plan(after, "steel", 2026, reference, previous=before))
    assert where == Place(sheet="B.4", row=5, field="acquisition")
    assert "was measured in version V1" in message
    # a gas NCV is not fixed for the year: measured to default is allowed
    rows = replaced(
        ("fuel", "natural_gas", "ncv"), acquisition="default", monitoring_frequency=None
    )
    assert check_plan(plan(rows, versions=versions), "steel", 2026, reference, previous=before).ok


def test_cement_checked_for_structure_only(reference):
    versions = (
        PlanVersion(number="V1", date=date(2025, 12, 20)),
        PlanVersion(number="V2", date=date(2026, 2, 1)),
    )
    cement = plan(
        [row("enterprise", "", "emissions", "calculated")], sector="cement", versions=versions
    )
    result = check_plan(cement, "cement", 2026, reference)
    [warning] = result.warnings
    assert warning.code == "market.plans.guideline_not_in_library"
    assert "CETS—AG—02.01—V01—2024" in warning.message
    assert [p.place for p in result.problems] == [Place(sheet="B.1", row=2, field="reason")]
    assert result.guideline is None


def test_sector_and_year_mismatch(reference):
    found = {p.place.field for p in check_plan(plan(), "cement", 2025, reference).problems}
    assert {"sector", "year"} <= found


def test_diff_plans():
    before = plan()
    rows = replaced(("fuel", "coke", "net_consumption"), meter="轨道衡 GCU-1", calibration_months=6)
    rows = [r for r in rows if r.item != "electrode"]
    rows.append(row("raw_material", "scrap", "quantity", "measured"))
    facilities = (*before.facilities[:1], Facility(name="3#转炉", number="BOF3", status="in_use"))
    after = plan(
        rows,
        facilities=facilities,
        versions=(
            *before.versions,
            PlanVersion(
                number="V2", date=date(2026, 4, 1), reason="新增废钢", trigger="facility_change"
            ),
        ),
    )
    diff = diff_plans(before, after)
    assert (diff.from_version, diff.to_version, diff.reason, diff.trigger) == (
        "V1",
        "V2",
        "新增废钢",
        "facility_change",
    )
    assert [r.key for r in diff.added] == [("raw_material", "scrap", "quantity")]
    assert {r.key for r in diff.removed} == {
        ("electrode", "electrode", "quantity"),
        ("electrode", "electrode", "emission_factor"),
    }
    [change] = diff.changed
    assert change.key == ("fuel", "coke", "net_consumption")
    assert change.fields == (
        ("meter", SCALE["meter"], "轨道衡 GCU-1"),
        ("calibration_months", 12, 6),
    )
    assert [f.number for f in diff.facilities_added] == ["BOF3"]
    assert [f.number for f in diff.facilities_removed] == ["CO02"]
    assert diff_plans(before, before).empty


def test_plan_is_frozen():
    with pytest.raises(ValidationError):
        plan().year = 2027  # type: ignore[misc]


@settings(max_examples=50, deadline=None)
@given(
    old=st.lists(st.booleans(), min_size=18, max_size=18),
    new=st.lists(st.booleans(), min_size=18, max_size=18),
)
def test_diff_is_symmetric(old, new):
    rows = valid_rows()
    a = plan([r for r, keep in zip(rows, old, strict=True) if keep])
    b = plan([r for r, keep in zip(rows, new, strict=True) if keep])
    there, back = diff_plans(a, b), diff_plans(b, a)
    assert {r.key for r in there.added} == {r.key for r in back.removed}
    assert {r.key for r in there.removed} == {r.key for r in back.added}
    assert there.changed == back.changed == ()
    assert there.empty == (old == new)


@settings(max_examples=50, deadline=None)
@given(keep=st.lists(st.booleans(), min_size=18, max_size=18))
def test_a_plan_missing_rows_is_never_better(keep):
    """Leaving rows out of a valid plan never passes unless every required row stays."""
    rows = [r for r, k in zip(valid_rows(), keep, strict=True) if k]
    result = check_plan(plan(rows), "steel", 2026, default_reference())
    if result.ok:
        kept = {r.key for r in rows}
        required = {
            r.key
            for r in valid_rows()
            if r.parameter not in ("emissions", "intensity")
            and (r.emission_type == "enterprise" or any(k[:2] == r.key[:2] for k in kept))
        }
        assert required <= kept


def test_material_not_in_a2_warned(reference):
    rows = [
        *valid_rows(),
        row("raw_material", "bauxite", "quantity", "measured"),
        row("raw_material", "bauxite", "emission_factor", "default"),
        row("raw_material", "steel_scrap", "quantity", "measured"),
        row("raw_material", "steel_scrap", "emission_factor", "default"),
    ]
    result = check_plan(plan(rows), "steel", 2026, reference)
    assert result.ok
    [warning] = result.warnings
    assert warning.code == "market.plans.not_in_guideline"
    assert warning.data == {"items": ["bauxite"]}


def test_a_measured_ncv_stays_measured_in_later_years(reference):
    """6.2.2.2: "取值方式已选择采用实测值的不可改为采用缺省值" sets no year (its first half, "当年
    确定后不应更改", does): anthracite measured in any version of the 2025 plan may not take the
    default in 2026 (review finding 15); a fuel that was the default in 2025 may become
    measured, and the gas NCV (not fixed by the guideline) may go back."""
    measured_2025 = plan(year=2025)  # anthracite NCV measured every batch
    default_2026 = plan(
        replaced(("fuel", "anthracite", "ncv"), acquisition="default", monitoring_frequency=None)
    )
    assert check_plan(default_2026, "steel", 2026, reference).ok  # alone, the plan is valid
    [(where, message)] = places(
        check_plan(default_2026, "steel", 2026, reference, earlier=[measured_2025])
    )
    assert where == Place(sheet="B.4", row=5, field="acquisition")
    assert "was measured in the plan of 2025 (version V1)" in message and "6.2.2" in message
    # an earlier version of 2025 that measured it counts too, even if the last went back
    went_back = plan(
        replaced(("fuel", "anthracite", "ncv"), acquisition="default", monitoring_frequency=None),
        year=2025,
    )
    earlier = [measured_2025, went_back]
    assert not check_plan(default_2026, "steel", 2026, reference, earlier=earlier).ok
    # default in 2025, measured in 2026: allowed; a later year's plan is not "earlier"
    assert check_plan(plan(), "steel", 2026, reference, earlier=[default_2026]).ok
    assert check_plan(
        plan(year=2025), "steel", 2025, reference, earlier=[default_2026.model_copy()]
    ).ok
    gas_default = plan(
        replaced(("fuel", "natural_gas", "ncv"), acquisition="default", monitoring_frequency=None)
    )
    assert check_plan(gas_default, "steel", 2026, reference, earlier=[measured_2025]).ok
    # another enterprise's plan does not bind this one
    other = measured_2025.model_copy(
        update={"enterprise": Enterprise(name="另一家", uscc="91110000000000000Y")}
    )
    assert check_plan(default_2026, "steel", 2026, reference, earlier=[other]).ok
