"""The opportunity register: a diagnosis stored as proposed measures, moved forward only, and
verified against the enterprise's energy baseline from its meters (the demo lake plants a
measure saving 8 % of the variable energy from 1 October of the demo year)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, PermissionDenied
from carbonpeak.services import diagnosis as service
from carbonpeak.store.db import transaction
from carbonpeak.store.models import AuditEntry

from .conftest import DemoLake
from .test_pages import _actor


def _plant(enterprise_id: str, region_code: str) -> dict:
    return {
        "enterprise_id": enterprise_id,
        "region_code": region_code,
        "year": 2024,
        "prices": {"electricity": {"price": 0.6, "unit": "kWh"}},
        "equipment": [
            {
                "type": "motor",
                "id": "M1",
                "rated_kw": 250,
                "poles": 4,
                "load": 0.8,
                "hours": 7000,
                "efficiency": 0.955,
                "replacement_cost": 90000,
                "lifetime_years": 15,
            },
        ],
    }


def test_register_advance_and_verify(demo_store: Engine, demo_lake: DemoLake) -> None:
    plant = demo_lake.plants[1]
    with transaction(demo_store) as session:
        admin = _actor(session, "demo-admin")
        from carbonpeak.store.models import Enterprise

        region = session.get(Enterprise, plant).region_code  # type: ignore[union-attr]
        made = service.register_diagnosis(session, admin, _plant(plant, region))
        (opportunity,) = made["opportunity_ids"]
        listed = service.list_opportunities(session, admin, "proposed")
        assert listed[0]["opportunity_id"] == opportunity
        assert listed[0]["expected"]["energy_tce"] == pytest.approx(
            made["measures"][0]["energy_tce"]
        )
        with pytest.raises(InputError, match="proposed → implemented is not allowed"):
            service.advance(session, admin, opportunity, "implemented", date(2023, 10, 1))
        with pytest.raises(InputError, match="verified by its meters"):
            service.advance(session, admin, opportunity, "verified")
        service.advance(session, admin, opportunity, "accepted")
        with pytest.raises(InputError, match="give the date"):
            service.advance(session, admin, opportunity, "implemented")
        regulator = _actor(session, "demo-regulator")
        with pytest.raises(PermissionDenied):
            service.advance(session, regulator, opportunity, "implemented", date(2023, 10, 1))
        with pytest.raises(InputError, match="not implemented"):
            service.verify(session, admin, opportunity, demo_lake.path)
    with transaction(demo_store) as session:
        admin = _actor(session, "demo-admin")
        lake_year = _lake_year(demo_lake)
        service.advance(session, admin, opportunity, "implemented", date(lake_year, 10, 1))
        done = service.verify(session, admin, opportunity, demo_lake.path)
    check = done["verification"]
    assert done["state"] == "verified"
    assert check["reporting"][0] == f"{lake_year}-10-01" and check["saved_tce"] > 0
    days = (date.fromisoformat(check["reporting"][1]) - date(lake_year, 10, 1)).days + 1
    assert 30 <= check["reporting_days"] <= days  # the days with data
    assert check["annualised_tce"] == pytest.approx(
        check["saved_tce"] * 365 / check["reporting_days"]
    )
    assert check["realisation"] == pytest.approx(check["annualised_tce"] / check["expected_tce"])
    assert "not this measure alone" in check["note"]
    with Session(demo_store) as session:
        actions = [
            e.action
            for e in session.query(AuditEntry).filter(AuditEntry.entity_id == str(opportunity))
            if e.entity == "opportunity"
        ]
    assert actions == [
        "opportunity.propose",
        "opportunity.accepted",
        "opportunity.implemented",
        "opportunity.verify",
    ]


def test_too_few_days_to_verify(demo_store: Engine, demo_lake: DemoLake) -> None:
    plant = demo_lake.plants[0]
    with transaction(demo_store) as session:
        admin = _actor(session, "demo-admin")
        from carbonpeak.store.models import Enterprise

        region = session.get(Enterprise, plant).region_code  # type: ignore[union-attr]
        (opportunity,) = service.register_diagnosis(session, admin, _plant(plant, region))[
            "opportunity_ids"
        ]
        service.advance(session, admin, opportunity, "accepted")
        service.advance(
            session, admin, opportunity, "implemented", date(_lake_year(demo_lake), 12, 20)
        )
        with pytest.raises(InputError, match="at least 30 are needed"):
            service.verify(session, admin, opportunity, demo_lake.path)


def _lake_year(demo_lake: DemoLake) -> int:
    from carbonpeak.io.lake import read_meters
    from carbonpeak.monitoring.quality import span_days

    start, _ = span_days(read_meters(demo_lake.path))
    return start.year
