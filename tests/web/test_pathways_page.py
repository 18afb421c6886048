"""The pathways page: the example runs with its bands, peaks and the comparison waterfall; a
bad file is shown by key; the observed history of a key sector and a province."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from carbonpeak.api.app import create_app
from carbonpeak.pathways.projection import example_text
from carbonpeak.services.pathways import run_scenarios

from .conftest import Served
from .test_pages import _login


@pytest.fixture
def client(demo_store: Engine) -> Iterator[TestClient]:
    yield TestClient(create_app(demo_store))


def _chart(text: str, name: str) -> dict:
    found = re.search(rf'<script type="application/json" id="{name}">(.*?)</script>', text, re.S)
    assert found, name
    return json.loads(found.group(1))


def test_the_pathways_page(client: TestClient, served: Served) -> None:
    _login(client, "demo-enterprise", served.password)
    shown = client.get("/pathways")
    assert shown.status_code == 200 and "model: carbonpeak example" in shown.text
    history = _chart(shown.text, "chart-history")
    assert history["xAxis"]["data"][0] == "1997" and history["xAxis"]["data"][-1] == "2019"
    run = client.post("/pathways", data={"scenario": example_text(), "draws": "200"})
    assert run.status_code == 200 and 'id="pathways-result"' in run.text
    option = _chart(run.text, "chart-pathways")
    names = {s["name"] for s in option["series"]}
    assert {"BAU", "POLICY", "BAU 5-95%", "POLICY 5-95%"} <= names
    waterfall = _chart(run.text, "chart-waterfall")
    bars = waterfall["series"][1]["data"]
    assert len(bars) == 5 and waterfall["xAxis"]["data"][0] == "BAU"
    # the floating bars end where the other scenario's total is (the same seeded run)
    same = run_scenarios(example_text(), 200, ("BAU", "POLICY"))
    policy = same["scenarios"]["POLICY"]["total"]["values"]["2030"]
    assert bars[-1]["value"] == pytest.approx(policy)
    assert bars[0]["value"] == pytest.approx(same["scenarios"]["BAU"]["total"]["values"]["2030"])
    assert 'id="pathways-changes"' in run.text
    change = same["changes"]["BAU"]
    assert sum(change["additive"].values()) == pytest.approx(change["total_change"])
    bad = client.post(
        "/pathways", data={"scenario": "base_year: 2020\nhorizon: 2010\nscenarios: {}"}
    )
    assert bad.status_code == 400 and "horizon must be after" in bad.text
    worse = client.post("/pathways", data={"scenario": example_text(), "draws": "many"})
    assert worse.status_code == 400 and "whole numbers" in worse.text
    steel = client.get("/pathways?sector=steel&region=130000")
    chart = _chart(steel.text, "chart-history")
    assert [s["name"] for s in chart["series"]][1] == "Hebei"
