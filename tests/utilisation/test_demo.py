"""The demo's solid-waste reports end to end (issue 23): the demo province's reports are
filed through the service as any upload is, and the demo regulator's page shows each
prefecture's utilisation rate of bulk solid waste against the target in force, equal to the
rate worked out independently from the demo's own lines (Σ utilised / (Σ generated + Σ
utilised from stock), by pandas over the raw table); the demo enterprise sees its own with the
province's and the nation's rates. Demo data is synthetic and says so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from carbonpeak.api.app import create_app
from carbonpeak.demo.province import generate_province, load_profile, province_activity
from carbonpeak.demo.utilisation import demo_reports
from carbonpeak.services.access import Actor
from carbonpeak.services.demo import DEMO_PASSWORD, load_province
from carbonpeak.services.demo_journeys import utilisation_reports
from carbonpeak.services.utilisation import enterprise_view, rates_view
from carbonpeak.store.db import make_engine, transaction, upgrade
from carbonpeak.store.models import User

BULK = {"blast_furnace_slag", "steel_slag", "red_mud", "byproduct_gypsum", "chemical_slag"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, pd.DataFrame, object]]:
    folder: Path = tmp_path_factory.mktemp("utilisation-demo")
    engine = make_engine(f"sqlite:///{folder / 'store.db'}")
    upgrade(engine)
    province = generate_province(seed=2030, enterprises=200)
    with transaction(engine) as session:
        load_province(session, province, province_activity(province))
    with transaction(engine) as session:
        assert utilisation_reports(session, province)["reports"] > 0
    with transaction(engine) as session:  # loading again adds nothing
        assert utilisation_reports(session, province) == {"reports": 0, "edition": None}
    yield engine, demo_reports(province), province
    engine.dispose()


def _actor(engine: Engine, name: str) -> Actor:
    with transaction(engine) as session:
        return Actor.of(session.execute(select(User).where(User.username == name)).scalar_one())


def test_a_prefecture_s_rate_against_its_target(demo: tuple[Engine, pd.DataFrame, object]) -> None:
    engine, lines, province = demo
    regulator = _actor(engine, "demo-regulator")
    with transaction(engine) as session:
        view = rates_view(session, regulator, 2025, "prefecture")
    assert view["years"] == [2025, 2024]
    firms = {e.enterprise.enterprise_id: e.enterprise.region_code for e in province.enterprises}  # type: ignore[attr-defined]
    firms.update({e["enterprise_id"]: e["region_code"] for e in load_profile()["examples"]})
    firms = {e: r for e, r in firms.items() if r.startswith("13")}  # the regulator's province
    raw = lines.assign(amount_t=lines.amount_t.astype(float), period=lines.period.astype(int))
    raw = raw[(raw.period == 2025) & raw.kind.isin(BULK) & raw.enterprise_id.isin(firms)]
    raw = raw.assign(prefecture=[firms[e][:4] + "00" for e in raw.enterprise_id])
    shown = {g["group"]: g for g in view["groups"] if g["target_kind"] == "bulk"}
    assert set(shown) == set(raw.prefecture)
    for prefecture, part in raw.groupby("prefecture"):
        flows = part.groupby("flow").amount_t.sum()
        rate = flows.get("utilised", 0) / (
            flows.get("generated", 0) + flows.get("utilised_from_stock", 0)
        )
        group = shown[str(prefecture)]
        assert group["rate"] == pytest.approx(rate)
        assert group["target_rate"] == pytest.approx(0.57) and group["target_year"] == 2025
        assert group["met"] is bool(rate >= 0.57)
    assert {g["met"] for g in shown.values()} == {True, False}  # the regions differ around it


def test_the_pages_of_the_demo(demo: tuple[Engine, pd.DataFrame, object]) -> None:
    engine, _lines, _province = demo
    client = TestClient(create_app(engine))
    client.post(
        "/login", data={"username": "demo-regulator", "password": DEMO_PASSWORD, "next": "/"}
    )
    page = client.get("/utilisation?year=2025")
    assert (
        page.status_code == 200 and 'id="chart-ranking"' in page.text and 'id="stocks"' in page.text
    )
    enterprise = _actor(engine, "demo-enterprise")
    with transaction(engine) as session:
        own = enterprise_view(session, enterprise, "911302005B8M2P4Q99", 2025)
    # the illustrative edition (approved on load) gives steel slag in building materials a
    # factor, marked illustrative; the example steel's other routes have none
    saved = {(r["kind"], r["route"]): r for r in own["avoided"]["rows"]}
    slag = saved[("steel_slag", "building_materials")]
    assert slag["has_factor"] and "ILLUSTRATIVE" in slag["note"]
    factor = next(
        f["factor"]
        for f in load_profile()["utilisation"]["illustrative_factors"]
        if (f["kind"], f["route"]) == ("steel_slag", "building_materials")
    )
    assert slag["co2_avoided_t"] == pytest.approx(slag["utilised_t"] * factor)
    assert any(not r["has_factor"] for r in saved.values())
    assert own["avoided"]["illustrative"] is True and own["avoided"]["unverified"] is True
    mine = client.post(
        "/login", data={"username": "demo-enterprise", "password": DEMO_PASSWORD, "next": "/"}
    )
    assert mine.status_code in (200, 303)
    shown = client.get("/utilisation/911302005B8M2P4Q99?year=2025")
    assert 'id="avoided-illustrative"' in shown.text and 'id="avoided-unverified"' in shown.text
    kinds = {r["target_kind"] for r in own["rates"]}
    assert {"bulk", "smelting_slag"} <= kinds
    assert {r["target_kind"] for r in own["regional"]} >= {"bulk"}
    client.close()
