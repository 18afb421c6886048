"""The energy-use control page: a regulator uploads a regional table and sees each region
against its path; others may not; a bad table is shown by row and column."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from carbonpeak.api.app import create_app

from .conftest import Served
from .test_pages import _login

TABLE = (
    b"region_code,year,value_added_10k_yuan,energy_tce\n130000,2020,100,100\n130000,2021,110,100\n"
)


@pytest.fixture
def client(demo_store: Engine) -> Iterator[TestClient]:
    yield TestClient(create_app(demo_store))


def test_the_caps_page(client: TestClient, served: Served) -> None:
    _login(client, "demo-regulator", served.password)
    first = client.get("/caps")
    # at first visit, the file to upload is said, with its template
    assert first.status_code == 200 and 'id="caps-first"' in first.text
    assert 'href="/caps/template.csv"' in first.text
    template = client.get("/caps/template.csv")
    assert template.status_code == 200
    assert template.text.splitlines()[0].split(",")[:3] == [
        "region_code",
        "year",
        "value_added_10k_yuan",
    ]
    shown = client.post(
        "/caps", files={"file": ("r.csv", TABLE)}, data={"target": "industry_energy_2025"}
    )
    assert shown.status_code == 200 and 'id="caps-result"' in shown.text
    assert 'id="caps-first"' not in shown.text
    assert 'data-chart="chart-caps"' in shown.text
    bad = client.post("/caps", files={"file": ("r.csv", TABLE + b"130000,2022,x,1\n")})
    assert bad.status_code == 400 and "value_added_10k_yuan" in bad.text
    enterprise = TestClient(client.app)
    _login(enterprise, "demo-enterprise", served.password)
    assert enterprise.get("/caps").status_code == 403
    assert enterprise.get("/caps/template.csv").status_code == 403
