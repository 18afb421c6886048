"""The small bodies of the API read their numbers and flags strictly: JSON `true` is not a
number of draws, a year or a number of days, and "yes" is not `true` (issue 15, item 8)."""

from __future__ import annotations

import pytest

from .conftest import CEMENT, Api


@pytest.mark.parametrize(
    ("who", "url", "body", "field"),
    [
        ("admin", "/api/v1/pathways/run", {"scenario": "x: 1", "draws": True}, "draws"),
        ("admin", "/api/v1/pathways/run", {"scenario": "x: 1", "year": True}, "year"),
        ("cement", "/api/v1/auth/api-keys", {"name": "etl", "days": True}, "days"),
        ("cement", "/api/v1/diagnoses", {"plant": {}, "to_register": "yes"}, "to_register"),
    ],
)
def test_a_boolean_is_not_a_number(api: Api, who: str, url: str, body: dict, field: str) -> None:
    response = api.client.post(url, json=body, headers=api.headers(who))
    assert response.status_code == 422, response.text
    assert f"body.{field}" in {p["field"] for p in response.json()["detail"]}


def test_a_unit_capacity_of_true_is_refused(api: Api) -> None:
    unit = {
        "unit_id": "CEM-1-K1",
        "process": "clinker_kiln",
        "product": "clinker",
        "capacity": True,  # was stored as 1 t/d
        "capacity_unit": "t/d",
    }
    site = {"site_id": "CEM-1", "name": "窑线一厂", "region_code": "130200", "units": [unit]}
    url = f"/api/v1/enterprises/{CEMENT}/sites"
    response = api.client.post(url, json=site, headers=api.headers("cement"))
    assert response.status_code == 422, response.text
    assert any("units.0.capacity" in str(p["field"]) for p in response.json()["detail"])


def test_an_implementation_day_outside_the_years_is_refused(api: Api) -> None:
    response = api.client.post(
        "/api/v1/opportunities/1/state",
        json={"state": "implemented", "implemented_on": "0001-01-01"},
        headers=api.headers("cement"),
    )
    assert response.status_code == 422, response.text
    assert {p["field"] for p in response.json()["detail"]} == {"body.implemented_on"}
