"""Entities validate their codes when they are made, and say which field is wrong."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from carbonpeak.domain.entities import Enterprise, Meter, ProductionUnit, ReportingPeriod, Site

BAOSTEEL = "91310000631696382C"


def test_valid_enterprise() -> None:
    enterprise = Enterprise(
        enterprise_id=BAOSTEEL,
        name="宝山钢铁股份有限公司",
        region_code="310000",
        industry_code="3120",
    )
    assert enterprise.enterprise_id == BAOSTEEL


def test_every_bad_field_is_named() -> None:
    with pytest.raises(ValidationError) as raised:
        Enterprise(
            enterprise_id="91310000631696382D", name="", region_code="999999", industry_code="9999"
        )
    errors = {e["loc"][0]: e["msg"] for e in raised.value.errors()}
    assert set(errors) == {"enterprise_id", "name", "region_code", "industry_code"}
    assert "expected 'C'" in errors["enterprise_id"]
    assert "unknown region code 999999" in errors["region_code"]
    assert "unknown industry code 9999" in errors["industry_code"]


def test_site_unit_and_meter() -> None:
    site = Site(site_id="S1", enterprise_id=BAOSTEEL, name="宝山基地", region_code="310000")
    unit = ProductionUnit(
        unit_id="U1",
        site_id=site.site_id,
        process="blast_furnace",
        product="pig_iron",
        capacity=4.5e6,
        capacity_unit="t/a",
    )
    assert unit.capacity == 4.5e6
    meter = Meter(meter_id="M1", enterprise_id=BAOSTEEL, carrier="natural_gas", unit="10^4 Nm3")
    assert (meter.kind, meter.interval_minutes) == ("interval", 15)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("product", "unobtainium", "unknown item 'unobtainium'"),
        ("capacity_unit", "tonnes/dai", "unknown unit"),
        ("capacity", 0, "greater than 0"),
    ],
)
def test_bad_production_unit(field: str, value: object, message: str) -> None:
    data: dict[str, object] = {
        "unit_id": "U1",
        "site_id": "S1",
        "process": "kiln",
        "product": "clinker",
        "capacity": 5000,
        "capacity_unit": "t/d",
    }
    data[field] = value
    with pytest.raises(ValidationError) as raised:
        ProductionUnit.model_validate(data)
    (error,) = raised.value.errors()
    assert error["loc"] == (field,)
    assert message in error["msg"]


def test_meter_kind_is_checked() -> None:
    with pytest.raises(ValidationError):
        Meter(
            meter_id="M1", enterprise_id=BAOSTEEL, carrier="electricity", unit="kWh", kind="daily"
        )  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        ("2024", date(2024, 1, 1), date(2025, 1, 1)),
        ("2024-02", date(2024, 2, 1), date(2024, 3, 1)),
        ("2024-12", date(2024, 12, 1), date(2025, 1, 1)),
    ],
)
def test_reporting_periods(period: str, start: date, end: date) -> None:
    p = ReportingPeriod(period=period)
    assert (p.start, p.end) == (start, end)
    assert p.contains(start) and not p.contains(end)


@pytest.mark.parametrize("period", ["24", "2024-13", "2024-1", "2024/01", "2024-00"])
def test_bad_periods(period: str) -> None:
    with pytest.raises(ValidationError, match="is not YYYY or YYYY-MM"):
        ReportingPeriod(period=period)
