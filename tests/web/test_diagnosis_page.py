"""The diagnosis pages: run the example plant (measures, MAC curve, energy-flow Sankey), put its
measures in the register, move one through to verification against the demo meters; bad files
shown by field; a regulator may look but not register."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from carbonpeak.api.app import create_app
from carbonpeak.diagnosis.plant import example_text
from carbonpeak.services.users import add_user
from carbonpeak.store.db import transaction
from carbonpeak.store.models import Enterprise

from .conftest import DemoLake, Served
from .test_opportunities import _lake_year
from .test_pages import _actor, _login


@pytest.fixture
def client(demo_store: Engine, demo_lake: DemoLake) -> Iterator[TestClient]:
    yield TestClient(create_app(demo_store))


def _plant_text(engine: Engine, enterprise_id: str) -> str:
    with Session(engine) as session:
        region = session.get(Enterprise, enterprise_id).region_code  # type: ignore[union-attr]
    data = yaml.safe_load(example_text())
    data |= {"enterprise_id": enterprise_id, "region_code": region}
    return yaml.safe_dump(data, allow_unicode=True)


def test_diagnose_register_and_verify(
    client: TestClient, served: Served, demo_lake: DemoLake
) -> None:
    _login(client, "demo-admin", served.password)
    shown = client.get("/diagnosis")
    assert shown.status_code == 200 and "type: motor" in shown.text
    plant = demo_lake.plants[2]
    text = _plant_text(served.engine, plant)
    run = client.post("/diagnosis", data={"plant": text, "action": "run"})
    assert run.status_code == 200 and 'id="diagnosis-result"' in run.text
    assert run.text.count("<tr>") >= 8 and 'id="diagnosis-mac"' in run.text
    flow = run.text[run.text.index('id="diagnosis-flow"') :]
    assert 'id="sankey"' in flow and flow[: flow.index("</svg>")].count("<path") == 6
    bad = client.post(
        "/diagnosis",
        data={"plant": text.replace("efficiency: 0.95", "efficiency: 1.5"), "action": "run"},
    )
    assert bad.status_code == 400 and "equipment.0.motor.efficiency" in bad.text
    stored = client.post(
        "/diagnosis", data={"plant": text, "action": "register"}, follow_redirects=False
    )
    assert stored.status_code == 303 and stored.headers["location"] == "/opportunities"
    register = client.get("/opportunities")
    ids = [int(i) for i in re.findall(r'id="opportunity-(\d+)"', register.text)]
    assert len(ids) >= 8
    first = min(ids[:8])
    for action, extra in (
        ("accepted", {}),
        ("implemented", {"implemented_on": f"{_lake_year(demo_lake)}-10-01"}),
        ("verify", {}),
    ):
        moved = client.post(
            f"/opportunities/{first}", data={"action": action, **extra}, follow_redirects=False
        )
        assert moved.status_code == 303, moved.text[:500]
    row = client.get("/opportunities").text
    row = row[row.index(f'id="opportunity-{first}"') :]
    row = row[: row.index("</tr>")]
    assert "whole facility" in row
    with Session(served.engine) as session:  # the register names the enterprise, code beside
        name = session.get(Enterprise, plant).name  # type: ignore[union-attr]
    assert f'<td>{name} <span class="code">{plant}</span></td>' in row
    again = client.post(f"/opportunities/{first}", data={"action": "accepted"})
    assert again.status_code == 400 and "not allowed" in again.text


def test_a_regulator_may_not_register(
    client: TestClient, served: Served, demo_lake: DemoLake
) -> None:
    _login(client, "demo-regulator", served.password)
    text = _plant_text(served.engine, demo_lake.plants[2])
    assert client.post("/diagnosis", data={"plant": text, "action": "run"}).status_code == 200
    refused = client.post("/diagnosis", data={"plant": text, "action": "register"})
    assert refused.status_code == 403
    assert client.get("/opportunities").status_code == 200


def test_the_example_is_made_out_to_an_enterprise_the_user_may_see(
    client: TestClient, served: Served
) -> None:
    with Session(served.engine) as session:
        first = sorted(_actor(session, "demo-enterprise").enterprises)[0]
        region = session.get(Enterprise, first).region_code  # type: ignore[union-attr]
    _login(client, "demo-enterprise", served.password)
    shown = client.get("/diagnosis")
    assert shown.status_code == 200
    text = html.unescape(shown.text)
    assert f"enterprise_id: {first}" in text and f'region_code: "{region}"' in text
    # a regulator of Beijing scoped to the same (Hebei) enterprise may not see it
    with transaction(served.engine) as session:
        add_user(session, "web-outsider", "regulator", served.password, ["110000"], [first])
    outsider = TestClient(client.app)
    _login(outsider, "web-outsider", served.password)
    refused = outsider.get("/diagnosis")
    assert refused.status_code == 404 and region not in refused.text
    assert outsider.get(f"/enterprises/{first}").status_code == 404  # as the other pages
