"""The demo end to end: the province loaded with its diagnoses and its illustrative green lists
(imported and approved through the editions' review), the demo enterprise's certificates show
with their expiry on its pages, every row says it is illustrative, the regulator sees the
counts, the expiring certificates, the unmatched published entries and the demo plants' motors
against the target; loading again adds no list."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from carbonpeak.api.app import create_app
from carbonpeak.services.demo import DEMO_PASSWORD, make_demo
from carbonpeak.store.db import make_engine, transaction
from carbonpeak.store.models_reference import ReferenceEdition
from carbonpeak.web.site import LANG_COOKIE

NAMES = ("CARBONPEAK_HOME", "CARBONPEAK_LAKE", "CARBONPEAK_DATABASE_URL")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str, Path]]:
    folder: Path = tmp_path_factory.mktemp("green-demo")
    before = {name: os.environ.pop(name, None) for name in NAMES}
    os.environ["CARBONPEAK_HOME"] = str(folder / "home")
    os.environ["CARBONPEAK_LAKE"] = str(folder / "home" / "lake")
    try:
        made = make_demo(folder / "out", enterprises=120, plants=2, load=True)
        engine = make_engine(f"sqlite:///{folder / 'home' / 'carbonpeak.db'}")
        client = TestClient(create_app(engine))
        yield client, made.results["loaded"]["demo_enterprise"], folder
        client.close()
        engine.dispose()
    finally:
        for name in NAMES:
            os.environ.pop(name, None)
        os.environ.update({k: v for k, v in before.items() if v is not None})


def _login(client: TestClient, who: str, lang: str) -> None:
    client.cookies.clear()
    client.cookies.set(LANG_COOKIE, lang)
    answer = client.post(
        "/login",
        data={"username": who, "password": DEMO_PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    assert answer.status_code == 303


def _bearer(client: TestClient, who: str) -> dict[str, str]:
    answer = client.post("/api/v1/auth/token", data={"username": who, "password": DEMO_PASSWORD})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_the_demo_enterprises_certificates(demo: tuple[TestClient, str, Path]) -> None:
    client, first, _ = demo
    _login(client, "demo-enterprise", "zh_CN")
    answer = client.get(
        f"/api/v1/green/enterprises/{first}", headers=_bearer(client, "demo-enterprise")
    )
    assert answer.status_code == 200, answer.text
    entries = answer.json()["entries"]
    kinds = {e["kind"] for e in entries}
    assert kinds == {"building_material", "factory", "design_product", "supply_chain"}
    assert all(e["illustrative"] and e["row_status"] == "unverified" for e in entries)
    (certificate,) = [e for e in entries if e["kind"] == "building_material"]
    # the demo's first certificate expires 45 days after the demo's day: expiring in 90
    assert certificate["key"] == "DEMO-GBM-001" and certificate["star_level"] == 3
    # its status follows from its days left on the answer's day (within 90: expiring)
    left = date.fromisoformat(certificate["expires_on"]) - date.fromisoformat(answer.json()["on"])
    assert certificate["days_left"] == left.days
    expected = "expired" if left.days < 0 else "expiring" if left.days <= 90 else "valid"
    assert certificate["status"] == expected
    page = client.get(f"/green/enterprises/{first}")
    assert page.status_code == 200 and "DEMO-GBM-001" in page.text and "示例" in page.text
    enterprise = client.get(f"/enterprises/{first}")
    assert 'id="green"' in enterprise.text and "DEMO-GBM-001" in enterprise.text


def test_the_regulators_view_of_the_demo(demo: tuple[TestClient, str, Path]) -> None:
    client, _, _ = demo
    _login(client, "demo-regulator", "en")
    bearer = _bearer(client, "demo-regulator")
    summary = client.get("/api/v1/green/summary?within_days=90", headers=bearer).json()
    listed = client.get("/api/v1/green/certificates?limit=500", headers=bearer).json()
    holders = {
        e["enterprise_id"]
        for e in listed["entries"]
        if e["kind"] == "building_material"
        and e["enterprise_id"]
        and e["status"] in ("valid", "expiring")
    }
    # the enterprises holding a certificate in force, as the entries show them (at least the
    # demo enterprise's, whose first certificate is in force)
    assert summary["total"]["certified"]["building_material"] == len(holders) >= 1
    assert len(summary["unmatched"]) == 2  # the two entries published without a code
    motors = client.get("/api/v1/green/motors", headers=bearer).json()
    assert motors["total"]["motors"] > 0 and motors["enterprises"] >= 1  # the demo plants
    page = client.get("/green")
    assert page.status_code == 200 and "chart-motors" in page.text


def test_loading_again_adds_no_list(demo: tuple[TestClient, str, Path]) -> None:
    _, _, folder = demo
    engine = make_engine(f"sqlite:///{folder / 'home' / 'carbonpeak.db'}")
    with transaction(engine) as session:
        sources = list(session.scalars(select(ReferenceEdition.source_id)))
    engine.dispose()
    assert sorted(s for s in sources if s.startswith("demo_green")) == [
        "demo_green_building_materials",
        "demo_green_design_products",
        "demo_green_factories",
        "demo_green_supply_chains",
    ]
